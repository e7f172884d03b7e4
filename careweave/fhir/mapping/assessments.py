"""Questionnaire (the shipped instruments), QuestionnaireResponse (assessments) and the score Observations.

* ``Questionnaire``: one resource per instrument version (``url`` + ``version``, the canonical a
  response points at); the version in use is ``active``, older ones ``retired``. Read-only; its
  ``_history`` shows the revisions of that version's file. No HL7 Belgium profile exists for
  Questionnaire, QuestionnaireResponse or Observation scores (``shared/fhir-be`` has none), so the
  base R4 resources are used the way HL7 SDC does.
* ``QuestionnaireResponse``: written through ``assessments.actions`` and validated by the engine, so
  a response scores the same through the API as on the web. A completed response is frozen; a
  correction is ``status: amended`` with the reason in an extension. The client's own identifier
  (``urn:uuid:``) is the client id that makes offline sync idempotent.
* ``$populate`` (SDC): a prefilled response from the answers the person gave before ("never ask
  twice"), with who gave each answer and when. ``$extract``: one Observation per score, also kept
  in ``fhir.StoredResource`` (never for a private carer response that was not shared).

A score never decides an entitlement (001 l.3488-3490, l.5120-5130): the Observations carry the
professional's differing judgement beside the value, and nothing in Careweave acts on a score.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.assessments import actions
from careweave.assessments.catalogue import instrument_for
from careweave.assessments.models import Assessment, Instrument, Score
from careweave.careplans.models import CarePlan
from careweave.fhir.errors import Conflict, Unprocessable, issue
from careweave.fhir.mapping.base import (
    Context,
    Mapping,
    as_uuid,
    date_filter,
    extension_value,
    fhir_date,
    instant,
    parse_token,
    ref,
    reference_filter,
    reference_id,
    require_subject,
    same_person,
    string_filter,
    token_filter,
    user_reference,
)
from careweave.fhir.profiles import CAREWEAVE, CONFIDENTIALITY, LOINC, URI
from careweave.people.models import Person, RelatedPerson

SDC = "http://hl7.org/fhir/uv/sdc/OperationDefinition"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
OBSERVATION_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
UCUM = "http://unitsofmeasure.org"
CW_SCORE = f"{CAREWEAVE}/CodeSystem/assessment-score"  # <instrument code>.<score code> when there is no LOINC
CW_SCORE_ID = f"{CAREWEAVE}/NamingSystem/assessment-score"  # identifier of a score Observation
EXT_REUSED = f"{CAREWEAVE}/StructureDefinition/reused-answer"  # source, date, author (never ask twice)
EXT_JUDGEMENT = f"{CAREWEAVE}/StructureDefinition/professional-judgement"  # differs, reason, author, date
EXT_SHARED = f"{CAREWEAVE}/StructureDefinition/shared-with-team"
EXT_AMENDMENT_REASON = f"{CAREWEAVE}/StructureDefinition/amendment-reason"
RESPONSE_STATUS_IN = {"in-progress", "completed", "amended", "entered-in-error"}


class AnswerProblems(Unprocessable):
    """422 with one OperationOutcome issue per problem the engine found (``expression`` = the item)."""

    def __init__(self, problems: list) -> None:
        super().__init__(" ".join(p.message for p in problems[:10]), code="invariant", rule="invalid_answers")
        self.issues = [
            issue("error", "required" if p.code == "required" else "value", p.message, rule=f"answer-{p.code}",
                  expression=[f"QuestionnaireResponse.item.where(linkId='{p.link_id}')"])
            for p in problems
        ]


def _run(call, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001
    """Call an action; the engine's problems become one issue each."""
    try:
        return call(*args, **kwargs)
    except actions.AnswersInvalid as error:
        raise AnswerProblems(error.problems) from None


# --------------------------------------------------------------------------- Questionnaire


def _computable_name(code: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)
    return (name[:1].upper() + name[1:]) if name[:1].isalpha() else f"Q_{name}"


def _code_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    """``code``: the instrument code, or a coding in ``Questionnaire.code`` (few rows: matched in Python)."""
    wanted = [parse_token(v) for v in value.split(",")]

    def matches(instrument: Instrument) -> bool:
        codings = [(None, instrument.code)] + [(c.get("system"), c.get("code"))
                                               for c in instrument.questionnaire.get("code") or []]
        return any(code == c and (system is None or system == s) for system, code in wanted for s, c in codings)

    return qs.filter(pk__in=[i.pk for i in qs if matches(i)])


def _url_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    q = Q()
    for canonical in value.split(","):
        url, _sep, version = canonical.partition("|")
        q |= Q(url=url, version=version) if version else Q(url=url)
    return qs.filter(q)


class QuestionnaireMapping(Mapping):
    """The shipped instruments (synced from the files by ``assessments.catalogue``); read-only."""

    resource_type = "Questionnaire"
    model = Instrument
    person_path = None
    has_external_id = False
    versioned = False  # not written through the API: the revision counter of the file is the versionId
    interactions = ("read", "vread", "search-type", "history-instance")
    operations: ClassVar[dict[str, str]] = {"populate": f"{SDC}/Questionnaire-populate"}
    default_order = ("code", "pk")
    search_docs = {"url": "uri", "name": "string", "title": "string", "status": "token", "code": "token",
                   "version": "token"}
    search_params = {
        "url": _url_filter,
        "name": string_filter("code", "title", "questionnaire__name"),
        "title": string_filter("title"),
        "status": token_filter("status"),
        "code": _code_filter,
        "version": token_filter("version"),
    }

    def version_of(self, instrument: Instrument) -> int:
        return instrument.revision

    def identifiers(self, instrument: Instrument) -> list[dict[str, str]]:
        return [{"system": URI, "value": f"urn:uuid:{instrument.fhir_id}"}]

    def to_fhir(self, instrument: Instrument) -> dict[str, Any]:
        resource = copy.deepcopy(instrument.questionnaire)
        meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in ("versionId", "lastUpdated")}
        resource.update({
            "resourceType": "Questionnaire",
            "id": str(instrument.fhir_id),
            "meta": {"versionId": str(instrument.revision), "lastUpdated": instant(instrument.updated_at), **meta},
            "url": instrument.url,
            "identifier": self.identifiers(instrument),
            "version": instrument.version,
            "name": resource.get("name") or _computable_name(instrument.code),
            "status": instrument.status,
        })
        return resource


# --------------------------------------------------------------------------- QuestionnaireResponse: to FHIR


def _option_coding(raw_item: dict, code: str) -> dict[str, Any]:
    for option in raw_item.get("answerOption") or []:
        coding = option.get("valueCoding") or {}
        if str(coding.get("code")) == code:
            return {k: coding[k] for k in ("system", "code", "display") if k in coding}
    return {"code": code}


def _answer_value(raw_item: dict, value: Any) -> dict[str, Any]:
    kind = raw_item.get("type")
    if kind == "choice":
        return {"valueCoding": _option_coding(raw_item, str(value))}
    if kind == "boolean":
        return {"valueBoolean": bool(value)}
    if kind == "integer":
        return {"valueInteger": int(value)}
    if kind == "decimal":
        return {"valueDecimal": value}
    if kind == "date":
        return {"valueDate": value}
    return {"valueString": str(value)}


def _reused_extension(note: dict[str, Any]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if note.get("from"):
        parts.append({"url": "source", "valueReference": {"reference": f"QuestionnaireResponse/{note['from']}"}})
    if note.get("on"):
        parts.append({"url": "date", "valueDate": note["on"]})
    if note.get("by"):
        parts.append({"url": "author", "valueString": note["by"]})
    return {"url": EXT_REUSED, "extension": parts}


def response_items(raw_items: list[dict], answers: dict[str, Any], reused: dict[str, Any]) -> list[dict[str, Any]]:
    """The QuestionnaireResponse item tree for these answers, in the Questionnaire's order."""
    out: list[dict[str, Any]] = []
    for raw in raw_items:
        link_id = raw.get("linkId")
        entry: dict[str, Any] = {"linkId": link_id}
        if raw.get("text"):
            entry["text"] = raw["text"]
        children = response_items(raw.get("item") or [], answers, reused)
        if raw.get("type") in ("group", "display"):
            if not children:
                continue
            entry["item"] = children
        else:
            if link_id not in answers:
                continue
            if link_id in reused:
                entry["extension"] = [_reused_extension(reused[link_id])]
            entry["answer"] = [_answer_value(raw, answers[link_id])]
            if children:
                entry["answer"][0]["item"] = children
        out.append(entry)
    return out


def _author_reference(assessment: Assessment) -> dict[str, Any] | None:
    user = assessment.author
    if user is None:
        return {"display": assessment.author_display} if assessment.author_display else None
    if getattr(user, "professional", None) is None and getattr(user, "person", None) is None:
        related = RelatedPerson.objects.filter(person_id=assessment.person_id, user=user).first()
        if related is not None:
            return ref("RelatedPerson", related, display=assessment.author_display)
    found = user_reference(user)
    if found is not None and assessment.author_display:
        found["display"] = assessment.author_display
    return found


def _judgement_extension(assessment: Assessment) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"url": "differs", "valueBoolean": True},
                                   {"url": "reason", "valueString": assessment.judgement_reason}]
    by = user_reference(assessment.judgement_by)
    if by and "reference" in by:
        parts.append({"url": "author", "valueReference": by})
    if assessment.judgement_at:
        parts.append({"url": "date", "valueDateTime": instant(assessment.judgement_at)})
    return {"url": EXT_JUDGEMENT, "extension": parts}


# --------------------------------------------------------------------------- QuestionnaireResponse: from FHIR


_VALUE_KEYS = ("valueBoolean", "valueDecimal", "valueInteger", "valueDate", "valueString", "valueCoding")


def answers_from(resource: dict) -> dict[str, Any]:
    """``{linkId: value}`` from a QuestionnaireResponse's item tree (one answer per question)."""
    answers: dict[str, Any] = {}

    def walk(items: list[dict]) -> None:
        for item in items or []:
            link_id = item.get("linkId")
            given = item.get("answer") or []
            if len(given) > 1:
                raise Unprocessable(_("Give one answer to “%(link_id)s”.") % {"link_id": link_id},
                                    expression=[f"QuestionnaireResponse.item.where(linkId='{link_id}')"])
            for answer in given:
                key = next((k for k in _VALUE_KEYS if k in answer), None)
                if key is None:
                    raise Unprocessable(
                        _("The answer to “%(link_id)s” is of a kind Careweave does not take.") % {"link_id": link_id},
                        expression=[f"QuestionnaireResponse.item.where(linkId='{link_id}')"])
                value = answer[key]
                answers[link_id] = str(value.get("code")) if key == "valueCoding" else value
                walk(answer.get("item") or [])
            walk(item.get("item") or [])

    walk(resource.get("item") or [])
    return answers


def instrument_from_canonical(canonical: str | None) -> Instrument:
    """The instrument a ``questionnaire`` canonical (``url|version``) or ``Questionnaire/<id>`` names."""
    if not canonical:
        raise Unprocessable(_("Say which questionnaire was answered."), expression=["questionnaire"])
    url, _sep, version = canonical.partition("|")
    found = None
    key = as_uuid(reference_id(url)) if url.rstrip("/").rsplit("/", 2)[-2:-1] == ["Questionnaire"] else None
    if key is not None:
        found = Instrument.objects.filter(fhir_id=key).first()
    if found is None:
        qs = Instrument.objects.filter(url=url)
        found = (qs.filter(version=version) if version else qs.filter(status=Instrument.Status.ACTIVE)).first()
    if found is None:
        code = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            found = instrument_for(code, version or None)
            if found.url != url and key is None:
                found = None
        except Instrument.DoesNotExist:
            found = None
    if found is None:
        raise Unprocessable(_("Careweave does not know the questionnaire %(canonical)s.") % {"canonical": canonical},
                            expression=["questionnaire"], rule="unknown_instrument")
    return found


def _client_id(resource: dict) -> uuid.UUID | None:
    ident = resource.get("identifier") or {}
    value = str(ident.get("value") or "")
    if value.startswith("urn:uuid:"):
        return as_uuid(value.removeprefix("urn:uuid:"))
    return None


def _author_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    q = Q()
    for item in value.split(","):
        rtype = item.rstrip("/").rsplit("/", 2)[-2] if "/" in item else ""
        key = as_uuid(reference_id(item))
        if key is None:
            continue
        if rtype in ("", "Practitioner"):
            q |= Q(author__professional__fhir_id=key)
        if rtype in ("", "Patient"):
            q |= Q(author__person__fhir_id=key)
        if rtype in ("", "RelatedPerson"):
            q |= Q(author__in=RelatedPerson.objects.filter(fhir_id=key).values("user"))
    return qs.filter(q) if q else qs.none()


def _questionnaire_filter(qs: QuerySet, value: str, modifier: str) -> QuerySet:
    q = Q()
    for canonical in value.split(","):
        url, _sep, version = canonical.partition("|")
        key = as_uuid(reference_id(url))
        if key is not None:
            q |= Q(instrument__fhir_id=key)
        else:
            q |= Q(instrument__url=url, instrument__version=version) if version else Q(instrument__url=url)
    return qs.filter(q)


class QuestionnaireResponseMapping(Mapping):
    """Assessments; every write goes through ``careweave.assessments.actions``."""

    resource_type = "QuestionnaireResponse"
    model = Assessment
    person_path = "person"
    has_medical_flag = True
    has_external_id = False
    operations: ClassVar[dict[str, str]] = {"extract": f"{SDC}/QuestionnaireResponse-extract"}
    select = ("person", "instrument", "plan", "author__professional", "author__person", "judgement_by__professional")
    search_docs = {"questionnaire": "reference", "status": "token", "authored": "date", "author": "reference",
                   "based-on": "reference"}
    search_params = {
        "questionnaire": _questionnaire_filter,
        "status": token_filter("status"),
        "authored": lambda qs, v, m: date_filter(qs, "authored_at", v),
        "author": _author_filter,
        "based-on": reference_filter("plan"),
    }

    def queryset(self) -> QuerySet:
        # The Questionnaire JSON is large; the instrument's parsed Definition (cached) holds it once.
        return super().queryset().defer("instrument__questionnaire")

    # -- identifiers: the client's id (urn:uuid) finds the response, e.g. in If-None-Exist
    def identifier_q(self, system: str | None, value: str | None) -> Q | None:
        if system not in (None, URI) or not value:
            return None
        key = as_uuid(value.removeprefix("urn:uuid:"))
        return (Q(client_id=key) | Q(fhir_id=key)) if key else None

    def meta(self, assessment: Assessment) -> dict[str, Any]:
        meta = super().meta(assessment)
        if assessment.author_only:  # very restricted: only its author sees it
            meta["security"] = [{"system": CONFIDENTIALITY, "code": "V"}]
        return meta

    def to_fhir(self, assessment: Assessment) -> dict[str, Any]:
        instrument = assessment.instrument
        resource: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": str(assessment.fhir_id),
            "meta": self.meta(assessment),
            "identifier": {"system": URI, "value": f"urn:uuid:{assessment.client_id}"},
            "questionnaire": f"{instrument.url}|{instrument.version}",
            "status": assessment.status,
            "subject": ref("Patient", assessment.person),
            "authored": instant(assessment.authored_at),
        }
        extensions = []
        if assessment.judgement_differs:
            extensions.append(_judgement_extension(assessment))
        if assessment.is_private:
            extensions.append({"url": EXT_SHARED, "valueBoolean": assessment.shared})
        if assessment.amendment_reason:
            extensions.append({"url": EXT_AMENDMENT_REASON, "valueString": assessment.amendment_reason})
        if extensions:
            resource["extension"] = extensions
        if assessment.plan_id:
            resource["basedOn"] = [ref("CarePlan", assessment.plan)]
        author = _author_reference(assessment)
        if author:
            resource["author"] = author
        items = response_items(instrument.definition().questionnaire.get("item") or [], assessment.answers,
                               assessment.reused)
        if items:
            resource["item"] = items
        return resource

    # -- access: medical needs full access (base), a private carer response only its author
    def authorise_read(self, ctx: Context, assessment: Assessment, action: str = "read",
                       needed: int | None = None) -> None:
        """``needed`` is ignored: a response's label comes from its instrument and never changes."""
        actions.open_assessment(ctx.actor, assessment, request=ctx.request)

    def check_write_access(self, ctx: Context, assessment: Assessment) -> None:
        if assessment.author_only and assessment.author_id != getattr(ctx.actor, "pk", None):
            record_access(ctx.actor, "update", self.resource_type, str(assessment.fhir_id),
                          person=assessment.person, outcome="denied", reason=str(actions.PRIVATE),
                          request=ctx.request)
            raise AccessRefused(str(actions.PRIVATE))
        super().check_write_access(ctx, assessment)

    def restrict(self, ctx: Context, qs: QuerySet, decisions: dict) -> QuerySet:
        qs = super().restrict(ctx, qs, decisions)
        return qs.filter(Q(is_private=False) | Q(shared=True) | Q(author=ctx.actor))

    # -- writing
    def _plan(self, ctx: Context, resource: dict, person: Person) -> CarePlan | None:
        plans = [b for b in resource.get("basedOn") or [] if "CarePlan/" in (b.get("reference") or "")]
        if not plans:
            return None
        plan = ctx.resolve(plans[0], "CarePlan", what=_("the care plan"))
        if plan is not None and plan.person_id != person.pk:
            raise Unprocessable(_("This care plan belongs to another person."), expression=["basedOn"],
                                rule="plan_person")
        return plan

    def create(self, ctx: Context, resource: dict) -> Assessment:
        person = require_subject(ctx, resource)
        instrument = instrument_from_canonical(resource.get("questionnaire"))
        if not actions.decide(ctx.actor, person).allows(actions.needed_level(instrument)):
            require_access(ctx.actor, person, action="create", resource_type=self.resource_type,
                           needed=actions.needed_level(instrument), request=ctx.request)
        status = resource.get("status") or "completed"
        if status not in ("in-progress", "completed"):
            raise Unprocessable(_("A new response is either in progress or completed."), expression=["status"])
        client_id = _client_id(resource)
        if client_id and Assessment.objects.filter(client_id=client_id).exists():
            raise Conflict(_("A response with this identifier exists already: update that one (or send "
                             "If-None-Exist)."), rule="duplicate_identifier")
        answers = answers_from(resource)
        assessment = actions.start_assessment(ctx.actor, person, instrument.code, version=instrument.version,
                                              plan=self._plan(ctx, resource, person), client_id=client_id,
                                              prefill=False)
        if status == "completed":
            assessment = _run(actions.complete_assessment, ctx.actor, assessment, answers, assessment.version)
        elif answers:
            assessment = _run(actions.save_answers, ctx.actor, assessment, answers, assessment.version)
        return self._after_write(ctx, assessment, resource)

    def update(self, ctx: Context, assessment: Assessment, resource: dict, expected: int) -> bool:
        same_person(assessment.person, ctx, resource)
        if resource.get("questionnaire"):
            named = instrument_from_canonical(resource["questionnaire"])
            if named.pk != assessment.instrument_id:
                raise Unprocessable(_("A response cannot move to another questionnaire."),
                                    expression=["questionnaire"])
        status = resource.get("status") or assessment.status
        if status not in RESPONSE_STATUS_IN:
            raise Unprocessable(_("Careweave does not take the status %(status)s here.") % {"status": status},
                                expression=["status"])
        answers = answers_from(resource)
        definition = assessment.instrument.definition()
        before = assessment.version
        current = assessment
        if status == "entered-in-error" and assessment.status != status:
            reason = extension_value(resource, EXT_AMENDMENT_REASON, "valueString") or ""
            actions.mark_entered_in_error(ctx.actor, assessment, reason, expected)
            return True
        if assessment.status == Assessment.Status.IN_PROGRESS:
            changes = actions.replacing(assessment.answers, answers)
            if status in ("completed", "amended"):
                current = _run(actions.complete_assessment, ctx.actor, assessment, changes, expected)
            elif answers != assessment.answers:
                current = _run(actions.save_answers, ctx.actor, assessment, changes, expected)
        elif assessment.is_done:
            enabled = definition.enabled(answers)
            answerable = {i.link_id for i in definition.answerable()}
            given = {k: v for k, v in answers.items() if k not in answerable or k in enabled}
            if given != assessment.answers:
                if status != "amended":
                    raise Unprocessable(
                        _("A completed response is not changed: send the corrected answers with status “amended” "
                          "and the reason (extension %(url)s).") % {"url": EXT_AMENDMENT_REASON},
                        expression=["status"], rule="assessment_frozen")
                reason = extension_value(resource, EXT_AMENDMENT_REASON, "valueString") or ""
                current = _run(actions.amend_assessment, ctx.actor, assessment, actions.replacing(
                    assessment.answers, given), expected, reason)
            elif status == "in-progress":
                raise Unprocessable(_("A completed response cannot be reopened."), expression=["status"],
                                    rule="assessment_frozen")
        else:
            raise Unprocessable(_("This response was entered in error and is not changed any more."),
                                rule="assessment_frozen")
        current = self._after_write(ctx, current, resource)
        return current.version != before

    def _after_write(self, ctx: Context, assessment: Assessment, resource: dict) -> Assessment:
        """The professional's differing judgement and the carer's sharing, sent as extensions."""
        judgement = next((e for e in resource.get("extension") or [] if e.get("url") == EXT_JUDGEMENT), None)
        if judgement is not None:
            parts = {p.get("url"): p for p in judgement.get("extension") or []}
            reason = (parts.get("reason") or {}).get("valueString", "")
            differs = (parts.get("differs") or {}).get("valueBoolean", True)
            if differs and (not assessment.judgement_differs or reason.strip() != assessment.judgement_reason):
                assessment = actions.record_own_judgement(ctx.actor, assessment, reason, assessment.version)
        if extension_value(resource, EXT_SHARED, "valueBoolean") is True and assessment.is_private \
                and not assessment.shared:
            assessment = actions.share_with_team(ctx.actor, assessment, assessment.version)
        return assessment


# --------------------------------------------------------------------------- Observations (one per score)


def _source_id(assessment: Assessment, score_code: str) -> str:
    return f"careweave-assessment/{assessment.fhir_id}/{score_code}"


def _interpretation_system(instrument: Instrument, score_code: str, code: str) -> str | None:
    """The code system of a threshold's interpretation, as written in the instrument file."""
    from careweave.assessments.engine import EXT_SCORE

    for ext in instrument.definition().questionnaire.get("extension") or []:
        if ext.get("url") != EXT_SCORE:
            continue
        parts = ext.get("extension") or []
        if not any(p.get("url") == "code" and p.get("valueCode") == score_code for p in parts):
            continue
        for band in (p for p in parts if p.get("url") == "threshold"):
            for part in band.get("extension") or []:
                coding = part.get("valueCoding") or {}
                if part.get("url") == "interpretation" and coding.get("code") == code:
                    return coding.get("system")
    return None


def observation(assessment: Assessment, score: Score) -> dict[str, Any]:
    """One score as an Observation: derived from the response, about the person, by the one who answered."""
    source_id = _source_id(assessment, score.code)
    instrument = assessment.instrument
    label = score.label_in("en")
    if score.loinc:
        code = {"coding": [{"system": LOINC, "code": score.loinc, "display": label}], "text": label}
    else:
        code = {"coding": [{"system": CW_SCORE, "code": f"{instrument.code}.{score.code}", "display": label}],
                "text": label}
    unit = score.unit or "{score}"
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, source_id)),
        "meta": {"security": [{"system": CONFIDENTIALITY, "code": "R" if assessment.is_medical else "N"}]},
        "identifier": [{"system": CW_SCORE_ID, "value": source_id}],
        "status": "amended" if assessment.status == Assessment.Status.AMENDED else "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": code,
        "subject": ref("Patient", assessment.person),
        "effectiveDateTime": instant(assessment.completed_at or assessment.authored_at),
        "issued": instant(assessment.updated_at),
        "valueQuantity": {"value": score.value, "unit": unit, "system": UCUM, "code": unit},
        "derivedFrom": [ref("QuestionnaireResponse", assessment, display=str(instrument.title))],
    }
    performer = _author_reference(assessment)
    if performer:
        resource["performer"] = [performer]
    if assessment.plan_id:
        resource["basedOn"] = [ref("CarePlan", assessment.plan)]
    if score.interpretation_code:
        coding = [{"code": score.interpretation_code, "display": score.interpretation_in("en")}]
        system = _interpretation_system(instrument, score.code, score.interpretation_code)
        if system:
            coding[0] = {"system": system, **coding[0]}
        if score.positive:
            coding.append({"system": OBSERVATION_INTERPRETATION, "code": "POS", "display": "Positive"})
        resource["interpretation"] = [{"coding": coding, "text": score.interpretation_in("en")}]
    if assessment.judgement_differs:
        note: dict[str, Any] = {"text": assessment.judgement_reason}
        by = user_reference(assessment.judgement_by)
        if by and "reference" in by:
            note["authorReference"] = by
        if assessment.judgement_at:
            note["time"] = instant(assessment.judgement_at)
        resource["note"] = [note]
        resource["extension"] = [_judgement_extension(assessment)]
    return resource


def observations_for(assessment: Assessment) -> list[dict[str, Any]]:
    return [observation(assessment, score) for score in assessment.scores.order_by("position")]


def store_observations(assessment: Assessment) -> int:
    """Keep the person's integrated record equal to the assessment's scores; none for a private unshared one."""
    from careweave.records.actions import keep_own_records

    prefix = f"careweave-assessment/{assessment.fhir_id}/"
    wanted: dict[str, dict[str, Any]] = {}
    if not (assessment.author_only or not assessment.is_done):
        wanted = {data["identifier"][0]["value"]: data for data in observations_for(assessment)}
    return len(keep_own_records(assessment.person, wanted, resource_type="Observation", prefix=prefix))


def write_questionnaire_history(instrument: Instrument, using: str = "default") -> None:
    """Store this revision of the Questionnaire for ``_history``/``vread`` (Instrument is not a VersionedModel)."""
    from careweave.records.models import ResourceVersion

    ResourceVersion.objects.using(using).update_or_create(
        resource_type="Questionnaire",
        resource_id=str(instrument.fhir_id),
        version_id=instrument.revision,
        defaults={"data": QUESTIONNAIRE.to_fhir(instrument), "recorded_at": instrument.updated_at},
    )


# --------------------------------------------------------------------------- $populate and $extract


def _parameter(parameters: dict, name: str) -> dict | None:
    return next((p for p in parameters.get("parameter") or [] if p.get("name") == name), None)


def _parameters(body: Any) -> dict:
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise Unprocessable(_("Send the input as a Parameters resource."), code="structure")
    return body


def populate(ctx: Context, body: Any, rid: str | None = None) -> dict[str, Any]:
    """SDC ``$populate``: a new (unsaved) response prefilled with the person's earlier answers.

    Each taken-over answer says where it came from, when and by whom ("answered on DATE by WHO,
    still right?"). Only answers the requester may see are used; each source read is audited.
    """
    parameters = _parameters(body)
    if rid is not None:
        instrument = QUESTIONNAIRE.get(rid)
    else:
        canonical = None
        for name, key in (("canonical", "valueCanonical"), ("canonical", "valueUri"), ("canonical", "valueString"),
                          ("questionnaireRef", "valueReference")):
            found = _parameter(parameters, name)
            if found and found.get(key):
                canonical = found[key] if key != "valueReference" else found[key].get("reference")
                break
        given = _parameter(parameters, "questionnaire")
        if canonical is None and given and isinstance(given.get("resource"), dict):
            resource = given["resource"]
            canonical = f"{resource.get('url')}|{resource.get('version')}" if resource.get("version") \
                else resource.get("url")
        instrument = instrument_from_canonical(canonical)
    subject = _parameter(parameters, "subject")
    person = ctx.resolve((subject or {}).get("valueReference"), "Patient", what=_("the person"))
    if person is None:
        raise Unprocessable(_("Say which person (Patient) the questionnaire is for: parameter “subject”."),
                            expression=["subject"])
    require_access(ctx.actor, person, action="read", resource_type="QuestionnaireResponse",
                   needed=Level.PLAN, request=ctx.request)
    priors = actions.previous_answers(ctx.actor, person, instrument.definition())
    for source in {prior.assessment for prior in priors.values()}:
        record_access(ctx.actor, "read", "QuestionnaireResponse", str(source.fhir_id), person=person,
                      reason="$populate", request=ctx.request)
    answers = {link_id: prior.value for link_id, prior in priors.items()}
    reused = {link_id: {"from": str(p.assessment.fhir_id), "on": fhir_date(p.answered_on), "by": p.by}
              for link_id, p in priors.items()}
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{instrument.url}|{instrument.version}",
        "status": "in-progress",
        "subject": ref("Patient", person),
        "authored": instant(timezone.now()),
    }
    author = user_reference(ctx.actor)
    if author:
        response["author"] = author
    items = response_items(instrument.definition().questionnaire.get("item") or [], answers, reused)
    if items:
        response["item"] = items
    text = _("%(count)s answers were taken over from earlier questionnaires; check that they are still right.") \
        % {"count": len(answers)} if answers else _("No earlier answers to take over.")
    return {"resourceType": "Parameters", "parameter": [
        {"name": "response", "resource": response},
        {"name": "issues", "resource": {"resourceType": "OperationOutcome",
                                        "issue": [issue("information", "informational", text)]}},
    ]}


def _bundle(observations: list[dict[str, Any]]) -> dict[str, Any]:
    """A transaction Bundle (as SDC ``$extract`` returns), each entry a conditional create on its identifier."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{
            "fullUrl": f"urn:uuid:{obs['id']}",
            "resource": obs,
            "request": {"method": "POST", "url": "Observation",
                        "ifNoneExist": f"identifier={CW_SCORE_ID}|{obs['identifier'][0]['value']}"},
        } for obs in observations],
    }


def extract(ctx: Context, body: Any, rid: str | None = None) -> dict[str, Any]:
    """SDC ``$extract``: one Observation per score of a completed response.

    For a stored response the Observations are also kept in ``fhir.StoredResource`` (not for a
    private carer response that was not shared). A response sent in the body that is not stored is
    validated and scored by the engine, and its Observations are returned only.
    """
    resource = None
    if rid is None:
        if isinstance(body, dict) and body.get("resourceType") == "Parameters":
            found = _parameter(body, "questionnaire-response")
            resource = (found or {}).get("resource")
        elif isinstance(body, dict) and body.get("resourceType") == "QuestionnaireResponse":
            resource = body
        if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
            raise Unprocessable(_("Send the QuestionnaireResponse to extract (parameter “questionnaire-response”)."),
                                code="structure")
        key = as_uuid(resource.get("id") or "")
        stored = Assessment.objects.filter(fhir_id=key).first() if key else None
        rid = str(stored.fhir_id) if stored is not None else None
    if rid is not None:
        assessment = RESPONSE.get(rid)
        RESPONSE.authorise_read(ctx, assessment, "read")
        if not assessment.is_done:
            raise Unprocessable(_("Only a completed response has scores to extract."), expression=["status"],
                                rule="not_completed")
        with transaction.atomic():
            store_observations(assessment)
        return _bundle(observations_for(assessment))
    return _bundle(_unsaved_observations(ctx, resource))


def _unsaved_observations(ctx: Context, resource: dict) -> list[dict[str, Any]]:
    person = require_subject(ctx, resource)
    instrument = instrument_from_canonical(resource.get("questionnaire"))
    require_access(ctx.actor, person, action="read", resource_type="QuestionnaireResponse",
                   needed=actions.needed_level(instrument), request=ctx.request)
    if resource.get("status") not in ("completed", "amended"):
        raise Unprocessable(_("Only a completed response has scores to extract."), expression=["status"],
                            rule="not_completed")
    definition = instrument.definition()
    answers = answers_from(resource)
    problems = definition.validate(answers, complete=True)
    if problems:
        raise AnswerProblems(problems)
    now = timezone.now()
    transient = Assessment(person=person, instrument=instrument, answers=answers, status=resource["status"],
                           author=ctx.actor, author_display=actions.display_name(ctx.actor, person),
                           completed_at=now, authored_at=now, updated_at=now, is_medical=instrument.medical,
                           is_private=instrument.private_to_author)
    out = []
    for position, result in enumerate(definition.score(answers)):
        score = Score(code=result.code, label=dict(result.label), value=float(result.value), unit=result.unit or "",
                      interpretation_code=result.interpretation_code or "",
                      interpretation=dict(result.interpretation or {}), positive=result.positive,
                      loinc=result.loinc or "", position=position)
        data = observation(transient, score)
        data.pop("derivedFrom", None)  # the response is not stored here
        out.append(data)
    return out


QUESTIONNAIRE = QuestionnaireMapping()
RESPONSE = QuestionnaireResponseMapping()
MAPPINGS = [QUESTIONNAIRE, RESPONSE]
