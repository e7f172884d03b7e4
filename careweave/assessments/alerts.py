"""Answers that need action now (a self-harm thought in the PHQ-9 or the EPDS), whatever the total.

Which answers are critical, and what to do, is data on the instrument (``item-critical`` in its
Questionnaire, read by ``engine.Definition.critical_findings``); this module only decides which
results still stand and who sees them, so every page renders alerts through one mechanism
(``assessments/includes/alerts.html``), never a case per instrument.

An alert stands while it is the newest result of that instrument for the person and at most
``STANDING_DAYS`` old: a later PHQ-9 without the answer ends it. Alerts carry the professional's
guidance, so only professionals see them, and only on results they may see (``visible_assessments``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from careweave.access.audit import audit_event, record_many
from careweave.assessments.actions import DONE, RESOURCE, visible_assessments, visible_assessments_of_many
from careweave.assessments.models import Assessment
from careweave.people.models import Person

STANDING_DAYS = 30


@dataclass(frozen=True)
class CriticalAlert:
    """One critical answer as a page shows it, in the reader's language."""

    assessment: Assessment
    instrument: str
    question: str
    answer: str
    guidance: str
    on: date

    @property
    def person(self) -> Person:
        return self.assessment.person


def alerts_of(assessment: Assessment, lang: str) -> list[CriticalAlert]:
    """The critical answers of one completed assessment (none while it is being filled in)."""
    if not assessment.is_done:
        return []
    definition = assessment.instrument.definition()
    moment = assessment.completed_at or assessment.authored_at
    return [
        CriticalAlert(assessment, definition.title(lang), finding.question(lang), finding.answer_label(lang),
                      finding.guidance(lang), timezone.localtime(moment).date())
        for finding in definition.critical_findings(assessment.answers)
    ]


def _is_professional(actor) -> bool:  # noqa: ANN001
    professional = getattr(actor, "professional", None)
    return professional is not None and professional.active


def alerts_for_viewer(actor, assessment: Assessment, lang: str) -> list[CriticalAlert]:  # noqa: ANN001
    """The result page: the caller has already checked (and audited) that ``actor`` may see it."""
    return alerts_of(assessment, lang) if _is_professional(actor) else []


def standing_alerts(actor, person: Person, lang: str, *, today: date | None = None) -> list[CriticalAlert]:  # noqa: ANN001
    """Alerts that still stand for one person, from the results ``actor`` may see."""
    if not _is_professional(actor):
        return []
    return _standing(visible_assessments(actor, person), lang)


def _standing(visible, lang: str) -> list[CriticalAlert]:  # noqa: ANN001 - a queryset of visible assessments
    """The newest result of each instrument per person, if recent, and the alerts it raises."""
    since = timezone.now() - timedelta(days=STANDING_DAYS)
    newest: dict[tuple[int, str], Assessment] = {}
    for assessment in visible.filter(status__in=DONE).order_by("-completed_at", "-pk"):
        newest.setdefault((assessment.person_id, assessment.instrument.code), assessment)
    found: list[CriticalAlert] = []
    for assessment in newest.values():
        if assessment.completed_at and assessment.completed_at >= since:
            found.extend(alerts_of(assessment, lang))
    return sorted(found, key=lambda alert: alert.on, reverse=True)


def standing_alerts_for(actor, persons: Iterable[Person], lang: str, *, request=None) -> list[CriticalAlert]:  # noqa: ANN001
    """A worklist (the coordinator's home): standing alerts of many persons; each one shown is audited as a read."""
    if not _is_professional(actor):
        return []
    found = _standing(visible_assessments_of_many(actor, list(persons)), lang)
    record_many([audit_event(actor, "read", RESOURCE, str(alert.assessment.fhir_id), person=alert.assessment.person,
                             reason="critical answer alert", request=request) for alert in found])
    return found
