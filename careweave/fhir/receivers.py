"""The FHIR app's side of the domain's signals (``careweave.records.signals``): the door depends on the
domain, never the reverse (decision 0020). Each receiver writes the FHIR face of a domain change in the
same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.db import models


def on_scores_changed(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """An assessment's scores changed: keep its score Observations in the person's record equal to them."""
    from careweave.fhir.mapping.assessments import store_observations

    store_observations(instance)


def on_referral_changed(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """A referral changed: keep its ServiceRequest in the person's record equal to it."""
    from careweave.fhir.mapping.territory import store_referral

    store_referral(instance)


def on_version_changed(sender: type[models.Model], instance: Any, using: str = "default", **kwargs: Any) -> None:
    """Snapshot the record's current version for ``_history`` and vread (a Questionnaire: its revision)."""
    from careweave.assessments.models import Instrument

    if sender is Instrument:
        from careweave.fhir.mapping.assessments import write_questionnaire_history

        write_questionnaire_history(instance, using)
        return
    from careweave.fhir.history import snapshot

    snapshot(instance)
