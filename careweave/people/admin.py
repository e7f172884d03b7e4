"""User accounts in the admin: professionals' and staff accounts only.

The account of a person or of someone in a person's network says who receives care and holds
their name and e-mail: it is part of that person's file. The admin's user list leaves these
accounts out, and opening one goes through the access decision and is audited (issue 11.1).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from careweave.access.admin import NOT_PERSONAL, PersonalFileAdmin
from careweave.access.models import Level
from careweave.people.models import Person, RelatedPerson


def _person_of_account(user: User) -> Person | None:
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    related = RelatedPerson.objects.filter(user=user).select_related("person").first()
    return related.person if related is not None else None


class AccountAdmin(PersonalFileAdmin, UserAdmin):
    """Django's user admin, without the accounts that belong to a person's file."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return UserAdmin.has_change_permission(self, request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return UserAdmin.has_add_permission(self, request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        if obj is not None and _person_of_account(obj) is not None:
            return False
        return UserAdmin.has_delete_permission(self, request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "auth_user_changelist":
            return queryset.filter(person__isnull=True, related_persons__isnull=True).distinct()
        return queryset

    def audit_resource(self, obj: User) -> tuple[str, str]:
        return "Account", str(obj.pk)

    def file_of(self, obj: User) -> Any:
        person = _person_of_account(obj)
        return NOT_PERSONAL if person is None else (person, Level.PLAN)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:  # noqa: A002
        user = self.get_object(request, id)
        if user is not None:
            self.require_file_access(request, user)
        return super().user_change_password(request, id, form_url)


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
