"""Who may see what of a person's file, and why (C5).

One function, :func:`decide`, is used by the web pages, the FHIR API and the CLI alike, so an
access rule can never be bypassed through another door. The default matrix:

=========================  ===========  ==================================================
relationship               level        basis
=========================  ===========  ==================================================
the person themselves      full         ``self``
representative / proxy     full         ``proxy``
care professional in team  full         ``care_relationship``
welfare professional       plan         ``care_relationship`` (no medical detail)
informal carer in team     plan         ``care_relationship``
appointed case manager     full         ``case_management``
consent (AccessRule)       as granted   ``consent``
break-the-glass            full         ``break_glass`` (time-limited, reason recorded)
=========================  ===========  ==================================================

The person's :class:`~careweave.access.models.AccessRule` choices then make this stricter or
looser, per professional, per informal-network member or per sector.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careweave.access.models import AccessRule, BreakGlass, Level
from careweave.people.models import Person, RelatedPerson, Sector


@dataclass(frozen=True)
class Decision:
    level: int
    basis: str
    explanation: Promise | str = ""

    def allows(self, needed: int) -> bool:
        return self.level >= needed

    @property
    def refusal(self) -> str:
        """Why access is refused: no relationship at all, or a part the person keeps to themselves."""
        return str(self.explanation if self.level == Level.NONE and self.explanation else RESTRICTED)


NO_RELATIONSHIP = _(
    "You have no care relationship with this person and they have not given you access. "
    "Ask the person or their coordinator to add you to the care team, or use emergency access with a reason."
)
RESTRICTED = _("This person has chosen not to share this part of their file with you.")


def _rule_level(rules: list[AccessRule], *, professional=None, related=None, sector: str = "") -> int | None:  # noqa: ANN001
    """The person's most specific current choice for this grantee (individual beats sector)."""
    now = timezone.now()
    current = [r for r in rules if r.is_current(now)]
    for r in current:
        if professional is not None and r.professional_id == professional.pk:
            return r.level
        if related is not None and r.related_person_id == related.pk:
            return r.level
    for r in current:
        if sector and r.sector == sector:
            return r.level
    return None


def _active_professional(user):  # noqa: ANN001, ANN202
    """A deactivated professional (left the practice, lost their licence) keeps no access."""
    professional = getattr(user, "professional", None)
    return professional if professional is not None and professional.active else None


BREAK_GLASS_REFUSED = _("Only an active care professional can use emergency access.")


def may_break_glass(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Emergency access (and the SSIN look-up before it) is for active care professionals only.

    Decision 0004: welfare professionals never get medical detail without consent, and persons,
    informal carers, zone staff and administrators have no access to files by default, so none of
    them may break the glass, nor search the register of persons that precedes it.
    """
    from careweave.access.permissions import may

    return may(user, "access.emergency_lookup")


# Decisions remembered while a page asks the permission table for its links and buttons (never
# while an action runs: an action may change the relationships it is decided on).
_remembered: ContextVar[dict | None] = ContextVar("careweave_remembered_decisions", default=None)


@contextmanager
def remembering_decisions(memo: dict | None = None) -> Iterator[dict]:
    """Within the block, :func:`decide` answers each (user, person) once; ``memo`` may be kept per request."""
    memo = {} if memo is None else memo
    token = _remembered.set(memo)
    try:
        yield memo
    finally:
        _remembered.reset(token)


def decide(user: AbstractBaseUser | AnonymousUser, person: Person) -> Decision:
    """Return the access level ``user`` has to ``person``'s file and the basis for it."""
    memo = _remembered.get()
    if memo is None or person is None or getattr(person, "pk", None) is None:
        return _decide(user, person)
    key = (getattr(user, "pk", None), person.pk)
    if key not in memo:
        memo[key] = _decide(user, person)
    return memo[key]


def _decide(user: AbstractBaseUser | AnonymousUser, person: Person) -> Decision:
    if not user or not user.is_authenticated or not user.is_active:
        return Decision(Level.NONE, "anonymous", NO_RELATIONSHIP)
    if person.user_id == user.pk:
        return Decision(Level.FULL, "self")

    from careweave.careplans.models import CaseManagementEpisode, TeamMember

    rules = list(AccessRule.objects.filter(person=person, active=True))

    related = person.network.filter(user=user, active=True).first()
    if related is not None and related.acts_for_person:
        return Decision(Level.FULL, "proxy")

    professional = _active_professional(user)
    memberships = TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE)
    if professional is not None:
        if memberships.filter(professional=professional).exists():
            default = Level.PLAN if professional.sector == Sector.WELFARE else Level.FULL
            chosen = _rule_level(rules, professional=professional, sector=professional.sector)
            level = default if chosen is None else chosen
            return Decision(level, "care_relationship", RESTRICTED if level == Level.NONE else "")
        if CaseManagementEpisode.objects.filter(
            person=person, case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
        ).exists():
            return Decision(Level.FULL, "case_management")
        chosen = _rule_level(rules, professional=professional)
        if chosen:
            return Decision(chosen, "consent")
    if related is not None and memberships.filter(related_person=related).exists():
        chosen = _rule_level(rules, related=related, sector=AccessRule.Sector.INFORMAL)
        level = Level.PLAN if chosen is None else chosen
        return Decision(level, "care_relationship", RESTRICTED if level == Level.NONE else "")
    if BreakGlass.objects.filter(person=person, user=user, expires_at__gt=timezone.now()).exists():
        return Decision(Level.FULL, "break_glass")
    return Decision(Level.NONE, "none", NO_RELATIONSHIP)


def persons_visible_to(user: AbstractBaseUser) -> list[int]:
    """Ids of the persons whose file ``user`` may open (for lists and FHIR searches)."""
    from careweave.careplans.models import CaseManagementEpisode, TeamMember

    ids: set[int] = set()
    if not user.is_authenticated:
        return []
    own = Person.objects.filter(user=user).values_list("pk", flat=True)
    ids.update(own)
    # Being in someone's network gives no access by itself: only representation, proxy access or
    # team membership do (as in decide()).
    network = RelatedPerson.objects.filter(user=user, active=True)
    ids.update(network.filter(Q(is_representative=True) | Q(has_proxy_access=True)).values_list("person_id", flat=True))
    ids.update(
        TeamMember.objects.filter(related_person__in=network, status=TeamMember.Status.ACTIVE).values_list(
            "team__person_id", flat=True
        )
    )
    professional = _active_professional(user)
    if professional is not None:
        ids.update(
            TeamMember.objects.filter(professional=professional, status=TeamMember.Status.ACTIVE).values_list(
                "team__person_id", flat=True
            )
        )
        ids.update(
            CaseManagementEpisode.objects.filter(
                case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
            ).values_list("person_id", flat=True)
        )
        now = timezone.now()
        ids.update(
            r.person_id
            for r in AccessRule.objects.filter(professional=professional, active=True, level__gt=0)
            if r.is_current(now)
        )
    ids.update(BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values_list("person_id", flat=True))
    # A person may have refused this user despite the relationship: check those few with decide().
    refusing = AccessRule.objects.filter(person_id__in=ids, active=True, level=Level.NONE).values_list(
        "person_id", flat=True
    )
    for person in Person.objects.filter(pk__in=set(refusing)):
        if decide(user, person).level == Level.NONE:
            ids.discard(person.pk)
    return sorted(ids)


def bases_of(user: AbstractBaseUser, person_ids: Iterable[int]) -> dict[int, str]:
    """The basis of :func:`decide` for many persons in a handful of queries, for auditing a list page.

    Same order as ``decide``: self, proxy, care team (as professional), case management, consent, care
    team (informal network), emergency access; ``none`` when none applies. Lists are already filtered
    to what the user may see, so a person's refusal (level ``NONE``) is not looked at again here.
    """
    from careweave.careplans.models import CaseManagementEpisode, TeamMember

    wanted = set(person_ids)
    if not wanted or not user.is_authenticated:
        return dict.fromkeys(wanted, "none")
    found: dict[int, str] = {}

    def add(basis: str, ids: Iterable[int]) -> None:
        for pk in ids:
            if pk in wanted:
                found.setdefault(pk, basis)

    add("self", Person.objects.filter(user=user, pk__in=wanted).values_list("pk", flat=True))
    network = RelatedPerson.objects.filter(user=user, active=True, person_id__in=wanted)
    acting = network.filter(Q(is_representative=True) | Q(has_proxy_access=True))
    add("proxy", acting.values_list("person_id", flat=True))
    active = TeamMember.objects.filter(team__person_id__in=wanted, status=TeamMember.Status.ACTIVE)
    professional = _active_professional(user)
    if professional is not None:
        add("care_relationship", active.filter(professional=professional).values_list("team__person_id", flat=True))
        add(
            "case_management",
            CaseManagementEpisode.objects.filter(
                person_id__in=wanted, case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
            ).values_list("person_id", flat=True),
        )
        now = timezone.now()
        add(
            "consent",
            (
                r.person_id
                for r in AccessRule.objects.filter(professional=professional, active=True, person_id__in=wanted)
                if r.level > Level.NONE and r.is_current(now)
            ),
        )
    add("care_relationship", active.filter(related_person__in=network).values_list("team__person_id", flat=True))
    add(
        "break_glass",
        BreakGlass.objects.filter(user=user, person_id__in=wanted, expires_at__gt=timezone.now()).values_list(
            "person_id", flat=True
        ),
    )
    return {pk: found.get(pk, "none") for pk in wanted}
