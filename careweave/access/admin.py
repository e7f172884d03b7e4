"""Admin pages over records that belong to a person's file: nothing personal in the lists, and
the record itself only through the access decision, audited in the person's "who looked".

The administrator keeps the platform running; being an administrator gives no access to anyone's
file (README, decision 0004). An admin with a real basis (e.g. recorded emergency access) still
sees the record, and the person sees that read like any other.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level

NOT_PERSONAL = object()  # file_of() answer for a record that is nobody's file


class PersonalFileAdmin(admin.ModelAdmin):
    """Read-only; opening one record is decided and audited like any other read of the file."""

    def file_of(self, obj: Any) -> Any:
        """``(person, needed level)`` for the record, ``NOT_PERSONAL``, or ``(None, …)`` when unknown."""
        raise NotImplementedError

    def audit_resource(self, obj: Any) -> tuple[str, str]:
        return type(obj).__name__, str(obj.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            self.require_file_access(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            self.require_file_access(request, obj)
        return super().history_view(request, object_id, extra_context)

    def require_file_access(self, request: HttpRequest, obj: Any) -> None:
        answer = self.file_of(obj)
        if answer is NOT_PERSONAL:
            return
        person, needed = answer
        resource_type, resource_id = self.audit_resource(obj)
        if person is None:
            # The record cannot be tied to a person (e.g. the record was deleted): refuse rather than guess.
            record_access(request.user, "read", resource_type, resource_id, outcome="denied",
                          reason="admin: person unknown", request=request, channel="admin")
            raise PermissionDenied(_("This record may belong to someone's file; it cannot be opened here."))
        try:
            require_access(request.user, person, action="read", resource_type=resource_type,
                           resource_id=resource_id, needed=needed, request=request)
        except AccessRefused as exc:
            raise PermissionDenied(exc.message) from exc


__all__ = ["PersonalFileAdmin", "NOT_PERSONAL", "Level"]
