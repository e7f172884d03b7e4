"""The pathway registry's eight steps (001 l.19150-19199): forward one at a time, rework loops, history."""

from __future__ import annotations

import pytest
from domain.domain_helpers import refused

from careweave.programmes import registry
from careweave.programmes.models import PathwayVersion, Step, StepChange


@pytest.fixture
def requested(zone_staff, zone) -> PathwayVersion:  # noqa: ANN001
    return registry.request_pathway(zone_staff, zone, code="diabetes-pre", title="Voortraject diabetes",
                                    owner="ELZ Westhoek", note="Gevraagd door de huisartsenkring")


def _move(actor, version, step, note=""):  # noqa: ANN001, ANN202
    return registry.move_pathway_step(actor, version, step, version.version, note)


def test_a_request_goes_forward_one_step_at_a_time_with_its_history(zone_staff, requested) -> None:  # noqa: ANN001
    version = _move(zone_staff, requested, Step.CO_CREATION)
    version = _move(zone_staff, version, Step.FEEDBACK)
    assert refused(_move, zone_staff, version, Step.VALIDATION).rule == "step_not_allowed", "no skipping steps"
    assert refused(_move, zone_staff, version, Step.CO_CREATION).rule == "rework_reason"
    version = _move(zone_staff, version, Step.CO_CREATION, "De experten vragen een luik voor mantelzorgers")
    history = list(StepChange.objects.filter(pathway_version=version))
    assert [(h.from_step, h.to_step) for h in history] == [
        ("", "request"), ("request", "co_creation"), ("co_creation", "feedback"), ("feedback", "co_creation")]
    assert history[-1].is_rework and history[-1].actor == zone_staff and "mantelzorgers" in history[-1].note


def test_a_pathway_without_a_plan_template_is_not_validated(zone_staff, requested) -> None:  # noqa: ANN001
    version = requested
    for step in (Step.CO_CREATION, Step.FEEDBACK, Step.CONCEPTUAL_CHECK, Step.FINANCING):
        version = _move(zone_staff, version, step)
    assert refused(_move, zone_staff, version, Step.VALIDATION).rule == "template_incomplete"
    assert PathwayVersion.objects.get(pk=version.pk).step == Step.FINANCING


def test_only_the_owner_or_the_zone_staff_move_a_pathway(requested, make_user, other_zone) -> None:  # noqa: ANN001
    from careweave.territory.models import ZoneStaff

    stranger = make_user("elsewhere")
    ZoneStaff.objects.create(user=stranger, zone=other_zone, role=ZoneStaff.Role.STAFF)
    assert refused(_move, stranger, requested, Step.CO_CREATION).rule == "not_allowed"
    owner = make_user("owner")
    requested.pathway.owner_user = owner
    requested.pathway.save()
    assert _move(owner, requested, Step.CO_CREATION).step == Step.CO_CREATION
    assert refused(registry.request_pathway, stranger, requested.pathway.zone, code="x", title="X",
                   owner="Y").rule == "not_allowed"


def test_adjusting_a_monitored_pathway_starts_a_new_version(zone_staff, zone, pathways) -> None:  # noqa: ANN001
    running = pathways["frail-persons"]
    running.pathway.zone = zone
    running.pathway.save()
    running = _move(zone_staff, running, Step.MONITORING)
    assert registry.allowed_moves(Step.MONITORING) == [Step.CO_CREATION]
    successor = _move(zone_staff, running, Step.CO_CREATION, "Evaluatie: herbeoordeling om de 4 maanden")
    assert successor.pk != running.pk and successor.label == "1.0.1" and successor.step == Step.CO_CREATION
    assert PathwayVersion.objects.get(pk=running.pk).step == Step.MONITORING, "the running version keeps serving"


def test_the_rework_loops_are_the_ones_the_seed_names() -> None:
    assert registry.allowed_moves(Step.FEEDBACK) == [Step.CONCEPTUAL_CHECK, Step.CO_CREATION]
    assert registry.allowed_moves(Step.CONCEPTUAL_CHECK) == [Step.FINANCING, Step.CO_CREATION]
    assert registry.allowed_moves(Step.VALIDATION) == [Step.ROLL_OUT, Step.CO_CREATION]
    assert registry.allowed_moves(Step.FINANCING) == [Step.VALIDATION]
