"""The assessment actions: who may fill in and see what, never ask twice, staged screening, the
professional's judgement, frozen answers, bad input that changes nothing, and the audit trail.

Set-up goes through the models and the team actions; the behaviour under test goes through
``careweave.assessments.actions``. Besides the shipped PHQ-2/PHQ-9, a few small instruments are
made here (a non-medical PREM-like one, a private carer questionnaire, one with a number range) so
that the access rules are tested independently of the catalogue's contents.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from careweave.access.guard import AccessRefused
from careweave.access.models import AccessRule, AuditEvent, Level
from careweave.assessments import actions
from careweave.assessments.catalogue import digest, sync_instruments
from careweave.assessments.engine import (
    EXT_FOLLOW_UP,
    EXT_KIND,
    EXT_MEDICAL,
    EXT_PRIVATE,
    EXT_SCORE,
    MAX_VALUE,
    MIN_VALUE,
    all_definitions,
    load_definition,
)
from careweave.assessments.models import Assessment, Instrument, Score, instrument_fhir_id
from careweave.careplans.actions import add_team_member, start_care_plan, team_for
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import Goal
from careweave.fhir.models import ResourceVersion, StoredResource
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional, RelatedPerson, Sector
from careweave.versioning import ChangedMeanwhile

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)
INTERPRETATION = "https://careweave.org/fhir/CodeSystem/assessment-interpretation"
# PHQ answer codes (LOINC answer list LL358-3): not at all (0) .. nearly every day (3)
NOT_AT_ALL, SEVERAL_DAYS, MORE_THAN_HALF, NEARLY_EVERY_DAY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"


# --------------------------------------------------------------------------- cast


def _user(prefix: str, first: str = "", last: str = "") -> User:
    n = next(_serial)
    return User.objects.create_user(f"{prefix}{n}", first_name=first, last_name=last or f"{prefix.title()}{n}")


def _professional(discipline: str, sector: str, given: str) -> Professional:
    n = next(_serial)
    return Professional.objects.create(
        user=_user("pro", given), given_name=given, family_name=f"{discipline.title()}{n}", discipline=discipline,
        sector=sector, nihdi=make_nihdi(1, 700 + n, 3) if sector == Sector.CARE else "")


@pytest.fixture
def person() -> Person:
    n = next(_serial)
    return Person.objects.create(given_name="Maria", family_name="Peeters", ssin=make_ssin(date(1941, 3, 2), n),
                                 user=_user("maria", "Maria", "Peeters"))


@pytest.fixture
def gp(person) -> Professional:  # noqa: ANN001
    gp = _professional(Discipline.GP, Sector.CARE, "Griet")
    add_team_member(person.user, team_for(person), professional=gp)
    return gp


@pytest.fixture
def nurse(person) -> Professional:  # noqa: ANN001
    nurse = _professional(Discipline.HOME_NURSE, Sector.CARE, "Nora")
    add_team_member(person.user, team_for(person), professional=nurse)
    return nurse


@pytest.fixture
def social_worker(person) -> Professional:  # noqa: ANN001
    worker = _professional(Discipline.SOCIAL_WORKER, Sector.WELFARE, "Sofie")
    add_team_member(person.user, team_for(person), professional=worker)
    return worker


@pytest.fixture
def carer(person) -> RelatedPerson:  # noqa: ANN001
    """Her neighbour, an informal carer in the team (no representation, no proxy access)."""
    carer = RelatedPerson.objects.create(person=person, given_name="Rik", family_name="Buur",
                                         relationship=RelatedPerson.Relationship.NEIGHBOUR, user=_user("rik"))
    add_team_member(person.user, team_for(person), related_person=carer)
    return carer


@pytest.fixture
def daughter(person) -> RelatedPerson:  # noqa: ANN001
    """Her daughter, who represents her and has proxy access."""
    return RelatedPerson.objects.create(person=person, given_name="Els", family_name="Peeters",
                                        relationship=RelatedPerson.Relationship.CHILD, user=_user("els"),
                                        is_representative=True, has_proxy_access=True)


@pytest.fixture
def outsider() -> Professional:
    return _professional(Discipline.GP, Sector.CARE, "Otto")


def _choice(link_id: str, text: str, *, required: bool = True, concept: str | None = None) -> dict:
    item = {"linkId": link_id, "type": "choice", "text": text, "required": required, "answerOption": [
        {"valueCoding": {"system": "https://example.org/answers", "code": code, "display": code},
         "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": score}]}
        for code, score in (("no", 0), ("sometimes", 1), ("often", 2))]}
    if concept:
        system, _sep, code = concept.partition("|")
        item["code"] = [{"system": system, "code": code}]
    return item


def make_instrument(code: str, *, medical: bool = False, private: bool = False, follow_up: str | None = None,
                    items: list[dict] | None = None, threshold: float = 3, kind: str = "assessment") -> Instrument:
    """A small instrument through the real engine: a sum over its items, positive at ``threshold`` or more."""
    items = items or [_choice(f"{code}-1", "How often do you feel tired?"),
                      _choice(f"{code}-2", "How often do you sleep badly?")]
    summed = [i["linkId"] for i in items if i["type"] in ("choice", "integer")]
    extensions = [
        {"url": EXT_KIND, "valueCode": kind},
        {"url": EXT_MEDICAL, "valueBoolean": medical},
        {"url": EXT_PRIVATE, "valueBoolean": private},
        {"url": EXT_SCORE, "extension": [
            {"url": "code", "valueCode": "total"}, {"url": "method", "valueCode": "sum"},
            *({"url": "item", "valueString": link} for link in summed),
            {"url": "threshold", "extension": [
                {"url": "high", "valueDecimal": threshold - 0.5},
                {"url": "interpretation", "valueCoding": {"system": INTERPRETATION, "code": "low",
                                                          "display": "low"}}]},
            {"url": "threshold", "extension": [
                {"url": "low", "valueDecimal": threshold},
                {"url": "interpretation", "valueCoding": {"system": INTERPRETATION, "code": "high",
                                                          "display": "high"}},
                {"url": "positive", "valueBoolean": True}]},
        ]},
    ]
    if follow_up:
        extensions.append({"url": EXT_FOLLOW_UP, "valueCanonical": f"https://careweave.org/fhir/Questionnaire/{follow_up}"})
    questionnaire = {"resourceType": "Questionnaire", "id": code, "version": "1.0", "status": "active",
                     "url": f"https://careweave.org/fhir/Questionnaire/{code}", "title": code.upper(),
                     "extension": extensions, "item": items}
    definition = load_definition(questionnaire)
    return Instrument.objects.create(
        fhir_id=instrument_fhir_id(definition.url, "1.0"), code=code, version="1.0", url=definition.url,
        title=code.upper(), kind=kind, medical=medical, private_to_author=private, follow_up=follow_up or "",
        questionnaire=questionnaire, digest=digest(questionnaire))


def phq9(score_each: str = SEVERAL_DAYS) -> dict[str, str]:
    """The nine scored PHQ-9 answers, all the same."""
    return {f"phq9-{n}": score_each for n in range(1, 10)}


def complete(actor, person, code: str, answers: dict, **kwargs) -> Assessment:  # noqa: ANN001, ANN003
    started = actions.start_assessment(actor, person, code, prefill=False, **kwargs)
    return actions.complete_assessment(actor, started, answers, started.version)


def answer_in(response: dict, link_id: str) -> dict | None:
    """The first answer to ``link_id`` anywhere in a QuestionnaireResponse's item tree."""
    for item in response.get("item") or []:
        if item.get("linkId") == link_id:
            return item["answer"][0]
        found = answer_in(item, link_id)
        if found:
            return found
    return None


def audit_rows(person: Person, **filters) -> list[AuditEvent]:  # noqa: ANN003
    return list(AuditEvent.objects.filter(person=person, resource_type="QuestionnaireResponse", **filters))


# --------------------------------------------------------------------------- the catalogue


def test_every_shipped_instrument_version_is_an_instrument_row_and_a_second_sync_changes_nothing():
    shipped = {(d.code, d.version) for d in all_definitions()}
    assert shipped <= set(Instrument.objects.values_list("code", "version"))
    report = sync_instruments()
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == len(shipped)


def test_a_changed_instrument_file_is_a_new_revision_with_its_history_kept():
    row = Instrument.objects.get(code="phq-9", status=Instrument.Status.ACTIVE)
    before = row.revision
    Instrument.objects.filter(pk=row.pk).update(title="an old title", digest="0" * 64)  # as if the file changed
    report = sync_instruments()
    row.refresh_from_db()
    assert report.updated == [f"phq-9 {row.version}"]
    assert row.revision == before + 1 and row.title != "an old title"
    assert ResourceVersion.objects.filter(resource_type="Questionnaire", resource_id=str(row.fhir_id),
                                          version_id=row.revision).exists()


# --------------------------------------------------------------------------- filling in and scoring


def test_the_gp_completes_a_phq9_and_the_score_is_kept_and_audited(person, gp):
    assessment = complete(gp.user, person, "phq-9", phq9(MORE_THAN_HALF))  # 9 x 2 = 18
    assert assessment.status == Assessment.Status.COMPLETED and assessment.completed_at
    total = assessment.scores.get(code="total")
    assert total.value == 18 and total.loinc == "44261-6"
    assert assessment.author_display.startswith("Griet")
    actions_seen = [e.action for e in audit_rows(person, outcome="success", user=gp.user)]
    assert actions_seen.count("C") == 1 and actions_seen.count("U") == 1
    stored = StoredResource.objects.filter(resource_type="Observation", patient=person)
    assert stored.count() == assessment.scores.count()


def test_answers_are_kept_screen_by_screen_and_a_stale_screen_is_refused(person, gp, nurse):
    started = actions.start_assessment(gp.user, person, "phq-9", prefill=False)
    saved = actions.save_answers(gp.user, started, {"phq9-1": NOT_AT_ALL}, started.version)
    saved = actions.save_answers(gp.user, saved, {"phq9-2": SEVERAL_DAYS}, saved.version)
    assert saved.answers == {"phq9-1": NOT_AT_ALL, "phq9-2": SEVERAL_DAYS}
    with pytest.raises(ChangedMeanwhile):
        actions.save_answers(nurse.user, saved, {"phq9-1": NEARLY_EVERY_DAY}, started.version)
    saved.refresh_from_db()
    assert saved.answers["phq9-1"] == NOT_AT_ALL


def test_the_person_and_their_proxy_fill_in_for_the_person(person, daughter):
    own = complete(person.user, person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": SEVERAL_DAYS})
    assert own.author_display == "Maria Peeters" and own.scores.get().value == 1
    prem = make_instrument("prem-test")
    by_daughter = complete(daughter.user, person, "prem-test", {"prem-test-1": "often", "prem-test-2": "no"})
    assert by_daughter.author_display.startswith("Els Peeters") and by_daughter.scores.get().value == 2
    assert by_daughter.instrument == prem


def test_an_outsider_can_neither_start_nor_read_and_both_refusals_are_audited(person, gp, outsider):
    with pytest.raises(RuleViolation) as refused:
        actions.start_assessment(outsider.user, person, "phq-2")
    assert refused.value.rule == "no_access"
    assert not Assessment.objects.filter(person=person).exists()
    assessment = complete(gp.user, person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL})
    with pytest.raises(AccessRefused):
        actions.open_assessment(outsider.user, assessment)
    denied = AuditEvent.objects.filter(person=person, user=outsider.user, outcome="denied")
    assert denied.count() == 2


# --------------------------------------------------------------------------- medical scores and welfare


def test_a_welfare_professional_sees_no_medical_scores_but_the_non_medical_ones(person, gp, social_worker):
    make_instrument("prem-test")
    medical = complete(gp.user, person, "phq-2", {"phq2-1": SEVERAL_DAYS, "phq2-2": SEVERAL_DAYS})
    other = complete(gp.user, person, "prem-test", {"prem-test-1": "no", "prem-test-2": "no"})
    assert list(actions.visible_assessments(social_worker.user, person)) == [other]
    assert not actions.may_see(social_worker.user, medical)
    with pytest.raises(AccessRefused):
        actions.open_assessment(social_worker.user, medical)
    assert AuditEvent.objects.filter(user=social_worker.user, outcome="denied", resource_id=str(medical.fhir_id)
                                     ).exists()
    with pytest.raises(RuleViolation):
        actions.start_assessment(social_worker.user, person, "phq-9")
    assert actions.open_assessment(social_worker.user, other) == other


def test_the_person_lets_welfare_professionals_see_medical_detail(person, gp, social_worker):
    medical = complete(gp.user, person, "phq-2", {"phq2-1": SEVERAL_DAYS, "phq2-2": SEVERAL_DAYS})
    AccessRule.objects.create(person=person, sector=AccessRule.Sector.WELFARE, level=Level.FULL,
                              recorded_by=person.user)
    assert list(actions.visible_assessments(social_worker.user, person)) == [medical]


def test_an_informal_carer_sees_medical_scores_only_with_the_persons_permission(person, gp, carer, daughter):
    medical = complete(gp.user, person, "phq-2", {"phq2-1": SEVERAL_DAYS, "phq2-2": SEVERAL_DAYS})
    assert not actions.visible_assessments(carer.user, person).exists()
    assert list(actions.visible_assessments(daughter.user, person)) == [medical]  # her proxy sees all
    AccessRule.objects.create(person=person, related_person=carer, level=Level.FULL, recorded_by=person.user)
    assert list(actions.visible_assessments(carer.user, person)) == [medical]


# --------------------------------------------------------------------------- carer burden is private


def test_a_carer_burden_response_is_seen_by_its_author_only_until_shared(person, gp, carer):
    make_instrument("burden-test", private=True)
    mine = complete(carer.user, person, "burden-test", {"burden-test-1": "often", "burden-test-2": "often"})
    assert list(actions.visible_assessments(carer.user, person)) == [mine]
    for other in (gp.user, person.user):
        assert not actions.visible_assessments(other, person).exists()
        with pytest.raises(AccessRefused):
            actions.open_assessment(other, mine)
    assert not StoredResource.objects.filter(patient=person).exists()  # no Observation while private
    with pytest.raises(RuleViolation) as refused:
        actions.share_with_team(gp.user, mine, mine.version)
    assert refused.value.rule == "private_to_author"
    shared = actions.share_with_team(carer.user, mine, mine.version)
    assert shared.shared
    assert list(actions.visible_assessments(gp.user, person)) == [shared]
    assert StoredResource.objects.filter(patient=person, resource_type="Observation").count() == 1


def test_a_private_answer_is_never_taken_over_into_a_questionnaire_others_see(person, carer):
    concept = "https://example.org/concepts|sleep"
    make_instrument("burden-test", private=True,
                    items=[_choice("b-sleep", "How often do you sleep badly?", concept=concept)])
    make_instrument("prem-test", items=[_choice("p-sleep", "How often do you sleep badly?", concept=concept)])
    complete(carer.user, person, "burden-test", {"b-sleep": "often"})
    started = actions.start_assessment(carer.user, person, "prem-test")
    assert started.answers == {}


# --------------------------------------------------------------------------- never ask twice


def test_answers_from_the_phq2_prefill_the_phq9_with_who_and_when(person, gp, nurse):
    screen = complete(gp.user, person, "phq-2", {"phq2-1": MORE_THAN_HALF, "phq2-2": SEVERAL_DAYS})
    priors = actions.previous_answers(nurse.user, person, Instrument.objects.get(
        code="phq-9", status="active").definition())
    assert {k: p.value for k, p in priors.items()} == {"phq9-1": MORE_THAN_HALF, "phq9-2": SEVERAL_DAYS}
    assert priors["phq9-1"].assessment == screen and priors["phq9-1"].by.startswith("Griet")
    assert priors["phq9-1"].answered_on == date.today() and priors["phq9-1"].source_link_id == "phq2-1"
    started = actions.start_assessment(nurse.user, person, "phq-9")
    assert started.answers == {"phq9-1": MORE_THAN_HALF, "phq9-2": SEVERAL_DAYS}
    assert started.reused["phq9-2"]["from"] == str(screen.fhir_id)
    # A prefilled answer that is changed is the nurse's own answer now; a confirmed one keeps its origin.
    changed = actions.save_answers(nurse.user, started, {"phq9-1": NOT_AT_ALL}, started.version)
    assert set(changed.reused) == {"phq9-2"}


def test_the_newest_answer_of_the_same_instrument_is_taken_over(person, gp):
    complete(gp.user, person, "phq-9", phq9(NOT_AT_ALL))
    newer = complete(gp.user, person, "phq-9", phq9(NEARLY_EVERY_DAY))
    priors = actions.previous_answers(gp.user, person, newer.instrument.definition())
    assert len(priors) == 9 and {p.value for p in priors.values()} == {NEARLY_EVERY_DAY}
    assert {p.assessment for p in priors.values()} == {newer}


def test_medical_answers_are_not_taken_over_into_a_non_medical_questionnaire(person, gp):
    concept = "http://loinc.org|44250-9"  # PHQ-2/PHQ-9 item 1: little interest or pleasure
    make_instrument("prem-test", items=[_choice("p-interest", "Little interest or pleasure?", concept=concept)])
    complete(gp.user, person, "phq-2", {"phq2-1": SEVERAL_DAYS, "phq2-2": SEVERAL_DAYS})
    assert actions.start_assessment(gp.user, person, "prem-test").answers == {}


def test_a_welfare_professional_gets_no_prefill_from_what_they_may_not_see(person, gp, social_worker):
    complete(gp.user, person, "phq-2", {"phq2-1": SEVERAL_DAYS, "phq2-2": SEVERAL_DAYS})
    definition = Instrument.objects.get(code="phq-9", status="active").definition()
    assert actions.previous_answers(social_worker.user, person, definition) == {}


# --------------------------------------------------------------------------- staged screening


def test_a_positive_phq2_proposes_the_phq9_until_it_is_started(person, gp):
    negative = complete(gp.user, person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": SEVERAL_DAYS})
    assert actions.proposed_follow_up(negative) is None
    positive = complete(gp.user, person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": SEVERAL_DAYS})
    assert actions.proposed_follow_up(positive) == "phq-9"
    actions.start_assessment(gp.user, person, "phq-9")
    assert actions.proposed_follow_up(positive) is None


def test_an_unfinished_screen_proposes_nothing(person, gp):
    started = actions.start_assessment(gp.user, person, "phq-2", prefill=False)
    started = actions.save_answers(gp.user, started, {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": NEARLY_EVERY_DAY},
                                   started.version)
    assert actions.proposed_follow_up(started) is None


# --------------------------------------------------------------------------- the professional's judgement


def test_the_gp_records_that_the_score_differs_from_her_judgement(person, gp):
    assessment = complete(gp.user, person, "phq-9", phq9(NOT_AT_ALL))
    judged = actions.record_own_judgement(gp.user, assessment, "Grieving since her husband died last month.",
                                          assessment.version)
    assert judged.judgement_differs and judged.judgement_by == gp.user and judged.version == assessment.version + 1
    assert judged.scores.get(code="total").value == 0  # the score itself stays what it is
    observation = StoredResource.objects.get(source_id=f"careweave-assessment/{judged.fhir_id}/total").data
    assert observation["note"][0]["text"] == "Grieving since her husband died last month."


def test_a_judgement_needs_a_reason_a_professional_and_a_score(person, gp):
    assessment = complete(gp.user, person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL})
    for actor, reason, rule in ((gp.user, "   ", "judgement_reason_required"),
                                (person.user, "I feel worse than this", "judgement_by_professional")):
        with pytest.raises(RuleViolation) as refused:
            actions.record_own_judgement(actor, assessment, reason, assessment.version)
        assert refused.value.rule == rule
    assessment.refresh_from_db()
    assert not assessment.judgement_differs and assessment.judgement_reason == ""
    started = actions.start_assessment(gp.user, person, "phq-2", prefill=False)
    with pytest.raises(RuleViolation) as refused:
        actions.record_own_judgement(gp.user, started, "too early", started.version)
    assert refused.value.rule == "not_completed"


# --------------------------------------------------------------------------- frozen answers and corrections


def test_completed_answers_are_frozen_and_a_correction_needs_a_reason(person, gp):
    assessment = complete(gp.user, person, "phq-2", {"phq2-1": NOT_AT_ALL, "phq2-2": NOT_AT_ALL})
    with pytest.raises(RuleViolation) as refused:
        actions.save_answers(gp.user, assessment, {"phq2-1": NEARLY_EVERY_DAY}, assessment.version)
    assert refused.value.rule == "assessment_frozen"
    with pytest.raises(RuleViolation) as refused:
        actions.amend_assessment(gp.user, assessment, {"phq2-1": NEARLY_EVERY_DAY}, assessment.version, "")
    assert refused.value.rule == "amendment_reason_required"
    amended = actions.amend_assessment(gp.user, assessment, {"phq2-1": NEARLY_EVERY_DAY}, assessment.version,
                                       "Misheard the first answer.")
    assert amended.status == Assessment.Status.AMENDED and amended.scores.get().value == 3
    assert actions.proposed_follow_up(amended) == "phq-9"
    # The answers as first completed stay in the FHIR history.
    first = ResourceVersion.objects.get(resource_type="QuestionnaireResponse", resource_id=str(amended.fhir_id),
                                        version_id=assessment.version)
    assert first.data["status"] == "completed"
    assert answer_in(first.data, "phq2-1")["valueCoding"]["code"] == NOT_AT_ALL
    observation = StoredResource.objects.get(source_id=f"careweave-assessment/{amended.fhir_id}/total").data
    assert observation["status"] == "amended" and observation["valueQuantity"]["value"] == 3


# --------------------------------------------------------------------------- bad input changes nothing


def _unchanged(assessment: Assessment) -> None:
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.version, fresh.status, fresh.answers) == (assessment.version, assessment.status, assessment.answers)
    assert not Score.objects.filter(assessment=assessment).exists()


def test_missing_required_answers_are_named_and_nothing_is_saved(person, gp):
    started = actions.start_assessment(gp.user, person, "phq-9", prefill=False)
    with pytest.raises(actions.AnswersInvalid) as refused:
        actions.complete_assessment(gp.user, started, {"phq9-1": NOT_AT_ALL}, started.version)
    missing = {p.link_id for p in refused.value.problems if p.code == "required"}
    assert missing == {f"phq9-{n}" for n in range(2, 10)}
    _unchanged(started)
    assert not audit_rows(person, action="U")


def test_an_unknown_option_or_question_is_refused_in_the_users_language(person, gp):
    started = actions.start_assessment(gp.user, person, "phq-2", prefill=False)
    question_fr = started.instrument.definition().item("phq2-1").label("fr")
    with translation.override("fr"), pytest.raises(actions.AnswersInvalid) as refused:
        actions.save_answers(gp.user, started, {"phq2-1": "LA9999-9", "no-such-question": "x"}, started.version)
    codes = {(p.link_id, p.code) for p in refused.value.problems}
    assert codes == {("phq2-1", "option"), ("no-such-question", "unknown")}
    assert question_fr in str(refused.value)
    _unchanged(started)


def test_a_number_out_of_range_is_refused(person, gp):
    make_instrument("range-test", items=[{
        "linkId": "hours", "type": "integer", "text": "Hours of care per week", "required": True,
        "extension": [{"url": MIN_VALUE, "valueInteger": 0}, {"url": MAX_VALUE, "valueInteger": 168}]}])
    started = actions.start_assessment(gp.user, person, "range-test", prefill=False)
    for wrong, code in ((200, "range"), ("many", "type")):
        with pytest.raises(actions.AnswersInvalid) as refused:
            actions.complete_assessment(gp.user, started, {"hours": wrong}, started.version)
        assert [(p.link_id, p.code) for p in refused.value.problems] == [("hours", code)]
        _unchanged(started)
    done = actions.complete_assessment(gp.user, started, {"hours": 20}, started.version)
    assert done.scores.get().value == 20


def test_an_unknown_instrument_and_another_persons_plan_are_refused(person, gp):
    with pytest.raises(RuleViolation) as refused:
        actions.start_assessment(gp.user, person, "no-such-instrument")
    assert refused.value.rule == "unknown_instrument"
    other = Person.objects.create(given_name="Jef", family_name="Janssens", user=_user("jef"))
    plan = start_care_plan(other.user, other, "Jef's plan")
    with pytest.raises(RuleViolation) as refused:
        actions.start_assessment(gp.user, person, "phq-2", plan=plan)
    assert refused.value.rule == "plan_person"
    assert not Assessment.objects.exists()


def test_disabled_answers_do_not_count(person, gp):
    gate = {"linkId": "worries", "type": "boolean", "text": "Do you have worries?", "required": True}
    detail = _choice("how-often", "How often?")
    detail["enableWhen"] = [{"question": "worries", "operator": "=", "answerBoolean": True}]
    make_instrument("branch-test", items=[gate, detail])
    started = actions.start_assessment(gp.user, person, "branch-test", prefill=False)
    with pytest.raises(actions.AnswersInvalid):
        actions.complete_assessment(gp.user, started, {"worries": True}, started.version)
    done = actions.complete_assessment(gp.user, started, {"worries": False, "how-often": "often"}, started.version)
    assert done.answers == {"worries": False} and done.scores.get().value == 0


# --------------------------------------------------------------------------- a result becomes a goal


def test_a_result_becomes_a_goal_in_the_plan(person, gp):
    plan = start_care_plan(gp.user, person, "Keep living at home")
    assessment = complete(gp.user, person, "phq-9", phq9(MORE_THAN_HALF), plan=plan)
    goal = actions.score_to_goal(gp.user, assessment, "Talk to a psychologist about low mood",
                                 domain=Goal.Domain.MENTAL)
    assert goal.plan == plan and goal.is_medical and goal.domain == Goal.Domain.MENTAL
    assert list(assessment.goals.all()) == [goal]


def test_a_private_result_becomes_a_goal_only_after_sharing(person, gp, carer):
    start_care_plan(gp.user, person, "Keep living at home")
    make_instrument("burden-test", private=True)
    mine = complete(carer.user, person, "burden-test", {"burden-test-1": "often", "burden-test-2": "often"})
    with pytest.raises(RuleViolation) as refused:
        actions.score_to_goal(carer.user, mine, "Respite care one weekend a month")
    assert refused.value.rule == "share_first"
    mine = actions.share_with_team(carer.user, mine, mine.version)
    goal = actions.score_to_goal(carer.user, mine, "Respite care one weekend a month")
    assert goal.domain == Goal.Domain.CARER and not goal.is_medical


def test_no_new_assessment_for_a_person_who_died(person, gp):
    Person.objects.filter(pk=person.pk).update(deceased_on=date.today() - timedelta(days=1))
    person.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        actions.start_assessment(gp.user, person, "phq-2")
    assert refused.value.rule == "deceased"


def test_a_response_entered_in_error_is_kept_but_counts_nowhere(person, gp, nurse):
    wrong = complete(gp.user, person, "phq-2", {"phq2-1": NEARLY_EVERY_DAY, "phq2-2": NEARLY_EVERY_DAY})
    assert StoredResource.objects.filter(patient=person).exists()
    for actor, reason, rule in ((gp.user, "", "withdraw_reason_required"),
                                (nurse.user, "not hers", "withdraw_by_author")):
        with pytest.raises(RuleViolation) as refused:
            actions.mark_entered_in_error(actor, wrong, reason, wrong.version)
        assert refused.value.rule == rule
    withdrawn = actions.mark_entered_in_error(gp.user, wrong, "Filled in for the wrong person", wrong.version)
    assert withdrawn.status == Assessment.Status.ENTERED_IN_ERROR
    assert not StoredResource.objects.filter(patient=person).exists()
    assert actions.proposed_follow_up(withdrawn) is None
    definition = Instrument.objects.get(code="phq-9", status="active").definition()
    assert actions.previous_answers(gp.user, person, definition) == {}
    assert Assessment.objects.filter(pk=wrong.pk).exists()


def test_the_admin_shows_the_instrument_catalogue_and_no_personal_data():
    from django.contrib import admin

    assert Instrument in admin.site._registry
    assert Assessment not in admin.site._registry and Score not in admin.site._registry
