"""The admin shows the instrument catalogue only: assessments hold personal data and are read through the doors
that decide access and audit (web, FHIR), never through the admin."""

from django.contrib import admin
from django.http import HttpRequest

from careweave.assessments.models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Read-only: instruments are data files, synced by ``catalogue.sync_instruments``."""

    list_display = ("code", "version", "title", "kind", "medical", "private_to_author", "status", "revision")
    list_filter = ("kind", "medical", "status")
    search_fields = ("code", "title", "url")
    exclude = ("questionnaire",)

    def get_readonly_fields(self, request: HttpRequest, obj: Instrument | None = None) -> list[str]:
        return [f.name for f in Instrument._meta.fields if f.name != "questionnaire"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Instrument | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Instrument | None = None) -> bool:
        return False
