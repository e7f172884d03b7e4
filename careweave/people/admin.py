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
from django.db.models import Q, QuerySet
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


def _personal_accounts() -> QuerySet[User]:
    """Accounts of persons and of people in a person's network (their names are part of a file)."""
    return User.objects.filter(Q(person__isnull=False) | Q(related_persons__isnull=False))


def _without_personal_accounts(model: type, lookup: str) -> None:
    """Re-register a third-party admin (login log, lockouts, 2FA devices) without persons' rows.

    Who logs in when, from which address, says who receives care: left out of the admin like the
    accounts themselves. A person locked out waits for the cool-off, as the lock-out page says.
    """
    base = type(admin.site._registry[model])

    def get_queryset(self: admin.ModelAdmin, request: HttpRequest) -> QuerySet:
        accounts = _personal_accounts()
        values = accounts.values("username") if lookup.endswith("username") else accounts.values("pk")
        return base.get_queryset(self, request).exclude(**{f"{lookup}__in": values})

    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (base,), {"get_queryset": get_queryset}))


def _limit_third_party_admins() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if model in admin.site._registry:
            _without_personal_accounts(model, "username")
    if TOTPDevice in admin.site._registry:
        _without_personal_accounts(TOTPDevice, "user")


_limit_third_party_admins()
