"""Sentences the consultations app generates (rendered in the reader's language, careweave.generated)."""

from django.utils.translation import gettext_noop

from careweave.generated import register

TRANSITION = register("consultations.transition", gettext_noop("A transition point in the care of this person."))
