"""Document pages: share a file, see its versions, replace it, relabel or withdraw it, and download.

Thin views over :mod:`careweave.documents.actions`, behind the same door as the plan
(:func:`careweave.web.access.person_view`). A download is served by Careweave itself, after the action
has asked the table and audited the read: as an attachment, never sniffed, never cached, and never
from the store's own URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.decisions import Decision
from careweave.access.guard import AccessRefused
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.documents import actions
from careweave.documents.content import max_bytes, type_label
from careweave.documents.forms import AttachForm, LabelForm, ReplaceForm, WithdrawForm
from careweave.documents.http import harden
from careweave.documents.models import Document, DocumentVersion
from careweave.people.models import Person
from careweave.versioning import ChangedMeanwhile
from careweave.web.access import person_view, refused
from careweave.web.forms.base import add_rule_error
from careweave.web.plandata import current_plan

FILE_ERRORS = {"file_type": "file", "file_too_big": "file", "empty_file": "file", "required": "title",
               "too_long": "title"}
UPLOAD_MARGIN = 1024 * 1024  # the multipart envelope around the file


def _plan(person: Person):  # noqa: ANN202
    plan = current_plan(person)
    if plan is None:
        raise Http404(_("There is no plan yet."))
    return plan


def _too_big_request(request: HttpRequest) -> bool:
    """Refuse an oversized upload from its announced length, before Django reads the body."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes() + UPLOAD_MARGIN
    except ValueError:
        return False


def _document(person: Person, document_id) -> Document:  # noqa: ANN001
    return get_object_or_404(Document.objects.select_related("plan__person", "journal_entry"),
                             fhir_id=document_id, plan__person=person)


def document_url(document: Document) -> str:
    return reverse("documents:detail", args=[document.plan.person.fhir_id, document.fhir_id])


@person_view()  # the plan is what the form page shows; the document's creation is audited by the action
def attach(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    plan = _plan(person)
    full = decision.allows(Level.FULL)
    entry_id = request.POST.get("journal_entry") or request.GET.get("entry")
    entry = None
    if entry_id:
        entries = plan.journal.all() if full else plan.journal.filter(is_medical=False)
        entry = get_object_or_404(entries, pk=entry_id)
    form = AttachForm(request.POST or None, request.FILES or None, allow_medical=full,
                      initial={"journal_entry": entry.pk if entry else None,
                               "kind": Document.Kind.DISCHARGE if request.GET.get("kind") == "discharge" else
                               Document.Kind.OTHER})
    status, error = 200, ""
    if request.method == "POST":
        if _too_big_request(request):
            form = AttachForm(allow_medical=full, initial={"journal_entry": entry.pk if entry else None})
            status, error = 413, actions_too_big()
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = actions.attach_document(
                    request.user, plan, upload, original_name=upload.name, size=upload.size,
                    title=form.cleaned_data["title"], kind=form.cleaned_data["kind"],
                    is_medical=form.cleaned_data.get("is_medical", False), journal_entry=entry,
                )
            except RuleViolation as exc:
                add_rule_error(form, exc, FILE_ERRORS)
                status = 422
            else:
                messages.success(request, _("The document is shared with the team: %(title)s")
                                 % {"title": document.title})
                return redirect(reverse("web:plan", args=[person.fhir_id]) + "#documents")
        else:
            status = 422
    return render(request, "documents/attach.html",
                  {"person": person, "form": form, "entry": entry, "full": full, "error": error},
                  status=status)


def actions_too_big() -> str:
    from django.template.defaultfilters import filesizeformat

    return _("This file is larger than %(limit)s. Send a smaller file (a PDF of the scanned pages, say).") % {
        "limit": filesizeformat(max_bytes())}


def _may_see(request: HttpRequest, document: Document) -> None:
    """The detail page shows what a download shows (title, versions): the same row, audited when refused."""
    from careweave.access.permissions import authorize

    try:
        authorize(request.user, "documents.download_document", document)
    except RuleViolation as exc:
        raise AccessRefused(str(exc), None) from None


@person_view(resource_type="DocumentReference")
def detail(request: HttpRequest, person: Person, decision: Decision, document_id) -> HttpResponse:  # noqa: ANN001
    document = _document(person, document_id)
    _may_see(request, document)
    return _render_detail(request, person, document)


def _render_detail(request: HttpRequest, person: Person, document: Document, *, status: int = 200,
                   error: str = "", **forms) -> HttpResponse:  # noqa: ANN003
    versions = list(document.versions.order_by("-number"))
    context = {
        "person": person,
        "document": document,
        "error": error,
        "versions": [{"v": v, "type": type_label(v.content_type)} for v in versions],
        "latest": versions[0] if versions else None,
        "replace_form": forms.get("replace_form") or ReplaceForm(initial={"version": document.version}),
        "label_form": forms.get("label_form") or LabelForm(initial={"version": document.version,
                                                                     "is_medical": document.is_medical}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(initial={"version": document.version}),
        "may_replace": may(request.user, "documents.replace_document", document),
        "may_relabel": may(request.user, "documents.relabel_document", document),
        "may_withdraw": may(request.user, "documents.mark_document_in_error", document),
    }
    return render(request, "documents/detail.html", context, status=status)


@require_POST
@person_view(resource_type="DocumentReference")
def replace(request: HttpRequest, person: Person, decision: Decision, document_id) -> HttpResponse:  # noqa: ANN001
    document = _document(person, document_id)
    if _too_big_request(request):
        return _render_detail(request, person, document, status=413, error=actions_too_big())
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = actions.replace_document(request.user, document, upload, original_name=upload.name,
                                               size=upload.size, expected_version=form.cleaned_data["version"])
        except ChangedMeanwhile as exc:
            form.add_error(None, str(exc))
        except RuleViolation as exc:
            add_rule_error(form, exc, FILE_ERRORS)
        else:
            messages.success(request, _("Version %(n)s is added; the earlier versions are kept.")
                             % {"n": version.number})
            return redirect(document_url(document))
    return _render_detail(request, person, document, replace_form=form, status=422)


@require_POST
@person_view(resource_type="DocumentReference")
def relabel(request: HttpRequest, person: Person, decision: Decision, document_id) -> HttpResponse:  # noqa: ANN001
    document = _document(person, document_id)
    form = LabelForm(request.POST)
    if form.is_valid():
        try:
            actions.relabel_document(request.user, document, is_medical=form.cleaned_data["is_medical"],
                                     expected_version=form.cleaned_data["version"])
        except (RuleViolation, ChangedMeanwhile) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The label is changed."))
            return redirect(document_url(document))
    return _render_detail(request, person, document, label_form=form, status=422)


@require_POST
@person_view(resource_type="DocumentReference")
def withdraw(request: HttpRequest, person: Person, decision: Decision, document_id) -> HttpResponse:  # noqa: ANN001
    document = _document(person, document_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.mark_document_in_error(request.user, document, form.cleaned_data["reason"],
                                           expected_version=form.cleaned_data["version"])
        except ChangedMeanwhile as exc:
            form.add_error(None, str(exc))
        except RuleViolation as exc:
            add_rule_error(form, exc, {"required": "reason", "too_long": "reason"})
        else:
            messages.success(request, _("The document is withdrawn; it stays in the file's history."))
            return redirect(reverse("web:plan", args=[person.fhir_id]) + "#documents")
    return _render_detail(request, person, document, withdraw_form=form, status=422)


def download_response(version: DocumentVersion) -> FileResponse:
    """Streamed from the store as an attachment, with the headers of :func:`careweave.documents.http.harden`."""
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.download_name,
                            content_type=version.content_type)
    return harden(response)


@login_required
def download(request: HttpRequest, person_id, binary_id) -> HttpResponse:  # noqa: ANN001
    """Not behind ``person_view``: the action asks the table and writes the one audit entry of the download."""
    version = get_object_or_404(DocumentVersion.objects.select_related("document__plan__person"),
                                fhir_id=binary_id, document__plan__person__fhir_id=person_id)
    try:
        actions.download_document(request.user, version)
    except RuleViolation as exc:
        return refused(request, AccessRefused(str(exc), None), version.document.plan.person)
    return download_response(version)


