"""``/fhir/R4/Subscription``: create, read, search (one's own), stop (DELETE) and ``$status``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from careweave.fhir import actions
from careweave.fhir.errors import NotFound
from careweave.fhir.mapping.base import Context, as_uuid
from careweave.fhir.models import Subscription
from careweave.fhir.subscriptions import resources
from careweave.fhir.views import _base, _body, fhir_endpoint, fhir_response
from careweave.people.models import Person


def _own(ctx: Context, rid: str) -> Subscription:
    """The actor's own subscription; anybody else's does not exist for them (no existence oracle)."""
    key = as_uuid(rid)
    found = Subscription.objects.filter(fhir_id=key, owner=ctx.actor).select_related("person").first() if key else None
    if found is None:
        raise NotFound(_("Subscription/%(id)s does not exist.") % {"id": rid})
    return found


@fhir_endpoint({"GET": "search-type", "POST": "create"})
def collection(request: HttpRequest, ctx: Context) -> HttpResponse:
    if request.method == "POST":
        requested = resources.parse(_body(request))
        person = None
        if requested.patient_id:
            key = as_uuid(requested.patient_id)
            person = Person.objects.filter(fhir_id=key).first() if key else None
            if person is None:
                raise NotFound(_("Patient/%(id)s does not exist.") % {"id": requested.patient_id})
        sub = actions.create_subscription(ctx.actor, person, requested=requested, base_url=_base(request))
        return fhir_response(request, resources.to_fhir(sub), 201,
                             {"Location": f"{_base(request)}/Subscription/{sub.fhir_id}/_history/{sub.version}",
                              "ETag": f'W/"{sub.version}"'})
    subs = Subscription.objects.filter(owner=ctx.actor).select_related("person").order_by("created_at")
    status = request.GET.get("status")
    if status:
        subs = subs.filter(status__in=status.split(","))
    entries = [{"fullUrl": f"{_base(request)}/Subscription/{s.fhir_id}", "resource": resources.to_fhir(s),
                "search": {"mode": "match"}} for s in subs]
    return fhir_response(request, {"resourceType": "Bundle", "type": "searchset", "total": len(entries),
                                   "entry": entries})


@fhir_endpoint({"GET": "read", "DELETE": "delete"})
def instance(request: HttpRequest, ctx: Context, rid: str) -> HttpResponse:
    sub = _own(ctx, rid)
    if request.method == "DELETE":
        actions.end_subscription(ctx.actor, sub)
        return fhir_response(request, None, 204)
    return fhir_response(request, resources.to_fhir(sub), headers={"ETag": f'W/"{sub.version}"'})


@fhir_endpoint({"GET": "read"})
def status(request: HttpRequest, ctx: Context, rid: str | None = None) -> HttpResponse:
    """``Subscription/{id}/$status`` or ``Subscription/$status?id=a,b``: the SubscriptionStatus of each."""
    ids = [rid] if rid else [i for v in request.GET.getlist("id") for i in v.split(",") if i]
    subs = [_own(ctx, i) for i in ids] if ids else list(Subscription.objects.filter(owner=ctx.actor))
    return fhir_response(request, resources.status_bundle(subs))
