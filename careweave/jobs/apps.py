from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "careweave.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from careweave.jobs.schedule import register

        register("prune-finished-jobs", "40 3 * * *", "careweave.jobs.tasks.prune_finished_jobs")
