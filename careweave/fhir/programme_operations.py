"""The FHIR operation of the programmes app (``PlanDefinition/{id}/$apply``), routed in ``fhir/urls.py``
like the SDC operations of issue #8; it lives in the door, which depends on the programmes domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from careweave.fhir.mapping.base import Context
from careweave.fhir.views import _body, fhir_endpoint, fhir_response


@fhir_endpoint({"POST"})
def plan_definition_apply(request: HttpRequest, ctx: Context, rid: str) -> HttpResponse:
    """``POST PlanDefinition/{id}/$apply?subject=Patient/{id}``: enrol the person; their CarePlan comes back."""
    from careweave.fhir.mapping.programmes import apply

    body = _body(request) if request.body else None
    return fhir_response(request, apply(ctx, rid, body, request.GET.dict()))
