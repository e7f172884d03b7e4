"""Register a new person; the person (or their representative) keeps their contact details up to date.

Thin views over :mod:`careweave.people.registration`, which decides every rule and audits every
write. Reading the details page is audited like any page about a person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.guard import AccessRefused
from careweave.careplans.errors import RuleViolation
from careweave.people.identifiers import format_ssin
from careweave.people.models import Person
from careweave.people.registration import (
    AlreadyRegistered,
    register_person,
    require_contact_editor,
    update_contact_details,
)
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import refused
from careweave.web.forms.base import add_rule_error
from careweave.web.forms.people import RULE_FIELDS, ContactDetailsForm, RegisterPersonForm, initial_contact_details
from careweave.web.language import store_language
from careweave.web.roles import roles_for
from careweave.web.views._helpers import back, conflict_rows, rebind_with_version


@login_required
def person_register(request: HttpRequest) -> HttpResponse:
    """A professional registers someone new and lands on the start of their shared plan."""
    roles = roles_for(request)
    if roles.professional is None or not roles.professional.active:
        return refused(request, AccessRefused(_("Only an active care or welfare professional can register a person.")))
    form = RegisterPersonForm(request.POST or None)
    existing: Person | None = None
    already_registered = False
    if request.method == "POST" and form.is_valid():
        try:
            person = register_person(request.user, **form.registration_data())
        except AlreadyRegistered as exc:
            add_rule_error(form, exc, RULE_FIELDS)
            existing, already_registered = exc.person, True
        except RuleViolation as exc:
            add_rule_error(form, exc, RULE_FIELDS)
        else:
            messages.success(
                request,
                _("%(name)s is registered and you are a member of their care team. Start the shared plan together.")
                % {"name": person},
            )
            # plan_start sends on to the plan itself when there is one.
            return redirect("web:plan_start", person.fhir_id)
    context = {
        "form": form,
        "existing": existing,
        "already_registered": already_registered,
        "may_break_glass": roles.may_break_glass,
    }
    return render(request, "web/person_register.html", context)


def _details_page(
    request: HttpRequest,
    person: Person,
    form: ContactDetailsForm,
    *,
    about_self: bool,
    conflict: list | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "about_self": about_self,
        "ssin": format_ssin(person.ssin) if person.ssin else "",
        "conflict": conflict,
    }
    return render(request, "web/person_details.html", context, status=status)


@login_required
def person_details(request: HttpRequest, person_id: Any) -> HttpResponse:
    """"My details": phone, e-mail, address, language; saved from the version the editor saw."""
    person = get_object_or_404(Person, fhir_id=person_id)
    reading = request.method != "POST"
    try:  # editors only; a refusal is audited
        decision = require_contact_editor(request.user, person, action="read" if reading else "update")
    except RuleViolation as exc:
        return refused(request, AccessRefused(str(exc), exc.decision), person)
    about_self = decision.basis == "self"
    if reading:  # the save itself is audited by update_contact_details
        record_access(request.user, "read", "Patient", str(person.fhir_id), person=person, request=request,
                      basis=decision.basis)
        initial = {**initial_contact_details(person), "version": person.version}
        form = ContactDetailsForm(initial=initial, about_self=about_self)
        return _details_page(request, person, form, about_self=about_self)
    form = ContactDetailsForm(request.POST, about_self=about_self)
    if form.is_valid():
        language_before = person.language
        try:
            update_contact_details(
                request.user, person, expected_version=form.cleaned_data["version"], **form.contact_data()
            )
        except ChangedMeanwhile:
            person.refresh_from_db()
            rows = conflict_rows(form, initial_contact_details(person))
            form = rebind_with_version(ContactDetailsForm, request, person.version, about_self=about_self)
            return _details_page(request, person, form, about_self=about_self, conflict=rows, status=409)
        except RuleViolation as exc:
            add_rule_error(form, exc, RULE_FIELDS)
        else:
            if about_self and person.language != language_before:
                # The person chose to be addressed in another language: the interface follows.
                store_language(request, person.language)
                translation.activate(person.language)
            if about_self:
                messages.success(request, _("Your details have been saved."))
            else:
                messages.success(
                    request,
                    _("The contact details of %(name)s have been saved. %(name)s can see that you changed them.")
                    % {"name": person},
                )
            return back(request, reverse("web:person_details", args=[person.fhir_id]))
    return _details_page(request, person, form, about_self=about_self)
