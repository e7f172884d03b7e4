"""Signals of the consultations app, so that financing does not import it.

``mdo_concluded`` is sent once when an MDO's attendance and minutes are closed. Arguments:
``consultation`` (the meeting), ``person`` (people.Person it was about), ``held_on`` (datetime.date),
``reimbursable`` (bool, under the reimbursement rules valid on that day), ``paid_professionals``
(list of people.Professional whose participation is paid, at most the rule's maximum), ``actor`` (user),
``billing_code`` (the pseudocode of the reimbursement rule applied, carried on the fee lines; may be empty).
``financing`` listens and registers the MDO fee as a provision when it is reimbursable.
"""

from __future__ import annotations

from django.dispatch import Signal

mdo_concluded = Signal()
