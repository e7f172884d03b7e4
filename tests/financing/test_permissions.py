"""Issue 17, defect 6: who registers and cancels provisions, for which types, with which provider; the MDO
fee never by hand; medical provisions at full access only. The ``financing.*`` rows for the ten demo roles."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from consultations.conftest import assert_row, roles  # noqa: F401 - fixtures
from web.conftest import cast, client_for, fast_hashing  # noqa: F401 - fixtures

from careweave.access.models import AuditEvent
from careweave.careplans import actions as plan_actions
from careweave.careplans.errors import RuleViolation
from careweave.financing import actions
from careweave.financing.actions import ProvisionRequest
from careweave.financing.models import CareUnitBudget, Provision, ProvisionType
from careweave.people.identifiers import make_nihdi
from careweave.people.models import Discipline, Professional

DAY = date(2026, 3, 2)


def _type(code: str) -> ProvisionType:
    return ProvisionType.objects.get(code=code)


@pytest.fixture
def psychologist(cast) -> Professional:  # noqa: ANN001, F811
    """A psychologist in Maria's team (the one who may provide psychological support)."""
    from django.contrib.auth.models import User

    pro = Professional.objects.create(given_name="Paula", family_name="Psy", discipline=Discipline.PSYCHOLOGIST,
                                      nihdi=make_nihdi(1, 909, 3), zone=cast.zone,
                                      user=User.objects.create_user("psychologist"))
    plan_actions.add_team_member(cast.maria.user, cast.team, professional=pro)
    return pro


@pytest.fixture
def night_visit(cast) -> Provision:  # noqa: ANN001, F811
    return actions.register_provision(cast.nurse.user, cast.maria, _type("NACHTBEZOEK"), DAY,
                                      professional=cast.nurse)


def _options(page: str, name: str) -> set[str]:
    """The values offered by the form's ``<select name=...>``."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    return set(re.findall(r'<option value="(\d+)"', found.group(1))) if found else set()


def _refused(call, *args, **kwargs) -> RuleViolation:  # noqa: ANN001, ANN003
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


def test_the_social_worker_cannot_register_psychological_support(cast, psychologist) -> None:  # noqa: ANN001, F811
    social = cast.social.user
    assert _refused(actions.register_provision, social, cast.maria, _type("PSY"), DAY,
                    professional=cast.social).rule == "not_allowed"
    assert _refused(actions.register_provision, social, cast.maria, _type("PSY"), DAY,
                    professional=psychologist).rule == "not_allowed"  # nor in someone else's name
    assert not Provision.objects.exists()
    assert AuditEvent.objects.filter(user=social, person=cast.maria, outcome="denied",
                                     reason__startswith="financing.register_provision").exists()
    actions.register_provision(social, cast.maria, _type("MANTELZORGERS"), DAY, professional=cast.social)
    actions.register_provision(psychologist.user, cast.maria, _type("PSY"), DAY, professional=psychologist)


def test_a_professional_outside_the_care_relationship_registers_nothing(cast, roles) -> None:  # noqa: ANN001, F811
    physio = roles["physio"].professional
    assert _refused(actions.register_provision, roles["physio"], cast.maria, _type("ZORGEDUCATIE"), DAY,
                    professional=physio).rule == "not_allowed"


def test_only_provider_registrar_or_zone_staff_cancel(cast, night_visit) -> None:  # noqa: ANN001, F811
    assert _refused(actions.cancel_provision, cast.social.user, night_visit, night_visit.version,
                    "Niet nodig").rule == "not_allowed"
    assert _refused(actions.cancel_provision, cast.gp.user, night_visit, night_visit.version,
                    "Niet nodig").rule == "not_allowed"
    night_visit.refresh_from_db()
    assert night_visit.status == Provision.Status.REGISTERED
    actions.cancel_provision(cast.zone_staff, night_visit, night_visit.version, "Dubbel geregistreerd")
    night_visit.refresh_from_db()
    assert night_visit.status == Provision.Status.CANCELLED


def test_zone_staff_register_for_a_fitting_provider_only(cast, psychologist) -> None:  # noqa: ANN001, F811
    assert _refused(actions.register_provision, cast.zone_staff, cast.maria, _type("PSY"), DAY,
                    professional=cast.nurse).rule == "not_allowed"
    actions.register_provision(cast.zone_staff, cast.maria, _type("PSY"), DAY, professional=psychologist)


def test_the_mdo_fee_is_never_typed_by_hand(cast, client_for) -> None:  # noqa: ANN001, F811
    assert _refused(actions.register_provision, cast.zone_staff, cast.maria, _type("MDO"), DAY,
                    professional=cast.gp).rule == "mdo_fee_by_hand"
    page = client_for("zonestaff").get(f"/financing/person/{cast.maria.fhir_id}/register/").content.decode()
    assert str(_type("NACHTBEZOEK").pk) in _options(page, "provision_type")
    assert str(_type("MDO").pk) not in _options(page, "provision_type")
    assert not Provision.objects.exists()


def test_the_form_offers_only_the_allowed_providers_and_types(cast, psychologist, roles, client_for) -> None:  # noqa: ANN001, F811
    url = f"/financing/person/{cast.maria.fhir_id}/register/"
    nurse_page = client_for("nurse").get(url).content.decode()
    assert _options(nurse_page, "professional") == {str(cast.nurse.pk)}
    types = _options(nurse_page, "provision_type")
    assert str(_type("NACHTBEZOEK").pk) in types and str(_type("PSY").pk) not in types
    staff_page = client_for("zonestaff").get(url).content.decode()
    # not all professionals: only the team's professionals of a fitting discipline (the GP provides care education)
    assert _options(staff_page, "professional") == {str(p.pk) for p in (
        psychologist, cast.nurse, cast.gp, cast.social, cast.coordinator)}
    assert client_for("physio").get(url).status_code == 403


def test_the_social_worker_does_not_see_psychological_provisions(cast, psychologist, night_visit,  # noqa: ANN001, F811
                                                                 client_for) -> None:  # noqa: F811
    actions.register_provision(psychologist.user, cast.maria, _type("PSY"), DAY, professional=psychologist)
    url = f"/financing/person/{cast.maria.fhir_id}/"
    social_page = client_for("socialworker").get(url).content.decode()
    assert social_page.count('data-test="provision"') == 1 and "Psychological support" not in social_page
    assert 'data-test="cancel-provision"' not in social_page  # not his to cancel
    nurse_page = client_for("nurse").get(url).content.decode()
    assert nurse_page.count('data-test="provision"') == 2 and "Psychological support" in nurse_page
    assert nurse_page.count('data-test="cancel-provision"') == 1  # her night visit


def test_the_rows_for_the_ten_roles(cast, roles, night_visit) -> None:  # noqa: ANN001, F811
    team = {"gp", "nurse", "socialworker", "coordinator"}
    assert_row("financing.register_provision", ProvisionRequest(cast.maria), team | {"zonestaff"}, roles)
    assert_row("financing.register_provision",
               ProvisionRequest(cast.maria, _type("NACHTBEZOEK"), professional=cast.nurse), {"nurse", "zonestaff"},
               roles)
    assert_row("financing.cancel_provision", night_visit, {"nurse", "zonestaff"}, roles)
    assert_row("financing.see_provisions", cast.maria, team | {"person", "carer", "zonestaff"}, roles)
    assert_row("financing.see_medical_provisions", cast.maria, {"person", "gp", "nurse", "coordinator", "zonestaff"},
               roles)
    assert_row("financing.allocate_budget", cast.maria, {"zonestaff"}, roles)
    budget = CareUnitBudget.objects.create(person=cast.maria, zone=cast.zone, period_start=date(2026, 1, 1),
                                           period_end=date(2026, 12, 31), allocated=Decimal(10))
    assert_row("financing.transfer_units", budget, {"zonestaff"}, roles)
    assert_row("financing.add_tariff", _type("ERGO"), {"admin"}, roles)
