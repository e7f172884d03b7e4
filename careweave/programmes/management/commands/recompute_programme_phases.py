"""``manage.py recompute_programme_phases``: move every enrolment to the phase its dates imply (nightly)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Move every active programme enrolment to the phase its dates imply and announce the transitions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=date.fromisoformat, default=None, help="the day to compute for (ISO date)")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from careweave.programmes.actions import recompute_enrolments, sync_shipped_pathways

        sync_shipped_pathways()
        moved = recompute_enrolments(None, today=options["on"])
        self.stdout.write(f"{moved} enrolment(s) moved to another phase")
