"""Property (issue #17): whatever bundles anyone posts, nobody reads more than before and no record moves.

Hypothesis generates short sequences of small transaction and batch bundles, posted by the GP,
a physio with no relationship to Maria, Maria's husband (plan level for her, proxy for his mother)
and a welfare professional: received records whose ids and fullUrls collide with existing ones,
whose subject is any of the persons, by id, by a conditional or identifier-only reference, an
absolute URL or nothing. Afterwards, through the API, every user still reads nothing they could not
read before (no record of someone else's, no earlier version of it, nowhere its text) and every
record kept before still belongs to the same person with the same content for anyone but its owner's
own writers. Deterministic (``derandomize``) and each example rolled back.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careweave.careplans.actions import add_team_member, enrol_registering_professional, team_for
from careweave.people.identifiers import make_ssin
from careweave.people.models import Discipline, Person, RelatedPerson
from careweave.records.models import StoredResource

from .conftest import make_professional_user

pytestmark = pytest.mark.django_db
SSIN = "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin"
TYPES = ("Condition", "Observation", "ServiceRequest")
IDS = ("cond-1", "obs-1", "cond-1", "obs-1", "sr-1", "old", "new-1", None)  # mostly colliding
ACTORS = ("gp", "physio", "jan", "sofie")
PERSONS = ("maria", "karel", "rosa")
SUBJECTS = ("id", "conditional", "identifier", "absolute", "none", "local")


@pytest.fixture
def world(make_api, gp, person, welfare_member):  # noqa: ANN001, ANN201
    """Maria (the GP's, with Sofie the social worker), Karel (the physio's), Rosa (Jan's mother), records."""
    physio = make_professional_user(Discipline.PHYSIOTHERAPIST, given="Pieter")
    karel = Person.objects.create(given_name="Karel", family_name="Claes", birth_date=date(1950, 1, 1),
                                  sex="male", ssin=make_ssin(date(1950, 1, 1), 33))
    enrol_registering_professional(physio.user, karel)
    jan = User.objects.create_user("jan", first_name="Jan", last_name="Peeters")
    husband = RelatedPerson.objects.create(person=person, given_name="Jan", family_name="Peeters", user=jan,
                                           relationship=RelatedPerson.Relationship.PARTNER)
    add_team_member(person.user, team_for(person), related_person=husband)
    rosa = Person.objects.create(given_name="Rosa", family_name="Peeters", birth_date=date(1930, 5, 1),
                                 sex="female", ssin=make_ssin(date(1930, 5, 1), 21))
    RelatedPerson.objects.create(person=rosa, given_name="Jan", family_name="Peeters", user=jan,
                                 relationship=RelatedPerson.Relationship.CHILD, has_proxy_access=True)
    persons = {"maria": person, "karel": karel, "rosa": rosa}
    records = [
        _record("Condition", "cond-1", person, "SECRET-maria-diabetes"),
        _record("Observation", "obs-1", person, "SECRET-maria-katz"),
        _record("ServiceRequest", "", karel, "SECRET-karel-referral", by_full_url=True),
        _record("Condition", "obs-1", rosa, "SECRET-rosa-dementia"),
        StoredResource.objects.create(resource_type="Condition", source_id="old", patient=None,
                                      data={"resourceType": "Condition", "code": {"text": "SECRET-nobody"}}),
    ]
    apis = {"gp": make_api(gp.user), "physio": make_api(physio.user), "jan": make_api(jan),
            "sofie": make_api(welfare_member.user)}
    world = {"persons": persons, "records": records, "apis": apis}
    world["before"] = {name: _secrets(text) for name, text in _what_each_reads(world).items()}
    return world


def _record(rtype: str, source_id: str, owner: Person, secret: str, by_full_url: bool = False) -> StoredResource:
    """A received record; ``by_full_url``: known by its ``urn:uuid`` fullUrl (as a referral is)."""
    key = uuid.uuid4()
    return StoredResource.objects.create(
        resource_type=rtype, source_id=f"urn:uuid:{key}" if by_full_url else source_id, fhir_id=key, patient=owner,
        data={"resourceType": rtype, "code": {"text": secret}, "subject": {"reference": f"Patient/{owner.fhir_id}"}}
        | ({} if by_full_url else {"id": source_id}))


def _subject(kind: str, person: Person) -> dict | None:
    return {
        "id": {"reference": f"Patient/{person.fhir_id}"},
        "conditional": {"reference": f"Patient?identifier={SSIN}|{person.ssin}"},
        "identifier": {"identifier": {"system": SSIN, "value": person.ssin}},
        "absolute": {"reference": f"https://elsewhere.example/fhir/Patient/{person.fhir_id}"},
        "none": None,
        "local": {"reference": "urn:uuid:11111111-2222-3333-4444-555555555555"},
    }[kind]


entry_shape = st.tuples(st.sampled_from(TYPES), st.sampled_from(IDS), st.sampled_from(SUBJECTS),
                        st.sampled_from(PERSONS), st.integers(0, 5))
bundle_shape = st.tuples(st.sampled_from(ACTORS), st.sampled_from(("transaction", "batch")),
                         st.lists(entry_shape, min_size=1, max_size=3))


def _bundle(world: dict, kind: str, shapes: list) -> dict:
    entries = []
    for n, (rtype, source_id, subject, who, url_pick) in enumerate(shapes):
        resource = {"resourceType": rtype, "code": {"text": f"sent-{n}"}}
        if rtype == "ServiceRequest":
            resource |= {"status": "active", "intent": "order"}
        if rtype == "Observation":
            resource["status"] = "final"
        if source_id:
            resource["id"] = source_id
        reference = _subject(subject, world["persons"][who])
        if reference is not None:
            resource["subject"] = reference
        records = world["records"]
        full_url = (f"urn:uuid:{records[url_pick].fhir_id}" if url_pick < len(records) else f"urn:uuid:{uuid.uuid4()}")
        entries.append({"fullUrl": full_url, "resource": resource, "request": {"method": "POST", "url": rtype}})
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def _what_each_reads(world: dict) -> dict[str, str]:
    """Everything each user gets back from searching and from each record's history, as one text."""
    seen = {}
    for name, api in world["apis"].items():
        texts = []
        for rtype in TYPES:
            found = api.get(f"/{rtype}?_count=100").json()
            texts.append(json.dumps(found))
            for entry in found.get("entry") or []:
                if entry.get("search", {}).get("mode") == "match":
                    texts.append(api.get(f"/{rtype}/{entry['resource']['id']}/_history").content.decode())
        for record in world["records"]:
            answer = api.get(f"/{record.resource_type}/{record.fhir_id}/_history")
            texts.append(answer.content.decode() if answer.status_code == 200 else "")
        seen[name] = "\n".join(texts)
    return seen


def _secrets(text: str) -> set[str]:
    return {word.strip('",\\') for word in text.split() if "SECRET-" in word}


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(bundles=st.lists(bundle_shape, min_size=1, max_size=3))
def test_no_bundle_lets_anyone_read_more_or_moves_a_record(world, bundles) -> None:  # noqa: ANN001
    before = world["before"]  # the same for every example: each one is rolled back
    owners = {r.pk: (r.patient_id, r.data) for r in StoredResource.objects.all()}
    with transaction.atomic():
        for actor, kind, shapes in bundles:
            world["apis"][actor].post("", _bundle(world, kind, shapes))
        after = {name: _secrets(text) for name, text in _what_each_reads(world).items()}
        for name in before:
            assert after[name] <= before[name], (name, bundles)
        for record in StoredResource.objects.filter(pk__in=owners):
            assert record.patient_id == owners[record.pk][0], bundles
            if record.patient_id is None:
                assert record.data == owners[record.pk][1], bundles  # nobody could write there
        assert StoredResource.objects.filter(pk__in=owners).count() == len(owners)
        transaction.set_rollback(True)
