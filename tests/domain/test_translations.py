"""C4: "every violated rule gets a clear error message, in the user's language".

The rule codes are stable; the messages are gettext msgids in English. These tests check the
Dutch, French and German messages differ from the English ones once the catalogues are compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import translation

import careweave
from careweave.access.actions import break_the_glass, set_access_choice
from careweave.access.models import Level
from careweave.careplans.actions import (
    add_team_member,
    appoint_case_manager,
    end_coordination,
    review_plan,
    ring_the_bell,
    start_care_plan,
    take_on_coordination,
)
from careweave.careplans.errors import RuleViolation
from careweave.careplans.models import CoordinationEpisode
from careweave.careplans.models.coordination import Trigger

LOCALE = Path(careweave.__file__).resolve().parent / "locale"

pytestmark = pytest.mark.django_db


@pytest.fixture
def violations(person, team, gp, carer, outsider, case_manager, zone_staff, join) -> dict[str, Callable[[], object]]:  # noqa: ANN001
    """One callable per rule; each raises the RuleViolation without changing anything."""
    join(team, gp)
    set_access_choice(person.user, person, level=Level.PLAN, professional=outsider, note="second opinion")
    plan = start_care_plan(person.user, person, "Plan")
    episode = take_on_coordination(person.user, team)
    bell = ring_the_bell(person.user, person, [Trigger.OWN_REQUEST])
    return {
        "already_member": lambda: add_team_member(person.user, team, professional=gp),
        "no_access": lambda: add_team_member(carer.user, team, professional=outsider),
        "member_proposer": lambda: add_team_member(outsider.user, team, professional=outsider),
        "coordinator_not_member": lambda: take_on_coordination(outsider.user, team),
        "end_reason": lambda: end_coordination(person.user, episode, "whim"),
        "end_coordination_by": lambda: end_coordination(gp.user, episode, CoordinationEpisode.EndReason.NEEDS_FADED),
        "trigger_required": lambda: ring_the_bell(person.user, person, []),
        "appointed_by_zone": lambda: appoint_case_manager(gp.user, bell, case_manager),
        "case_manager_trained": lambda: appoint_case_manager(zone_staff, bell, outsider),
        "review_in_future": lambda: review_plan(person.user, plan, next_review=date.today() - timedelta(days=1)),
        "access_choice_by_person": lambda: set_access_choice(gp.user, person, level=Level.FULL, professional=outsider),
        "break_glass_reason": lambda: break_the_glass(outsider.user, person, "x"),
    }


def _message(call: Callable[[], object], language: str) -> RuleViolation:
    with translation.override(language), pytest.raises(RuleViolation) as caught:
        call()
    return caught.value


def test_every_rule_has_its_code_and_a_message_in_every_language(violations):
    for code, call in violations.items():
        for language in ("en", "nl", "fr", "de"):
            error = _message(call, language)
            assert error.rule == code
            assert str(error).strip(), f"{code} has no message in {language}"


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_rule_messages_are_translated(violations, language):
    untranslated = []
    for code, call in violations.items():
        english = str(_message(call, "en"))
        if str(_message(call, language)) == english:
            untranslated.append(code)
    assert not untranslated, f"not translated into {language}: {untranslated}"


def test_one_english_word_with_two_meanings_has_two_translations() -> None:
    """"Change" is an edit link on the social map and a difference between years in maturity (issue 18.26)."""
    from django.utils import translation
    from django.utils.translation import pgettext

    expected = {"nl": ("Wijzigen", "Verschil"), "fr": ("Modifier", "Évolution"), "de": ("Ändern", "Veränderung")}
    for language, (edit, difference) in expected.items():
        with translation.override(language):
            assert pgettext("edit an entry", "Change") == edit
            assert pgettext("difference between two years", "Change") == difference
