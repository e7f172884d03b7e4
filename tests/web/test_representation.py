"""'Who may act for me' on the privacy page: proxy access and the representative, clicked through."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.people.models import Person, RelatedPerson
from web.scenario import PASSWORD

pytestmark = pytest.mark.django_db


def url(name: str, person: Person, *args: object) -> str:
    return reverse(f"web:{name}", args=[person.fhir_id, *args])


def step(person: Person, related: RelatedPerson, name: str) -> str:
    return url("network_step", person, related.pk, name)


@pytest.fixture
def lies(cast) -> RelatedPerson:  # noqa: ANN001
    """Maria's daughter: recorded in her network with a login, not in the team, no standing yet."""
    user = User.objects.create_user("daughter", password=PASSWORD, first_name="Lies", last_name="Peeters")
    return RelatedPerson.objects.create(
        person=cast.maria,
        user=user,
        given_name="Lies",
        family_name="Peeters",
        relationship=RelatedPerson.Relationship.CHILD,
    )


def _fresh(related: RelatedPerson) -> RelatedPerson:
    return RelatedPerson.objects.get(pk=related.pk)


def test_the_person_gives_her_daughter_proxy_access_and_the_daughter_opens_the_plan(cast, client_for, lies):
    daughter = client_for("daughter")
    assert daughter.get(url("plan", cast.maria)).status_code == 403

    maria = client_for("person")
    page = maria.get(url("privacy", cast.maria)).content.decode()
    assert "Who may act for me" in page and "Lies Peeters" in page
    assert step(cast.maria, lies, "grant-proxy") in page
    assert 'name="mandate_confirmed"' in page, "the person herself may appoint a representative"

    response = maria.post(step(cast.maria, lies, "grant-proxy"), {"version": lies.version}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/privacy/#network")
    body = response.content.decode()
    assert "Lies Peeters now has proxy access" in body
    assert 'data-test="badge-proxy"' in body
    assert _fresh(lies).has_proxy_access

    plan = daughter.get(url("plan", cast.maria))
    assert plan.status_code == 200
    assert "HbA1c" in plan.content.decode(), "proxy access opens the whole file, medical detail included"
    assert AuditEvent.objects.filter(user=cast.maria.user, resource_type="RelatedPerson", basis="self").exists()

    maria.post(step(cast.maria, lies, "withdraw-proxy"), {"version": _fresh(lies).version})
    assert not _fresh(lies).has_proxy_access
    assert daughter.get(url("plan", cast.maria)).status_code == 403


@pytest.mark.parametrize("username", ["gp", "coordinator", "carer", "stranger"])
def test_someone_else_posting_the_forms_is_refused_and_nothing_changes(cast, client_for, lies, username):
    client = client_for(username)
    for target, data in [
        (step(cast.maria, lies, "grant-proxy"), {"version": lies.version}),
        (step(cast.maria, lies, "end-representation"), {"version": lies.version}),
        (url("appoint_representative", cast.maria), {"related": lies.pk, "mandate_confirmed": "on"}),
    ]:
        assert client.post(target, data).status_code == 403
    after = _fresh(lies)
    assert (after.has_proxy_access, after.is_representative, after.version) == (False, False, lies.version)
    user = User.objects.get(username=username)
    assert AuditEvent.objects.filter(user=user, person=cast.maria, outcome="denied").exists()


def test_the_mandate_must_be_confirmed_and_the_page_says_why(cast, client_for, lies):
    maria = client_for("person")
    response = maria.post(url("appoint_representative", cast.maria), {"related": lies.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Confirm that this mandate has been signed" in body
    assert 'aria-invalid="true"' in body
    assert not _fresh(lies).is_representative

    response = maria.post(
        url("appoint_representative", cast.maria), {"related": lies.pk, "mandate_confirmed": "on"}, follow=True
    )
    assert "Lies Peeters now represents Maria Peeters" in response.content.decode()
    assert _fresh(lies).is_representative
    assert 'data-test="badge-representative"' in response.content.decode()


def test_a_new_representative_replaces_the_previous_one(cast, client_for, lies):
    RelatedPerson.objects.filter(pk=cast.jan.pk).update(is_representative=True)
    response = client_for("person").post(
        url("appoint_representative", cast.maria), {"related": lies.pk, "mandate_confirmed": "on"}, follow=True
    )
    assert "Jan Peeters no longer represents Maria Peeters" in response.content.decode()
    assert list(cast.maria.network.filter(is_representative=True)) == [_fresh(lies)]


def test_the_representative_manages_proxy_access_but_does_not_appoint_and_may_step_down(cast, client_for, lies):
    RelatedPerson.objects.filter(pk=cast.jan.pk).update(is_representative=True)
    jan = client_for("carer")
    page = jan.get(url("privacy", cast.maria)).content.decode()
    assert 'name="mandate_confirmed"' not in page
    assert "Only Maria Peeters can appoint a representative" in page
    assert "Step down as representative" in page

    jan.post(step(cast.maria, lies, "grant-proxy"), {"version": lies.version})
    assert _fresh(lies).has_proxy_access

    refused = jan.post(url("appoint_representative", cast.maria), {"related": lies.pk, "mandate_confirmed": "on"})
    assert "Only Maria Peeters can appoint a representative" in refused.content.decode()
    assert not _fresh(lies).is_representative

    response = jan.post(step(cast.maria, cast.jan, "end-representation"), {"version": _fresh(cast.jan).version})
    assert response["Location"] == reverse("web:home"), "no longer acting for Maria: back home"
    assert not _fresh(cast.jan).is_representative
    assert jan.get(url("privacy", cast.maria)).status_code == 403


def test_a_proxy_sees_the_section_read_only_and_may_give_up_their_own_access(cast, client_for, lies):
    RelatedPerson.objects.filter(pk=cast.jan.pk).update(has_proxy_access=True)
    jan = client_for("carer")
    page = jan.get(url("privacy", cast.maria)).content.decode()
    assert 'data-test="network-read-only"' in page
    assert step(cast.maria, lies, "grant-proxy") not in page
    assert "Give up my proxy access" in page

    response = jan.post(step(cast.maria, lies, "grant-proxy"), {"version": lies.version}, follow=True)
    assert "Only the person or their representative decides who has proxy access" in response.content.decode()
    assert not _fresh(lies).has_proxy_access

    response = jan.post(step(cast.maria, cast.jan, "withdraw-proxy"), {"version": _fresh(cast.jan).version})
    assert response["Location"] == reverse("web:home")
    assert not _fresh(cast.jan).has_proxy_access


def test_a_page_loaded_before_someone_else_changed_the_record_changes_nothing(cast, client_for, lies):
    seen = lies.version
    _fresh(lies).save_versioned(update_fields=["phone"])
    response = client_for("person").post(step(cast.maria, lies, "grant-proxy"), {"version": seen}, follow=True)
    assert "changed by someone else meanwhile" in response.content.decode()
    assert not _fresh(lies).has_proxy_access


def test_granting_twice_says_so(cast, client_for, lies):
    maria = client_for("person")
    maria.post(step(cast.maria, lies, "grant-proxy"), {"version": lies.version})
    response = maria.post(step(cast.maria, lies, "grant-proxy"), {"version": _fresh(lies).version}, follow=True)
    assert "Lies Peeters already has proxy access" in response.content.decode()
    assert _fresh(lies).version == lies.version + 1


def test_after_death_the_page_explains_and_offers_no_new_appointment(cast, client_for, lies):
    Person.objects.filter(pk=cast.maria.pk).update(deceased_on=date(2026, 1, 5))
    maria = client_for("person")
    page = maria.get(url("privacy", cast.maria)).content.decode()
    assert 'data-test="network-deceased"' in page
    assert step(cast.maria, lies, "grant-proxy") not in page and 'name="mandate_confirmed"' not in page
    maria.post(step(cast.maria, lies, "grant-proxy"), {"version": lies.version})
    assert not _fresh(lies).has_proxy_access


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_the_section_renders_in_every_language(cast, client_for, lies, language):
    page = client_for("person", language).get(url("privacy", cast.maria))
    assert page.status_code == 200
    assert 'data-test="who-acts"' in page.content.decode()


def test_an_unknown_step_is_not_found(cast, client_for, lies):
    assert client_for("person").post(step(cast.maria, lies, "promote")).status_code == 404
