"""Who the logged-in user is in Careweave, to choose their home page and navigation.

One user can hold several roles (a nurse who coordinates some plans, a daughter who is also a
GP elsewhere); the roles only decide what is *offered*. Access itself is always decided by
:func:`careweave.access.decisions.decide`, never by these flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.http import HttpRequest
from django.urls import reverse

from careweave.careplans.models import CaseManagementEpisode, CoordinationEpisode, TeamMember, TrainingRecord
from careweave.people.models import Person, Professional, RelatedPerson, Sector
from careweave.territory.models import ZoneStaff


@dataclass
class Roles:
    user: object
    person: Person | None = None
    professional: Professional | None = None
    network: list[RelatedPerson] = field(default_factory=list)
    zone_roles: list[ZoneStaff] = field(default_factory=list)

    @cached_property
    def cared_for(self) -> list[Person]:
        """Persons whose network this user belongs to (as informal carer, representative or proxy)."""
        seen: dict[int, Person] = {}
        for related in self.network:
            seen.setdefault(related.person_id, related.person)
        return list(seen.values())

    @property
    def is_carer(self) -> bool:
        return bool(self.network)

    @property
    def is_professional(self) -> bool:
        return self.professional is not None

    @property
    def is_care_professional(self) -> bool:
        return self.professional is not None and self.professional.sector == Sector.CARE and self.professional.active

    @cached_property
    def may_break_glass(self) -> bool:
        """Offered the emergency look-up and access (the rule: access.decisions.may_break_glass)."""
        from careweave.access.decisions import may_break_glass

        return may_break_glass(self.user)

    @cached_property
    def coordinates(self) -> int:
        """How many plans this user coordinates now (as a professional or an informal carer)."""
        return coordination_episodes_of(self.user).filter(status=CoordinationEpisode.Status.ACTIVE).count()

    @cached_property
    def is_coordinator(self) -> bool:
        return bool(self.coordinates) or self.is_trained_coordinator

    @cached_property
    def is_trained_coordinator(self) -> bool:
        return (
            self.professional is not None
            and TrainingRecord.objects.filter(
                professional=self.professional, function=TrainingRecord.Function.COORDINATOR, active=True
            ).exists()
        )

    @cached_property
    def is_case_manager(self) -> bool:
        if self.professional is None:
            return False
        return (
            CaseManagementEpisode.objects.filter(
                case_manager=self.professional, status=CaseManagementEpisode.Status.ACTIVE
            ).exists()
            or TrainingRecord.objects.filter(
                professional=self.professional, function=TrainingRecord.Function.CASE_MANAGER, active=True
            ).exists()
        )

    @property
    def is_zone_staff(self) -> bool:
        return bool(self.zone_roles)

    @property
    def is_admin(self) -> bool:
        return bool(getattr(self.user, "is_staff", False))

    @cached_property
    def has_team_memberships(self) -> bool:
        return memberships_of(self.user).exists()

    def home_url(self) -> str:
        """The most useful first page for this user."""
        if self.person is not None:
            return reverse("web:plan", args=[self.person.fhir_id])
        if self.zone_roles:
            return reverse("web:zone")
        if self.professional is not None:
            if self.is_case_manager and not self.has_team_memberships:
                return reverse("web:case_management")
            if self.coordinates and self.is_trained_coordinator:
                return reverse("web:coordination")
            return reverse("web:caseload")
        if len(self.cared_for) == 1:
            return reverse("web:plan", args=[self.cared_for[0].fhir_id])
        if self.cared_for:
            return reverse("web:cared_for")
        if self.is_admin:
            return reverse("web:admin_home")
        from careweave.population.access import MACRO_GROUP

        if self.user.groups.filter(name=MACRO_GROUP).exists():  # a policy maker: the zones compared (issue #20)
            return reverse("population:macro")
        return reverse("web:no_role")


def roles_for(request: HttpRequest) -> Roles:
    """The roles of ``request.user``, computed once per request."""
    cached = getattr(request, "_careweave_roles", None)
    if cached is not None:
        return cached
    user = request.user
    roles = Roles(user=user)
    if user.is_authenticated:
        roles.person = Person.objects.filter(user=user).first()
        roles.professional = Professional.objects.filter(user=user).first()
        roles.network = list(RelatedPerson.objects.filter(user=user, active=True).select_related("person"))
        roles.zone_roles = list(ZoneStaff.objects.filter(user=user).select_related("zone"))
    request._careweave_roles = roles
    return roles


def memberships_of(user) -> object:  # noqa: ANN001 - a TeamMember queryset
    """The user's active team memberships, as a professional or from a person's informal network."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(
        Q(professional__user=user) | Q(related_person__user=user), status=TeamMember.Status.ACTIVE
    )


def coordination_episodes_of(user) -> object:  # noqa: ANN001 - a CoordinationEpisode queryset
    from django.db.models import Q

    return CoordinationEpisode.objects.filter(
        Q(coordinator__professional__user=user) | Q(coordinator__related_person__user=user)
    )
