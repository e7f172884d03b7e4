"""Offline capture at home (decision 0009): the service worker, the instrument as JSON, the sync.

A home visit often has no network (001 l.6142: "geen offline gebruik van BelRAI mogelijk bij
de patiënt thuis"). The form page keeps every answer in the browser's IndexedDB under a
client-generated id and posts it here when the network is back. The sync is idempotent (the
same response twice is one assessment) and never overwrites: a response based on an older
version that differs is returned as a conflict, both versions side by side.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.assessments import actions, engine
from careweave.assessments.views import lang, show_answer
from careweave.careplans.errors import RuleViolation
from careweave.web.access import get_person_or_refuse
from careweave.web.middleware import CSP

SERVICE_WORKER = "assessments/sw.js"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /assessments/ so that its scope covers the assessment pages.

    A static file (no template, nothing inline); ``no-cache`` makes the browser check for a new
    version on every registration instead of keeping an old worker for a day.
    """
    path = finders.find(SERVICE_WORKER)
    if path is None:
        raise Http404(SERVICE_WORKER)
    response = HttpResponse(Path(path).read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("assessments:person_root")
    response["Content-Security-Policy"] = CSP
    return response


@require_GET
def questionnaire(request: HttpRequest, code: str, version: str) -> JsonResponse:
    """The instrument as a FHIR Questionnaire (no personal data): the form's enableWhen rules offline."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in again to continue.")}, status=401)
    try:
        definition = engine.definition(code, version)
    except KeyError:
        raise Http404(_("This instrument does not exist.")) from None
    response = JsonResponse(definition.questionnaire, content_type="application/fhir+json")
    response["Cache-Control"] = "private, no-cache"
    return response


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _payload(request: HttpRequest) -> dict[str, Any]:
    """The posted response, checked for shape; a ValueError carries the user's message."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValueError(_("The answers could not be read. Please try again.")) from None
    if not isinstance(data, dict):
        raise ValueError(_("The answers could not be read. Please try again."))
    try:
        client_id = str(uuid.UUID(str(data.get("client_id", ""))))
    except ValueError:
        raise ValueError(_("The answers could not be read. Please try again.")) from None
    answers = data.get("answers")
    base = data.get("base_version")
    if not isinstance(answers, dict) or not isinstance(data.get("instrument"), str):
        raise ValueError(_("The answers could not be read. Please try again."))
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise ValueError(_("The answers could not be read. Please try again."))
    return {
        "client_id": client_id,
        "instrument": data["instrument"],
        "version": str(data.get("version") or "") or None,
        "base_version": base,
        "answers": answers,
        "complete": data.get("complete") is True,
        "plan": data.get("plan") or None,
        "person": str(data.get("person", "")),
    }


@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Receive one response kept on a device: ``created``, ``updated``, ``unchanged`` or ``conflict``.

    Session authentication and the CSRF header, like every other POST of the site. A refusal,
    bad input or answers that do not validate change nothing and say why in the user's language.
    """
    if not request.user.is_authenticated:
        return _error(_("Log in again to send your answers. They stay on this device meanwhile."), 401)
    try:
        payload = _payload(request)
    except ValueError as exc:
        return _error(str(exc), 400)
    try:
        person, decision = get_person_or_refuse(
            request, payload.pop("person"), Level.PLAN, resource_type="QuestionnaireResponse", action="update"
        )
    except Http404:
        return _error(_("This person is not known here."), 404)
    except AccessRefused as exc:
        return _error(exc.message, 403)
    try:
        definition = engine.definition(payload["instrument"], payload["version"])
    except KeyError:
        return _error(_("This instrument does not exist."), 400)
    if definition.medical and not decision.allows(Level.FULL):
        try:
            get_person_or_refuse(
                request, person.fhir_id, Level.FULL, resource_type="QuestionnaireResponse", action="update"
            )
        except AccessRefused as exc:
            return _error(exc.message, 403)
    language = lang()
    problems = definition.validate(payload["answers"], complete=payload["complete"])
    if problems:
        return _error(
            _("Some answers are missing or not valid. Nothing has been sent yet."),
            422,
            problems=[{"linkId": p.link_id, "code": p.code, "message": p.message} for p in problems],
        )
    try:
        outcome = actions.sync_response(request.user, person, payload)
    except RuleViolation as exc:
        return _error(str(exc), 422)
    assessment = outcome.assessment
    items = {item.link_id: item for item in definition.answerable()}
    body: dict[str, Any] = {
        "outcome": outcome.outcome,
        "assessment": str(assessment.fhir_id),
        "client_id": str(assessment.client_id),
        "version": assessment.version,
        "status": assessment.status,
        "form_url": reverse("assessments:fill", args=[assessment.fhir_id]),
        "result_url": reverse("assessments:result", args=[assessment.fhir_id])
        if assessment.status == "completed"
        else None,
        "conflicts": [
            {
                "linkId": c.get("linkId"),
                "label": items[c["linkId"]].label(language) if c.get("linkId") in items else c.get("linkId"),
                "mine": show_answer(items.get(c.get("linkId")), c.get("mine"), language),
                "theirs": show_answer(items.get(c.get("linkId")), c.get("theirs"), language),
                "theirs_value": c.get("theirs"),
            }
            for c in outcome.conflicts
        ],
        "message": {
            "created": _("Sent."),
            "updated": _("Sent."),
            "unchanged": _("Sent."),
            "conflict": _(
                "Someone else saved other answers meanwhile. Nothing has been overwritten: choose which to keep."
            ),
        }.get(outcome.outcome, ""),
    }
    return JsonResponse(body, status=409 if outcome.outcome == "conflict" else 200)
