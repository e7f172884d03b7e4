"""The maturity self-assessment's rules (C13): who opens a round, how a score is kept, when it counts.

Every write goes through one of these functions (decision 0003): it checks the actor, runs in one
transaction, audits the write and raises ``RuleViolation`` with a translated message on bad input.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import authorize, may
from careweave.careplans.actions._common import atomic_action
from careweave.careplans.errors import RuleViolation
from careweave.dates import check_date
from careweave.territory.models import Zone
from careweave.versioning import ChangedMeanwhile

from . import aggregation, mail
from .dimensions import SCORES, by_code, codes
from .models import (
    ARGUMENT_MAX,
    ConsensusWorkshop,
    DimensionScore,
    MaturityRound,
    Participant,
    ParticipantReminder,
    VoteBallot,
    WorkshopDimension,
    WorkshopVote,
)

logger = logging.getLogger(__name__)


def manages(actor, zone: Zone) -> bool:  # noqa: ANN001
    """Zone staff (and the contact point) of the zone run its self-assessment (the table's row)."""
    return bool(actor and actor.is_authenticated) and may(actor, "maturity.open_round", zone)


def _audit(actor, action: str, kind: str, obj) -> None:  # noqa: ANN001
    record_access(actor, action, kind, str(getattr(obj, "fhir_id", None) or obj.pk))


def _check_score(score: int | None) -> None:
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 5):
        raise RuleViolation("score_range", _("A score is a whole number from 0 to 5."))


def _check_argument(argument: str) -> None:
    if len(argument) > ARGUMENT_MAX:
        raise RuleViolation(
            "argument_too_long", _("An argument can be at most %(max)s characters.") % {"max": ARGUMENT_MAX}
        )


def _check_dimension(code: str) -> None:
    if by_code(code) is None:
        raise RuleViolation("unknown_dimension", _("This is not one of the twelve dimensions."))


# --- rounds and participants -----------------------------------------------------------------------


@atomic_action
def open_round(actor, zone: Zone, year: int, label: str = "") -> MaturityRound:  # noqa: ANN001
    """A new yearly measurement for the zone (C13-R13); one per zone and year."""
    authorize(actor, "maturity.open_round", zone)
    if not 2000 <= year <= 2100:
        raise RuleViolation("year_range", _("Give a year between 2000 and 2100."))
    if MaturityRound.objects.filter(zone=zone, year=year).exists():
        raise RuleViolation("round_exists", _("This zone already has a round for %(year)s.") % {"year": year})
    created = MaturityRound.objects.create(zone=zone, year=year, label=label.strip(), created_by=actor)
    _audit(actor, "create", "MaturityRound", created)
    return created


@atomic_action
def close_round(actor, round_: MaturityRound, expected_version: int | None = None) -> MaturityRound:  # noqa: ANN001
    """Closing stops all scoring; the results stay as they are for the report and next year's comparison."""
    authorize(actor, "maturity.close_round", round_)
    if not round_.is_open:
        raise RuleViolation("round_closed", _("This round is already closed."))
    round_.status, round_.closed_at = MaturityRound.Status.CLOSED, timezone.now()
    round_.save_versioned(expected_version, update_fields=["status", "closed_at"])
    _audit(actor, "update", "MaturityRound", round_)
    return round_


@atomic_action
def reopen_round(actor, round_: MaturityRound, expected_version: int | None = None) -> MaturityRound:  # noqa: ANN001
    authorize(actor, "maturity.reopen_round", round_)
    if round_.is_open:
        raise RuleViolation("round_open", _("This round is already open."))
    round_.status, round_.closed_at = MaturityRound.Status.OPEN, None
    round_.save_versioned(expected_version, update_fields=["status", "closed_at"])
    _audit(actor, "update", "MaturityRound", round_)
    return round_


@atomic_action
def invite_participant(
    actor, round_: MaturityRound, user: User, organisation: str = "", role: str = ""  # noqa: ANN001
) -> Participant:
    """Invite someone to score for their organisation or role (a mix of backgrounds, 001 l.7792-7794)."""
    authorize(actor, "maturity.invite_participant", round_)
    if not round_.is_open:
        raise RuleViolation("round_closed", _("This round is closed: nobody can be invited any more."))
    if not user.is_active:
        raise RuleViolation("inactive_user", _("This account is not active."))
    if Participant.objects.filter(round=round_, user=user).exists():
        raise RuleViolation("already_invited", _("This person is already taking part in this round."))
    participant = Participant.objects.create(
        round=round_, user=user, organisation=organisation.strip(), role=role.strip(), invited_by=actor
    )
    _audit(actor, "create", "MaturityParticipant", participant)
    return participant


# --- scoring -----------------------------------------------------------------------------------------


def _require_own_open(actor, participant: Participant, name: str) -> None:  # noqa: ANN001
    authorize(actor, name, participant)
    if not participant.round.is_open:
        raise RuleViolation("round_closed", _("This round is closed: the scores can no longer be changed."))
    if participant.submitted:
        raise RuleViolation(
            "already_submitted", _("You have submitted your scores; ask the zone staff to reopen them.")
        )


@dataclass
class Saved:
    row: DimensionScore
    outcome: str  # "saved", "unchanged" (same content) or "stale" (an older edit from this device)


def _locked_row(participant: Participant, dimension: str) -> DimensionScore | None:
    return DimensionScore.objects.select_for_update().filter(participant=participant, dimension=dimension).first()


@atomic_action
def save_score(
    actor,  # noqa: ANN001
    participant: Participant,
    dimension: str,
    score: int | None,
    argument: str,
    *,
    base_version: int = 0,
    device: str = "",
    seq: int = 0,
) -> Saved:
    """Keep one dimension's score and argument as typed (autosave, C13-R10: nothing lost, ever).

    A score without an argument is kept as a draft. The save is idempotent: the same content again
    changes nothing, and a late request carrying an older edit of the same device is ignored. A
    different device that saved meanwhile is a conflict (``ChangedMeanwhile``), never a silent overwrite.
    """
    _require_own_open(actor, participant, "maturity.save_score")
    _check_dimension(dimension)
    _check_score(score)
    _check_argument(argument)
    device = device[:64]
    row = _locked_row(participant, dimension)
    if row is None:
        try:
            with transaction.atomic():
                row = DimensionScore.objects.create(
                    participant=participant, dimension=dimension, score=score, argument=argument,
                    device=device, seq=seq,
                )
        except IntegrityError:  # another request created it meanwhile: treat it as an update
            row = _locked_row(participant, dimension)
        else:
            _audit(actor, "create", "MaturityScore", row)
            return Saved(row, "saved")
    if row.score == score and row.argument == argument:
        return Saved(row, "unchanged")
    same_device = bool(device) and row.device == device
    if same_device and seq <= row.seq:
        return Saved(row, "stale")
    if not same_device and base_version != row.version:
        raise ChangedMeanwhile(row, base_version)
    row.score, row.argument, row.device, row.seq = score, argument, device, seq
    row.save_versioned(row.version, update_fields=["score", "argument", "device", "seq"])
    _audit(actor, "update", "MaturityScore", row)
    return Saved(row, "saved")


def missing_dimensions(participant: Participant) -> list[str]:
    """The dimensions that do not count yet: no score, or a score without argument."""
    done = {s.dimension for s in participant.scores.all() if s.complete}
    return [code for code in codes() if code not in done]


@atomic_action
def submit_scores(actor, participant: Participant) -> Participant:  # noqa: ANN001
    """"Submit my scores": all twelve with an argument (C13-R03); then read-only unless reopened."""
    _require_own_open(actor, participant, "maturity.submit_scores")
    missing = missing_dimensions(participant)
    if missing:
        names = ", ".join(f"{by_code(c).number}. {by_code(c).name}" for c in missing)
        raise RuleViolation(
            "incomplete",
            _("Every dimension needs a score and an argument before you submit. Still missing: %(names)s.")
            % {"names": names},
        )
    participant.submitted_at = timezone.now()
    participant.save(update_fields=["submitted_at"])
    _audit(actor, "update", "MaturityParticipant", participant)
    return participant


@atomic_action
def reopen_scores(actor, participant: Participant) -> Participant:  # noqa: ANN001
    """Zone staff give a participant their scores back to change them (while the round is open)."""
    authorize(actor, "maturity.reopen_scores", participant)
    if not participant.round.is_open:
        raise RuleViolation("round_closed", _("This round is closed: reopen the round first."))
    if not participant.submitted:
        raise RuleViolation("not_submitted", _("These scores have not been submitted."))
    participant.submitted_at = None
    participant.save(update_fields=["submitted_at"])
    _audit(actor, "update", "MaturityParticipant", participant)
    return participant


# --- reminders to non-responders (C13-R11) -------------------------------------------------------

# A second click, or a colleague clicking too, within this window sends nothing again.
REMINDER_INTERVAL = timedelta(hours=24)


@dataclass
class Reminders:
    """What happened to each participant asked for: the organiser is told about every one of them."""

    sent: list[Participant] = field(default_factory=list)
    recent: list[Participant] = field(default_factory=list)  # reminded less than REMINDER_INTERVAL ago
    no_address: list[Participant] = field(default_factory=list)
    submitted: list[Participant] = field(default_factory=list)  # submitted meanwhile: no reminder needed
    failed: list[Participant] = field(default_factory=list)  # the mail backend refused: nothing recorded


def progress(participant: Participant) -> int:
    """How many dimensions count already (a score with its argument)."""
    return sum(1 for s in participant.scores.all() if s.complete)


def last_reminder(participant: Participant) -> ParticipantReminder | None:
    return participant.reminders.order_by("-sent_at").first()


def send_reminders(
    actor,  # noqa: ANN001
    round_: MaturityRound,
    score_url: str,
    participants: Iterable[Participant] | None = None,
) -> Reminders:
    """Mail a reminder to everyone who has not submitted (or to the ones given), in their language.

    Non-responders were reminded by mail in 2022 (001 l.7830-7832). Each participant is handled in a
    transaction of their own, holding their row locked while the mail goes out: a mail that was
    sent cannot be taken back, so its record is committed with it, a failed one leaves no record,
    and a double click waits for the first and then finds the reminder of less than 24 hours.
    A backend that fails never raises: the participant is reported in ``failed``.
    """
    authorize(actor, "maturity.send_reminders", round_)
    if not round_.is_open:
        raise RuleViolation("round_closed", _("This round is closed: reminders are only sent while it is open."))
    if participants is None:
        wanted = list(round_.participants.filter(submitted_at__isnull=True))
    else:
        wanted = list(participants)
        if any(p.round_id != round_.pk for p in wanted):
            raise RuleViolation("not_in_round", _("This person is not taking part in this round."))
    outcome = Reminders()
    fallback = get_language() or ""
    connection = None  # one connection for all the mails, opened at the first one
    try:
        for candidate in wanted:
            with transaction.atomic():
                # Only the participant's row is locked (no join: PostgreSQL would lock the round too).
                participant = Participant.objects.select_for_update().get(pk=candidate.pk)
                participant.round = round_
                address = mail.address_of(participant.user)
                last = last_reminder(participant)
                if participant.submitted:
                    outcome.submitted.append(participant)
                    continue
                if not address:
                    outcome.no_address.append(participant)
                    continue
                if last is not None and timezone.now() - last.sent_at < REMINDER_INTERVAL:
                    outcome.recent.append(participant)
                    continue
                language = mail.reminder_language(participant, fallback)
                message = mail.reminder_message(
                    participant, missing=missing_dimensions(participant), link=score_url, language=language,
                    sender=actor, to=address,
                )
                try:
                    if connection is None:
                        connection = get_connection(fail_silently=False)
                        connection.open()
                    message.connection = connection
                    message.send()
                except Exception:  # any backend (SMTP, file, a provider's API): tell the organiser, never a 500
                    logger.exception("Maturity reminder to participant %s could not be sent", participant.pk)
                    outcome.failed.append(participant)
                    continue
                reminder = ParticipantReminder.objects.create(participant=participant, sent_by=actor, language=language)
                _audit(actor, "create", "MaturityReminder", reminder)
                outcome.sent.append(participant)
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
    return outcome


# --- results -----------------------------------------------------------------------------------------


def submitted_scores(round_: MaturityRound) -> list[tuple[Participant, dict[str, int]]]:
    """The submitted participants with their scores: only these count in the aggregation."""
    participants = round_.participants.filter(submitted_at__isnull=False).select_related("user").prefetch_related(
        "scores"
    )
    return [(p, {s.dimension: s.score for s in p.scores.all() if s.complete}) for p in participants]


def round_stats(round_: MaturityRound) -> dict[str, aggregation.DimensionStats]:
    return aggregation.aggregate(scores for _p, scores in submitted_scores(round_))


def previous_round(round_: MaturityRound) -> MaturityRound | None:
    """The zone's latest earlier round, for the yearly comparison."""
    return MaturityRound.objects.filter(zone=round_.zone, year__lt=round_.year).order_by("-year").first()


# --- the consensus workshop --------------------------------------------------------------------------


def _check_workshop_dimensions(chosen: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(chosen))
    for code in chosen:
        _check_dimension(code)
    if not aggregation.WORKSHOP_MIN <= len(chosen) <= aggregation.WORKSHOP_MAX:
        raise RuleViolation(
            "workshop_size",
            _("A workshop discusses %(min)s to %(max)s dimensions; you chose %(n)s.")
            % {"min": aggregation.WORKSHOP_MIN, "max": aggregation.WORKSHOP_MAX, "n": len(chosen)},
        )
    return chosen


@atomic_action
def plan_workshop(
    actor, round_: MaturityRound, held_on: date, chosen: Iterable[str], attendees: int = 0  # noqa: ANN001
) -> ConsensusWorkshop:
    """A consensus workshop on 3-7 dimensions (001 l.7862-7880); it may follow a closed round."""
    authorize(actor, "maturity.plan_workshop", round_)
    chosen = _check_workshop_dimensions(chosen)
    check_date("workshop", held_on, anchor=round_.year)
    if attendees < 0:
        raise RuleViolation("attendees", _("The number of attendees cannot be negative."))
    workshop = ConsensusWorkshop.objects.create(round=round_, held_on=held_on, facilitator=actor, attendees=attendees)
    WorkshopDimension.objects.bulk_create(WorkshopDimension(workshop=workshop, dimension=c) for c in chosen)
    _audit(actor, "create", "MaturityWorkshop", workshop)
    return workshop


@atomic_action
def record_consensus(
    actor,  # noqa: ANN001
    workshop: ConsensusWorkshop,
    outcomes: Mapping[str, tuple[int | None, str]],
    notes: str,
    expected_version: int,
) -> ConsensusWorkshop:
    """The facilitator's report per discussed dimension (001 l.7942-7944): a consensus score needs its argument."""
    authorize(actor, "maturity.record_consensus", workshop)
    rows = {d.dimension: d for d in workshop.dimensions.all()}
    for code, (score, argument) in outcomes.items():
        if code not in rows:
            raise RuleViolation("not_discussed", _("This dimension was not chosen for this workshop."))
        _check_score(score)
        _check_argument(argument)
        if score is not None and not argument.strip():
            raise RuleViolation(
                "consensus_argument",
                _("%(name)s: a consensus score needs the argument behind it.") % {"name": by_code(code).name},
            )
    _check_argument(notes)
    workshop.notes = notes
    workshop.save_versioned(expected_version, update_fields=["notes"])
    for code, (score, argument) in outcomes.items():
        row = rows[code]
        row.consensus_score, row.argument = score, argument.strip()
        row.save(update_fields=["consensus_score", "argument"])
    _audit(actor, "update", "MaturityWorkshop", workshop)
    return workshop


# --- live voting in the workshop (C13-R07) ---------------------------------------------------------


def open_vote_of(workshop: ConsensusWorkshop) -> WorkshopVote | None:
    """The workshop's vote that is open now, if any (there is at most one)."""
    return workshop.votes.filter(closed_at__isnull=True).select_related("item").first()


def voter(actor, workshop: ConsensusWorkshop) -> Participant | None:  # noqa: ANN001
    """The actor's participation in the workshop's round: everyone invited may vote, submitted or not (C13-R11)."""
    if actor is None or not actor.is_authenticated:
        return None
    return Participant.objects.filter(round_id=workshop.round_id, user=actor).first()


@atomic_action
def open_vote(actor, workshop: ConsensusWorkshop, dimension: str) -> WorkshopVote:  # noqa: ANN001
    """The facilitator asks the room to score one discussed dimension; one open vote per workshop at a time."""
    authorize(actor, "maturity.open_vote", workshop)
    ConsensusWorkshop.objects.select_for_update().filter(pk=workshop.pk).first()  # serialise two clicks at once
    item = workshop.dimensions.filter(dimension=dimension).first()
    if item is None:
        raise RuleViolation("not_discussed", _("This dimension was not chosen for this workshop."))
    if open_vote_of(workshop) is not None:
        raise RuleViolation("vote_open", _("Another vote is still open: close it first."))
    try:
        with transaction.atomic():
            vote = WorkshopVote.objects.create(workshop=workshop, item=item, opened_by=actor)
    except IntegrityError as error:  # another request opened one meanwhile
        raise RuleViolation("vote_open", _("Another vote is still open: close it first.")) from error
    _audit(actor, "create", "MaturityVote", vote)
    return vote


@atomic_action
def close_vote(actor, vote: WorkshopVote) -> WorkshopVote:  # noqa: ANN001
    """Closing freezes the ballots: the distribution stays beside the dimension for the consensus."""
    authorize(actor, "maturity.close_vote", vote)
    locked = WorkshopVote.objects.select_for_update().get(pk=vote.pk)
    if not locked.is_open:
        raise RuleViolation("vote_closed", _("This vote is already closed."))
    vote.closed_at, vote.closed_by = timezone.now(), actor
    vote.save(update_fields=["closed_at", "closed_by"])
    _audit(actor, "update", "MaturityVote", vote)
    return vote


@atomic_action
def cast_vote(actor, vote: WorkshopVote, score: int) -> VoteBallot:  # noqa: ANN001
    """A participant's score in the open vote; voting again changes their ballot, after closing nothing changes."""
    authorize(actor, "maturity.cast_vote", vote)
    participant = voter(actor, vote.workshop)
    if score is None:
        raise RuleViolation("score_range", _("A score is a whole number from 0 to 5."))
    _check_score(score)
    locked = WorkshopVote.objects.select_for_update().get(pk=vote.pk)  # waits for a close that is under way
    if not locked.is_open:
        raise RuleViolation("vote_closed", _("This vote has been closed: your vote was not counted."))
    ballot = VoteBallot.objects.select_for_update().filter(vote=locked, participant=participant).first()
    if ballot is None:
        try:
            with transaction.atomic():
                ballot = VoteBallot.objects.create(vote=locked, participant=participant, score=score)
        except IntegrityError:  # a double tap created it meanwhile: change that one
            ballot = VoteBallot.objects.select_for_update().get(vote=locked, participant=participant)
        else:
            _audit(actor, "create", "MaturityBallot", ballot)
            return ballot
    if ballot.score != score:
        ballot.score, ballot.changed_at = score, timezone.now()
        ballot.save(update_fields=["score", "changed_at"])
        _audit(actor, "update", "MaturityBallot", ballot)
    return ballot


def vote_counts(vote: WorkshopVote) -> tuple[int, ...]:
    """How many gave 0, 1, ... 5: counts only, never who (the room's vote is anonymous)."""
    per = dict(vote.ballots.order_by().values_list("score").annotate(n=Count("pk")))
    return tuple(per.get(level, 0) for level in SCORES)
