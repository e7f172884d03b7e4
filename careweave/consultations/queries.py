"""Which MDOs a user has to organise (the coordinator's list and the count on their home page)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from careweave.access.decisions import persons_visible_to
from careweave.careplans.models import CaseManagementEpisode, CoordinationEpisode
from careweave.consultations.models import Consultation, Participant


def to_organise(user: Any) -> QuerySet[Consultation]:
    """Open MDOs of the persons the user coordinates or case-manages, and those the user convened."""
    if not getattr(user, "is_authenticated", False):
        return Consultation.objects.none()
    visible = set(persons_visible_to(user))
    mine = set(
        CoordinationEpisode.objects.filter(
            Q(coordinator__professional__user=user) | Q(coordinator__related_person__user=user),
            status=CoordinationEpisode.Status.ACTIVE,
        ).values_list("team__person_id", flat=True)
    )
    mine.update(
        CaseManagementEpisode.objects.filter(
            case_manager__user=user, status=CaseManagementEpisode.Status.ACTIVE
        ).values_list("person_id", flat=True)
    )
    return (
        Consultation.objects.filter(Q(person__in=mine & visible) | Q(convened_by=user, person__in=visible))
        .filter(status__in=Consultation.OPEN)
        .select_related("person")
        .distinct()
    )


def my_invitations(user: Any) -> QuerySet[Participant]:
    """The invitations of a professional to MDOs of persons they may still see, newest meeting first."""
    if not getattr(user, "is_authenticated", False):
        return Participant.objects.none()
    return (
        Participant.objects.filter(member__professional__user=user,
                                   consultation__person__in=list(persons_visible_to(user)))
        .exclude(consultation__status=Consultation.Status.PROPOSED)
        .select_related("consultation__person")
        .order_by("-consultation__start", "-pk")
    )
