"""The administrator does not read personal files by default; any admin read is decided and audited (issue 11.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessLog
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from careweave.access.models import AuditEvent, BreakGlass
from careweave.careplans import actions
from careweave.fhir.models import ResourceVersion, StoredResource

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast, client_for):  # noqa: ANN001
    actions.write_in_journal(cast.gp.user, cast.plan, "Confidential: Maria talked about her debts.", is_medical=True)
    maria_user = User.objects.get(person=cast.maria)
    AccessLog.objects.create(username=maria_user.username, ip_address="203.0.113.77", user_agent="Maria's tablet",
                             path_info="/login/")
    AccessLog.objects.create(username=cast.gp.user.username, ip_address="198.51.100.12", user_agent="GP desk",
                             path_info="/login/")
    TOTPDevice.objects.create(user=maria_user, name="Telefoon van Maria Peeters", confirmed=False)
    StoredResource.objects.create(
        resource_type="Observation", source_id="obs-1", patient=cast.maria,
        data={"resourceType": "Observation", "valueString": "HbA1c 9.1 for Maria Peeters"},
    )
    return client_for(cast.admin.username)


def _secrets(cast) -> list[str]:  # noqa: ANN001
    return [cast.maria.ssin, "Peeters", "debts", "HbA1c", "+32 471 12 34 56", "203.0.113.77", "Maria&#x27;s tablet"]


def test_every_admin_list_shows_nothing_of_a_persons_file(cast, admin_client) -> None:  # noqa: ANN001
    assert ResourceVersion.objects.filter(resource_type="Patient", resource_id=str(cast.maria.fhir_id)).exists()
    index = admin_client.get(reverse("admin:index"))
    assert index.status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        html = admin_client.get(url).content.decode()
        for secret in _secrets(cast):
            assert secret not in html, f"{url} shows {secret}"


def test_opening_a_persons_record_in_the_admin_is_refused_and_in_who_looked(cast, admin_client, client_for) -> None:  # noqa: ANN001
    version = ResourceVersion.objects.filter(resource_type="Patient", resource_id=str(cast.maria.fhir_id)).first()
    entry = ResourceVersion.objects.filter(resource_type="Communication").first()
    stored = StoredResource.objects.get(source_id="obs-1")
    maria_user = User.objects.get(person=cast.maria)
    urls = [
        reverse("admin:records_resourceversion_change", args=[version.pk]),
        reverse("admin:records_resourceversion_change", args=[entry.pk]),
        reverse("admin:records_storedresource_change", args=[stored.pk]),
        reverse("admin:auth_user_change", args=[maria_user.pk]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 403, url
        for secret in _secrets(cast):
            assert secret not in response.content.decode()
    refused = AuditEvent.objects.filter(person=cast.maria, user=cast.admin, outcome="denied", action="R")
    assert refused.count() == len(urls)
    assert set(refused.values_list("channel", flat=True)) == {"admin"}
    who_looked = _who_looked(cast, client_for)
    assert who_looked.count("Admin") >= len(urls)


def test_an_admin_with_a_real_basis_sees_the_record_and_is_in_who_looked(cast, admin_client, client_for) -> None:  # noqa: ANN001
    BreakGlass.objects.create(person=cast.maria, user=cast.admin, reason="Privacy officer: complaint 2026-17",
                              expires_at=timezone.now() + timedelta(hours=1))
    version = ResourceVersion.objects.filter(resource_type="Patient", resource_id=str(cast.maria.fhir_id)).first()
    response = admin_client.get(reverse("admin:records_resourceversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert cast.maria.ssin in response.content.decode()
    read = AuditEvent.objects.get(person=cast.maria, user=cast.admin, outcome="success", action="R")
    assert read.basis == "break_glass" and read.resource_type == "Patient"
    assert "Admin" in _who_looked(cast, client_for)


def test_directory_records_stay_open_to_the_admin(cast, admin_client) -> None:  # noqa: ANN001
    practitioner = ResourceVersion.objects.filter(resource_type="Practitioner").first()
    assert practitioner is not None
    assert admin_client.get(reverse("admin:records_resourceversion_change", args=[practitioner.pk])).status_code == 200
    logins = admin_client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
    assert "198.51.100.12" in logins, "professionals' logins stay visible for the admin's security work"
    gp_account = reverse("admin:auth_user_change", args=[cast.gp.user.pk])
    assert admin_client.get(gp_account).status_code == 200
    assert not AuditEvent.objects.filter(user=cast.admin).exists()


def _who_looked(cast, client_for) -> str:  # noqa: ANN001
    """The "who looked at my file" section of Maria's privacy page, as she sees it."""
    html = client_for("person").get(reverse("web:privacy", args=[cast.maria.fhir_id])).content.decode()
    return html.split('id="audit-title"', 1)[1].split("</section>", 1)[0]
