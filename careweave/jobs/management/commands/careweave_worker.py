"""``manage.py careweave_worker``: the same as ``careweave worker``."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs (database queue) and the scheduler until interrupted."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--batch", action="store_true", help="stop when the queue is empty")
        parser.add_argument("--no-scheduler", action="store_true", help="do not enqueue scheduled jobs")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from careweave.jobs.worker import run_worker

        run_worker(interval=options["interval"], batch=options["batch"], scheduler=not options["no_scheduler"])
