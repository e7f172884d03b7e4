"""Print the permission table (docs/security.md is this output between its markers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from careweave.access.permissions import as_markdown


class Command(BaseCommand):
    help = "Print the permission table as Markdown (who may do what), generated from the code."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(as_markdown(), ending="")
