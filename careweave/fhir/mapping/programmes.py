"""PlanDefinition: a pathway version of the registry (read and search), and ``PlanDefinition/$apply``.

A pathway version is published as a FHIR R4 PlanDefinition: its phases are the top-level actions,
the goals, tasks and assessments of a phase their nested actions (an assessment's action points to
the instrument's Questionnaire). ``$apply`` enrols the subject through the same action as the web
(:func:`careweave.programmes.actions.enrol_in_programme`) and returns the person's CarePlan, in
which the programme's goals and tasks now are (R4 ``$apply`` returns a CarePlan).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from careweave.fhir.errors import Unprocessable
from careweave.fhir.mapping.base import Context, Mapping, instant, parse_date, string_filter, token_filter
from careweave.fhir.profiles import CAREWEAVE, URI
from careweave.programmes import template as tpl
from careweave.programmes.models import PathwayVersion, Step

CANONICAL = f"{CAREWEAVE}/PlanDefinition"
EXT_STEP = f"{CAREWEAVE}/StructureDefinition/pathway-step"
EXT_SETTING = f"{CAREWEAVE}/StructureDefinition/programme-setting"
CW_STEP = f"{CAREWEAVE}/CodeSystem/pathway-step"
CW_PHASE = f"{CAREWEAVE}/CodeSystem/programme-phase"
CW_ITEM = f"{CAREWEAVE}/CodeSystem/programme-item"
APPLY = "http://hl7.org/fhir/OperationDefinition/PlanDefinition-apply"


def status_of(version: PathwayVersion) -> str:
    """draft until validated; active when rolled out or monitored; retired when a newer one runs."""
    if not version.usable:
        return "draft"
    newer = PathwayVersion.objects.filter(pathway=version.pathway, step__in=("roll_out", "monitoring"),
                                          created_at__gt=version.created_at).exists()
    return "retired" if newer else "active"


def _status_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    wanted = set(value.split(","))
    ids = [v.pk for v in qs.select_related("pathway") if status_of(v) in wanted]
    return qs.filter(pk__in=ids)


def _url_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    url, _sep, version = value.partition("|")
    if not url.startswith(CANONICAL + "/"):
        return qs.none()
    qs = qs.filter(pathway__code=url.removeprefix(CANONICAL + "/"))
    return qs.filter(label=version) if version else qs


def _item_action(item: dict, language: str) -> dict[str, Any]:
    action: dict[str, Any] = {"id": item["key"], "code": [{"coding": [{"system": CW_ITEM, "code": item["kind"]}]}]}
    if item["kind"] == "assessment":
        from careweave.assessments.catalogue import instrument_for

        instrument = instrument_for(item["instrument"])
        action["title"] = instrument.display_title(language)
        action["definitionCanonical"] = f"{instrument.url}|{instrument.version}"
    else:
        action["title"] = tpl.text_in(item.get("text"), language)
    if item.get("due_days") is not None:
        action["timingDuration"] = {"value": item["due_days"], "unit": "d", "system": "http://unitsofmeasure.org",
                                    "code": "d"}
    if item["kind"] != "goal":
        action["participant"] = [{"type": "patient" if item.get("role") == "person" else "practitioner",
                                  "role": {"text": item.get("role", "reference")}}]
    if item.get("goal"):
        action["goalId"] = [item["goal"]]
    return action


class PlanDefinitionMapping(Mapping):
    """The registry's pathway versions; read-only through the API (the lifecycle moves them)."""

    resource_type = "PlanDefinition"
    model = PathwayVersion
    person_path = None
    has_external_id = False
    keeps_source = False
    interactions = ("read", "search-type")
    operations: ClassVar[dict[str, str]] = {"apply": APPLY}
    select = ("pathway",)
    default_order = ("pathway__code", "pk")
    search_docs = {"url": "uri", "name": "string", "title": "string", "status": "token", "version": "token"}
    search_params = {
        "url": _url_filter,
        "name": string_filter("pathway__code"),
        "title": string_filter("pathway__title"),
        "status": _status_filter,
        "version": token_filter("label"),
    }

    def identifiers(self, version: PathwayVersion) -> list[dict[str, str]]:
        return [{"system": URI, "value": f"urn:uuid:{version.fhir_id}"}]

    def to_fhir(self, version: PathwayVersion) -> dict[str, Any]:
        language = (get_language() or "en")[:2]
        template = version.template
        settings = template.get("settings") or {}
        goals, actions = [], []
        for phase in template.get("phases") or []:
            items = phase.get("items") or []
            goals += [{"id": i["key"], "description": {"text": tpl.text_in(i["text"], language)},
                       "category": {"text": i.get("domain", "health")}} for i in items if i["kind"] == "goal"]
            actions.append({
                "id": phase["code"],
                "title": tpl.text_in(phase["title"], language),
                "code": [{"coding": [{"system": CW_PHASE, "code": phase["code"]}]}],
                "description": "; ".join(tpl.text_in(phase.get("components") or {}, language) or []),
                "action": [_item_action(i, language) for i in items if i["kind"] != "goal"],
            })
        resource: dict[str, Any] = {
            "resourceType": "PlanDefinition",
            "id": str(version.fhir_id),
            "meta": {"versionId": str(version.version), "lastUpdated": instant(version.updated_at)},
            "extension": [{"url": EXT_STEP, "valueCoding": {"system": CW_STEP, "code": version.step,
                                                            "display": str(Step(version.step).label)}}],
            "url": f"{CANONICAL}/{version.pathway.code}",
            "identifier": self.identifiers(version),
            "version": version.label,
            "name": "".join(part.capitalize() for part in version.pathway.code.split("-")),
            "title": version.pathway.display_title(language),
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                                 "code": "clinical-protocol"}]},
            "status": status_of(version),
            "publisher": version.pathway.display_owner(language),
            "description": tpl.text_in(template.get("description") or {}, language) or None,
            "relatedArtifact": [{"type": "documentation", "display": template["source"]}]
            if template.get("source") else None,
            "goal": goals or None,
            "action": actions or None,
        }
        for key, value in settings.items():
            if isinstance(value, int | str) or value is None:
                setting = [{"url": "name", "valueString": key}]
                if value not in (None, ""):  # an unset setting has no value (ext-1: never an empty string)
                    setting.append({"url": "value", "valueString": str(value)})
                resource["extension"].append({"url": EXT_SETTING, "extension": setting})
        return {k: v for k, v in resource.items() if v is not None}


PLAN_DEFINITION = PlanDefinitionMapping()
MAPPINGS: list[Mapping] = [PLAN_DEFINITION]


# --------------------------------------------------------------------------- $apply


def _param(parameters: dict, name: str) -> dict | None:
    return next((p for p in parameters.get("parameter") or [] if p.get("name") == name), None)


def apply(ctx: Context, rid: str, body: Any, query: dict[str, str]) -> dict[str, Any]:
    """``PlanDefinition/{id}/$apply``: enrol ``subject`` in this version; the person's CarePlan comes back.

    ``subject`` comes from the query (``?subject=Patient/{id}``) or a Parameters body (valueString or
    valueReference). Careweave's own inputs, as parameters: ``referencePerson`` (the Practitioner or
    RelatedPerson in the team; default the requester's own membership), ``expectedBirth`` and
    ``birthDate`` (valueDate, perinatal), ``start`` (valueDate), ``personAgreed`` (valueBoolean: a
    professional records that the person or their representative agreed; issue 17).
    """
    from careweave.careplans.actions._common import membership_of
    from careweave.careplans.actions.team import team_for
    from careweave.careplans.models import TeamMember
    from careweave.fhir.registry import mapping_for
    from careweave.programmes.actions import enrol_in_programme

    version = PLAN_DEFINITION.get(rid)
    parameters = body if isinstance(body, dict) and body.get("resourceType") == "Parameters" else {"parameter": []}
    if body and parameters is not body:
        raise Unprocessable(_("Send the input as a Parameters resource."), code="structure")
    subject_ref = query.get("subject")
    given = _param(parameters, "subject")
    if given:
        subject_ref = given.get("valueString") or (given.get("valueReference") or {}).get("reference")
    if not subject_ref:
        raise Unprocessable(_("Say which person (Patient) to apply the pathway to: parameter “subject”."),
                            expression=["subject"])
    person = ctx.resolve({"reference": subject_ref}, "Patient", what=_("the person"))

    def day(name: str) -> Any:
        found = _param(parameters, name)
        return parse_date(found.get("valueDate") or found.get("valueString")) if found else None

    reference = None
    found = _param(parameters, "referencePerson")
    if found and found.get("valueReference"):
        who = ctx.resolve(found["valueReference"], "Practitioner", "RelatedPerson", what=_("the reference person"))
        key = "professional" if type(who).__name__ == "Professional" else "related_person"
        reference = TeamMember.objects.filter(team__person=person, status=TeamMember.Status.ACTIVE,
                                              **{key: who}).first()
        if reference is None:
            raise Unprocessable(_("The reference person must be a current member of this person's care team."),
                                expression=["referencePerson"], rule="reference_not_member")
    elif person.care_teams.exists():
        reference = membership_of(ctx.actor, team_for(person))
    agreed = _param(parameters, "personAgreed")
    enrolment = enrol_in_programme(ctx.actor, person, version, reference_member=reference, started_on=day("start"),
                                   expected_birth=day("expectedBirth"), birth_date=day("birthDate"),
                                   person_agreed=bool(agreed and agreed.get("valueBoolean") is True))
    return mapping_for("CarePlan").serve(enrolment.plan)
