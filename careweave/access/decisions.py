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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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


# Decisions remembered while a page is built: per request for safe (GET/HEAD) requests by
# :class:`careweave.access.middleware.RememberDecisionsMiddleware`, and by the ``{% may %}`` tag while a
# template renders; never while an action runs (:func:`forgetting_decisions`: an action may change the
# relationships it is decided on).
_remembered: ContextVar[dict | None] = ContextVar("careweave_remembered_decisions", default=None)


@contextmanager
def remembering_decisions(memo: dict | None = None) -> Iterator[dict]:
    """Within the block, :func:`decide` answers each (user, person) once; ``memo`` may be kept per request.

    The memo also keeps the relationship facts (:class:`Relationships`) the decisions are made of, so the
    predicates of the permission table reuse them, and facts are looked up for all persons a page
    announced (:func:`decide_many`) in one query each.
    """
    memo = {} if memo is None else memo
    token = _remembered.set(memo)
    try:
        yield memo
    finally:
        _remembered.reset(token)


def recall(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per request that remembers decisions (for the table's other relationship facts,
    e.g. the actor's membership of a team); computed every time otherwise."""
    memo = _remembered.get()
    if memo is None:
        return compute()
    key = ("recall", *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remembered() -> dict | None:
    """The memo of the request being served, if it remembers decisions."""
    return _remembered.get()


@contextmanager
def forgetting_decisions() -> Iterator[None]:
    """Within the block nothing is remembered, and what was remembered before is forgotten after it.

    Used around every action: the action decides on the relationships as they are, and the page
    rendered after it must not reuse decisions made before the action changed them.
    """
    memo = _remembered.get()
    token = _remembered.set(None)
    try:
        yield
    finally:
        _remembered.reset(token)
        if memo is not None:
            memo.clear()


def _rules(user, person_ids: list[int]) -> dict[int, list[AccessRule]]:  # noqa: ANN001
    found: dict[int, list[AccessRule]] = {pk: [] for pk in person_ids}
    for rule in AccessRule.objects.filter(person_id__in=person_ids, active=True):
        found[rule.person_id].append(rule)
    return found


def _related(user, person_ids: list[int]) -> dict[int, RelatedPerson | None]:  # noqa: ANN001
    """The user's active entry in each person's network (the first in the network's order)."""
    found: dict[int, RelatedPerson | None] = dict.fromkeys(person_ids)
    for related in RelatedPerson.objects.filter(user=user, active=True, person_id__in=person_ids):
        if found[related.person_id] is None:
            found[related.person_id] = related
    return found


def _ids(person_ids: list[int], present: Iterable[int]) -> dict[int, bool]:
    present = set(present)
    return {pk: pk in present for pk in person_ids}


def _team_professional(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    from careweave.careplans.models import TeamMember

    professional = _active_professional(user)
    if professional is None:
        return dict.fromkeys(person_ids, False)
    return _ids(person_ids, TeamMember.objects.filter(
        team__person_id__in=person_ids, professional=professional, status=TeamMember.Status.ACTIVE
    ).values_list("team__person_id", flat=True))


def _team_informal(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    from careweave.careplans.models import TeamMember

    return _ids(person_ids, TeamMember.objects.filter(
        team__person_id__in=person_ids, related_person__user=user, related_person__active=True,
        status=TeamMember.Status.ACTIVE,
    ).values_list("team__person_id", flat=True))


def _case_manager(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    from careweave.careplans.models import CaseManagementEpisode

    professional = _active_professional(user)
    if professional is None:
        return dict.fromkeys(person_ids, False)
    return _ids(person_ids, CaseManagementEpisode.objects.filter(
        person_id__in=person_ids, case_manager=professional, status=CaseManagementEpisode.Status.ACTIVE
    ).values_list("person_id", flat=True))


def _coordinator(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    professional = _active_professional(user)
    if professional is None:
        return dict.fromkeys(person_ids, False)
    return _ids(person_ids, CoordinationEpisode.objects.filter(
        team__person_id__in=person_ids, coordinator__professional=professional,
        status=CoordinationEpisode.Status.ACTIVE,
    ).values_list("team__person_id", flat=True))


def _own_coordination(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    from careweave.careplans.models import CoordinationEpisode

    return _ids(person_ids, CoordinationEpisode.objects.filter(
        team__person_id__in=person_ids, held_by_person=True, status=CoordinationEpisode.Status.ACTIVE
    ).values_list("team__person_id", flat=True))


def _break_glass(user, person_ids: list[int]) -> dict[int, bool]:  # noqa: ANN001
    return _ids(person_ids, BreakGlass.objects.filter(
        person_id__in=person_ids, user=user, expires_at__gt=timezone.now()
    ).values_list("person_id", flat=True))


# What a user is to a person, fact by fact: each a function (user, [person id]) -> {person id: value}
# answering for many persons in one query.
FACTS = {
    "rules": _rules,
    "related": _related,
    "team_professional": _team_professional,
    "team_informal": _team_informal,
    "case_manager": _case_manager,
    "coordinator": _coordinator,
    "own_coordination": _own_coordination,
    "break_glass": _break_glass,
}


class Relationships:
    """What one user is to the persons of a page: each fact looked up once, for all of them at once.

    Persons are announced with :meth:`add` (a list page announces every row); the first question about
    a fact then asks it for every announced person in one query, so a page's queries do not grow with
    its rows. Used by :func:`decide` and by the predicates of the permission table.
    """

    def __init__(self, user) -> None:  # noqa: ANN001
        self.user = user
        self.persons: set[int] = set()
        self.facts: dict[str, dict[int, Any]] = {}

    def add(self, person_ids: Iterable[int]) -> None:
        self.persons.update(pk for pk in person_ids if pk is not None)

    def fact(self, kind: str, person_id: int) -> Any:
        self.persons.add(person_id)
        known = self.facts.setdefault(kind, {})
        if person_id not in known:
            known.update(FACTS[kind](self.user, [pk for pk in self.persons if pk not in known]))
        return known[person_id]


def relationships(user) -> Relationships:  # noqa: ANN001
    """The request's relationships of ``user`` (a fresh, unshared one when nothing is remembered)."""
    memo = _remembered.get()
    if memo is None:
        return Relationships(user)
    key = ("relationships", getattr(user, "pk", None))
    if key not in memo:
        memo[key] = Relationships(user)
    return memo[key]


def relationship(user, person: Person, kind: str) -> Any:  # noqa: ANN001
    """One fact (a key of ``FACTS``) of ``user`` about ``person``, remembered for the request."""
    return relationships(user).fact(kind, person.pk)


def decide(user: AbstractBaseUser | AnonymousUser, person: Person) -> Decision:
    """Return the access level ``user`` has to ``person``'s file and the basis for it."""
    memo = _remembered.get()
    if memo is None or person is None or getattr(person, "pk", None) is None:
        return _decide(user, person, Relationships(user))
    key = (getattr(user, "pk", None), person.pk)
    if key not in memo:
        memo[key] = _decide(user, person, relationships(user))
    return memo[key]


def decide_many(user: AbstractBaseUser | AnonymousUser, persons: Iterable[Person]) -> dict[int, Decision]:
    """:func:`decide` for every person of a page in a fixed number of queries, remembered for the request.

    Outside a request that remembers decisions the answers are computed together but not kept.
    """
    persons = [p for p in persons if p is not None and p.pk is not None]
    if _remembered.get() is None:
        with remembering_decisions():
            return decide_many(user, persons)
    if user is not None and getattr(user, "is_authenticated", False):
        relationships(user).add(p.pk for p in persons)
    return {p.pk: decide(user, p) for p in persons}


def _decide(user: AbstractBaseUser | AnonymousUser, person: Person, facts: Relationships) -> Decision:
    if not user or not user.is_authenticated or not user.is_active:
        return Decision(Level.NONE, "anonymous", NO_RELATIONSHIP)
    if person.user_id == user.pk:
        return Decision(Level.FULL, "self")

    rules = facts.fact("rules", person.pk)
    related = facts.fact("related", person.pk)
    if related is not None and related.acts_for_person:
        return Decision(Level.FULL, "proxy")

    professional = _active_professional(user)
    if professional is not None:
        if facts.fact("team_professional", person.pk):
            default = Level.PLAN if professional.sector == Sector.WELFARE else Level.FULL
            chosen = _rule_level(rules, professional=professional, sector=professional.sector)
            level = default if chosen is None else chosen
            return Decision(level, "care_relationship", RESTRICTED if level == Level.NONE else "")
        if facts.fact("case_manager", person.pk):
            return Decision(Level.FULL, "case_management")
        chosen = _rule_level(rules, professional=professional)
        if chosen:
            return Decision(chosen, "consent")
    if related is not None and facts.fact("team_informal", person.pk):
        chosen = _rule_level(rules, related=related, sector=AccessRule.Sector.INFORMAL)
        level = Level.PLAN if chosen is None else chosen
        return Decision(level, "care_relationship", RESTRICTED if level == Level.NONE else "")
    if facts.fact("break_glass", person.pk):
        return Decision(Level.FULL, "break_glass")
    return Decision(Level.NONE, "none", NO_RELATIONSHIP)


def persons_visible_to(user: AbstractBaseUser) -> list[int]:
    """Ids of the persons whose file ``user`` may open (for lists and FHIR searches).

    Remembered for the request when it remembers decisions (a page and its templates ask it twice).
    """
    memo = _remembered.get()
    if memo is None:
        return _persons_visible_to(user)
    key = ("visible", getattr(user, "pk", None))
    if key not in memo:
        memo[key] = _persons_visible_to(user)
    return list(memo[key])


def _persons_visible_to(user: AbstractBaseUser) -> list[int]:
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


def bases_of(user: AbstractBaseUser, persons: Iterable[Person | int]) -> dict[int, str]:
    """The basis of :func:`decide` for the persons of a list page, for auditing it (one query per fact).

    Persons or their ids; ``none`` when no relationship applies. The same facts and order as ``decide``
    (through :func:`decide_many`), so "who looked" names the basis the page was decided on.
    """
    given = list(persons)
    objects = [p for p in given if isinstance(p, Person)]
    ids = {p for p in given if not isinstance(p, Person)} - {p.pk for p in objects}
    if ids:
        objects += list(Person.objects.filter(pk__in=ids).only("pk", "user_id"))
    if not user.is_authenticated:
        return dict.fromkeys((p.pk for p in objects), "none")
    return {pk: decision.basis for pk, decision in decide_many(user, objects).items()}
