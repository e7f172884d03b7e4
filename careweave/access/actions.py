"""Changes to consent and access, each audited: the person's choices and emergency access."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.decisions import BREAK_GLASS_REFUSED, decide, may_break_glass
from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, BreakGlass, Level
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person


def _require_person_or_proxy(actor, person: Person) -> str:  # noqa: ANN001
    """Refuse anyone else; return the basis ("self" or "proxy") for the audit trail."""
    basis = decide(actor, person).basis
    if basis not in ("self", "proxy"):
        raise RuleViolation(
            "access_choice_by_person",
            _("Only the person or their representative decides who may see their file."),
        )
    return basis


@transaction.atomic
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
    basis = _require_person_or_proxy(actor, person)
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


@transaction.atomic
def revoke_access_choice(actor, rule: AccessRule) -> None:  # noqa: ANN001
    basis = _require_person_or_proxy(actor, rule.person)
    rule.active = False
    rule.save_versioned(update_fields=["active"])
    record_access(actor, "update", "Consent", str(rule.fhir_id), person=rule.person, basis=basis)


def break_the_glass(actor, person: Person, reason: str) -> BreakGlass:  # noqa: ANN001
    """Emergency access for a care professional, with a reason the person will see."""
    refusal = None
    if not may_break_glass(actor):
        refusal = RuleViolation("break_glass_professional", str(BREAK_GLASS_REFUSED))
    elif len((reason or "").strip()) < 10:
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


def require_may_break_glass(actor, person: Person | None = None, *, action: str = "search") -> None:  # noqa: ANN001
    """Refuse (audited) whoever may not use emergency access; ``person`` is whose file it was about, if known.

    A refused attempt without a person (opening the look-up page) is still kept in the audit trail.
    """
    if may_break_glass(actor):
        return
    decision = decide(actor, person) if person is not None else None
    record_access(
        actor,
        action,
        "Patient",
        str(person.fhir_id) if person is not None else "",
        person=person,
        outcome="denied",
        reason=str(BREAK_GLASS_REFUSED),
        basis=decision.basis if decision is not None else "",
    )
    raise AccessRefused(str(BREAK_GLASS_REFUSED), decision)


def emergency_lookup(actor, ssin: str) -> Person | None:  # noqa: ANN001
    """Find a person by SSIN before emergency access; the look-up itself is on the found person's file.

    The name, birth date and municipality it shows are personal data: only those who may break the
    glass may look, and the person sees every look-up (a refused one too) in "who looked".
    """
    found = Person.objects.filter(ssin=ssin).first()
    require_may_break_glass(actor, found)
    if found is not None:
        record_access(
            actor,
            "search",
            "Patient",
            str(found.fhir_id),
            person=found,
            reason="lookup by SSIN for emergency access",
            basis=decide(actor, found).basis,
        )
    return found
