"""Maturity pages: thin views over ``actions``; zone staff run rounds, participants score their own.

Access: a round's pages are for its zone's staff; the scoring pages for the participant alone.
Anyone else gets 404 (they do not learn that the round exists), a participant on a staff page 403.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careweave.access.audit import record_access
from careweave.careplans.errors import RuleViolation
from careweave.csvexport import CONTENT_TYPE, csv_bytes
from careweave.territory.models import Zone, ZoneStaff
from careweave.versioning import ChangedMeanwhile

from . import actions, aggregation, mail
from .charts import bubbles, radar, vote_bars
from .dimensions import by_code, dimensions
from .forms import InviteForm, RoundForm, SuggestForm, WorkshopForm
from .models import ConsensusWorkshop, MaturityRound, Participant, WorkshopVote


def _staff_round(request: HttpRequest, pk: int) -> MaturityRound:
    round_ = get_object_or_404(MaturityRound.objects.select_related("zone"), pk=pk)
    if actions.manages(request.user, round_.zone):
        return round_
    if Participant.objects.filter(round=round_, user=request.user).exists():
        raise PermissionDenied(_("The results of a round are for the zone's staff."))
    raise Http404


def _own_participation(request: HttpRequest, pk: int) -> Participant:
    participant = Participant.objects.select_related("round__zone", "user").filter(
        round_id=pk, user=request.user
    ).first()
    if participant is None:
        raise Http404
    return participant


def _managed_zones(user) -> list[Zone]:  # noqa: ANN001
    roles = [ZoneStaff.Role.CONTACT_POINT, ZoneStaff.Role.STAFF]
    return list(Zone.objects.filter(staff__user=user, staff__role__in=roles).distinct().order_by("name"))


def _error(request: HttpRequest, error: Exception) -> None:
    messages.error(request, str(error))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    zones = _managed_zones(request.user)
    rounds = MaturityRound.objects.filter(zone__in=zones).select_related("zone")
    mine = Participant.objects.filter(user=request.user).select_related("round__zone").prefetch_related(
        "round__workshops").order_by("-round__year")
    if not zones and not mine:
        raise Http404
    return render(request, "maturity/index.html", {
        "zones": zones, "rounds": rounds, "participations": mine, "form": RoundForm(),
    })


@login_required
@require_POST
def create_round(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = get_object_or_404(Zone, pk=zone_id)
    if not actions.manages(request.user, zone):
        raise Http404
    form = RoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("maturity:index")
    try:
        round_ = actions.open_round(request.user, zone, form.cleaned_data["year"], form.cleaned_data["label"])
    except RuleViolation as error:
        _error(request, error)
        return redirect("maturity:index")
    return redirect("maturity:round", round_.pk)


def _participant_row(p: Participant) -> dict:
    reminders = list(p.reminders.all())  # newest first (Meta.ordering)
    return {
        "p": p, "done": actions.progress(p), "has_address": bool(mail.address_of(p.user)),
        "reminded": reminders[0].sent_at if reminders else None, "reminders": len(reminders),
    }


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    form = InviteForm()
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                actions.invite_participant(request.user, round_, data["username"], data["organisation"], data["role"])
                return redirect("maturity:round", round_.pk)
            except RuleViolation as error:
                form.add_error(None, str(error))
    participants = round_.participants.select_related("user__professional").prefetch_related("scores", "reminders")
    rows = [_participant_row(p) for p in participants]
    return render(request, "maturity/round.html", {
        "round": round_, "rows": rows, "form": form, "total": len(dimensions()),
        "to_remind": sum(1 for r in rows if not r["p"].submitted),
        "workshops": round_.workshops.all(), "previous": actions.previous_round(round_),
    })


@login_required
@require_POST
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    try:
        version = int(request.POST.get("version", ""))
        if request.POST.get("do") == "close":
            actions.close_round(request.user, round_, version)
        else:
            actions.reopen_round(request.user, round_, version)
    except ValueError:
        messages.error(request, _("The form was incomplete; nothing was changed."))
    except (RuleViolation, ChangedMeanwhile) as error:
        _error(request, error)
    return redirect("maturity:round", round_.pk)


@login_required
@require_POST
def reopen_participant(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    participant = get_object_or_404(Participant, pk=participant_id, round=round_)
    try:
        actions.reopen_scores(request.user, participant)
    except RuleViolation as error:
        _error(request, error)
    return redirect("maturity:round", round_.pk)


def _names(people: list[Participant]) -> str:
    return ", ".join(str(p) for p in people)


def _tell_reminders(request: HttpRequest, outcome: actions.Reminders) -> None:
    """Tell the organiser, in their language, what happened to every participant asked for."""
    if outcome.sent:
        messages.success(request, _("Reminder sent to: %(names)s.") % {"names": _names(outcome.sent)})
    if outcome.recent:
        messages.info(request, _("Not sent again, reminded less than 24 hours ago: %(names)s.")
                      % {"names": _names(outcome.recent)})
    if outcome.no_address:
        messages.warning(request, _("Skipped, no e-mail address: %(names)s.") % {"names": _names(outcome.no_address)})
    if outcome.submitted:
        messages.info(request, _("Already submitted, no reminder needed: %(names)s.")
                      % {"names": _names(outcome.submitted)})
    if outcome.failed:
        messages.error(request, _(
            "The reminder could not be sent to %(names)s: the mail server did not accept it. Nothing was recorded; "
            "try again later or ask the administrator to check the e-mail settings."
        ) % {"names": _names(outcome.failed)})
    if not any((outcome.sent, outcome.recent, outcome.no_address, outcome.submitted, outcome.failed)):
        messages.info(request, _("Everybody has submitted: there is nobody to remind."))


@login_required
@require_POST
def remind(request: HttpRequest, pk: int, participant_id: int | None = None) -> HttpResponse:
    """Reminder mails to non-responders (C13-R11): all who have not submitted, or the one of this row."""
    round_ = _staff_round(request, pk)
    chosen = None if participant_id is None else [get_object_or_404(Participant, pk=participant_id, round=round_)]
    link = request.build_absolute_uri(reverse("maturity:score", args=[round_.pk]))
    try:
        outcome = actions.send_reminders(request.user, round_, link, chosen)
    except RuleViolation as error:
        _error(request, error)
    else:
        _tell_reminders(request, outcome)
    return redirect("maturity:round", round_.pk)


# --- scoring -----------------------------------------------------------------------------------------


def _score_rows(participant: Participant) -> list[dict]:
    saved = {s.dimension: s for s in participant.scores.all()}
    return [{"d": d, "s": saved.get(d.code)} for d in dimensions()]


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page; without JavaScript the whole form is posted and saved dimension by dimension."""
    participant = _own_participation(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        for d in dimensions():
            raw_score = request.POST.get(f"score-{d.code}", "")
            argument = request.POST.get(f"argument-{d.code}", "")
            try:
                value = int(raw_score) if raw_score != "" else None
                actions.save_score(request.user, participant, d.code, value, argument, base_version=int(
                    request.POST.get(f"version-{d.code}", "0") or 0))
            except ValueError:
                errors.append(f"{d.number}. {d.name}: " + _("A score is a whole number from 0 to 5."))
            except (RuleViolation, ChangedMeanwhile) as error:
                errors.append(f"{d.number}. {d.name}: {error}")
        if not errors:
            messages.success(request, _("Your scores have been saved."))
            return redirect("maturity:score", pk)
    rows = _score_rows(participant)
    values = {r["d"].code: r["s"].score for r in rows if r["s"] and r["s"].score is not None}
    return render(request, "maturity/score.html", {
        "participant": participant, "round": participant.round, "rows": rows, "errors": errors,
        "editable": participant.round.is_open and not participant.submitted,
        "missing": [by_code(c) for c in actions.missing_dimensions(participant)],
        "chart": radar([(str(participant), values, "series--self")]) if values else None,
    })


def _state(row) -> dict:  # noqa: ANN001
    return {"score": row.score, "argument": row.argument, "version": row.version, "complete": row.complete}


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int, code: str) -> JsonResponse:
    """One dimension, saved as typed: JSON {score, argument, version, device, seq}."""
    participant = _own_participation(request, pk)
    try:
        body = json.loads(request.body or b"{}")
        raw_score = body.get("score")
        value = None if raw_score in (None, "") else raw_score
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise RuleViolation("score_range", _("A score is a whole number from 0 to 5."))
        argument = body.get("argument", "")
        if not isinstance(argument, str):
            raise RuleViolation("argument_text", _("An argument is text."))
        saved = actions.save_score(
            request.user, participant, code, value, argument,
            base_version=int(body.get("version") or 0),
            device=str(body.get("device", "")),
            seq=int(body.get("seq") or 0),
        )
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("The saved data could not be read; nothing was changed.")}, status=400)
    except ChangedMeanwhile as error:
        current = participant.scores.filter(dimension=code).first()
        return JsonResponse({"error": str(error), "current": _state(current)}, status=409)
    except RuleViolation as error:
        return JsonResponse({"error": str(error), "code": error.rule}, status=400)
    return JsonResponse({"outcome": saved.outcome, **_state(saved.row)})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _own_participation(request, pk)
    try:
        actions.submit_scores(request.user, participant)
        messages.success(request, _("Thank you: your scores have been submitted."))
    except RuleViolation as error:
        _error(request, error)
    return redirect("maturity:score", pk)


# --- results, workshop, report, comparison -------------------------------------------------------


def _stat_rows(stats: dict) -> list[dict]:
    return [{"d": d, "s": stats[d.code]} for d in dimensions()]


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    people = actions.submitted_scores(round_)
    stats = aggregation.aggregate(scores for _p, scores in people)
    suggest = SuggestForm(request.GET or None)
    count = suggest.cleaned_data["count"] if suggest.is_valid() else aggregation.WORKSHOP_DEFAULT
    means = {code: s.mean for code, s in stats.items()}
    individual = [
        {"p": p, "id": f"p{p.pk}", "chart": radar([(str(p), scores, "series--self")]), "scores": scores}
        for p, scores in people
    ]
    return render(request, "maturity/results.html", {
        "round": round_, "stats": _stat_rows(stats), "n": len(people), "invited": round_.participants.count(),
        "chart": radar([(_("mean"), means, "series--mean")]) if people else None,
        "individual": individual, "dims": dimensions(), "suggest": suggest,
        "suggested": [by_code(c) for c in aggregation.suggest_for_workshop(stats, count)] if people else [],
        "count": count, "levels": range(6), "bubbles": bubbles({c: s.counts for c, s in stats.items()}),
    })


@login_required
def new_workshop(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    stats = actions.round_stats(round_)
    form = WorkshopForm(request.POST or None, initial={"chosen": aggregation.suggest_for_workshop(stats)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = actions.plan_workshop(request.user, round_, data["held_on"], data["chosen"], data["attendees"])
            return redirect("maturity:workshop", workshop.pk)
        except RuleViolation as error:
            form.add_error("held_on" if error.rule == "workshop_date" else "chosen", str(error))
    return render(request, "maturity/workshop_new.html", {"round": round_, "form": form})


@login_required
def workshop(request: HttpRequest, workshop_id: int) -> HttpResponse:
    item = get_object_or_404(ConsensusWorkshop.objects.select_related("round__zone"), pk=workshop_id)
    round_ = _staff_round(request, item.round_id)
    stats = actions.round_stats(round_)
    errors: list[str] = []
    if request.method == "POST":
        outcomes = {}
        for row in item.dimensions.all():
            raw_score = request.POST.get(f"score-{row.dimension}", "")
            try:
                value = int(raw_score) if raw_score != "" else None
            except ValueError:
                value = -1  # refused by the action with its clear message
            outcomes[row.dimension] = (value, request.POST.get(f"argument-{row.dimension}", ""))
        try:
            actions.record_consensus(request.user, item, outcomes, request.POST.get("notes", ""),
                                     int(request.POST.get("version", "0") or 0))
            messages.success(request, _("The workshop report has been saved."))
            return redirect("maturity:workshop", item.pk)
        except (RuleViolation, ChangedMeanwhile, ValueError) as error:
            errors.append(str(error))
    closed = _last_closed_votes(item)
    rows = [{"w": w, "d": by_code(w.dimension), "s": stats[w.dimension],
             "result": _vote_result(closed[w.pk], stats) if w.pk in closed else None} for w in item.dimensions.all()]
    return render(request, "maturity/workshop.html", {
        "round": round_, "workshop": item, "rows": rows, "errors": errors, "posted": request.POST or None,
        "chart": radar([(_("mean"), {c: s.mean for c, s in stats.items()}, "series--mean")]),
    })


# --- live voting in the workshop (C13-R07) ---------------------------------------------------------


def _workshop_of(workshop_id: int) -> ConsensusWorkshop:
    return get_object_or_404(ConsensusWorkshop.objects.select_related("round__zone"), pk=workshop_id)


def _staff_workshop(request: HttpRequest, workshop_id: int) -> ConsensusWorkshop:
    item = _workshop_of(workshop_id)
    _staff_round(request, item.round_id)
    return item


def _voting(request: HttpRequest, workshop_id: int) -> tuple[ConsensusWorkshop, Participant]:
    """The round's participants vote (submitted or not); the facilitator 403, anyone else 404."""
    item = _workshop_of(workshop_id)
    participant = actions.voter(request.user, item)
    if participant is not None:
        return item, participant
    if actions.manages(request.user, item.round.zone):
        raise PermissionDenied(_("Only the round's participants vote; follow the count on the live page."))
    raise Http404


def _last_closed_votes(item: ConsensusWorkshop) -> dict[int, WorkshopVote]:
    """Per discussed dimension (its row's pk), the latest closed vote: its result goes beside the consensus."""
    last: dict[int, WorkshopVote] = {}
    for vote in item.votes.filter(closed_at__isnull=False).order_by("opened_at", "pk"):
        last[vote.item_id] = vote
    return last


def _vote_result(vote: WorkshopVote, stats: dict) -> dict:
    """Counts only, never who: the room's distribution beside the questionnaire's for the same dimension."""
    room = actions.vote_counts(vote)
    asked = stats[vote.item.dimension].counts
    return {
        "vote": vote, "d": by_code(vote.item.dimension), "n": sum(room), "asked_n": sum(asked),
        "table": [{"score": s, "room": room[s], "asked": asked[s]} for s in range(6)],
        "chart": vote_bars(room, asked),
    }


def _live_context(item: ConsensusWorkshop) -> dict:
    current = actions.open_vote_of(item) or item.votes.select_related("item").order_by("-opened_at", "-pk").first()
    stats = actions.round_stats(item.round)
    return {"workshop": item, "round": item.round, "current": current,
            "result": _vote_result(current, stats) if current else None}


@login_required
def live(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The facilitator's screen: open and close votes, the room's count refreshed every 2 s (or on reload)."""
    item = _staff_workshop(request, workshop_id)
    context = _live_context(item)
    context["rows"] = [{"w": w, "d": by_code(w.dimension)} for w in item.dimensions.all()]
    context["vote_url"] = request.build_absolute_uri(reverse("maturity:vote", args=[item.pk]))
    return render(request, "maturity/live.html", context)


@login_required
def live_panel(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The polled fragment of the live page: counts per score and the number of votes."""
    item = _staff_workshop(request, workshop_id)
    return render(request, "maturity/includes/live_panel.html", _live_context(item))


@login_required
@require_POST
def open_vote(request: HttpRequest, workshop_id: int) -> HttpResponse:
    item = _staff_workshop(request, workshop_id)
    try:
        actions.open_vote(request.user, item, request.POST.get("dimension", ""))
    except RuleViolation as error:
        _error(request, error)
    return redirect("maturity:live", item.pk)


@login_required
@require_POST
def close_vote(request: HttpRequest, workshop_id: int, vote_id: int) -> HttpResponse:
    item = _staff_workshop(request, workshop_id)
    vote = get_object_or_404(WorkshopVote.objects.select_related("item"), pk=vote_id, workshop=item)
    try:
        actions.close_vote(request.user, vote)
    except RuleViolation as error:
        _error(request, error)
    return redirect("maturity:live", item.pk)


def _ballot_context(item: ConsensusWorkshop, participant: Participant) -> dict:
    current = actions.open_vote_of(item)
    mine = current.ballots.filter(participant=participant).first() if current else None
    return {"workshop": item, "round": item.round, "current": current, "mine": mine,
            "d": by_code(current.item.dimension) if current else None}


@login_required
def vote(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The participant's phone page: the open vote's dimension and levels, one tap per score (plain form)."""
    item, participant = _voting(request, workshop_id)
    if request.method == "POST":
        raw = request.POST.get("vote", "")
        chosen = WorkshopVote.objects.filter(pk=int(raw), workshop=item).first() if raw.isdigit() else None
        try:
            if chosen is None:
                raise RuleViolation("no_vote", _("This vote does not exist any more: nothing was counted."))
            ballot = actions.cast_vote(request.user, chosen, int(request.POST.get("score", "")))
            messages.success(request, _("Your vote has been counted: %(score)s. You can change it while the vote is "
                                        "open.") % {"score": ballot.score})
        except ValueError:
            messages.error(request, _("A score is a whole number from 0 to 5."))
        except RuleViolation as error:
            _error(request, error)
        return redirect("maturity:vote", item.pk)
    return render(request, "maturity/vote.html", _ballot_context(item, participant))


@login_required
def vote_panel(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The polled fragment of the phone page, so a vote that opens or closes shows up without reloading."""
    item, participant = _voting(request, workshop_id)
    return render(request, "maturity/includes/vote_panel.html", _ballot_context(item, participant))


def _report_context(round_: MaturityRound) -> dict:
    people = actions.submitted_scores(round_)
    stats = aggregation.aggregate(scores for _p, scores in people)
    arguments = {}
    for p, _scores in people:
        for s in p.scores.all():
            if s.complete:
                arguments.setdefault(s.dimension, []).append((p, s))
    sections = [{"d": d, "s": stats[d.code], "arguments": arguments.get(d.code, [])} for d in dimensions()]
    return {"round": round_, "people": people, "sections": sections, "workshops": round_.workshops.prefetch_related(
        "dimensions"), "chart": radar([(_("mean"), {c: s.mean for c, s in stats.items()}, "series--mean")])}


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Zone staff see the report at any time; participants receive it (001 l.7942-7944) once the round
    is closed, with the arguments by organisation and role, not by name."""
    round_ = get_object_or_404(MaturityRound.objects.select_related("zone"), pk=pk)
    staff = actions.manages(request.user, round_.zone)
    if not staff:
        if not Participant.objects.filter(round=round_, user=request.user).exists():
            raise Http404
        if round_.is_open:
            raise PermissionDenied(_("Participants receive the report when the round is closed."))
    context = _report_context(round_)
    context["staff"] = staff
    for w in context["workshops"]:
        w.rows = [{"w": row, "d": by_code(row.dimension)} for row in w.dimensions.all()]
    return render(request, "maturity/report.html", context)


@login_required
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every score with its argument (scores never leave without argumentation, C13-R02), as every CSV here."""
    round_ = _staff_round(request, pk)
    rows = []
    for p, _scores in actions.submitted_scores(round_):
        saved = {s.dimension: s for s in p.scores.all() if s.complete}
        for d in dimensions():
            s = saved.get(d.code)
            if s is not None:
                rows.append([d.number, d.name, str(p), p.organisation, p.role, s.score, s.argument])
    header = [_("Dimension number"), _("Dimension"), _("Participant"), _("Organisation"), _("Role"), _("Score"),
              _("Argument")]
    response = HttpResponse(csv_bytes(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="maturity-{round_.zone.code}-{round_.year}.csv"'
    record_access(request.user, "read", "MaturityReport", str(round_.fhir_id))
    return response


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    previous = actions.previous_round(round_)
    if previous is None:
        messages.info(request, _("There is no earlier round of this zone to compare with."))
        return redirect("maturity:results", round_.pk)
    before, after = actions.round_stats(previous), actions.round_stats(round_)
    changes = aggregation.compare(before, after)
    return render(request, "maturity/compare.html", {
        "round": round_, "previous": previous,
        "rows": [{"d": by_code(c.dimension), "c": c} for c in changes],
        "chart": radar([
            (str(previous.year), {c: s.mean for c, s in before.items()}, "series--before"),
            (str(round_.year), {c: s.mean for c, s in after.items()}, "series--mean"),
        ]),
    })
