"""The population app's actions (issue #20): send an outreach list to the GPs, record its follow-up,
and the zone's PDCA cycle (targets, improvement actions, review moments).

Each action asks the permission table first (decision 0022), checks its rules, writes in one
transaction and leaves an audit entry; edits of shared records are optimistic (``expected_version``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import authorize
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import RuleViolation
from careweave.dates import check_date
from careweave.people.pseudonyms import persons_for, refresh_zone

from . import indicators
from .models import OutreachItem, OutreachList, PdcaAction, PdcaReview, PdcaTarget
from .outreach import GAP, current_results, gap_lists, list_rows, outreach_reasons

NOTE_MAX = 300
TEXT_MAX = 2000


def _text(value: str, limit: int, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": what})
    if len(value) > limit:
        raise RuleViolation("too_long", _("%(what)s is too long (at most %(n)s characters).")
                            % {"what": what, "n": limit})
    return value


# --------------------------------------------------------------------------- outreach to the GPs


@atomic_action
def send_outreach_list(actor: Any, zone: Any, *, reason: str = "", level: int | None = None,
                       municipality: int | None = None, note: str = "") -> OutreachList:
    """Send one of the zone's pseudonymous outreach lists to the GPs: resolve it to the persons Careweave holds.

    Only persons found through their stored pseudonym become items; the rest of the list stays
    pseudonymous (its size is kept as a count).
    """
    authorize(actor, "population.send_outreach_list", zone)
    if reason and reason not in outreach_reasons() and reason not in gap_lists():
        raise RuleViolation("unknown_reason", _("This outreach reason does not exist."))
    if level is not None and level not in (0, 1, 2, 3):
        raise RuleViolation("unknown_level", _("The pyramid level is 0, 1, 2 or 3."))
    note = _text(note, NOTE_MAX, _("the note for the GPs"), required=False)
    res = current_results()
    if res is None:
        raise RuleViolation("no_population_data", _("There is no population data set to take the list from."))
    rows = list_rows(res, zone.code, reason=reason, level=level, municipality=municipality)
    if rows.empty:
        raise RuleViolation("empty_list", _("This list holds nobody: nothing was sent."))
    refresh_zone(zone.code)
    found = persons_for(zone.code, rows["person_id"].astype("int64").tolist())
    sent = OutreachList.objects.create(
        zone=zone, reason=reason, level=level, municipality=municipality, note=note, size=len(rows),
        matched=len(found), sent_by=actor, sent_at=timezone.now())
    OutreachItem.objects.bulk_create([
        OutreachItem(outreach_list=sent, person_id=found[int(r.person_id)], level=int(r.level),
                     reasons=(reason if reason.startswith(GAP) else str(r.outreach_reasons))[:200])
        for r in rows.itertuples() if int(r.person_id) in found
    ])
    record_access(actor, "create", "PopulationOutreachList", str(sent.fhir_id),
                  reason=f"outreach list sent to the GPs ({len(rows)} pseudonyms, {len(found)} held by Careweave)")
    return sent


@atomic_action
def follow_up_outreach(actor: Any, item: OutreachItem, state: str, expected_version: int) -> OutreachItem:
    """The GP records what became of one person of a sent list: followed up, or not relevant (or open again)."""
    authorize(actor, "population.follow_up_outreach", item)
    if state not in OutreachItem.State.values:
        raise RuleViolation("unknown_state", _("This follow-up state does not exist."))
    item.state = state
    item.state_changed_at = timezone.now()
    item.state_changed_by = actor
    item.save_versioned(expected_version, update_fields=["state", "state_changed_at", "state_changed_by_id"])
    audit_write(actor, "update", "PopulationOutreachList", item, item.person, reason=f"outreach follow-up: {state}")
    return item


# --------------------------------------------------------------------------- PDCA


def _indicator(indicator: str) -> dict:
    found = next((d for d in indicators.catalogue() if d["id"] == indicator), None)
    if found is None:
        raise RuleViolation("unknown_indicator", _("This indicator does not exist."))
    return found


def _target_value(value: float | None, definition: dict) -> float:
    if value is None:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("the target value")})
    if value < 0 or (definition["unit"] == "percent" and value > 100):
        raise RuleViolation("target_out_of_range",
                            _("A target lies between 0 and 100 for a percentage, and is never negative."))
    return float(value)


def _target_year(year: int | None) -> int:
    this_year = timezone.localdate().year
    if year is None or not this_year - 1 <= int(year) <= this_year + 10:
        raise RuleViolation("target_year", _("The target year lies between %(first)s and %(last)s.")
                            % {"first": this_year - 1, "last": this_year + 10})
    return int(year)


def _audit_zone(actor: Any, action: str, obj: Any, what: str) -> None:
    record_access(actor, action, "PopulationDashboard", str(obj.fhir_id), reason=what)


@atomic_action
def set_target(actor: Any, zone: Any, indicator: str, value: float | None, year: int | None, *,
               rationale: str = "", expected_version: int | None = None) -> PdcaTarget:
    """Set (or change) the zone's target for one indicator; a change says which version it started from."""
    authorize(actor, "population.set_target", zone)
    definition = _indicator(indicator)
    value = _target_value(value, definition)
    year = _target_year(year)
    rationale = _text(rationale, TEXT_MAX, _("why this target"), required=False)
    target = PdcaTarget.objects.filter(zone=zone, indicator=indicator).first()
    if target is None:
        target = PdcaTarget.objects.create(zone=zone, indicator=indicator, target_value=value, target_year=year,
                                           rationale=rationale, set_by=actor)
        _audit_zone(actor, "create", target, f"target set: {indicator} {value} in {year}")
        return target
    if expected_version is None:
        raise RuleViolation("target_exists", _("This zone already has a target for this indicator: change that one."))
    target.target_value, target.target_year, target.rationale, target.set_by = value, year, rationale, actor
    target.save_versioned(expected_version)
    _audit_zone(actor, "update", target, f"target changed: {indicator} {value} in {year}")
    return target


@atomic_action
def plan_action(actor: Any, pdca_target: PdcaTarget, description: str, owner_name: str,
                due_date: date | None) -> PdcaAction:
    """Plan an improvement action with its owner and date."""
    authorize(actor, "population.plan_action", pdca_target)
    description = _text(description, 300, _("the action"))
    owner_name = _text(owner_name, 120, _("the owner"))
    if due_date is None:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("the date")})
    check_date("pdca_date", due_date)
    action = PdcaAction.objects.create(target=pdca_target, description=description, owner_name=owner_name,
                                       due_date=due_date)
    _audit_zone(actor, "create", action, f"improvement action planned for {pdca_target.indicator}")
    return action


@atomic_action
def update_action(actor: Any, pdca_action: PdcaAction, expected_version: int, *, status: str,
                  description: str, owner_name: str, due_date: date | None) -> PdcaAction:
    """Change an action (its status, owner, date): refused when someone changed it meanwhile."""
    authorize(actor, "population.update_action", pdca_action)
    if status not in PdcaAction.Status.values:
        raise RuleViolation("unknown_status", _("This status does not exist."))
    description = _text(description, 300, _("the action"))
    owner_name = _text(owner_name, 120, _("the owner"))
    if due_date is None:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("the date")})
    check_date("pdca_date", due_date, previous=pdca_action.due_date)
    pdca_action.status, pdca_action.description = status, description
    pdca_action.owner_name, pdca_action.due_date = owner_name, due_date
    pdca_action.save_versioned(expected_version)
    _audit_zone(actor, "update", pdca_action, f"improvement action changed: {status}")
    return pdca_action


@atomic_action
def plan_review(actor: Any, pdca_target: PdcaTarget, planned_on: date | None) -> PdcaReview:
    """Plan a review moment of the target."""
    authorize(actor, "population.plan_review", pdca_target)
    if planned_on is None:
        raise RuleViolation("required", _("Please fill in %(what)s.") % {"what": _("the date")})
    check_date("pdca_date", planned_on)
    review = PdcaReview.objects.create(target=pdca_target, planned_on=planned_on)
    _audit_zone(actor, "create", review, f"review planned for {pdca_target.indicator}")
    return review


@atomic_action
def record_review(actor: Any, pdca_review: PdcaReview, expected_version: int, learned: str) -> PdcaReview:
    """What the review taught and what the zone changes: learning, not sanctioning."""
    authorize(actor, "population.record_review", pdca_review)
    pdca_review.learned = _text(learned, TEXT_MAX, _("what the review taught"))
    pdca_review.held = True
    pdca_review.save_versioned(expected_version)
    _audit_zone(actor, "update", pdca_review, f"review recorded for {pdca_review.target.indicator}")
    return pdca_review
