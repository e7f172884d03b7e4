"""The one door from a web page to a person's file, the same one the FHIR API uses.

Every view that shows or changes a person's data goes through :func:`get_person_or_refuse`,
which calls :func:`careweave.access.guard.require_access`: the decision is the same as in the
API and the CLI, and a refusal is always audited. A refusal renders an explained 403 page that
offers emergency access to care professionals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from careweave.access.decisions import Decision, decide
from careweave.access.guard import AccessRefused, require_access
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.people.models import Person
from careweave.web.roles import roles_for


def get_person_or_refuse(
    request: HttpRequest,
    person_id: Any,
    needed: int = Level.PLAN,
    *,
    resource_type: str = "CarePlan",
    action: str | None = None,
) -> tuple[Person, Decision]:
    """Load a person and check access; raises :class:`AccessRefused` (audited) when not allowed.

    A page view is audited as a read. For a POST the action itself audits the write, so only a
    refusal is recorded here (no double entries in "who looked at my file").
    """
    person = get_object_or_404(Person, fhir_id=person_id)
    action = action or ("read" if request.method in ("GET", "HEAD") else "update")
    audit = action == "read" or not decide(request.user, person).allows(needed)
    decision = require_access(
        request.user,
        person,
        action=action,
        resource_type=resource_type,
        resource_id=str(person.fhir_id),
        needed=needed,
        request=request,
        audit=audit,
    )
    return person, decision


def refused(request: HttpRequest, exc: AccessRefused, person: Person | None = None) -> HttpResponse:
    """The explained 403 page; care professionals without any relationship are offered emergency access."""
    decision = exc.decision
    roles = roles_for(request)
    offer_break_glass = (
        person is not None
        and roles.may_break_glass
        and decision is not None
        and decision.level == Level.NONE
        and decision.basis == "none"
    )
    context = {"message": exc.message, "person": person, "offer_break_glass": offer_break_glass}
    return render(request, "web/403.html", context, status=403)


def person_view(
    needed: int = Level.PLAN, resource_type: str = "CarePlan"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view taking ``person_id``: it receives ``person`` and ``decision`` instead."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, person_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                person, decision = get_person_or_refuse(request, person_id, needed, resource_type=resource_type)
            except AccessRefused as exc:
                return refused(request, exc, Person.objects.filter(fhir_id=person_id).first())
            try:
                return view(request, person, decision, *args, **kwargs)
            except AccessRefused as exc:
                return refused(request, exc, person)

        return wrapper

    return decorator


def require_full(request: HttpRequest, person: Person, resource_type: str) -> None:
    """Medical detail needs full access (the table's row); a refusal is audited and explained like any other."""
    if may(request.user, "careplans.see_medical_detail", person):
        return
    require_access(
        request.user,
        person,
        action="read" if request.method in ("GET", "HEAD") else "update",
        resource_type=resource_type,
        needed=Level.FULL,
        request=request,
    )
