"""``gettext_lazy`` without importing ``django.utils.translation`` when a module is imported.

Why: the population and financing catalogues define their labels at module level, and the
command line builds every subcommand's parser; importing Django's translation machinery (and the
autoreloader it pulls in) cost part of ``careweave population indicators``' fixed second, although
the command translates nothing (issue #19). The labels behave exactly like ``gettext_lazy``'s.
"""

from __future__ import annotations

from django.utils.functional import lazy


def _gettext(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message)


gettext_lazy = lazy(_gettext, str)
