"""Roles are stored as codes and dates formatted for the reader's language and locale (issue 11.4)."""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from careweave.access.models import AuditEvent
from careweave.careplans import actions
from careweave.careplans.models import CarePlan, CaseManagementRequest, Task
from careweave.careplans.models.coordination import Trigger

pytestmark = pytest.mark.django_db


def _audit_roles(html: str) -> list[str]:
    return re.findall(r'data-test="audit-role">\((.*?)\)</span>', html)


def test_the_audit_stores_a_role_code_and_shows_it_in_the_readers_language(cast, client_for) -> None:  # noqa: ANN001
    client_for("gp", "fr").get(reverse("web:plan", args=[cast.maria.fhir_id]))
    event = AuditEvent.objects.filter(user=cast.gp.user, person=cast.maria).latest("recorded_at")
    assert event.user_role == "discipline:gp"
    privacy = reverse("web:privacy", args=[cast.maria.fhir_id])
    assert "huisarts" in _audit_roles(client_for("person", "nl").get(privacy).content.decode())
    assert "general practitioner" in _audit_roles(client_for("person", "en").get(privacy).content.decode())


def test_a_contact_point_request_shows_the_reporters_role_in_the_readers_language(cast, client_for) -> None:  # noqa: ANN001
    with translation.override("fr"):
        bell = actions.ring_the_bell(cast.gp.user, cast.maria, [Trigger.OWN_REQUEST], "Situation instable")
    assert bell.reporter_role == "discipline:gp"
    page = client_for("zonestaff", "nl").get(reverse("web:zone_request", args=[bell.pk])).content.decode()
    assert "huisarts" in page and "médecin généraliste" not in page


def test_stored_role_labels_are_migrated_to_codes(cast) -> None:  # noqa: ANN001
    old_fr = AuditEvent.objects.create(user_display="An Claes", user_role="médecin généraliste", action="R",
                                       resource_type="CarePlan", person=cast.maria)
    old_nl = AuditEvent.objects.create(user_display="Sofie", user_role="thuisverpleegkundige", action="R",
                                       resource_type="CarePlan", person=cast.maria)
    typed = AuditEvent.objects.create(user_display="X", user_role="person", action="R", resource_type="CarePlan")
    importlib.import_module("careweave.access.migrations.0002_audit_role_codes").labels_to_codes(apps, None)
    assert AuditEvent.objects.get(pk=old_fr.pk).user_role == "discipline:gp"
    assert AuditEvent.objects.get(pk=old_nl.pk).user_role == "discipline:home_nurse"
    assert AuditEvent.objects.get(pk=typed.pk).user_role == "person"

    request = CaseManagementRequest.objects.create(person=cast.maria, zone=cast.zone, reporter_role="la personne",
                                                   triggers=[Trigger.OWN_REQUEST], created_at=timezone.now())
    importlib.import_module("careweave.careplans.migrations.0003_reporter_role_codes").labels_to_codes(apps, None)
    assert CaseManagementRequest.objects.get(pk=request.pk).reporter_role == "person"


def test_english_dates_are_day_month_year_not_american(cast, client_for) -> None:  # noqa: ANN001
    review = date.today() + timedelta(days=40)
    CarePlan.objects.filter(pk=cast.plan.pk).update(review_date=review)
    html = client_for("gp", "en").get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    summary = html.split('data-test="review-date">', 1)[1].split("</p>", 1)[0]
    assert summary.startswith(f"{review.day} {review:%B} {review.year}")
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", html.split('id="main"', 1)[1])
    with translation.override("en"):
        from django.utils import formats

        assert formats.date_format(date(2026, 3, 4), "SHORT_DATE_FORMAT") == "04/03/2026"


def test_the_dutch_plan_writes_every_date_the_same_way(cast, client_for) -> None:  # noqa: ANN001
    due = date.today() + timedelta(days=9)
    Task.objects.filter(pk=cast.task_for_nurse.pk).update(due_date=due)
    html = client_for("gp", "nl").get(reverse("web:plan", args=[cast.maria.fhir_id])).content.decode()
    main = html.split('id="main"', 1)[1]
    assert not re.search(r"\b\d{1,2}-\d{1,2}-\d{4}\b", main), "a short d-m-Y date beside long dates"
    with translation.override("nl"):
        from django.utils import formats

        long_due = formats.date_format(due, "DATE_FORMAT")
    who = main.split('id="who-title"', 1)[1].split("</section>", 1)[0]
    assert long_due in who
