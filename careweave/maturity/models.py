"""A zone's maturity self-assessment (C13): a round, its participants' scores, consensus workshops.

It is a survey with its own yearly lifecycle, owned by the zone (decision 0019): scores are
professional opinions about the zone, not personal data about a patient.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel

ARGUMENT_MAX = 5000


class MaturityRound(VersionedModel):
    """One measurement of a zone (e.g. "2026"): open for scoring, then closed (C13-R13 yearly)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    zone = models.ForeignKey("territory.Zone", on_delete=models.CASCADE, related_name="maturity_rounds")
    year = models.PositiveIntegerField(_("year"))
    label = models.CharField(_("label"), max_length=120, blank=True)
    model = models.CharField(max_length=40, default="scirocco-exchange-1.0", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["zone", "-year"]
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="maturity_one_round_per_zone_year")]
        verbose_name = _("maturity round")
        verbose_name_plural = _("maturity rounds")

    def __str__(self) -> str:
        return self.label or f"{self.zone} {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Participant(models.Model):
    """A user invited to score for their organisation or role in the zone."""

    round = models.ForeignKey(MaturityRound, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maturity_participations")
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="maturity_one_participation")]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class ParticipantReminder(models.Model):
    """One reminder mail sent to a participant who had not submitted (C13-R11, 001 l.7830-7832).

    Kept per mail, not as a counter, so the round page can say when and how often someone was
    reminded and the 24-hour guard against double clicks can look at the last one.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8)

    class Meta:
        ordering = ["participant", "-sent_at"]
        indexes = [models.Index(fields=["participant", "sent_at"], name="maturity_reminder_last")]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.sent_at:%Y-%m-%d %H:%M}"


class DimensionScore(VersionedModel):
    """One participant's score (0-5) and argument on one dimension; a score without argument is a draft.

    ``device`` and ``seq`` name the browser and its edit counter of the last autosave: a late or
    repeated request from the same device is recognised, so autosave is idempotent (decision 0019).
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    argument = models.TextField(blank=True, max_length=ARGUMENT_MAX)
    device = models.CharField(max_length=64, blank=True)
    seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["participant", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "dimension"], name="maturity_one_score_per_dimension"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=5), name="maturity_score_0_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.dimension}={self.score}"

    @property
    def complete(self) -> bool:
        """Counts only with an argument: "scores have no value without argumentation" (001 l.7751-7755)."""
        return self.score is not None and bool(self.argument.strip())


class ConsensusWorkshop(VersionedModel):
    """The group step (001 l.7858-7880): 3-7 dimensions discussed, a consensus and its argument each."""

    round = models.ForeignKey(MaturityRound, on_delete=models.CASCADE, related_name="workshops")
    held_on = models.DateField(_("date"))
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attendees = models.PositiveIntegerField(_("number of attendees"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["round", "held_on", "pk"]
        verbose_name = _("consensus workshop")
        verbose_name_plural = _("consensus workshops")

    def __str__(self) -> str:
        return f"{self.round} · {self.held_on}"


class WorkshopDimension(models.Model):
    workshop = models.ForeignKey(ConsensusWorkshop, on_delete=models.CASCADE, related_name="dimensions")
    dimension = models.CharField(max_length=40)
    consensus_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    argument = models.TextField(blank=True, max_length=ARGUMENT_MAX)

    class Meta:
        ordering = ["workshop", "pk"]
        constraints = [models.UniqueConstraint(fields=["workshop", "dimension"], name="maturity_workshop_dimension")]

    def __str__(self) -> str:
        return f"{self.workshop_id}:{self.dimension}"


class WorkshopVote(models.Model):
    """A live vote in the room on one discussed dimension (C13-R07, 001 l.7882-7886: raising cards).

    At most one vote of a workshop is open at a time (a partial unique constraint); a closed vote keeps
    its ballots, so the distribution stays beside the dimension when the consensus is written down.
    """

    workshop = models.ForeignKey(ConsensusWorkshop, on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey(WorkshopDimension, on_delete=models.CASCADE, related_name="votes")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["workshop", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop"], condition=models.Q(closed_at__isnull=True), name="maturity_one_open_vote"
            ),
        ]
        verbose_name = _("workshop vote")
        verbose_name_plural = _("workshop votes")

    def __str__(self) -> str:
        return f"{self.workshop_id}:{self.item.dimension}@{self.opened_at:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class VoteBallot(models.Model):
    """One participant's score in one vote; changed in place while the vote is open (one per person)."""

    vote = models.ForeignKey(WorkshopVote, on_delete=models.CASCADE, related_name="ballots")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ballots")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(5)])
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["vote", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "participant"], name="maturity_one_ballot_per_vote"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="maturity_ballot_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.participant_id}"
