"""Changes to consent and access, each audited: the person's choices, emergency access, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.decisions import BREAK_GLASS_REFUSED, decide, may_break_glass
from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, ApiToken, BreakGlass, Level
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
    from django.urls import reverse

    from careweave.notifications import emit
    from careweave.notifications.events import deciders

    # The person (and whoever decides for them) hears of it at once, with the link to "who looked".
    emit("emergency_access", person=person, target=event, actor=actor, recipients=deciders(person),
         url=reverse("web:privacy", args=[person.fhir_id]))
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


# --- API tokens: each user creates, lists and revokes only their own ------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret: the secret is shown once and never stored."""

    token: ApiToken
    secret: str


def _audit_token(actor, token: ApiToken, what: str, reason: str = "") -> None:  # noqa: ANN001
    """On the person's file only when the token's user is a person (their account is part of it)."""
    owner = token.user
    detail = f"API token {token.name!r} ({token.prefix}…) {what}"
    record_access(
        actor,
        "create" if what == "created" else "update",
        "Account",
        str(owner.pk),
        person=getattr(owner, "person", None),
        reason=f"{detail}: {reason}" if reason else detail,
    )


@transaction.atomic
def create_api_token(actor, *, name: str, days: int | None = None) -> IssuedToken:  # noqa: ANN001
    """A new bearer token for the actor's own use of the FHIR API, valid ``days`` (default API_TOKEN_DAYS)."""
    authorize(actor, "access.create_api_token")
    from django.conf import settings

    name = (name or "").strip()
    if not name:
        raise RuleViolation("api_token_name", _("Give the token a name, so that you recognise it later."))
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise RuleViolation("api_token_name", _("The name of a token can be at most 100 characters."))
    maximum = settings.API_TOKEN_MAX_DAYS
    if days is not None and not 1 <= days <= maximum:
        raise RuleViolation(
            "api_token_days", _("A token is valid for 1 to %(maximum)d days.") % {"maximum": maximum}
        )
    token, secret = ApiToken.issue_token(actor, name, days)
    _audit_token(actor, token, "created")
    return IssuedToken(token, secret)


@transaction.atomic
def revoke_api_token(actor, token: ApiToken) -> ApiToken:  # noqa: ANN001
    """The owner stops one token at once; a revoked token never works again."""
    authorize(actor, "access.revoke_api_token", token)
    if not token.revoked:
        token.revoked = True
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
        _audit_token(actor, token, "revoked")
    return token


@transaction.atomic
def revoke_all_api_tokens(actor, owner) -> int:  # noqa: ANN001
    """The owner stops all their tokens at once (a lost laptop); returns how many were still active."""
    authorize(actor, "access.revoke_all_api_tokens", owner)
    return _revoke_all(actor, owner, "")


def revoke_api_tokens_after_credential_change(owner, reason: str) -> int:  # noqa: ANN001
    """All of a user's tokens stop when the password changes or the account is deactivated.

    No permission check of its own: it only takes access away, as the consequence of a change that
    was itself allowed (a password change, a deactivation). The audit names whoever made that change.
    """
    from careweave.access.audit import current_user

    with transaction.atomic():
        return _revoke_all(current_user(), owner, reason)


def _revoke_all(actor, owner, reason: str) -> int:  # noqa: ANN001
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=owner, revoked=False).select_related("user"))
    for token in tokens:
        token.revoked, token.revoked_at = True, now
        _audit_token(actor, token, "revoked", reason)
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked=True, revoked_at=now)
    return len(tokens)
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
