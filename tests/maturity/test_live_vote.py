"""Live voting in the consensus workshop (C13-R07, 001 l.7882-7886: cards raised in the room).

The facilitator opens one vote at a time, participants (submitted or not) tap a score and may change it,
a closed vote refuses further ballots and keeps its counts beside the dimension; nobody sees who voted what.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import VoteBallot, WorkshopVote

from .conftest import fill

pytestmark = pytest.mark.django_db
C = codes()


@pytest.fixture
def workshop(round_, staff):  # noqa: ANN001, ANN201
    return actions.plan_workshop(staff, round_, date(2026, 11, 5), C[:3], attendees=6)


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# --- the rules -------------------------------------------------------------------------------------------


def test_one_open_vote_per_workshop_and_only_on_a_discussed_dimension(workshop, staff, invite) -> None:  # noqa: ANN001
    vote = actions.open_vote(staff, workshop, C[0])
    assert vote.is_open and actions.open_vote_of(workshop) == vote
    with pytest.raises(RuleViolation) as refused:
        actions.open_vote(staff, workshop, C[1])
    assert refused.value.rule == "vote_open"
    with pytest.raises(RuleViolation):
        actions.open_vote(staff, workshop, C[5])  # not chosen for this workshop
    actions.close_vote(staff, vote)
    with pytest.raises(RuleViolation):
        actions.close_vote(staff, vote)
    second = actions.open_vote(staff, workshop, C[0])  # the same dimension again, after the discussion
    assert WorkshopVote.objects.filter(workshop=workshop).count() == 2 and second.is_open
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        WorkshopVote.objects.create(workshop=workshop, item=workshop.dimensions.get(dimension=C[1]))


def test_only_the_zone_staff_open_and_close(workshop, staff, outsider, invite) -> None:  # noqa: ANN001
    p = invite("an")
    for actor in (p.user, outsider):
        with pytest.raises(RuleViolation):
            actions.open_vote(actor, workshop, C[0])
    vote = actions.open_vote(staff, workshop, C[0])
    with pytest.raises(RuleViolation):
        actions.close_vote(p.user, vote)
    assert actions.open_vote_of(workshop) == vote


def test_a_participant_without_submission_votes_and_changes_the_vote(workshop, staff, invite) -> None:  # noqa: ANN001
    an, bert = invite("an"), invite("bert")  # an never submitted (C13-R11)
    fill(bert, [2] * 12)
    vote = actions.open_vote(staff, workshop, C[0])
    actions.cast_vote(an.user, vote, 4)
    actions.cast_vote(bert.user, vote, 2)
    actions.cast_vote(an.user, vote, 3)  # changed, still one ballot
    assert VoteBallot.objects.filter(vote=vote).count() == 2
    assert actions.vote_counts(vote) == (0, 0, 1, 1, 0, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteBallot.objects.create(vote=vote, participant=an, score=1)
    for bad in (6, -1, None, True):
        with pytest.raises(RuleViolation):
            actions.cast_vote(an.user, vote, bad)
    assert actions.vote_counts(vote) == (0, 0, 1, 1, 0, 0)


def test_after_closing_a_vote_is_refused_and_changes_nothing(workshop, staff, invite) -> None:  # noqa: ANN001
    an = invite("an")
    vote = actions.open_vote(staff, workshop, C[0])
    actions.cast_vote(an.user, vote, 4)
    actions.close_vote(staff, vote)
    with pytest.raises(RuleViolation) as refused:
        actions.cast_vote(an.user, vote, 1)
    assert refused.value.rule == "vote_closed"
    assert actions.vote_counts(vote) == (0, 0, 0, 0, 1, 0)


def test_non_participants_cannot_vote(workshop, staff, outsider) -> None:  # noqa: ANN001
    vote = actions.open_vote(staff, workshop, C[0])
    for actor in (staff, outsider, User.objects.create_user("nobody")):
        with pytest.raises(RuleViolation) as refused:
            actions.cast_vote(actor, vote, 3)
        assert refused.value.rule == "not_participant"
    assert not VoteBallot.objects.exists()


def test_every_write_is_audited(workshop, staff, invite) -> None:  # noqa: ANN001
    an = invite("an")
    vote = actions.open_vote(staff, workshop, C[0])
    actions.cast_vote(an.user, vote, 4)
    actions.cast_vote(an.user, vote, 4)  # the same again: nothing written
    actions.cast_vote(an.user, vote, 2)
    actions.close_vote(staff, vote)
    kinds = list(AuditEvent.objects.filter(resource_type__in=["MaturityVote", "MaturityBallot"]).order_by("pk")
                 .values_list("resource_type", "action"))
    assert kinds == [("MaturityVote", "C"), ("MaturityBallot", "C"), ("MaturityBallot", "U"), ("MaturityVote", "U")]


# --- the pages -------------------------------------------------------------------------------------------


def test_access_outsiders_404_participants_403_on_the_live_page_staff_403_on_the_ballot(workshop, staff, outsider,  # noqa: ANN001
                                                                                      invite) -> None:
    p = invite("an")
    stranger, participant, facilitator = client_for(outsider), client_for(p.user), client_for(staff)
    for name in ("live", "live_panel"):
        url = reverse(f"maturity:{name}", args=[workshop.pk])
        assert stranger.get(url).status_code == 404, name
        assert participant.get(url).status_code == 403, name
        assert facilitator.get(url).status_code == 200, name
    for name in ("vote", "vote_panel"):
        url = reverse(f"maturity:{name}", args=[workshop.pk])
        assert stranger.get(url).status_code == 404, name
        assert facilitator.get(url).status_code == 403, name
        assert participant.get(url).status_code == 200, name
    opened = reverse("maturity:open_vote", args=[workshop.pk])
    assert stranger.post(opened, {"dimension": C[0]}).status_code == 404
    assert participant.post(opened, {"dimension": C[0]}).status_code == 403
    assert not WorkshopVote.objects.exists()
    assert Client().get(reverse("maturity:vote", args=[workshop.pk])).status_code == 302  # to the login page


def test_without_javascript_open_vote_change_close_and_the_result_stays_on_the_workshop(workshop, staff,  # noqa: ANN001
                                                                                        invite) -> None:
    an, bert = invite("an"), invite("bert")
    fill(bert, [1] * 12)
    facilitator = client_for(staff)
    facilitator.post(reverse("maturity:open_vote", args=[workshop.pk]), {"dimension": C[1]})
    vote = WorkshopVote.objects.get()
    page = client_for(an.user).get(reverse("maturity:vote", args=[workshop.pk])).content.decode()
    assert "2. Structure &amp; governance" in page and 'name="score" value="5"' in page
    ballot_url = reverse("maturity:vote", args=[workshop.pk])
    phone_an, phone_bert = client_for(an.user), client_for(bert.user)
    phone_an.post(ballot_url, {"vote": vote.pk, "score": "4"})
    response = phone_an.post(ballot_url, {"vote": vote.pk, "score": "3"}, follow=True)
    assert "Your vote has been counted: 3" in response.content.decode()
    phone_bert.post(ballot_url, {"vote": vote.pk, "score": "1"})
    assert actions.vote_counts(vote) == (0, 1, 0, 1, 0, 0)

    panel = facilitator.get(reverse("maturity:live_panel", args=[workshop.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in panel and "2 votes" in panel
    assert 'data-test="room-3">1<' in panel and 'data-test="room-1">1<' in panel
    assert "bert" not in panel.lower()  # counts, never who
    live = facilitator.get(reverse("maturity:live", args=[workshop.pk])).content.decode()
    assert 'data-test="reload"' in live and 'data-test="close-vote"' in live

    facilitator.post(reverse("maturity:close_vote", args=[workshop.pk, vote.pk]))
    response = phone_bert.post(ballot_url, {"vote": vote.pk, "score": "5"}, follow=True)
    assert "This vote has been closed" in response.content.decode()
    assert actions.vote_counts(vote) == (0, 1, 0, 1, 0, 0)
    panel = facilitator.get(reverse("maturity:live_panel", args=[workshop.pk])).content.decode()
    assert "hx-trigger" not in panel and "final result" in panel  # polling stops once closed
    report = facilitator.get(reverse("maturity:workshop", args=[workshop.pk])).content.decode()
    assert f'data-test="final-vote-{C[1]}"' in report and f'data-test="final-vote-{C[0]}"' not in report


def test_the_ballot_page_speaks_the_participants_language_and_hides_others_votes(workshop, staff, invite) -> None:  # noqa: ANN001
    an, bert = invite("an"), invite("bert")
    vote = actions.open_vote(staff, workshop, C[0])
    actions.cast_vote(bert.user, vote, 5)
    page = client_for(an.user, "nl").get(reverse("maturity:vote_panel", args=[workshop.pk])).content.decode()
    assert "Bereidheid tot verandering" in page and "Geen besef dat verandering nodig is." in page
    assert 'data-test="my-vote"' not in page and "bert" not in page
    actions.cast_vote(an.user, vote, 2)
    page = client_for(an.user).get(reverse("maturity:vote_panel", args=[workshop.pk])).content.decode()
    assert 'data-test="my-vote"' in page and 'aria-pressed="true" data-test="score-2"' in page
    assert 'data-test="score-5"' in page and "aria-pressed" not in page.split('data-test="score-5"')[0].split(
        'data-test="score-2"')[1]
    actions.close_vote(staff, vote)
    page = client_for(an.user).get(reverse("maturity:vote_panel", args=[workshop.pk])).content.decode()
    assert 'data-test="no-vote"' in page


def test_bad_ballots_change_nothing(workshop, staff, invite) -> None:  # noqa: ANN001
    an = invite("an")
    vote = actions.open_vote(staff, workshop, C[0])
    phone = client_for(an.user)
    url = reverse("maturity:vote", args=[workshop.pk])
    for data in ({"vote": vote.pk, "score": "x"}, {"vote": vote.pk, "score": "9"}, {"vote": "nope", "score": "2"},
                 {"vote": vote.pk + 99, "score": "2"}, {"vote": vote.pk}):
        assert phone.post(url, data).status_code == 302
    assert not VoteBallot.objects.exists()


def test_the_bars_compare_shares_of_the_room_and_the_questionnaire() -> None:
    from careweave.maturity.charts import vote_bars

    chart = vote_bars((0, 0, 1, 1, 0, 0), (0, 0, 4, 0, 0, 0))
    bars = {b["score"]: b for b in chart["bars"]}
    assert bars[2]["asked_h"] == 150 and bars[2]["room_h"] == 75 and bars[3]["room"] == 1
    assert bars[0]["room_h"] == 0 and bars[0]["room_y"] == chart["base"]
    assert vote_bars((0,) * 6, (0,) * 6)["bars"][5]["room_h"] == 0  # no votes yet: no division by zero
