"""Instruments, assessments (FHIR QuestionnaireResponse) and their scores (FHIR Observation).

The instrument files are the truth (decision 0008); :class:`Instrument` rows mirror them so that
responses can point at the exact version they answered, also after a newer version ships.
Scores are stored beside the answers so that the plan, trends and FHIR ``$extract`` never rescore
old answers with a newer rule. A score supports the professional's judgement, it never decides an
entitlement on its own (001 l.3488-3490, l.5120-5130): nothing in Careweave reads a Score to grant
or refuse anything.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careweave.versioning import VersionedModel

if TYPE_CHECKING:
    from careweave.assessments.engine import Definition

LANGUAGES = ("nl", "fr", "de", "en")
_definitions: dict[tuple[str, str, str], Definition] = {}


def instrument_fhir_id(url: str, version: str) -> uuid.UUID:
    """The stable Questionnaire id of one instrument version (the same on every server)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{url}|{version}")


class Instrument(models.Model):
    """One version of a shipped instrument (a FHIR Questionnaire), synced from the files.

    ``revision`` counts changes to the same version's file (a corrected translation), so that the
    Questionnaire's ``_history`` shows them; a new ``version`` is a new row and a new Questionnaire.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("in use")
        RETIRED = "retired", _("replaced by a newer version")

    fhir_id = models.UUIDField(unique=True, editable=False)
    code = models.CharField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=30)
    url = models.CharField(_("canonical URL"), max_length=255)
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20)
    medical = models.BooleanField(
        _("medical"), default=True, help_text=_("Needs full access: welfare professionals do not see it by default.")
    )
    private_to_author = models.BooleanField(
        _("private to the one who answers"), default=False,
        help_text=_("Carer burden: only the one who answered sees it until they share it."),
    )
    follow_up = models.CharField(_("follow-up instrument"), max_length=60, blank=True)
    source = models.TextField(_("source"), blank=True)
    licence = models.TextField(_("licence"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    questionnaire = models.JSONField()
    digest = models.CharField(max_length=64, editable=False)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["code", "-created_at"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="assessments_instrument_version")]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def definition(self) -> Definition:
        """The engine's view of this exact version (parsed once per process)."""
        key = (self.code, self.version, self.digest)
        found = _definitions.get(key)
        if found is None:
            from careweave.assessments.engine import load_definition

            found = _definitions[key] = load_definition(self.questionnaire)
        return found

    def display_title(self, lang: str) -> str:
        return self.definition().title(lang)


class Assessment(VersionedModel):
    """One filled-in instrument for one person (a FHIR QuestionnaireResponse).

    Completed answers are frozen: a correction is an amendment of the same response (status
    ``amended``, with a reason) whose earlier versions stay readable in the FHIR ``_history``.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in-progress", _("being filled in")
        COMPLETED = "completed", _("completed")
        AMENDED = "amended", _("completed, corrected afterwards")
        ENTERED_IN_ERROR = "entered-in-error", _("entered in error")

    client_id = models.UUIDField(
        unique=True, default=uuid.uuid4, editable=False,
        help_text=_("Made by the device that captured the answers; makes offline sync idempotent."),
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="assessments")
    plan = models.ForeignKey(
        "careplans.CarePlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(default=dict, blank=True)
    reused = models.JSONField(
        default=dict, blank=True,
        help_text=_("Answers taken over from an earlier assessment: linkId -> where from, when, by whom."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_display = models.CharField(_("filled in by"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    authored_at = models.DateTimeField(_("answers last changed"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    is_medical = models.BooleanField(_("medical detail"), default=True)
    is_private = models.BooleanField(_("private to the one who answered"), default=False)
    shared = models.BooleanField(_("shared with the team"), default=False)
    judgement_differs = models.BooleanField(_("differs from the professional's judgement"), default=False)
    judgement_reason = models.TextField(_("the professional's judgement"), blank=True)
    judgement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    judgement_at = models.DateTimeField(null=True, blank=True)
    amendment_reason = models.TextField(_("reason for the correction"), blank=True)
    goals = models.ManyToManyField("careplans.Goal", blank=True, related_name="assessments")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["person", "instrument"])]

    def __str__(self) -> str:
        return f"{self.instrument.title} — {self.started_at:%Y-%m-%d}"

    @property
    def is_done(self) -> bool:
        """Completed (possibly corrected since): the answers are frozen and the scores stand."""
        return self.status in (self.Status.COMPLETED, self.Status.AMENDED)

    @property
    def author_only(self) -> bool:
        """A private carer response that its author has not shared (yet)."""
        return self.is_private and not self.shared


class Score(models.Model):
    """One score of a completed assessment (one FHIR Observation)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    code = models.CharField(_("code"), max_length=60)
    label = models.JSONField(default=dict)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    interpretation_code = models.CharField(max_length=60, blank=True)
    interpretation = models.JSONField(default=dict, blank=True)
    positive = models.BooleanField(_("positive screen"), default=False)
    loinc = models.CharField(max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "position"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="assessments_score_code")]

    def __str__(self) -> str:
        return f"{self.code} = {self.value:g}"

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.code

    def interpretation_in(self, lang: str) -> str:
        return self.interpretation.get(lang) or self.interpretation.get("en") or self.interpretation_code
