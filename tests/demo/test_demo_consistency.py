"""The demo zone tells a consistent story for every person (issue 11.9)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from careweave.careplans.models import CoordinationEpisode, Goal, JournalEntry, LifeGoal, Task

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-200")]
DEMO = {"persons": 200, "seed": 42}


@pytest.fixture
def demo(demo_zone: dict) -> dict:
    return demo_zone


def test_no_goal_is_achieved_while_it_still_has_open_tasks(demo: dict) -> None:
    achieved = Goal.objects.filter(status=Goal.Status.ACHIEVED)
    assert achieved.exists(), "the demo shows achieved goals"
    open_tasks = Task.objects.filter(goal__in=achieved, status__in=Task.OPEN_STATUSES).select_related("goal")
    assert [(t.goal.description, t.description) for t in open_tasks] == []


def test_no_coordinator_started_before_joining_the_team(demo: dict) -> None:
    episodes = CoordinationEpisode.objects.exclude(coordinator=None).select_related("coordinator")
    assert episodes.count() > 20
    for episode in episodes:
        joined = episode.coordinator.start
        for moment in (episode.requested_at, episode.accepted_by_coordinator_at, episode.agreed_at,
                       episode.started_at):
            assert moment is None or moment >= joined, (episode.team.person, moment, joined)


def _texts_by_person(queryset, field: str) -> dict[str, set[int]]:  # noqa: ANN001
    persons: dict[str, set[int]] = defaultdict(set)
    for person_id, text in queryset.values_list("plan__person_id", field):
        persons[text].add(person_id)
    return persons


def test_no_two_persons_share_a_life_goal_or_a_journal_text(demo: dict) -> None:
    for texts in (_texts_by_person(LifeGoal.objects, "text"), _texts_by_person(JournalEntry.objects, "text")):
        assert len(texts) > 200
        shared = {text: len(ids) for text, ids in texts.items() if len(ids) > 1}
        assert shared == {}
