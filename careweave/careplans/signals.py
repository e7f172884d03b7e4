"""Signals other contexts listen to, so that the plan does not import them.

``care_transition`` is sent when a person's situation passes a transition point: a programme phase
changes (programmes), the care setting changes (e.g. home to hospital), a pathway is entered or left.
The seeds ask for an MDO at least at such points (SEED-REQUIREMENTS C8); ``consultations`` listens and
proposes one. Arguments: ``person`` (people.Person), ``kind`` (a short code such as
``"programme_phase"`` or ``"care_setting"``), ``label`` (a human sentence in the actor's language),
``message`` (optional: the same sentence as ``{"code", "params"}`` of :mod:`careweave.generated`, which a
listener stores so that every reader sees it in their own language),
``on`` (datetime.date), ``actor`` (the user who caused it, or None for a scheduled recomputation),
``source`` (the model instance that changed, e.g. the enrolment).
"""

from __future__ import annotations

from django.dispatch import Signal

care_transition = Signal()
