"""Sentences the territory app generates (rendered in the reader's language, careweave.generated)."""

from django.utils.translation import gettext_noop

from careweave.generated import register

REFERRED = register("territory.referred", gettext_noop("referred: %(reason)s"))
