"""The rules of a round: who opens and invites, how autosave keeps every keystroke, when scores count."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import DimensionScore, MaturityRound, WorkshopDimension
from careweave.versioning import ChangedMeanwhile

from .conftest import fill

pytestmark = pytest.mark.django_db
C = codes()


def refused(code: str, call, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.rule == code
    assert str(caught.value).strip()


def test_only_the_zones_staff_open_a_round_once_per_year(zone, staff, outsider) -> None:  # noqa: ANN001
    refused("zone_staff_only", actions.open_round, outsider, zone, 2026)
    created = actions.open_round(staff, zone, 2026, " Meting 2026 ")
    assert created.label == "Meting 2026" and created.is_open
    refused("round_exists", actions.open_round, staff, zone, 2026)
    refused("year_range", actions.open_round, staff, zone, 1999)
    assert MaturityRound.objects.count() == 1
    assert AuditEvent.objects.filter(user=staff, resource_type="MaturityRound", action="C").count() == 1


def test_invitations_are_for_staff_once_per_person_and_only_while_open(round_, staff, outsider, invite) -> None:  # noqa: ANN001
    p = invite("an")
    refused("already_invited", actions.invite_participant, staff, round_, p.user)
    refused("zone_staff_only", actions.invite_participant, outsider, round_, User.objects.create_user("x"))
    actions.close_round(staff, round_)
    refused("round_closed", actions.invite_participant, staff, round_, User.objects.create_user("y"))


def test_a_score_without_argument_is_kept_as_a_draft_and_does_not_count(invite) -> None:  # noqa: ANN001
    p = invite("an")
    saved = actions.save_score(p.user, p, C[0], 3, "")
    assert saved.outcome == "saved" and not saved.row.complete
    assert actions.missing_dimensions(p)[0] == C[0]
    actions.save_score(p.user, p, C[0], 3, "Er is een visie", base_version=saved.row.version)
    assert C[0] not in actions.missing_dimensions(p)


def test_bad_input_is_refused_and_changes_nothing(invite) -> None:  # noqa: ANN001
    p = invite("an")
    actions.save_score(p.user, p, C[1], 2, "Goed argument")
    for score in (6, -1, True, "3"):
        refused("score_range", actions.save_score, p.user, p, C[1], score, "x")
    refused("unknown_dimension", actions.save_score, p.user, p, "happiness", 2, "x")
    refused("argument_too_long", actions.save_score, p.user, p, C[1], 2, "x" * 5001)
    row = DimensionScore.objects.get(participant=p)
    assert (row.score, row.argument, row.version) == (2, "Goed argument", 1)


def test_nobody_changes_someone_elses_scores(invite) -> None:  # noqa: ANN001
    an, bo = invite("an"), invite("bo")
    refused("own_scores_only", actions.save_score, bo.user, an, C[0], 1, "x")
    assert not DimensionScore.objects.exists()


def test_autosave_is_idempotent_and_ignores_late_older_edits_of_the_same_device(invite) -> None:  # noqa: ANN001
    p = invite("an")
    first = actions.save_score(p.user, p, C[0], 2, "De", device="tab-1", seq=10)
    again = actions.save_score(p.user, p, C[0], 2, "De", device="tab-1", seq=10)
    assert again.outcome == "unchanged" and again.row.version == first.row.version == 1
    # the tab saved "De partners" (seq 12) but the request for "De part" (seq 11) arrives after it
    newer = actions.save_score(p.user, p, C[0], 2, "De partners", base_version=1, device="tab-1", seq=12)
    late = actions.save_score(p.user, p, C[0], 2, "De part", base_version=1, device="tab-1", seq=11)
    assert (newer.outcome, late.outcome) == ("saved", "stale")
    assert DimensionScore.objects.get(participant=p).argument == "De partners"


def test_the_same_device_continues_after_a_lost_reply_with_its_old_base_version(invite) -> None:  # noqa: ANN001
    """The tab closed before the reply of version 2 arrived: its next edit still says version 1."""
    p = invite("an")
    actions.save_score(p.user, p, C[0], 2, "a", device="tab-1", seq=1)
    actions.save_score(p.user, p, C[0], 2, "ab", base_version=1, device="tab-1", seq=2)
    reopened = actions.save_score(p.user, p, C[0], 2, "abc", base_version=1, device="tab-1", seq=3)
    assert reopened.outcome == "saved" and reopened.row.version == 3


def test_another_device_that_saved_meanwhile_is_a_conflict_not_an_overwrite(invite) -> None:  # noqa: ANN001
    p = invite("an")
    actions.save_score(p.user, p, C[0], 2, "laptop", device="laptop", seq=1)
    actions.save_score(p.user, p, C[0], 3, "laptop later", base_version=1, device="laptop", seq=2)
    with pytest.raises(ChangedMeanwhile):
        actions.save_score(p.user, p, C[0], 1, "phone", base_version=1, device="phone", seq=1)
    assert DimensionScore.objects.get(participant=p).argument == "laptop later"
    kept = actions.save_score(p.user, p, C[0], 1, "phone", base_version=2, device="phone", seq=2)
    assert kept.row.argument == "phone" and kept.row.version == 3


def test_submitting_needs_all_twelve_with_arguments_then_scores_are_read_only(round_, staff, invite) -> None:  # noqa: ANN001
    p = invite("an")
    for code in C[:11]:
        actions.save_score(p.user, p, code, 2, "argument")
    actions.save_score(p.user, p, C[11], 2, "   ")
    with pytest.raises(RuleViolation) as caught:
        actions.submit_scores(p.user, p)
    assert caught.value.rule == "incomplete" and "12." in str(caught.value)
    p.refresh_from_db()
    assert not p.submitted
    row = DimensionScore.objects.get(participant=p, dimension=C[11])
    actions.save_score(p.user, p, C[11], 2, "nu wel", base_version=row.version)
    actions.submit_scores(p.user, p)
    refused("already_submitted", actions.save_score, p.user, p, C[0], 5, "toch anders")
    refused("zone_staff_only", actions.reopen_scores, p.user, p)
    actions.reopen_scores(staff, p)
    assert actions.save_score(p.user, p, C[0], 5, "toch anders", base_version=1).outcome == "saved"


def test_a_closed_round_takes_no_more_scores(round_, staff, invite) -> None:  # noqa: ANN001
    p = invite("an")
    actions.close_round(staff, round_)
    p.round.refresh_from_db()
    refused("round_closed", actions.save_score, p.user, p, C[0], 1, "x")
    refused("round_closed", actions.close_round, staff, round_)
    with pytest.raises(ChangedMeanwhile):
        actions.reopen_round(staff, MaturityRound.objects.get(pk=round_.pk), expected_version=1)
    actions.reopen_round(staff, round_)


def test_only_submitted_scores_count_in_the_results(round_, invite) -> None:  # noqa: ANN001
    fill(invite("an"), [1] * 12)
    fill(invite("bo"), [3] * 12)
    draft = invite("cor")
    actions.save_score(draft.user, draft, C[0], 5, "nog niet ingediend")
    stats = actions.round_stats(round_)
    assert stats[C[0]].n == 2 and stats[C[0]].mean == 2.0 and stats[C[0]].spread == 2


def test_previous_round_is_the_zones_latest_earlier_one(zone, staff, round_) -> None:  # noqa: ANN001
    older = actions.open_round(staff, zone, 2024)
    last_year = actions.open_round(staff, zone, 2025)
    assert actions.previous_round(round_) == last_year
    assert actions.previous_round(older) is None


def test_a_workshop_discusses_3_to_7_dimensions_and_a_consensus_needs_its_argument(round_, staff, outsider) -> None:  # noqa: ANN001
    refused("workshop_size", actions.plan_workshop, staff, round_, date(2026, 11, 5), C[:2])
    refused("workshop_size", actions.plan_workshop, staff, round_, date(2026, 11, 5), C[:8])
    refused("unknown_dimension", actions.plan_workshop, staff, round_, date(2026, 11, 5), [*C[:3], "x"])
    refused("zone_staff_only", actions.plan_workshop, outsider, round_, date(2026, 11, 5), C[:3])
    workshop = actions.plan_workshop(staff, round_, date(2026, 11, 5), [C[0], C[0], C[3], C[4]], attendees=8)
    assert [d.dimension for d in workshop.dimensions.all()] == [C[0], C[3], C[4]]
    refused("consensus_argument", actions.record_consensus, staff, workshop, {C[0]: (3, " ")}, "", 1)
    refused("not_discussed", actions.record_consensus, staff, workshop, {C[1]: (3, "x")}, "", 1)
    refused("score_range", actions.record_consensus, staff, workshop, {C[0]: (9, "x")}, "", 1)
    assert not WorkshopDimension.objects.filter(consensus_score__isnull=False).exists()
    actions.record_consensus(staff, workshop, {C[0]: (3, "Iedereen akkoord"), C[3]: (None, "")}, "Goed gesprek", 1)
    with pytest.raises(ChangedMeanwhile):
        actions.record_consensus(staff, workshop, {C[0]: (2, "Toch niet")}, "", 1)
    assert WorkshopDimension.objects.get(workshop=workshop, dimension=C[0]).consensus_score == 3


def test_a_workshop_of_another_year_is_refused(round_, staff) -> None:  # noqa: ANN001
    """Issue 18: a 2020 workshop was accepted in the 2026 round."""
    refused("workshop_date", actions.plan_workshop, staff, round_, date(round_.year - 6, 3, 1), C[:3])
    refused("workshop_date", actions.plan_workshop, staff, round_, date(round_.year + 2, 3, 1), C[:3])
