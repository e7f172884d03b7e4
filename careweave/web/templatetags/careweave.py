"""Template helpers: accessible form fields, roles for the navigation, labels for audit codes."""

from __future__ import annotations

from django import forms, template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from careweave.access.models import Level
from careweave.numbers import show_quantity
from careweave.web.once import FIELD, new_token
from careweave.web.roles import Roles, roles_for

register = template.Library()

BASIS = {
    "self": _("you"),
    "proxy": _("representative"),
    "care_relationship": _("member of the care team"),
    "case_management": _("case manager"),
    "consent": _("your permission"),
    "break_glass": _("emergency access"),
    "zone": _("zone contact point"),
    "referral": _("a referral to their service"),
    "none": _("no relationship"),
    "anonymous": _("not logged in"),
}
ACTIONS = {
    "R": _("opened"),
    "C": _("added"),
    "U": _("changed"),
    "D": _("deleted"),
    "E": _("searched or used"),
}
RESOURCES = {
    "Patient": _("your file"),
    "Calendar": _("a calendar link"),  # issue 21: one's own feed URL (no file)
    "CarePlan": _("your plan"),
    "CareTeam": _("your team"),
    "Goal": _("a goal"),
    "Task": _("a task"),
    "Communication": _("the journal"),
    "Consent": _("your access choices"),
    "RelatedPerson": _("your network"),
    "ServiceRequest": _("a request for case management"),
    "EpisodeOfCare": _("case management"),
    "AuditEvent": _("who looked at your file"),
    "Account": _("your user account"),
    "QuestionnaireResponse": _("an assessment"),
    "Questionnaire": _("an assessment"),
    "Appointment": _("a multidisciplinary consultation (MDO)"),
    "Subscription": _("a subscription of another system to changes in your file"),
    "Claim": _("your provisions and budget"),
    "PlanDefinition": _("a programme"),
    "HealthcareService": _("a service on the social map"),
    "PopulationOutreachList": _("an outreach list of your zone"),
    "Bundle": _("data sent in by another system"),
    # Clinical data received from other systems (the integrated record).
    "Condition": _("your conditions from other systems"),
    "Observation": _("measurements from other systems"),
    "Encounter": _("contacts with care providers from other systems"),
    "Immunization": _("vaccinations from other systems"),
    "MedicationRequest": _("medication from other systems"),
    "MedicationStatement": _("medication from other systems"),
    "MedicationAdministration": _("medication from other systems"),
    "Medication": _("medication from other systems"),
    "Procedure": _("procedures from other systems"),
    "DiagnosticReport": _("test results from other systems"),
    "AllergyIntolerance": _("allergies from other systems"),
    "DocumentReference": _("a document"),
    "ImagingStudy": _("imaging from other systems"),
    "ExplanationOfBenefit": _("billing data from other systems"),
}
# Audited by the same FHIR type but shown differently: a referral is a ServiceRequest too.
REFERRAL = _("a referral")
OTHER_SYSTEMS = _("data received from another system")

# A document's download (careweave.documents.actions.download_document): "who looked" says so in words.
DOWNLOAD_REASON = "download:"

# List pages and exports record one read per person shown (careweave.access.audit.record_list_read).
APPOINTMENT = _("an appointment")

LISTS = {
    "caseload": _("saw you on their caseload"),
    "tasks": _("saw your tasks in their task list"),
    "coordination": _("saw your plan among the plans they coordinate"),
    "case_management": _("saw you among the persons they case-manage"),
    "zone_requests": _("saw your request at the zone's contact point"),
    "cared_for": _("saw you among the people they care for"),
    "consultations": _("saw your MDO among the MDOs to organise"),
    "my_mdos": _("saw your MDO among the MDOs they are invited to"),
    "transitions": _("saw your programme among the coming phase changes"),
    "referrals": _("saw your referral in their list of referrals"),
    "budgets": _("saw your care-unit budget in the zone's budget overview"),
    "payer_export": _("exported your provisions for the payer"),
    # issue 20: FHIR bulk export and its Groups
    "bulk_export": _("exported your file (FHIR bulk export)"),
    "bulk_export_pseudonymised": _("exported your data under a pseudonym for the zone's population analysis"),
    "fhir_group": _("saw you among the members of a zone or programme group"),
    "my_patients": _("saw you on the dashboard of their own patients"),
    "calendar": _("saw your appointments in their calendar"),
    "calendar_feed": _("received your appointments in their calendar app"),
}


@register.simple_tag(takes_context=True)
def user_roles(context: template.Context) -> Roles | None:
    request = context.get("request")
    return roles_for(request) if request is not None else None


@register.simple_tag
def vendor_script(name: str) -> SafeString:
    """A script tag for a vendored asset, only when ``make assets`` put it there (htmx is optional)."""
    if finders.find(f"vendor/{name}") is None:
        return SafeString("")
    return format_html('<script src="{}" defer></script>', static(f"vendor/{name}"))


@register.simple_tag
def languages() -> list[dict]:
    """The language switcher: each language named in itself, so anyone finds their own."""
    current = get_language()
    return [
        {"code": code, "name": get_language_info(code)["name_local"].capitalize(), "current": code == current}
        for code, _name in settings.LANGUAGES
    ]


@register.filter
def basis_label(code: str) -> str:
    return str(BASIS.get(code, code or ""))


@register.filter
def audit_action(code: str) -> str:
    return str(ACTIONS.get(code, code))


@register.filter
def audit_what(event) -> str:  # noqa: ANN001 - an AuditEvent
    """What was done, for "who looked": a list page says which list, anything else action and resource."""
    from careweave.access.audit import list_code_of

    code = list_code_of(event.reason or "")
    if code is not None:
        return str(LISTS.get(code, _("saw you in a list")))
    if event.resource_type == "DocumentReference" and (event.reason or "").startswith(DOWNLOAD_REASON):
        return str(_("downloaded a document"))
    return f"{audit_action(event.action)} {audit_resource(event)}"


@register.filter
def audit_resource(event_or_code: object) -> str:
    """What an audit entry was about, in words (never a raw FHIR type name; issue 18.28)."""
    code = getattr(event_or_code, "resource_type", event_or_code)
    if code == "ServiceRequest" and getattr(event_or_code, "resource_id", ""):
        from django.core.exceptions import ValidationError

        from careweave.territory.models import Referral

        try:
            if Referral.objects.filter(fhir_id=event_or_code.resource_id).exists():
                return str(REFERRAL)
        except (ValidationError, ValueError):
            pass
    if code == "Appointment" and getattr(event_or_code, "resource_id", ""):  # issue 21: not every one is an MDO
        from django.core.exceptions import ValidationError

        from careweave.scheduling.models import Appointment

        try:
            if Appointment.objects.filter(fhir_id=event_or_code.resource_id).exists():
                return str(APPOINTMENT)
        except (ValidationError, ValueError):
            pass
    if code in RESOURCES:
        return str(RESOURCES[code])
    return str(OTHER_SYSTEMS) if code else ""


@register.filter
def role_label(code: str) -> str:
    """A stored role code in the reader's language (``careweave.people.roles``)."""
    from careweave.people.roles import role_label as label

    return label(code)


@register.filter
def level_label(level: int) -> str:
    try:
        return str(Level(level).label)
    except ValueError:
        return ""


@register.inclusion_tag("web/includes/field.html")
def field(bound: forms.BoundField, extra_class: str = "") -> dict:
    """One form field with its label, help text and error next to it, linked for screen readers."""
    widget = bound.field.widget
    describedby = []
    if bound.help_text:
        describedby.append(f"{bound.auto_id}_help")
    if bound.errors:
        describedby.append(f"{bound.auto_id}_error")
    attrs = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    multiple = isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))
    checkbox = isinstance(widget, forms.CheckboxInput)
    return {
        "f": bound,
        "widget_html": bound.as_widget(attrs=attrs),
        "multiple": multiple,
        "checkbox": checkbox,
        "hidden": bound.is_hidden,
        "extra_class": extra_class,
    }


@register.simple_tag
def form_token() -> SafeString:
    """The hidden token that makes a form save once, however often it is sent (``careweave.web.once``)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


@register.filter
def quantity(value: object) -> str:
    """A quantity in the reader's language with only the decimals it has ("1,5", not "1,50")."""
    return show_quantity(value)  # type: ignore[arg-type]
