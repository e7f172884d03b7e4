from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "careweave.access"
    label = "access"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from careweave.access.receivers import professional_saved, user_saved

        post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="careweave.access.tokens.user")
        post_save.connect(professional_saved, sender="people.Professional",
                          dispatch_uid="careweave.access.tokens.professional")
