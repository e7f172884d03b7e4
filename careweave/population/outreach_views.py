"""Pages of the outreach loop (issue #20): zone staff send a list to the GPs and see counts; each GP sees,
named, their own patients on it, on the micro dashboard of their own patients.

Thin views: the actions decide and write (``population.actions``); the reads ask the permission table
(``population.access.require``) and audit every person they name (``record_list_read``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.audit import record_list_read
from careweave.access.permissions import may
from careweave.territory.models import Zone

from . import actions
from .access import require
from .forms import FollowUpForm, SendListForm, run_form
from .models import OutreachItem, OutreachList
from .outreach import (
    followup_counts,
    gap_label,
    gap_lists,
    micro_dashboard,
    outreach_reasons,
    shown_persons,
    small_cell_k,
)


def _reason_labels() -> dict[str, str]:
    labels = {code: _(text) for code, text in outreach_reasons().items()}
    return {**labels, **{code: gap_label(d) for code, d in gap_lists().items()}}


@login_required
def my_patients(request: HttpRequest) -> HttpResponse:
    """The GP's micro dashboard: their own patients who need something, and the lists sent to them."""
    require(request, "population.view_my_patients")
    board = micro_dashboard(request.user)
    labels = _reason_labels()
    for entry in board.lists:
        for row in entry["items"]:
            row["reason_labels"] = [labels.get(r, r) for r in row["reasons"]]
            row["form"] = FollowUpForm(initial={"version": row["item"].version, "state": row["item"].state})
    record_list_read(request.user, shown_persons(board), "my_patients", request=request)
    return render(request, "population/my_patients.html", {
        "board": board, "states": OutreachItem.State.choices, "reason_labels": labels,
    })


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the follow-up of one item of a sent list (the action refuses anyone but the person's GP)."""
    item = get_object_or_404(OutreachItem.objects.select_related("person", "outreach_list__zone"), pk=pk)
    form = FollowUpForm(request.POST)
    if run_form(form, lambda: actions.follow_up_outreach(request.user, item, form.cleaned_data["state"],
                                                         form.cleaned_data["version"])):
        messages.success(request, _("The follow-up of %(name)s has been saved.") % {"name": item.person})
    else:
        for error in form.non_field_errors() or [_("The form was incomplete; nothing was changed.")]:
            messages.error(request, error)
    return redirect("population:my_patients")


@login_required
def sent_lists(request: HttpRequest, zone: str) -> HttpResponse:
    """Zone staff: send a list to the GPs, and see per sent list how many were followed up (counts only)."""
    zone_obj = get_object_or_404(Zone, code=zone)
    require(request, "population.view_outreach_followup", zone_obj)
    may_send = may(request.user, "population.send_outreach_list", zone_obj)
    form = SendListForm(request.POST or None)
    if request.method == "POST":
        if not may_send:
            require(request, "population.send_outreach_list", zone_obj)
        if run_form(form, lambda: actions.send_outreach_list(
                request.user, zone_obj, reason=form.cleaned_data["reason"],
                level=int(form.cleaned_data["level"]) if form.cleaned_data["level"] else None,
                note=form.cleaned_data["note"])):
            messages.success(request, _("The list has been sent to the GPs of the zone."))
            return redirect("population:sent_lists", zone)
    lists = list(OutreachList.objects.filter(zone=zone_obj).select_related("sent_by")[:50])
    labels = _reason_labels()
    rows = followup_counts(lists)
    for row in rows:
        row["reason_label"] = labels.get(row["list"].reason, _("all reasons"))
    return render(request, "population/sent_lists.html", {
        "zone": zone_obj, "form": form, "may_send": may_send, "rows": rows, "k": small_cell_k(),
        "states": OutreachItem.State.choices,
    })
