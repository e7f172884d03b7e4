"""Assessment history in the demo zone, made through the assessment actions (decision 0008).

Each person's instruments fit their situation: Maria (multimorbidity, after a hospital stay) had a
positive PHQ-2 and then three PHQ-9s that improve, and three Katz ADL scores as she recovers;
her mother Godelieve (frail, dementia) a frailty screen, the frailty indicator and the care-need
screener (BelRAI style) that reach a heavy care need; Jan, carer of both, answered the carer-strain
questionnaire about caring for his mother (private to him, not shared); a teenager of the zone
has a BMI-for-age history. The actions record the answers now; the dates are then moved back to
"as if months of use happened", like the rest of the demo, and the score Observations follow.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from careweave.access.models import AuditEvent
from careweave.assessments import actions
from careweave.assessments.models import Assessment
from careweave.careplans.models import TeamMember
from careweave.people.models import Person, Professional

PHQ = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # not at all .. nearly every day (0-3)
KATZ = ["independent", "supervision", "partial-help", "full-help"]


def _phq(prefix: str, scores: list[int]) -> dict[str, str]:
    return {f"{prefix}-{i}": PHQ[s] for i, s in enumerate(scores, start=1)}


def _katz(bathing: int, dressing: int, toileting: int, transferring: int, continence: str, feeding: int) -> dict:
    return {
        "katz-bathing": KATZ[bathing],
        "katz-dressing": KATZ[dressing],
        "katz-toileting": KATZ[toileting],
        "katz-transferring": KATZ[transferring],
        "katz-continence": continence,
        "katz-feeding": KATZ[feeding],
    }


def _done(actor: User, person: Person, code: str, answers: dict[str, Any], moment: datetime) -> Assessment:
    """Fill in and complete one instrument through the actions, then date it back to ``moment``."""
    plan = person.care_plans.order_by("-created_at").first()
    assessment = actions.start_assessment(actor, person, code, plan=plan)
    assessment = actions.complete_assessment(actor, assessment, answers, assessment.version)
    Assessment.objects.filter(pk=assessment.pk).update(
        started_at=moment - timedelta(minutes=12), authored_at=moment, completed_at=moment, created_at=moment,
        updated_at=moment,
    )
    AuditEvent.objects.filter(resource_type="QuestionnaireResponse", resource_id=str(assessment.fhir_id)).update(
        recorded_at=moment
    )
    assessment.refresh_from_db()
    from careweave.fhir.mapping.assessments import store_observations

    store_observations(assessment)  # the Observations carry the (moved) date of the scores
    return assessment


def _teenager(gp: Professional) -> Person | None:
    """The youngest person under 19 (WHO BMI-for-age goes to 19 years), followed by the named GP."""
    cutoff = date.today() - timedelta(days=19 * 365)
    young = Person.objects.filter(birth_date__gt=cutoff).order_by("-birth_date")
    for person in young:
        if TeamMember.objects.filter(team__person=person, professional=gp, status=TeamMember.Status.ACTIVE).exists():
            return person
    person = young.first()
    if person is None:
        return None
    team = person.care_teams.first()
    TeamMember.objects.create(team=team, professional=gp, start=person.created_at)  # as the loader builds teams
    return person


def load_assessments(users: dict[str, User], now: datetime) -> dict[str, int]:
    """Create the assessment history; returns how many assessments each instrument has."""
    gp, nurse, coordinator, carer, me = (users[k] for k in ("gp", "nurse", "coordinator", "carer", "person"))
    maria = Person.objects.get(user=me)
    mother = Person.objects.get(given_name="Godelieve", family_name="Peeters")
    ago = lambda days: now - timedelta(days=days, hours=3)  # noqa: E731

    # Maria: low mood after the hospital stay, found by a PHQ-2, followed with the PHQ-9 as it lifts.
    _done(gp, maria, "phq-2", _phq("phq2", [2, 2]), ago(190))
    for days, scores, difficulty in (
        (189, [2, 2, 2, 2, 1, 2, 1, 1, 0], "very"),
        (120, [1, 2, 1, 2, 1, 1, 1, 0, 0], "somewhat"),
        (35, [1, 1, 1, 1, 0, 1, 0, 0, 0], "somewhat"),
    ):
        _done(gp, maria, "phq-9", _phq("phq9", scores) | {"phq9-10": difficulty}, ago(days))
    for days, katz in (
        (200, _katz(2, 2, 1, 1, "occasional", 0)),
        (110, _katz(1, 1, 0, 1, "occasional", 0)),
        (30, _katz(1, 0, 0, 0, "continent", 0)),
    ):
        _done(nurse, maria, "katz-adl", katz, ago(days))
    _done(me, maria, "care-experience", {f"prem-{i}": v for i, v in enumerate(
        ["mostly", "completely", "mostly", "some-extent", "mostly", "completely", "some-extent", "mostly",
         "some-extent", "mostly"], start=1)} | {"prem-comment": "Ik weet nu wie ik kan bellen."}, ago(20))

    # Godelieve: frail, with dementia; the care need grows.
    _done(coordinator, mother, "frailty-screener", {
        "frailty-screen-walking": "yes", "frailty-screen-weight": "yes", "frailty-screen-memory": "yes",
        "frailty-screen-alone": "yes", "frailty-screen-support": "no"}, ago(240))
    frail = {
        "frailty-healthy": "no", "frailty-weight": "yes", "frailty-walking": "yes", "frailty-falls": "yes",
        "frailty-senses": "yes", "frailty-tired": "yes", "frailty-condition": "no", "frailty-low": "sometimes",
        "frailty-nervous": "sometimes", "frailty-sleep": "no", "frailty-coping": "no", "frailty-memory": "yes",
        "frailty-attention": "yes", "frailty-alone": "yes", "frailty-lonely": "sometimes", "frailty-support": "no",
        "frailty-housing": "yes", "frailty-changed": "no",
    }
    _done(coordinator, mother, "frailty", frail, ago(239))
    _done(coordinator, mother, "frailty", frail | {"frailty-condition": "yes", "frailty-nervous": "yes",
                                                    "frailty-changed": "yes",
                                                    "frailty-change-what": "Valt vaker, vergeet te eten"}, ago(60))
    need = {
        "care-bathing": "partial-help", "care-dressing": "supervision", "care-toileting": "supervision",
        "care-transferring": "supervision", "care-feeding": "independent", "care-meals": "partial-help",
        "care-housework": "full-help", "care-medication": "partial-help", "care-finances": "full-help",
        "care-memory": "often", "care-decisions": "some-difficulty", "care-mood": "some-days",
        "care-anxiety": "some-days", "care-behaviour-others": "not-present", "care-wandering": "not-present",
    }
    _done(coordinator, mother, "care-need-screener", need, ago(238))
    _done(coordinator, mother, "care-need-screener", need | {
        "care-bathing": "full-help", "care-dressing": "partial-help", "care-toileting": "partial-help",
        "care-medication": "full-help", "care-decisions": "severe-difficulty", "care-wandering": "some-days",
    }, ago(58))

    # Jan, about caring for his mother: his answers stay his until he shares them (001 l.4781).
    strain = {f"carer-{i}": "no" for i in range(1, 14)}
    _done(carer, mother, "carer-strain", strain | {f"carer-{i}": "yes" for i in (1, 3, 5, 9)}, ago(150))
    _done(carer, mother, "carer-strain", strain | {f"carer-{i}": "yes" for i in (1, 2, 3, 5, 6, 8, 9, 11)}, ago(40))

    # A teenager's growth, measured by the GP.
    teen = _teenager(Professional.objects.get(user=gp))
    if teen is not None and teen.birth_date:
        sex = "female" if teen.sex == "female" else "male"
        for months_ago, weight, height in ((24, 52.0, 158.0), (12, 58.5, 162.0), (1, 66.0, 164.5)):
            measured = (now - timedelta(days=months_ago * 30)).date()
            _done(gp, teen, "bmi-for-age", {
                "bmi-sex": sex, "bmi-birth-date": teen.birth_date.isoformat(), "bmi-measured-on": measured.isoformat(),
                "bmi-weight": weight, "bmi-height": height,
            }, datetime.combine(measured, now.timetz()))

    counts: dict[str, int] = {}
    for code in Assessment.objects.values_list("instrument__code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    return counts
