"""``manage.py load_p3_table --zone ZORA``: the generated P3 data set (003 l.6-27, every row) in a zone (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from careweave.financing.seedtable import cohort_size, load_seed_table
from careweave.people.models import Professional
from careweave.territory.models import Zone


class Command(BaseCommand):
    help = ("Load the generated P3 data set into a zone: billed provisions per type and period and new patients per "
            "period exactly as the table of 003 l.6-27 (idempotent).")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--zone", default="ZORA", help="code of the zone that receives the generated persons")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        zone = Zone.objects.filter(code=options["zone"]).first()
        if zone is None:
            raise CommandError(f"unknown zone {options['zone']}")
        professionals = list(Professional.objects.filter(zone=zone, active=True).order_by("pk"))
        if not professionals:
            raise CommandError(f"zone {zone.code} has no active professionals to bill the provisions")
        loaded = load_seed_table(zone, professionals)
        self.stdout.write(_("%(persons)s of %(cohort)s persons and %(lines)s billing lines created in zone %(zone)s")
                          % {"persons": loaded.persons, "cohort": cohort_size(), "lines": loaded.lines,
                             "zone": zone.code})
