"""Offline sync (``sync_response``): exactly once per client id, conflicts shown instead of overwritten,
invalid answers refused whole, and two identical submissions at the same moment stored once."""

from __future__ import annotations

import itertools
import threading
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careweave.access.models import AuditEvent
from careweave.assessments import actions
from careweave.assessments.models import Assessment
from careweave.careplans.actions import add_team_member, start_care_plan, team_for
from careweave.careplans.errors import RuleViolation
from careweave.people.identifiers import make_nihdi, make_ssin
from careweave.people.models import Discipline, Person, Professional, Sector

_serial = itertools.count(1)
CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # PHQ answers 0..3


def _person() -> Person:
    n = next(_serial)
    user = User.objects.create_user(f"sync-person{n}", first_name="Maria", last_name="Peeters")
    return Person.objects.create(
        given_name="Maria", family_name="Peeters", ssin=make_ssin(date(1940, 5, 6), n), user=user
    )


def _nurse(person: Person) -> Professional:
    n = next(_serial)
    nurse = Professional.objects.create(
        user=User.objects.create_user(f"sync-nurse{n}", first_name="Nora"),
        given_name="Nora",
        family_name=f"N{n}",
        discipline=Discipline.HOME_NURSE,
        sector=Sector.CARE,
        nihdi=make_nihdi(1, 900 + n, 3),
    )
    add_team_member(person.user, team_for(person), professional=nurse)
    return nurse


@pytest.fixture
def person(db) -> Person:  # noqa: ANN001
    return _person()


@pytest.fixture
def nurse(person) -> Professional:  # noqa: ANN001
    return _nurse(person)


def payload(
    answers: dict,
    *,
    complete: bool = False,
    base: int | None = None,
    client_id: str | None = None,
    instrument: str = "phq-2",
    plan: str | None = None,
) -> dict:
    return {
        "client_id": client_id or str(uuid.uuid4()),
        "instrument": instrument,
        "version": None,
        "base_version": base,
        "answers": answers,
        "complete": complete,
        "plan": plan,
    }


def test_the_same_offline_response_twice_is_stored_once(person, nurse):
    sent = payload({"phq2-1": CODES[2], "phq2-2": CODES[1]}, complete=True)
    first = actions.sync_response(nurse.user, person, sent)
    again = actions.sync_response(nurse.user, person, sent)
    assert (first.outcome, again.outcome) == ("created", "unchanged")
    assert again.assessment.pk == first.assessment.pk and again.conflicts == []
    assert Assessment.objects.filter(person=person).count() == 1
    assert first.assessment.status == Assessment.Status.COMPLETED and first.assessment.scores.get().value == 3


def test_a_draft_and_then_the_finished_form_update_the_same_assessment(person, nurse):
    plan = start_care_plan(nurse.user, person, "At home")
    draft = payload({"phq2-1": CODES[0]}, plan=str(plan.fhir_id))
    created = actions.sync_response(nurse.user, person, draft)
    assert created.outcome == "created" and created.assessment.plan == plan
    finished = {
        **draft,
        "answers": {"phq2-1": CODES[0], "phq2-2": CODES[3]},
        "complete": True,
        "base_version": created.assessment.version,
    }
    updated = actions.sync_response(nurse.user, person, finished)
    assert updated.outcome == "updated" and updated.assessment.status == Assessment.Status.COMPLETED
    assert updated.assessment.scores.get().value == 3
    assert Assessment.objects.count() == 1


def test_answers_made_on_an_older_version_are_a_conflict_and_overwrite_nothing(person, nurse):
    draft = payload({"phq2-1": CODES[0]})
    created = actions.sync_response(nurse.user, person, draft).assessment
    # Meanwhile, online, the answer was changed.
    online = actions.save_answers(nurse.user, created, {"phq2-1": CODES[3]}, created.version)
    stale = {**draft, "answers": {"phq2-1": CODES[1], "phq2-2": CODES[1]}, "base_version": created.version}
    result = actions.sync_response(nurse.user, person, stale)
    assert result.outcome == "conflict"
    assert result.conflicts == [
        {"linkId": "phq2-1", "mine": CODES[1], "theirs": CODES[3]},
        {"linkId": "phq2-2", "mine": CODES[1], "theirs": None},
    ]
    stored = Assessment.objects.get(pk=created.pk)
    assert stored.answers == {"phq2-1": CODES[3]} and stored.version == online.version
    assert AuditEvent.objects.filter(resource_id=str(created.fhir_id), reason="sync: conflict").exists()


def test_changing_a_response_completed_meanwhile_is_a_conflict(person, nurse):
    sent = payload({"phq2-1": CODES[0], "phq2-2": CODES[0]}, complete=True)
    done = actions.sync_response(nurse.user, person, sent).assessment
    changed = {**sent, "answers": {"phq2-1": CODES[3], "phq2-2": CODES[0]}, "base_version": done.version}
    result = actions.sync_response(nurse.user, person, changed)
    assert result.outcome == "conflict" and [c["linkId"] for c in result.conflicts] == ["phq2-1"]
    assert Assessment.objects.get(pk=done.pk).answers["phq2-1"] == CODES[0]


def test_invalid_offline_answers_save_nothing(person, nurse):
    with pytest.raises(actions.AnswersInvalid) as refused:
        actions.sync_response(nurse.user, person, payload({"phq2-1": CODES[0]}, complete=True))
    assert [(p.link_id, p.code) for p in refused.value.problems] == [("phq2-2", "required")]
    with pytest.raises(actions.AnswersInvalid):
        actions.sync_response(nurse.user, person, payload({"phq2-1": "not-an-option"}))
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(resource_type="QuestionnaireResponse", outcome="success").exists()


@pytest.mark.parametrize(
    "broken",
    [
        {"client_id": "not-a-uuid"},
        {"instrument": ""},
        {"base_version": "2"},
        {"answers": ["phq2-1"]},
        {"instrument": "no-such-instrument"},
    ],
)
def test_a_malformed_sync_request_is_refused_with_a_reason(person, nurse, broken):
    with pytest.raises(RuleViolation) as refused:
        actions.sync_response(nurse.user, person, {**payload({"phq2-1": CODES[0]}), **broken})
    assert str(refused.value)
    assert not Assessment.objects.exists()


def test_a_client_id_of_another_persons_response_is_refused(person, nurse):
    sent = payload({"phq2-1": CODES[0]})
    actions.sync_response(nurse.user, person, sent)
    other = _person()
    with pytest.raises(RuleViolation) as refused:
        actions.sync_response(other.user, other, sent)
    assert refused.value.rule == "sync_mismatch"
    assert Assessment.objects.filter(person=other).count() == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.dictionaries(st.sampled_from(["phq2-1", "phq2-2"]), st.sampled_from(CODES)),
    second=st.dictionaries(st.sampled_from(["phq2-1", "phq2-2"]), st.sampled_from(CODES)),
    repeats=st.integers(min_value=1, max_value=3),
)
def test_resending_never_duplicates_and_a_blind_resend_never_overwrites(person, nurse, first, second, repeats):
    client_id = str(uuid.uuid4())
    created = actions.sync_response(nurse.user, person, payload(first, client_id=client_id))
    assert created.outcome == "created"
    for _n in range(repeats):
        assert actions.sync_response(nurse.user, person, payload(first, client_id=client_id)).outcome == "unchanged"
    blind = actions.sync_response(nurse.user, person, payload(second, client_id=client_id))  # no base_version
    assert blind.outcome == ("unchanged" if second == first else "conflict")
    stored = Assessment.objects.get(client_id=client_id)
    assert stored.answers == first and stored.version == created.assessment.version
    assert Assessment.objects.filter(client_id=client_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_the_same_moment_are_stored_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers on one file lock, so no real race happens")
    person = _person()
    nurse = _nurse(person)
    sent = payload({"phq2-1": CODES[1], "phq2-2": CODES[2]}, complete=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(actions.sync_response(nurse.user, person, sent).outcome)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == ["created", "unchanged"]
    assert Assessment.objects.filter(client_id=sent["client_id"]).count() == 1
    assert Assessment.objects.get(client_id=sent["client_id"]).scores.count() == 1
