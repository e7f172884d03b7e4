"""Outreach that reaches someone (issue #20): from a pseudonymous list to each GP's own patients.

The loop: zone staff pick a list of the population set (an outreach reason, a level, a municipality)
and send it "to the GPs"; Careweave resolves each pseudonym to a person it holds (the people app's
indexed ``PersonPseudonym``) and keeps only those; every GP then sees, named, the ones in whose care
team they are, on the micro dashboard of their own patients, next to what needs them there (plans
without review, overdue tasks, level-3 persons without a coordinator, assessments due). Zone staff
see how many were followed up, never who: counts with small-cell suppression (001 l.20776-20936:
the dashboard's micro, meso and macro layers; nothing identifying at meso or macro level).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from . import api, dashboard_cache
from .engines import DataDirError
from .models import OutreachItem, OutreachList
from .stratify import load_yaml
from .suppression import suppress_vector

RUNNING_PLANS = ("active", "draft", "on-hold")
OPEN_TASKS = ("requested", "accepted", "in-progress")


def small_cell_k() -> int:
    return int(getattr(settings, "SMALL_CELL_K", 5))


def data_dir() -> Path:
    return Path(getattr(settings, "POPULATION_DATA_DIR", "var/population"))


def current_results() -> dict | None:
    """The population set's results (cached per version of its files), or None without a data set."""
    root = data_dir()
    try:
        if not root.is_dir():
            return None
        signature = dashboard_cache.data_signature(root)
        return dashboard_cache.cached(("results", signature), lambda: api.results(root))
    except DataDirError:
        return None


def outreach_reasons() -> dict[str, str]:
    """Outreach rule id -> English msgid of its reason (stratification.yaml)."""
    return {o["id"]: o["reason"] for o in load_yaml("stratification")["outreach"]}


GAP = "gap:"


def gap_lists(columns: set[str] | None = None) -> dict[str, dict]:
    """Lists of an indicator's gap: persons in a process indicator's population who do not meet it yet
    (``gap:flu_vaccination_65``: 65+ without flu vaccination), for the person indicators the strata can answer."""
    from . import indicators
    from .stratify import PERSON_COLUMNS, columns_in

    available = set(PERSON_COLUMNS) if columns is None else columns
    out = {}
    for d in indicators.catalogue():
        if d["source"] != "persons" or d["type"] != "process" or d["denominator"] != "1":
            continue
        needed = columns_in(str(d["population"])) | columns_in(str(d["numerator"]))
        if needed <= available:
            out[GAP + d["id"]] = d
    return out


def gap_label(definition: dict) -> str:
    from django.utils.translation import gettext as _

    return _("Not yet: %(indicator)s") % {"indicator": _(definition["name"])}


def _gap_rows(zone_rows: pd.DataFrame, definition: dict) -> pd.DataFrame:
    """The rows where the indicator's population holds and its numerator does not: the same SQL, on DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("strata", zone_rows.reset_index(drop=True).assign(_row=range(len(zone_rows))))
        picked = con.execute(f"SELECT _row FROM strata WHERE ({definition['population']}) "
                             f"AND NOT COALESCE(CAST(({definition['numerator']}) AS BOOLEAN), FALSE)").fetchall()
    finally:
        con.close()
    return zone_rows.iloc[[r[0] for r in picked]]


def list_rows(res: dict, zone_code: str, *, reason: str = "", level: int | None = None,
              municipality: int | None = None) -> pd.DataFrame:
    """The zone's outreach persons (pseudonyms) that one list holds, as the population set says."""
    st = res["strata"]
    if reason.startswith(GAP):
        definition = gap_lists(set(st.columns)).get(reason)
        rows = _gap_rows(st[st["zone"] == zone_code], definition) if definition else st.iloc[0:0]
        reason = ""
    else:
        rows = st[(st["zone"] == zone_code) & st["outreach"]]
    if level is not None:
        rows = rows[rows["level"] == int(level)]
    if municipality is not None:
        rows = rows[rows["nis"].astype(int) == int(municipality)]
    if reason:
        rows = rows[rows["outreach_reasons"].str.split(";").apply(lambda rs: reason in rs)]
    return rows


# --------------------------------------------------------------------------- a GP's own patients


def own_patient_ids(user: Any) -> list[int]:
    """Persons in whose care team this GP is an active member, and who let them see their file."""
    from careweave.access.decisions import persons_visible_to
    from careweave.careplans.models import TeamMember

    professional = getattr(user, "professional", None)
    if professional is None:
        return []
    members = set(TeamMember.objects.filter(professional=professional, status=TeamMember.Status.ACTIVE)
                  .values_list("team__person_id", flat=True))
    return sorted(members & set(persons_visible_to(user)))


@dataclass
class MicroDashboard:
    """What the GP's own patients need, each part a list of (person, detail) rows, and the lists sent."""

    lists: list[dict] = field(default_factory=list)
    no_review: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)
    level3_alone: list[dict] = field(default_factory=list)
    assessments_due: list[dict] = field(default_factory=list)
    persons: dict[int, Any] = field(default_factory=dict)


def micro_dashboard(user: Any, today: date | None = None) -> MicroDashboard:
    """The micro dashboard of one GP: a fixed number of queries, whatever the number of patients."""
    from careweave.careplans.models import CarePlan, CoordinationEpisode, Task
    from careweave.people.models import Person, PersonPseudonym
    from careweave.programmes.models import EnrolmentItem

    today = today or timezone.localdate()
    ids = own_patient_ids(user)
    out = MicroDashboard()
    if not ids:
        return out
    out.persons = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("zone")}
    with_plan = set(CarePlan.objects.filter(person_id__in=ids, status__in=RUNNING_PLANS)
                    .values_list("person_id", flat=True))

    items = (OutreachItem.objects.filter(person_id__in=ids).select_related("outreach_list", "outreach_list__zone")
             .order_by("-outreach_list__sent_at", "person__family_name", "person__given_name"))
    by_list: dict[int, dict] = {}
    for item in items:
        entry = by_list.setdefault(item.outreach_list_id, {"list": item.outreach_list, "items": []})
        entry["items"].append({"item": item, "person": out.persons[item.person_id],
                               "has_plan": item.person_id in with_plan,
                               "reasons": [r for r in item.reasons.split(";") if r]})
    out.lists = list(by_list.values())

    plans = CarePlan.objects.filter(person_id__in=ids, status__in=RUNNING_PLANS).filter(
        Q(review_date__lt=today) | Q(review_date__isnull=True)).order_by("review_date", "pk")
    out.no_review = [{"person": out.persons[p.person_id], "plan": p} for p in plans]

    overdue = (Task.objects.filter(plan__person_id__in=ids, status__in=OPEN_TASKS, due_date__lt=today)
               .values("plan__person_id").annotate(n=Count("pk")).order_by("-n", "plan__person_id"))
    out.overdue = [{"person": out.persons[r["plan__person_id"]], "count": r["n"]} for r in overdue]

    # Level 3 comes from the population set (by pseudonym); the coordinator from Careweave's own teams.
    res = current_results()
    if res is not None:
        pseudonyms = dict(PersonPseudonym.objects.filter(person_id__in=ids).values_list("pseudonym", "person_id"))
        st = res["strata"]
        level3 = st[(st["level"] == 3) & st["person_id"].isin(list(pseudonyms))]["person_id"]
        level3_ids = {pseudonyms[int(p)] for p in level3}
        coordinated = set(CoordinationEpisode.objects.filter(
            team__person_id__in=level3_ids, status=CoordinationEpisode.Status.ACTIVE
        ).values_list("team__person_id", flat=True))
        out.level3_alone = [{"person": out.persons[pk]} for pk in sorted(level3_ids - coordinated,
                                                                          key=lambda pk: str(out.persons[pk]))]

    due = (EnrolmentItem.objects.filter(enrolment__person_id__in=ids, task__status__in=OPEN_TASKS)
           .exclude(instrument="").select_related("task", "enrolment").order_by("task__due_date", "pk"))
    due = list(due)
    from careweave.assessments.models import Instrument

    language = get_language() or "en"
    titles = {i.code: i.display_title(language)
              for i in Instrument.objects.filter(code__in={d.instrument for d in due}).order_by("created_at")}
    out.assessments_due = [{"person": out.persons[i.enrolment.person_id],
                            "instrument": titles.get(i.instrument, i.instrument), "due": i.task.due_date} for i in due]
    return out


def shown_persons(board: MicroDashboard) -> list[Any]:
    """Everyone the page names (for the audit of the list read)."""
    seen: dict[int, Any] = {}
    for entry in board.lists:
        for row in entry["items"]:
            seen[row["person"].pk] = row["person"]
    for part in (board.no_review, board.overdue, board.level3_alone, board.assessments_due):
        for row in part:
            seen[row["person"].pk] = row["person"]
    return list(seen.values())


# --------------------------------------------------------------------------- what zone staff see: counts only


def followup_counts(lists: list[OutreachList], k: int | None = None) -> list[dict]:
    """Per sent list: pseudonyms, matched, and follow-up states as counts, small cells hidden (None)."""
    k = small_cell_k() if k is None else k
    states = [s for s, _label in OutreachItem.State.choices]
    counts: dict[int, dict[str, int]] = {}
    for row in (OutreachItem.objects.filter(outreach_list__in=lists).values("outreach_list_id", "state")
                .annotate(n=Count("pk"))):
        counts.setdefault(row["outreach_list_id"], {})[row["state"]] = row["n"]
    out = []
    for lst in lists:
        values = np.array([counts.get(lst.pk, {}).get(s, 0) for s in states])
        mask, total_hidden = suppress_vector(values, None, k)  # the project's rule, as on the dashboard
        shown = {s: None if total_hidden or mask[i] else int(values[i]) for i, s in enumerate(states)}
        out.append({"list": lst, "size": lst.size, "matched": None if total_hidden else lst.matched,
                    "states": shown, "cells": [{"state": s, "n": shown[s]} for s in states],
                    "hidden": any(v is None for v in shown.values())})
    return out
