"""``manage.py load_p3_table --zone ZORA``: the billed-provisions data set of the seed's P3 table (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from careweave.financing.seedtable import load_seed_table
from careweave.people.models import Person, Professional


class Command(BaseCommand):
    help = "Load billed provisions whose counts per type and period equal the P3 table of 003 l.6-27 (idempotent)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--zone", default="ZORA", help="zone code whose persons and professionals are used")
        parser.add_argument("--persons", type=int, default=40, help="how many of the zone's persons carry the lines")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        persons = list(Person.objects.filter(zone__code=options["zone"]).order_by("pk")[: options["persons"]])
        professionals = list(Professional.objects.filter(zone__code=options["zone"], active=True).order_by("pk"))
        if not persons or not professionals:
            raise CommandError(f"zone {options['zone']} has no persons or no professionals")
        created = load_seed_table(persons, professionals)
        self.stdout.write(f"{created} billing lines created")
