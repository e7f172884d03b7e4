"""The inbox, the unread count in the menu (htmx), the settings page, the push worker and the
administrator's failed deliveries. Thin: reads ask ``inbox``/the table, changes call ``actions``."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.audit import record_list_read
from careweave.access.permissions import may
from careweave.careplans.errors import RuleViolation
from careweave.notifications import actions
from careweave.notifications.inbox import inbox as inbox_of
from careweave.notifications.inbox import unread_count
from careweave.notifications.kinds import CHOICES, KINDS
from careweave.notifications.models import Delivery, EmailChoice, Notification, PushSubscription
from careweave.people.models import Person


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The reader's notifications, grouped per person; only those the table lets them see now."""
    groups = inbox_of(request.user)
    record_list_read(request.user, [g.person for g in groups if g.person is not None], "notifications",
                     request=request)
    return render(request, "notifications/inbox.html", {
        "groups": groups, "kinds": KINDS, "unread": sum(g.unread for g in groups)})


@login_required
def count(request: HttpRequest) -> HttpResponse:
    """The menu's badge, polled by htmx (``hx-trigger="load, every Ns"`` on its container): no page reload."""
    return render(request, "notifications/count.html", {"count": unread_count(request.user)})


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """The link of an e-mail or a push message: marks it read and goes to the place (if still allowed)."""
    notification = get_object_or_404(Notification.objects.select_related("event__person"), pk=pk)
    try:
        url = actions.open_notification(request.user, notification)
    except RuleViolation:
        raise Http404 from None  # someone else's, or a file the reader lost access to: nothing to show
    return redirect(url)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.select_related("event__person", "event__actor"), pk=pk)
    try:
        actions.mark_read(request.user, notification)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    if request.htmx:
        return render(request, "notifications/_item.html", {"n": notification, "kinds": KINDS})
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    person = None
    if request.POST.get("person"):
        person = get_object_or_404(Person, fhir_id=request.POST["person"])
    done = actions.mark_all_read(request.user, request.user, person)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": done})
    return redirect("notifications:inbox")


class ChoicesForm(forms.Form):
    """One choice per kind: at once, daily digest, never."""

    def __init__(self, *args: object, initial_choices: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for code, kind in KINDS.items():
            self.fields[code] = forms.ChoiceField(label=kind.label, choices=CHOICES,
                                                  initial=initial_choices.get(code, kind.default))


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Per kind: e-mail at once, in the daily digest, or never; and this device's web push."""
    chosen = dict(EmailChoice.objects.filter(user=request.user).values_list("kind", "choice"))
    form = ChoicesForm(request.POST or None, initial_choices=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_email_choices(request.user, request.user, form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {
        "form": form,
        "devices": PushSubscription.objects.filter(user=request.user),
        "vapid_public_key": settings.CAREWEAVE_VAPID_PUBLIC_KEY,
        "has_address": bool(request.user.email or getattr(getattr(request.user, "professional", None), "email", "")),
    })


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The browser's PushSubscription (JSON, sent by push.js after the user opted in)."""
    try:
        data = json.loads(request.body or b"{}")
        keys = data.get("keys") or {}
        actions.subscribe_push(request.user, request.user, str(data.get("endpoint", "")), str(keys.get("p256dh", "")),
                               str(keys.get("auth", "")), request.headers.get("User-Agent", ""))
    except (ValueError, AttributeError):
        return JsonResponse({"error": _("This browser gave no usable push address.")}, status=400)
    except RuleViolation as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def push_remove(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(PushSubscription, pk=pk)
    try:
        actions.unsubscribe_push(request.user, subscription)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("This device no longer receives notifications."))
    return redirect("notifications:settings")


def service_worker(request: HttpRequest) -> HttpResponse:
    """``/push-sw.js``: served from the root so that its scope covers the whole app (the offline worker of
    /assessments/ keeps its own, narrower scope)."""
    body = render_to_string("notifications/push-sw.js", {"inbox": reverse("notifications:inbox")})
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """For the administrator: e-mails and push messages that failed or are still being retried."""
    if not may(request.user, "notifications.see_deliveries"):
        raise Http404
    failing = (Delivery.objects.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.QUEUED])
               .exclude(status=Delivery.Status.QUEUED, attempts=0).select_related("recipient", "notification__event")
               .order_by("-updated_at")[:200])
    return render(request, "notifications/deliveries.html", {"deliveries": failing})


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        actions.retry_delivery(request.user, delivery)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The message is queued again."))
    return redirect("notifications:deliveries")
