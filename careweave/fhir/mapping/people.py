"""Patient, Practitioner, PractitionerRole, Organization and RelatedPerson (HL7 Belgium core profiles).

The mapping parses and checks the resource; every write is an action of ``careweave.people`` that asks
the permission table first (issue 17): registering a Patient (``receive_person``, the registering
professional becomes the first member of the person's care team), changing a person's record, the
directory of professionals and organisations, and the person's network.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q
from django.utils.translation import gettext as _

from careweave.fhir.errors import Unprocessable
from careweave.fhir.limits import limited
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    boolean_filter,
    changed_fields,
    code_in,
    date_filter,
    external_identifier,
    fhir_date,
    parse_date,
    ref,
    reference_filter,
    string_filter,
    token_filter,
)
from careweave.fhir.profiles import (
    CBE,
    CW_ACCESS_SECTOR,
    CW_DISCIPLINE,
    CW_ORGANISATION_KIND,
    CW_RELATIONSHIP,
    EXT_INFORMAL_CARER,
    EXT_REPRESENTATION_MANDATE,
    HCPARTY,
    LANGUAGE,
    NIHDI,
    NIHDI_SYSTEMS,
    ROLE_CODE,
    SSIN,
)
from careweave.fhir.sources import OMIT
from careweave.people.actions import (
    appoint_representative,
    end_representation,
    grant_proxy_access,
    record_organisation,
    record_practitioner_role,
    record_professional,
    record_related_person,
    update_organisation,
    update_practitioner_role,
    update_professional,
    update_related_person,
    withdraw_proxy_access,
)
from careweave.people.identifiers import normalise_number, parse_ssin, validate_kbo, validate_nihdi
from careweave.people.models import (
    WELFARE_DISCIPLINES,
    Discipline,
    Language,
    Organisation,
    Person,
    PractitionerRole,
    Professional,
    RelatedPerson,
    Sector,
    Sex,
)
from careweave.people.registration import receive_person, update_person_record

# Careweave disciplines and the Belgian CD-HCPARTY codes where one exists.
DISCIPLINE_HCPARTY = {
    Discipline.GP: "persgeneralphysician",
    Discipline.SPECIALIST: "persphysician",
    Discipline.HOME_NURSE: "persnurse",
    Discipline.PHYSIOTHERAPIST: "persphysiotherapist",
    Discipline.OCCUPATIONAL_THERAPIST: "persoccupationaltherapist",
    Discipline.PSYCHOLOGIST: "perspsychologist",
    Discipline.PHARMACIST: "perspharmacist",
    Discipline.MIDWIFE: "persmidwife",
    Discipline.DIETITIAN: "persdietician",
    Discipline.SPEECH_THERAPIST: "perslogopedist",
    Discipline.SOCIAL_WORKER: "perssocialworker",
    Discipline.EDUCATOR: "perseducator",
}
HCPARTY_DISCIPLINE = {code: discipline for discipline, code in DISCIPLINE_HCPARTY.items()}
KIND_HCPARTY = {
    Organisation.Kind.GP_PRACTICE: "orgpractice",
    Organisation.Kind.HOSPITAL: "orghospital",
    Organisation.Kind.MUTUALITY: "orginsurance",
}
HCPARTY_KIND = {code: kind for kind, code in KIND_HCPARTY.items()}
# HL7 v3 RoleCode equivalents of the informal-network relationships.
RELATIONSHIP_ROLE = {
    RelatedPerson.Relationship.PARTNER: "SIGOTHR",
    RelatedPerson.Relationship.CHILD: "CHILD",
    RelatedPerson.Relationship.PARENT: "PRN",
    RelatedPerson.Relationship.SIBLING: "SIB",
    RelatedPerson.Relationship.FAMILY: "FAMMEMB",
    RelatedPerson.Relationship.NEIGHBOUR: "NBOR",
    RelatedPerson.Relationship.FRIEND: "FRND",
    RelatedPerson.Relationship.VOLUNTEER: "FRND",
    RelatedPerson.Relationship.GUARDIAN: "GUARD",
}
ROLE_RELATIONSHIP = {
    "SIGOTHR": "partner", "SPS": "partner", "HUSB": "partner", "WIFE": "partner", "DOMPART": "partner",
    "CHILD": "child", "SON": "child", "DAU": "child", "PRN": "parent", "MTH": "parent", "FTH": "parent",
    "SIB": "sibling", "BRO": "sibling", "SIS": "sibling", "FAMMEMB": "family", "NBOR": "neighbour",
    "FRND": "friend", "GUARD": "guardian",
}


def _name(resource: dict) -> tuple[str, str]:
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = " ".join(name.get("given") or []).strip()
    family = (name.get("family") or "").strip()
    if not given and not family and name.get("text"):
        given, _sep, family = name["text"].strip().rpartition(" ")
    if not given or not family:
        raise Unprocessable(_("Fill in the given name and family name."), expression=["name"])
    return limited(given, 100, "name.given"), limited(family, 100, "name.family")


def _telecom(resource: dict, system: str) -> str:
    for contact in resource.get("telecom") or []:
        if contact.get("system") == system and contact.get("value"):
            return limited(contact["value"], 200, f"telecom ({system})")
    return ""


def _telecoms(obj: Any) -> list[dict[str, str]]:
    out = []
    if getattr(obj, "phone", ""):
        out.append({"system": "phone", "value": obj.phone})
    if getattr(obj, "email", ""):
        out.append({"system": "email", "value": obj.email})
    return out


def _identifier_value(resource: dict, systems: tuple[str, ...] | str) -> str:
    systems = (systems,) if isinstance(systems, str) else systems
    for ident in resource.get("identifier") or []:
        if ident.get("system") in systems and ident.get("value"):
            return normalise_number(ident["value"])
    return ""


class PatientMapping(Mapping):
    resource_type = "Patient"
    model = Person
    recorded_here: ClassVar[dict[str, str]] = {"communication": OMIT}  # "nl" is only the model's default
    person_path = ""
    select = ()
    operations: ClassVar[dict[str, str]] = {  # the whole file (fhir/everything.py)
        "everything": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}
    search_docs = {
        "identifier": "token", "name": "string", "family": "string", "given": "string",
        "birthdate": "date", "gender": "token",
    }
    search_params = {
        "name": string_filter("given_name", "family_name"),
        "family": string_filter("family_name"),
        "given": string_filter("given_name"),
        "birthdate": lambda qs, v, m: date_filter(qs, "birth_date", v, is_datetime=False),
        "gender": token_filter("sex"),
    }

    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        if system == SSIN or (system is None and value and normalise_number(value).isdigit()
                              and len(normalise_number(value)) == 11):
            digits = normalise_number(value or "")
            q = Q(ssin=digits) if digits else Q(ssin__isnull=False)
            if system is None:
                other = super().identifier_q(system, value)
                return q | other if other is not None else q
            return q
        return super().identifier_q(system, value)

    def to_fhir(self, person: Person) -> dict[str, Any]:
        identifiers = []
        if person.ssin:
            identifiers.append({"use": "official", "system": SSIN, "value": person.ssin})
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": str(person.fhir_id),
            "meta": self.meta(person),
            "identifier": identifiers + self.identifiers(person),
            "active": True,
            "name": [{"use": "official", "family": person.family_name, "given": person.given_name.split()}],
            "gender": person.sex,
        }
        telecom = _telecoms(person)
        if telecom:
            resource["telecom"] = telecom
        if person.birth_date:
            resource["birthDate"] = fhir_date(person.birth_date)
        if person.deceased_on:
            resource["deceasedDateTime"] = fhir_date(person.deceased_on)
        if person.street or person.postal_code or person.municipality:
            address: dict[str, Any] = {"use": "home"}
            if person.street:
                address["line"] = [person.street]
            if person.postal_code:
                address["postalCode"] = person.postal_code
            if person.municipality:
                address["city"] = person.municipality
            resource["address"] = [address]
        resource["communication"] = [
            {"language": {"coding": [{"system": LANGUAGE, "code": person.language}]}, "preferred": True}
        ]
        return resource

    def values(self, resource: dict) -> dict[str, Any]:
        given, family = _name(resource)
        values: dict[str, Any] = {"given_name": given, "family_name": family}
        ssin = _identifier_value(resource, SSIN)
        if ssin:
            values["ssin"] = parse_ssin(ssin).number  # a wrong SSIN says what is wrong (422)
        else:
            values["ssin"] = None
        gender = resource.get("gender") or Sex.UNKNOWN
        values["sex"] = gender if gender in Sex.values else Sex.UNKNOWN
        values["birth_date"] = parse_date(resource.get("birthDate"))
        values["deceased_on"] = parse_date(resource.get("deceasedDateTime"))
        values["phone"] = limited(_telecom(resource, "phone"), 40, "telecom (phone)")
        values["email"] = _telecom(resource, "email")
        addresses = resource.get("address") or []
        address = next((a for a in addresses if a.get("use") == "home"), addresses[0] if addresses else {})
        values["street"] = limited(", ".join(address.get("line") or []), 200, "address.line")
        values["postal_code"] = limited(address.get("postalCode") or "", 10, "address.postalCode")
        values["municipality"] = limited(address.get("city") or "", 100, "address.city")
        for communication in resource.get("communication") or []:
            code = code_in(communication.get("language"), LANGUAGE) or ""
            language = code[:2].lower()
            if language in Language.values:
                values["language"] = language
                if communication.get("preferred"):
                    break
        return values

    def create(self, ctx: Context, resource: dict) -> Person:
        values = self.values(resource)
        external = external_identifier(resource, ctx.full_url, exclude=(SSIN,))
        return receive_person(ctx.actor, values, external_id=external)

    def update(self, ctx: Context, person: Person, resource: dict, expected: int) -> bool:
        values = self.values(resource)
        if "language" not in values:
            values["language"] = person.language
        return update_person_record(ctx.actor, person, changed_fields(person, values), expected)


class PractitionerMapping(Mapping):
    resource_type = "Practitioner"
    model = Professional
    recorded_here: ClassVar[dict[str, str]] = {"communication": OMIT}  # "nl" is only the model's default
    search_docs = {"identifier": "token", "name": "string", "family": "string", "given": "string",
                   "active": "token", "organization": "reference"}
    search_params = {
        "name": string_filter("given_name", "family_name"),
        "family": string_filter("family_name"),
        "given": string_filter("given_name"),
        "active": boolean_filter("active"),
        "organization": reference_filter("organisation"),
    }

    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        if system in NIHDI_SYSTEMS:
            return Q(nihdi=normalise_number(value)) if value else ~Q(nihdi="")
        q = super().identifier_q(system, value)
        if system is None and value and normalise_number(value).isdigit():
            nihdi = Q(nihdi=normalise_number(value))
            return nihdi if q is None else q | nihdi
        return q

    def to_fhir(self, professional: Professional) -> dict[str, Any]:
        identifiers = []
        if professional.nihdi:
            identifiers.append({"use": "official", "system": NIHDI, "value": professional.nihdi})
        coding = [{"system": CW_DISCIPLINE, "code": professional.discipline,
                   "display": str(professional.get_discipline_display())}]
        if professional.discipline in DISCIPLINE_HCPARTY:
            coding.insert(0, {"system": HCPARTY, "code": DISCIPLINE_HCPARTY[professional.discipline]})
        resource: dict[str, Any] = {
            "resourceType": "Practitioner",
            "id": str(professional.fhir_id),
            "meta": self.meta(professional),
            "identifier": identifiers + self.identifiers(professional),
            "active": professional.active,
            "name": [{"use": "official", "family": professional.family_name,
                      "given": professional.given_name.split()}],
            "qualification": [
                {"code": {"coding": coding, "text": str(professional.get_discipline_display())}},
                {"code": {"coding": [{"system": CW_ACCESS_SECTOR, "code": professional.sector}]}},
            ],
        }
        telecom = _telecoms(professional)
        if telecom:
            resource["telecom"] = telecom
        languages = [code.strip() for code in professional.languages.split(",") if code.strip()]
        if languages:
            resource["communication"] = [{"coding": [{"system": LANGUAGE, "code": code}]} for code in languages]
        return resource

    def values(self, ctx: Context, resource: dict) -> dict[str, Any]:
        given, family = _name(resource)
        values: dict[str, Any] = {"given_name": given, "family_name": family}
        nihdi = _identifier_value(resource, NIHDI_SYSTEMS)
        if nihdi:
            validate_nihdi(nihdi)
        values["nihdi"] = nihdi
        qualifications = [q.get("code") for q in resource.get("qualification") or []]
        discipline = code_in(qualifications, CW_DISCIPLINE)
        if discipline not in Discipline.values:
            discipline = HCPARTY_DISCIPLINE.get(code_in(qualifications, HCPARTY) or "", Discipline.OTHER)
        values["discipline"] = discipline
        sector = code_in(qualifications, CW_ACCESS_SECTOR)
        if sector not in Sector.values:
            sector = Sector.WELFARE if discipline in WELFARE_DISCIPLINES else Sector.CARE
        values["sector"] = sector
        values["active"] = resource.get("active", True) is not False
        values["phone"] = limited(_telecom(resource, "phone"), 40, "telecom (phone)")
        values["email"] = _telecom(resource, "email")
        languages = []
        for concept in resource.get("communication") or []:
            code = (code_in(concept, LANGUAGE) or "")[:2].lower()
            if code in Language.values and code not in languages:
                languages.append(code)
        if languages:
            values["languages"] = ",".join(languages)[:20]
        return values

    def create(self, ctx: Context, resource: dict) -> Professional:
        values = self.values(ctx, resource)
        external = external_identifier(resource, ctx.full_url, exclude=NIHDI_SYSTEMS)
        return record_professional(ctx.actor, values, external_id=external)

    def update(self, ctx: Context, professional: Professional, resource: dict, expected: int) -> bool:
        changes = changed_fields(professional, self.values(ctx, resource))
        if not changes:
            return False  # a re-import of the same entry changes nothing, whoever sends it
        update_professional(ctx.actor, professional, changes, expected)
        return True


class OrganizationMapping(Mapping):
    resource_type = "Organization"
    model = Organisation
    search_docs = {"identifier": "token", "name": "string", "type": "token"}
    search_params = {
        "name": string_filter("name"),
        "type": token_filter("kind", {v: k for k, v in KIND_HCPARTY.items()}),
    }

    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        if system in NIHDI_SYSTEMS:
            return Q(nihdi=normalise_number(value)) if value else ~Q(nihdi="")
        if system == CBE:
            return Q(kbo=normalise_number(value)) if value else ~Q(kbo="")
        return super().identifier_q(system, value)

    def to_fhir(self, organisation: Organisation) -> dict[str, Any]:
        identifiers = []
        if organisation.nihdi:
            identifiers.append({"use": "official", "system": NIHDI, "value": organisation.nihdi})
        if organisation.kbo:
            identifiers.append({"use": "official", "system": CBE, "value": organisation.kbo})
        coding = [{"system": CW_ORGANISATION_KIND, "code": organisation.kind,
                   "display": str(organisation.get_kind_display())}]
        if organisation.kind in KIND_HCPARTY:
            coding.insert(0, {"system": HCPARTY, "code": KIND_HCPARTY[organisation.kind]})
        resource: dict[str, Any] = {
            "resourceType": "Organization",
            "id": str(organisation.fhir_id),
            "meta": self.meta(organisation),
            "identifier": identifiers + self.identifiers(organisation),
            "active": True,
            "type": [{"coding": coding}],
            "name": organisation.name,
        }
        if organisation.phone:
            resource["telecom"] = [{"system": "phone", "value": organisation.phone}]
        if organisation.municipality:
            resource["address"] = [{"city": organisation.municipality}]
        return resource

    def values(self, resource: dict) -> dict[str, Any]:
        name = (resource.get("name") or "").strip()
        if not name:
            raise Unprocessable(_("Fill in the name of the organisation."), expression=["name"])
        values: dict[str, Any] = {"name": limited(name, 200, "name")}
        values["nihdi"] = _identifier_value(resource, NIHDI_SYSTEMS)[:11]
        kbo = _identifier_value(resource, CBE)
        if kbo:
            validate_kbo(kbo)
        values["kbo"] = kbo
        kind = code_in(resource.get("type"), CW_ORGANISATION_KIND)
        if kind not in Organisation.Kind.values:
            kind = HCPARTY_KIND.get(code_in(resource.get("type"), HCPARTY) or "", Organisation.Kind.OTHER)
        values["kind"] = kind
        values["phone"] = limited(_telecom(resource, "phone"), 40, "telecom (phone)")
        addresses = resource.get("address") or []
        values["municipality"] = limited((addresses[0].get("city") if addresses else "") or "", 100, "address.city")
        return values

    def create(self, ctx: Context, resource: dict) -> Organisation:
        values = self.values(resource)
        external = external_identifier(resource, ctx.full_url, exclude=(*NIHDI_SYSTEMS, CBE))
        return record_organisation(ctx.actor, values, external_id=external)

    def update(self, ctx: Context, organisation: Organisation, resource: dict, expected: int) -> bool:
        changes = changed_fields(organisation, self.values(resource))
        if not changes:
            return False  # a re-import of the same entry changes nothing, whoever sends it
        update_organisation(ctx.actor, organisation, changes, expected)
        return True


class PractitionerRoleMapping(Mapping):
    resource_type = "PractitionerRole"
    model = PractitionerRole
    select = ("professional", "organisation")
    has_external_id = False
    search_docs = {"practitioner": "reference", "organization": "reference", "active": "token", "role": "token"}
    search_params = {
        "practitioner": reference_filter("professional"),
        "organization": reference_filter("organisation"),
        "active": boolean_filter("active"),
        "role": token_filter("discipline", HCPARTY_DISCIPLINE),
    }

    def to_fhir(self, role: PractitionerRole) -> dict[str, Any]:
        coding = [{"system": CW_DISCIPLINE, "code": role.discipline, "display": str(role.get_discipline_display())}]
        if role.discipline in DISCIPLINE_HCPARTY:
            coding.insert(0, {"system": HCPARTY, "code": DISCIPLINE_HCPARTY[role.discipline]})
        resource: dict[str, Any] = {
            "resourceType": "PractitionerRole",
            "id": str(role.fhir_id),
            "meta": self.meta(role),
            "identifier": self.identifiers(role),
            "active": role.active,
            "practitioner": ref("Practitioner", role.professional),
            "code": [{"coding": coding}],
        }
        if role.organisation_id:
            resource["organization"] = ref("Organization", role.organisation)
        return resource

    def values(self, ctx: Context, resource: dict) -> dict[str, Any]:
        professional = ctx.resolve(resource.get("practitioner"), "Practitioner", what=_("the professional"))
        if professional is None:
            raise Unprocessable(_("Say which professional this role is for."), expression=["practitioner"])
        organisation = ctx.resolve(resource.get("organization"), "Organization", what=_("the organisation"))
        discipline = code_in(resource.get("code"), CW_DISCIPLINE)
        if discipline not in Discipline.values:
            discipline = HCPARTY_DISCIPLINE.get(code_in(resource.get("code"), HCPARTY) or "", professional.discipline)
        return {"professional": professional, "organisation": organisation, "discipline": discipline,
                "active": resource.get("active", True) is not False}

    def create(self, ctx: Context, resource: dict) -> PractitionerRole:
        values = self.values(ctx, resource)
        return record_practitioner_role(ctx.actor, values.pop("professional"), **values)

    def update(self, ctx: Context, role: PractitionerRole, resource: dict, expected: int) -> bool:
        changes = changed_fields(role, self.values(ctx, resource))
        if not changes:
            return False
        update_practitioner_role(ctx.actor, role, changes, expected)
        return True


class RelatedPersonMapping(Mapping):
    resource_type = "RelatedPerson"
    model = RelatedPerson
    person_path = "person"
    select = ("person",)
    has_external_id = False
    search_docs = {"patient": "reference", "name": "string", "relationship": "token", "active": "token"}
    search_params = {
        "name": string_filter("given_name", "family_name"),
        "relationship": token_filter("relationship", ROLE_RELATIONSHIP),
        "active": boolean_filter("active"),
    }

    def to_fhir(self, related: RelatedPerson) -> dict[str, Any]:
        coding = [{"system": CW_RELATIONSHIP, "code": related.relationship,
                   "display": str(related.get_relationship_display())}]
        if related.relationship in RELATIONSHIP_ROLE:
            coding.insert(0, {"system": ROLE_CODE, "code": RELATIONSHIP_ROLE[related.relationship]})
        relationship = [{"coding": coding}]
        if related.is_representative:
            relationship.append({"coding": [{"system": CW_RELATIONSHIP, "code": "representative"}]})
        if related.has_proxy_access:
            relationship.append({"coding": [{"system": CW_RELATIONSHIP, "code": "proxy"}]})
        resource: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": str(related.fhir_id),
            "meta": self.meta(related),
            "extension": [{"url": EXT_INFORMAL_CARER, "valueBoolean": related.is_informal_carer}],
            "identifier": self.identifiers(related),
            "active": related.active,
            "patient": ref("Patient", related.person),
            "relationship": relationship,
            "name": [{"family": related.family_name, "given": related.given_name.split()}],
        }
        telecom = _telecoms(related)
        if telecom:
            resource["telecom"] = telecom
        return resource

    def values(self, resource: dict) -> dict[str, Any]:
        given, family = _name(resource)
        codes = set()
        for concept in resource.get("relationship") or []:
            for coding in concept.get("coding") or []:
                if coding.get("system") in (CW_RELATIONSHIP, ROLE_CODE):
                    codes.add(coding.get("system") == ROLE_CODE and ROLE_RELATIONSHIP.get(coding.get("code"))
                              or coding.get("code"))
        relationship = next((c for c in codes if c in RelatedPerson.Relationship.values), None)
        if relationship is None:
            raise Unprocessable(_("Choose how this person is related."), expression=["relationship"])
        informal, mandate = True, False
        for ext in resource.get("extension") or []:
            if ext.get("url") == EXT_INFORMAL_CARER and "valueBoolean" in ext:
                informal = bool(ext["valueBoolean"])
            elif ext.get("url") == EXT_REPRESENTATION_MANDATE and "valueBoolean" in ext:
                mandate = ext["valueBoolean"] is True
        return {
            "given_name": given, "family_name": family, "relationship": relationship,
            "is_informal_carer": informal,
            "is_representative": "representative" in codes, "has_proxy_access": "proxy" in codes,
            "phone": limited(_telecom(resource, "phone"), 40, "telecom (phone)"), "email": _telecom(resource, "email"),
            "active": resource.get("active", True) is not False,
            "mandate_confirmed": mandate,
        }

    @staticmethod
    def _who_acts(values: dict) -> dict[str, bool]:
        """Take proxy access and representation out of ``values``: they are never plain fields."""
        return {key: values.pop(key) for key in ("has_proxy_access", "is_representative", "mandate_confirmed")}

    def _act_for_person(self, ctx: Context, related: RelatedPerson, wanted: dict[str, bool]) -> None:
        """Proxy access and representation change through the person's own actions (``people.actions``):

        the same rules, refusals and audit trail as in the web app. Appointing a representative needs
        the extension ``representation-mandate-confirmed`` = true (the signed, dated written mandate).
        """
        if wanted["has_proxy_access"] != related.has_proxy_access:
            (grant_proxy_access if wanted["has_proxy_access"] else withdraw_proxy_access)(ctx.actor, related)
        if wanted["is_representative"] != related.is_representative:
            if wanted["is_representative"]:
                appoint_representative(ctx.actor, related, mandate_confirmed=wanted["mandate_confirmed"])
            else:
                end_representation(ctx.actor, related)

    def create(self, ctx: Context, resource: dict) -> RelatedPerson:
        person = ctx.resolve(resource.get("patient"), "Patient", what=_("the person"))
        if person is None:
            raise Unprocessable(_("Say which person (Patient) this is about."), expression=["patient"])
        values = self.values(resource)
        wanted = self._who_acts(values)
        related = record_related_person(ctx.actor, person, values)
        self._act_for_person(ctx, related, wanted)
        return related

    def update(self, ctx: Context, related: RelatedPerson, resource: dict, expected: int) -> bool:
        person = related.person
        other = ctx.resolve(resource.get("patient"), "Patient", what=_("the person"))
        if other is not None and other.pk != person.pk:
            raise Unprocessable(_("This cannot be moved to another person's file."), expression=["patient"])
        values = self.values(resource)
        wanted = self._who_acts(values)
        changes = changed_fields(related, values)
        acts = (wanted["has_proxy_access"], wanted["is_representative"]) != (related.has_proxy_access,
                                                                             related.is_representative)
        if not changes and not acts:
            return False
        if changes:
            update_related_person(ctx.actor, related, changes, expected)
        self._act_for_person(ctx, related, wanted)
        return True


MAPPINGS = [PatientMapping(), PractitionerMapping(), PractitionerRoleMapping(), OrganizationMapping(),
            RelatedPersonMapping()]
