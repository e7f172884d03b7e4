"""Changes to consent and access, each audited: the person's choices and emergency access."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.models import AccessRule, BreakGlass, Level
from careweave.access.permissions import authorize, check
from careweave.careplans.actions._common import atomic_action
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person


@atomic_action
def set_access_choice(
    actor,
    person: Person,
    *,
    level: int,
    professional=None,
    related_person=None,
    sector: str = "",  # noqa: ANN001
    valid_until=None,
    note: str = "",  # noqa: ANN001
) -> AccessRule:
    """The person makes access stricter or looser for one grantee or a whole sector."""
    basis = authorize(actor, "access.set_access_choice", person).basis
    if level not in Level.values:
        raise RuleViolation("access_level", _("Choose one of the offered access levels."))
    existing = AccessRule.objects.filter(
        person=person, professional=professional, related_person=related_person, sector=sector, active=True
    )
    for old in existing:
        old.active = False
        old.save_versioned(update_fields=["active"])
    rule = AccessRule.objects.create(
        person=person,
        professional=professional,
        related_person=related_person,
        sector=sector,
        level=level,
        valid_until=valid_until,
        note=note,
        recorded_by=actor,
    )
    record_access(actor, "create", "Consent", str(rule.fhir_id), person=person, reason=note, basis=basis)
    return rule


@atomic_action
def revoke_access_choice(actor, rule: AccessRule) -> None:  # noqa: ANN001
    basis = authorize(actor, "access.revoke_access_choice", rule).basis
    rule.active = False
    rule.save_versioned(update_fields=["active"])
    record_access(actor, "update", "Consent", str(rule.fhir_id), person=rule.person, basis=basis)


def break_the_glass(actor, person: Person, reason: str) -> BreakGlass:  # noqa: ANN001
    """Emergency access for a care professional, with a reason the person will see.

    The table's row decides who; a refusal is audited here (basis ``break_glass``, with the reason
    given) outside any transaction, so the person sees refused attempts too.
    """
    allowed, code, message = check(actor, "access.break_the_glass", person)
    refusal = None if allowed else RuleViolation(code, message)
    if refusal is None and len((reason or "").strip()) < 10:
        refusal = RuleViolation(
            "break_glass_reason", _("Explain in a sentence why you need emergency access (at least 10 characters).")
        )
    if refusal is not None:
        # Recorded before raising, outside any transaction of this action, so it stays on record.
        _record_refused_break_glass(actor, person, reason, refusal)
        raise refusal
    with transaction.atomic():
        return _grant_break_glass(actor, person, reason)


def _grant_break_glass(actor, person: Person, reason: str) -> BreakGlass:  # noqa: ANN001
    now = timezone.now()
    event = BreakGlass.objects.create(
        person=person,
        user=actor,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + timedelta(hours=BreakGlass.DURATION_HOURS),
    )
    record_access(actor, "execute", "Patient", str(person.fhir_id), person=person, reason=reason, basis="break_glass")
    return event


def _record_refused_break_glass(actor, person: Person, reason: str, refusal: RuleViolation) -> None:  # noqa: ANN001
    """The person sees refused emergency-access attempts too (who tried, when, why refused)."""
    record_access(
        actor,
        "execute",
        "Patient",
        str(person.fhir_id),
        person=person,
        outcome="denied",
        reason=f"{refusal.text} — {reason}".strip(" —"),
        basis="break_glass",
    )
