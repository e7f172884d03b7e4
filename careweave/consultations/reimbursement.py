"""Is this MDO reimbursable, and if not why not: the rule valid on the day of the meeting, applied.

Today's frame (001 l. 5218-5224, l. 6114-6116): "verplichte aanwezigheid van de huisarts, maximaal 4
professionals worden vergoed"; informal carers never get a fee ("MZ gaan nooit prestatievergoeding
krijgen", l. 15223-15227). An MDO is a consultation *between professionals* with the person and their informal
context (l. 5218): the GP with only the person and her family is not one, so the rule says how many professionals
besides the GP must attend (``min_other_professionals``, 1 in today's frame). Which professionals are paid
when more attend than the maximum is not in the seeds; Careweave pays the GP first (their presence is the
condition), then the others in the order they were invited, so the choice is predictable
and the convener can influence it.

Before the meeting the answers to the invitations stand in for attendance (a forecast), so the
convener sees in advance that, for instance, no GP has accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careweave.consultations.models import Consultation, Participant, ReimbursementRule
from careweave.people.models import Discipline, Professional


@dataclass
class Reimbursement:
    reimbursable: bool
    rule: ReimbursementRule | None
    forecast: bool
    reasons: list[str] = field(default_factory=list)  # why it is not reimbursable
    notes: list[str] = field(default_factory=list)  # who attends unpaid, and why
    paid: list[Professional] = field(default_factory=list)
    unpaid: list[Participant] = field(default_factory=list)


def _present(consultation: Consultation, forecast: bool) -> list[Participant]:
    participants = consultation.participants.select_related("member__professional", "member__related_person")
    if forecast:
        return [p for p in participants if p.response == Participant.Response.ACCEPTED]
    return [p for p in participants if p.attended]


def reimbursement(consultation: Consultation, on: date | None = None) -> Reimbursement:
    """Apply the rule valid on the meeting's day (or ``on``) to who attends (or, before, who accepted)."""
    day = on or consultation.day or timezone.localdate()
    rule = ReimbursementRule.valid_on(day)
    forecast = consultation.status in (Consultation.Status.PROPOSED, Consultation.Status.SCHEDULED)
    result = Reimbursement(reimbursable=False, rule=rule, forecast=forecast)
    if consultation.status == Consultation.Status.CANCELLED:
        result.reasons.append(_("The consultation was cancelled."))
        return result
    if rule is None:
        result.reasons.append(_("No reimbursement rule is valid on %(day)s.") % {"day": day.isoformat()})
        return result
    present = _present(consultation, forecast)
    professionals = [p for p in present if p.professional is not None]
    professionals.sort(key=lambda p: 0 if p.professional.discipline == Discipline.GP else 1)  # stable: invitation order
    if rule.gp_required and not any(p.professional.discipline == Discipline.GP for p in professionals):
        result.reasons.append(
            _("No general practitioner has accepted the invitation.") if forecast
            else _("No general practitioner attended; their presence is required.")
        )
    if len(professionals) < rule.min_professionals:
        result.reasons.append(
            ngettext(
                "At least %(min)s professional must attend.", "At least %(min)s professionals must attend.",
                rule.min_professionals,
            ) % {"min": rule.min_professionals}
        )
    others = [p for p in professionals if p.professional.discipline != Discipline.GP]
    if len(others) < rule.min_other_professionals:
        result.reasons.append(
            ngettext(
                "Besides the general practitioner, at least %(min)s professional must attend; the person and "
                "informal carers do not count.",
                "Besides the general practitioner, at least %(min)s professionals must attend; the person and "
                "informal carers do not count.",
                rule.min_other_professionals,
            ) % {"min": rule.min_other_professionals}
        )
    if not professionals:
        result.reasons.append(_("No professional has accepted the invitation.") if forecast
                              else _("No professional attended."))
    limit = rule.max_paid_professionals
    paid = professionals if limit is None else professionals[:limit]
    result.paid = [p.professional for p in paid]
    over = [p for p in professionals if p not in paid]
    if over:
        result.notes.append(
            _("At most %(max)s professionals are paid; not paid: %(names)s.")
            % {"max": limit, "names": ", ".join(str(p) for p in over)}
        )
    informal = [p for p in present if p.is_informal]
    if informal and not rule.informal_carers_paid:
        result.notes.append(
            _("Informal carers get no fee: %(names)s.") % {"names": ", ".join(str(p) for p in informal)}
        )
    result.unpaid = over + (informal if not rule.informal_carers_paid else [])
    result.reimbursable = not result.reasons
    if not result.reimbursable:
        result.paid = []
    return result
