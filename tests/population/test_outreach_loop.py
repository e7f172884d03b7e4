"""Outreach that reaches someone, the macro layer and PDCA (issue #20).

The population set is generated small, then the pseudonyms of a few of its level-3 outreach persons are
replaced by the keyed pseudonyms of persons this test registers in Careweave (as the trusted third party
would link them): the list zone staff send then leads to those persons, and to their GPs only.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.models import CarePlan, CareTeam, Task, TeamMember
from careweave.people.identifiers import make_ssin
from careweave.people.models import Person, Professional
from careweave.population import api, dashboard_cache
from careweave.population.generator import generate
from careweave.population.macro import compare
from careweave.population.models import OutreachItem, OutreachList, PdcaAction, PdcaTarget
from careweave.population.pseudonyms import pseudonym_id, zone_key
from careweave.territory.models import Zone, ZoneStaff

pytestmark = pytest.mark.django_db

KEY = "test-key-of-the-trusted-third-party"
TABLES = ("persons", "claims", "medication", "stays", "diagnoses", "assessments", "vaccinations", "deaths",
          "surveys")


@pytest.fixture(scope="module")
def base_pop(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zora-loop")
    generate(2500, 23, out, zone="ZORA")
    return out


def _ssin(i: int) -> str:
    return make_ssin(date(1940, 1 + i % 12, 1 + i % 27), 2 * i + 1)


def _linked_population(base: Path, tmp: Path, ssins: list[str]) -> tuple[Path, list[int]]:
    """A copy of the set in which the first level-3 'no coordinator' persons carry the given SSINs' pseudonyms."""
    out = tmp / "linked"
    shutil.copytree(base, out, ignore=shutil.ignore_patterns("_results"))
    strata = api.results(base)["strata"]
    chosen = strata[(strata["level"] == 3) & strata["outreach_reasons"].str.contains("no_coordinator")]
    old = [int(p) for p in chosen["person_id"].head(len(ssins))]
    assert len(old) == len(ssins), "the generated zone has too few level-3 persons without a coordinator"
    new = {o: pseudonym_id(s, "ZORA") for o, s in zip(old, ssins, strict=True)}
    for table in TABLES:
        for part in (out / table).glob("*.parquet"):
            frame = pq.read_table(part).to_pandas()
            if "person_id" in frame:
                frame["person_id"] = frame["person_id"].map(lambda p: new.get(int(p), int(p))).astype("int64")
                frame.to_parquet(part, index=False)
    return out, list(new.values())


@pytest.fixture()
def world(settings, monkeypatch, base_pop, tmp_path):
    """ZORA with its zone staff, two GPs, a policy maker, and six persons on the level-3 list."""
    monkeypatch.setenv("CAREWEAVE_PSEUDONYM_KEY", KEY)
    zone_key.cache_clear()
    settings.SMALL_CELL_K = 5
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    dashboard_cache.clear()
    zone = Zone.objects.create(code="ZORA", name="ELZ Zora", region=Zone.Region.FLANDERS)
    ssins = [_ssin(i) for i in range(6)]
    data, pseudonyms = _linked_population(base_pop, tmp_path, ssins)
    settings.POPULATION_DATA_DIR = data
    staff = User.objects.create_user("staff", password="x")
    staff.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    staff.user_permissions.add(Permission.objects.get(codename="view_outreach_list"))
    ZoneStaff.objects.create(user=staff, zone=zone, role=ZoneStaff.Role.CONTACT_POINT)
    policy = User.objects.create_user("policy", password="x")
    policy.groups.add(Group.objects.get_or_create(name="policy_makers")[0])
    gps = []
    for name in ("claes", "peeters"):
        user = User.objects.create_user(name, password="x")
        gps.append(Professional.objects.create(user=user, given_name="Dr", family_name=name.title(), discipline="gp",
                                               zone=zone))
    persons = []
    for i, ssin in enumerate(ssins):
        person = Person.objects.create(ssin=ssin, given_name=f"Given{i}", family_name=f"Family{i}", zone=zone)
        team = CareTeam.objects.create(person=person)
        TeamMember.objects.create(team=team, professional=gps[0] if i < 5 else gps[1])
        persons.append(person)
    stranger = Person.objects.create(ssin=_ssin(40), given_name="Not", family_name="Listed", zone=zone)
    TeamMember.objects.create(team=CareTeam.objects.create(person=stranger), professional=gps[0])
    return {"zone": zone, "staff": staff, "policy": policy, "gps": gps, "persons": persons,
            "pseudonyms": pseudonyms}


def _send(client, world) -> OutreachList:  # noqa: ANN001
    client.force_login(world["staff"])
    response = client.post(reverse("population:sent_lists", args=["ZORA"]),
                           {"reason": "no_coordinator", "level": "3", "note": "Please look"})
    assert response.status_code == 302
    return OutreachList.objects.get()


def test_a_sent_list_reaches_each_gp_with_their_own_patients_named(client, world) -> None:
    sent = _send(client, world)
    assert sent.matched == 6 and sent.size > 6
    claes, peeters = (gp.user for gp in world["gps"])
    client.force_login(claes)
    page = client.get(reverse("population:my_patients")).content.decode()
    for person in world["persons"][:5]:
        assert person.family_name in page
    assert "Family5" not in page and page.count('data-test="outreach-person"') == 5
    assert "Listed" not in page.split('data-test="no-review"')[0]  # on no list, though Dr Claes's patient
    audited = set(AuditEvent.objects.filter(user=claes, reason__startswith="list:my_patients")
                  .values_list("person__family_name", flat=True))
    assert {p.family_name for p in world["persons"][:5]} <= audited
    client.force_login(peeters)
    other = client.get(reverse("population:my_patients")).content.decode()
    assert other.count('data-test="outreach-person"') == 1 and "Family5" in other and "Family0" not in other


def test_zone_staff_see_counts_never_who(client, world) -> None:
    sent = _send(client, world)
    page = client.get(reverse("population:sent_lists", args=["ZORA"])).content.decode()
    assert not any(p.family_name in page for p in world["persons"])
    assert 'data-test="count-open">6<' in page  # six open, zeros hidden with the rule of the dashboard
    item = OutreachItem.objects.get(outreach_list=sent, person=world["persons"][0])
    client.force_login(world["gps"][0].user)
    client.post(reverse("population:follow_up", args=[item.pk]), {"state": "followed_up", "version": item.version})
    client.force_login(world["staff"])
    page = client.get(reverse("population:sent_lists", args=["ZORA"])).content.decode()
    assert 'data-test="count-followed_up"><span' in page  # one followed up: a small cell, hidden
    assert 'data-test="count-open">5<' in page or 'data-test="count-open"><span' in page
    assert 'data-test="count-open">6<' not in page


def test_only_the_persons_gp_records_the_follow_up_and_a_stale_form_is_refused(client, world) -> None:
    sent = _send(client, world)
    item = OutreachItem.objects.get(outreach_list=sent, person=world["persons"][0])
    client.force_login(world["gps"][1].user)  # not in this person's team
    client.post(reverse("population:follow_up", args=[item.pk]), {"state": "not_relevant", "version": item.version})
    item.refresh_from_db()
    assert item.state == "open"
    assert AuditEvent.objects.filter(outcome="denied", person=world["persons"][0],
                                     reason__startswith="population.follow_up_outreach").exists()
    client.force_login(world["gps"][0].user)
    client.post(reverse("population:follow_up", args=[item.pk]), {"state": "followed_up", "version": item.version})
    item.refresh_from_db()
    assert item.state == "followed_up" and item.version == 2
    client.post(reverse("population:follow_up", args=[item.pk]), {"state": "not_relevant", "version": 1})
    item.refresh_from_db()
    assert item.state == "followed_up"


def test_a_gp_may_not_send_lists_nor_see_the_zones_counts(client, world) -> None:
    client.force_login(world["gps"][0].user)
    assert client.get(reverse("population:sent_lists", args=["ZORA"])).status_code == 403
    assert client.post(reverse("population:sent_lists", args=["ZORA"]), {"reason": ""}).status_code == 403
    assert not OutreachList.objects.exists()
    client.force_login(world["staff"])
    assert client.get(reverse("population:my_patients")).status_code == 403


def test_the_micro_dashboard_shows_what_the_patients_need(client, world) -> None:
    person = world["persons"][1]
    plan = CarePlan.objects.create(person=person, team=person.care_teams.get(), title="Thuis",
                                   review_date=date.today() - timedelta(days=3))
    Task.objects.create(plan=plan, description="Opvolgen", due_date=date.today() - timedelta(days=2))
    from careweave.people.pseudonyms import refresh_zone

    refresh_zone("ZORA")
    client.force_login(world["gps"][0].user)
    page = client.get(reverse("population:my_patients")).content.decode()
    no_review = page.split('data-test="no-review"')[1].split("</section>")[0]
    overdue = page.split('data-test="overdue"')[1].split("</section>")[0]
    level3 = page.split('data-test="level3-alone"')[1].split("</section>")[0]
    assert "Family1" in no_review and "Family1" in overdue
    assert "1 overdue task" in overdue or "1 achterstallige taak" in overdue  # the GP's language
    assert all(f"Family{i}" in level3 for i in range(5)) and "Listed" not in level3
    _send(client, world)
    client.force_login(world["gps"][0].user)
    rows = client.get(reverse("population:my_patients")).content.decode().split('data-test="outreach-person"')[1:]
    assert sum('data-test="open-plan"' in r for r in rows) == 1  # Family1 has a plan: open it, not start one
    assert sum('data-test="start-plan"' in r for r in rows) == 4


def test_the_micro_dashboard_needs_the_same_queries_for_twice_the_items(client, world) -> None:
    _send(client, world)
    gp = world["gps"][0]
    client.force_login(gp.user)
    url = reverse("population:my_patients")

    def more(n: int, start: int) -> None:
        sent = OutreachList.objects.get()
        for i in range(start, start + n):
            person = Person.objects.create(ssin=_ssin(100 + i), given_name="Extra", family_name=f"Extra{i}",
                                           zone=world["zone"])
            TeamMember.objects.create(team=CareTeam.objects.create(person=person), professional=gp)
            OutreachItem.objects.create(outreach_list=sent, person=person, level=3, reasons="no_coordinator")

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    more(3, 0)
    with_n = queries()
    more(3, 3)
    assert queries() == with_n
    assert with_n <= 36  # recorded: 33 (session, roles, visible persons, the dashboard's parts, the audit insert)


# --------------------------------------------------------------------------- macro


@pytest.fixture(scope="module")
def belgium(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("belgium-loop")
    generate(4000, 31, out)
    return out


def test_the_policy_maker_compares_the_zones_without_any_person(client, world, settings, belgium) -> None:
    settings.POPULATION_MACRO_DIR = belgium
    client.force_login(world["policy"])
    page = client.get(reverse("population:macro"), {"indicator": "flu_vaccination_65"}).content.decode()
    assert page.count('data-test="macro-zone"') == 13 and 'data-test="macro-belgium"' in page
    assert 'data-test="macro-region"' in page and "Family" not in page
    assert client.get("/").url == reverse("population:macro")
    client.force_login(world["gps"][0].user)
    assert client.get(reverse("population:macro")).status_code == 403
    client.force_login(world["staff"])
    assert client.get(reverse("population:macro")).status_code == 403


def test_macro_cells_of_few_persons_are_hidden(belgium) -> None:
    cells = api.results(belgium)["cells"]
    shown = compare(cells, "level3_coordinator", k=5)
    hidden = compare(cells, "level3_coordinator", k=10**6)
    assert any(v is not None for z in shown["zones"] for v in z["values"])
    assert all(v is None for z in hidden["zones"] for v in z["values"]) and all(v is None for v in hidden["belgium"])
    # a region with one hidden zone hides a second one: no zone is recomputable from the region's total
    for region in {z["region"] for z in shown["zones"]}:
        for i in range(len(shown["years"])):
            row = [z["values"][i] for z in shown["zones"] if z["region"] == region]
            assert sum(v is None for v in row) != 1


# --------------------------------------------------------------------------- PDCA


def test_zone_staff_set_a_target_plan_actions_and_reviews_and_policy_makers_read(client, world, settings,
                                                                                  belgium) -> None:
    settings.POPULATION_MACRO_DIR = belgium
    client.force_login(world["staff"])
    url = reverse("population:pdca_set_target", args=["ZORA"])
    year = date.today().year + 1
    client.post(url, {"indicator": "flu_vaccination_65", "target_value": "65,5", "target_year": year})
    target = PdcaTarget.objects.get()
    assert target.target_value == 65.5
    client.post(reverse("population:pdca_plan_action", args=["ZORA", target.pk]),
                {f"t{target.pk}-description": "Vaccinatiedag", f"t{target.pk}-owner_name": "Lotte",
                 f"t{target.pk}-due_date": (date.today() + timedelta(days=30)).isoformat()})
    action = PdcaAction.objects.get()
    client.post(reverse("population:pdca_plan_review", args=["ZORA", target.pk]),
                {f"t{target.pk}-planned_on": (date.today() + timedelta(days=60)).isoformat()})
    page = client.get(reverse("population:pdca_zone", args=["ZORA"])).content.decode()
    assert 'data-test="pdca-chart"' in page and "Vaccinatiedag" in page and 'data-test="pdca-review"' in page
    assert "<polyline" in page  # the trend from the zone's own population set
    # optimistic concurrency: a second edit from the first version is refused
    edit = reverse("population:pdca_update_action", args=["ZORA", action.pk])
    form = {f"a{action.pk}-description": "Vaccinatiedag", f"a{action.pk}-owner_name": "Lotte",
            f"a{action.pk}-due_date": action.due_date.isoformat(), f"a{action.pk}-status": "in_progress",
            f"a{action.pk}-version": 1}
    client.post(edit, form)
    client.post(edit, {**form, f"a{action.pk}-status": "dropped"})
    action.refresh_from_db()
    assert action.status == "in_progress" and action.version == 2
    # a date outside the window is refused, nothing planned
    client.post(reverse("population:pdca_plan_action", args=["ZORA", target.pk]),
                {f"t{target.pk}-description": "Te laat", f"t{target.pk}-owner_name": "Lotte",
                 f"t{target.pk}-due_date": (date.today() - timedelta(days=800)).isoformat()})
    assert PdcaAction.objects.count() == 1
    # policy makers read, without the forms; their writes are refused
    client.force_login(world["policy"])
    page = client.get(reverse("population:pdca_zone", args=["ZORA"])).content.decode()
    assert "Vaccinatiedag" in page and 'data-test="pdca-set-target"' not in page
    client.post(reverse("population:pdca_plan_action", args=["ZORA", target.pk]),
                {f"t{target.pk}-description": "Van de minister", f"t{target.pk}-owner_name": "X",
                 f"t{target.pk}-due_date": (date.today() + timedelta(days=3)).isoformat()})
    assert PdcaAction.objects.count() == 1
    client.force_login(world["gps"][0].user)
    assert client.get(reverse("population:pdca_zone", args=["ZORA"])).status_code == 403


def test_the_pdca_page_needs_the_same_queries_for_twice_the_actions(client, world) -> None:
    from careweave.population.actions import plan_action, set_target

    target = set_target(world["staff"], world["zone"], "gmd_65", 90, date.today().year + 1)
    client.force_login(world["staff"])
    url = reverse("population:pdca_zone", args=["ZORA"])

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for i in range(3):
        plan_action(world["staff"], target, f"Actie {i}", "Lotte", date.today() + timedelta(days=10))
    with_n = queries()
    for i in range(3):
        plan_action(world["staff"], target, f"Actie {i + 3}", "Lotte", date.today() + timedelta(days=10))
    assert queries() == with_n


def test_pseudonyms_are_stored_indexed_and_never_shown(client, world) -> None:
    _send(client, world)
    from careweave.people.models import PersonPseudonym

    stored = set(PersonPseudonym.objects.filter(zone_code="ZORA").values_list("pseudonym", flat=True))
    assert set(world["pseudonyms"]) <= stored
    client.force_login(world["gps"][0].user)
    page = client.get(reverse("population:my_patients")).content.decode()
    assert not any(str(p) in page for p in world["pseudonyms"])
    assert isinstance(pd.Series(list(stored)).iloc[0], int | object)


def test_the_charts_write_svg_numbers_with_a_dot_in_dutch(client, world, settings, belgium) -> None:
    from careweave.population.actions import set_target
    from careweave.web.models import UserPreference

    settings.POPULATION_MACRO_DIR = belgium
    set_target(world["staff"], world["zone"], "flu_vaccination_65", 62.5, date.today().year + 1)
    UserPreference.objects.create(user=world["staff"], language="nl")
    client.force_login(world["staff"])
    page = client.get(reverse("population:pdca_zone", args=["ZORA"])).content.decode()
    svg = page.split('data-test="pdca-chart"')[1].split("</svg>")[0]
    import re

    numbers = re.findall(r'\s(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]+)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers), numbers
    assert "62,5" in page  # the target itself in the reader's language


def test_a_list_of_65_plus_without_flu_vaccination_reaches_their_gps(client, world) -> None:
    """An indicator's gap as a list: the same SQL as the indicator (population and not numerator)."""
    from careweave.population.outreach import current_results

    st = current_results()["strata"]
    expected = int(((st["zone"] == "ZORA") & (st["age"] >= 65) & ~st["flu_vaccinated"].astype(bool)).sum())
    client.force_login(world["staff"])
    form = client.get(reverse("population:sent_lists", args=["ZORA"])).content.decode()
    assert 'value="gap:flu_vaccination_65"' in form and 'value="gap:mortality"' not in form  # process indicators
    client.post(reverse("population:sent_lists", args=["ZORA"]), {"reason": "gap:flu_vaccination_65"})
    sent = OutreachList.objects.get()
    assert sent.size == expected > 0
    assert all(i.reasons == "gap:flu_vaccination_65" for i in sent.items.all())
    linked = set(world["pseudonyms"])
    gaps = set(st[(st["age"] >= 65) & ~st["flu_vaccinated"].astype(bool)]["person_id"].astype(int))
    assert sent.matched == len(linked & gaps)
