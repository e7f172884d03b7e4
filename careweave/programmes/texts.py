"""Sentences the programmes app generates (rendered in the reader's language, careweave.generated)."""

from django.utils.translation import gettext_noop

from careweave.generated import register

JOINS = register("programmes.joins",
                 gettext_noop("%(person)s joins the programme “%(programme)s” in the phase “%(phase)s”."))
LEAVES = register("programmes.leaves", gettext_noop("%(person)s leaves the programme “%(programme)s”."))
MOVES = register("programmes.moves", gettext_noop(
    "%(person)s moves from the phase “%(old)s” to “%(new)s” of the programme “%(programme)s”."))
COMPLETED = register("programmes.phase_completed", gettext_noop("programme completed"))
ENDED = register("programmes.phase_ended", gettext_noop("left the programme"))
