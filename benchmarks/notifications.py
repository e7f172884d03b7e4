"""Benchmark: 10,000 notification events fanned out to their recipients' inboxes and digests (issue 21).

Run alone with ``python -m benchmarks --only benchmarks.notifications [--quick]``. For each database (a fresh
PostgreSQL database ``careweave_bench_notifications`` when ``DATABASE_URL`` names a server, and a SQLite file)
a child process migrates it and makes ``PERSONS`` persons, each with a shared care team of four professionals
and an informal carer with accounts (drawn from a pool of ``PROFESSIONALS`` professionals, so a professional
follows about 60 persons), a fifth of the readers with an e-mail choice of their own. Then, with the database
job queue of ``careweave worker`` (decision 0024):

* **bulk fan-out** (ours, ``notifications.events.fan_out`` as the daily reminder job calls it): 10,000 events
  (half "a task was assigned to you" to one member, half "a new message in the journal" to the person and the
  team less the author), written in batches of 1,000, each batch in one transaction that writes the events,
  the inbox rows, the queued e-mail deliveries and enqueues one sending job; then ``queue_digests``, one digest
  delivery per reader with daily notifications waiting;
* **one emit per action** (``notifications.emit``, what an action calls, one transaction per event);
* **naive per-recipient inserts** (the peer, the same run): per event one ``Event`` insert and, per recipient,
  a look-up of their choice, one ``Notification`` insert, one ``Delivery`` insert and one job enqueued.

Every variant is checked to have written the same number of inbox rows and queued e-mails.
``--quick``: 1,000 events, 100 persons, SQLite only.
"""

from __future__ import annotations

import random
import time

from benchmarks._common import load, machine, on_both_databases, setup_django

EVENTS = 10_000
PERSONS = 1_000
PROFESSIONALS = 70
QUICK_EVENTS = 1_000
QUICK_PERSONS = 100
BATCH = 1_000
DATABASE = "careweave_bench_notifications"
TARGET_S = 60.0  # the issue: 10,000 events fanned out to inboxes and digests in under a minute


def _make_cast(persons: int, rng: random.Random) -> list[dict]:
    """Persons with their teams (bulk inserts: set-up, not what is measured); [{person, members: [user ids]}]."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from careweave.careplans.models import CareTeam, TeamMember
    from careweave.notifications.kinds import KINDS
    from careweave.notifications.models import EmailChoice
    from careweave.people.identifiers import make_ssin
    from careweave.people.models import Person, Professional, RelatedPerson

    password = make_password(None)
    pro_users = User.objects.bulk_create([User(username=f"pro{i}", password=password, email=f"pro{i}@example.org")
                                          for i in range(PROFESSIONALS)])
    pros = Professional.objects.bulk_create([Professional(user=u, given_name="Pro", family_name=str(i),
                                                          discipline="home_nurse", languages="nl")
                                             for i, u in enumerate(pro_users)])
    person_users = User.objects.bulk_create([User(username=f"person{i}", password=password) for i in range(persons)])
    carer_users = User.objects.bulk_create([User(username=f"carer{i}", password=password) for i in range(persons)])
    from datetime import date

    people = Person.objects.bulk_create([
        Person(given_name="P", family_name=str(i), ssin=make_ssin(date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
                                                                   1 + i // 600 * 2), user=u)
        for i, u in enumerate(person_users)])
    carers = RelatedPerson.objects.bulk_create([RelatedPerson(person=p, user=u, given_name="C", family_name="x")
                                                for p, u in zip(people, carer_users, strict=True)])
    teams = CareTeam.objects.bulk_create([CareTeam(person=p) for p in people])
    members, cast = [], []
    for person, team, carer in zip(people, teams, carers, strict=True):
        chosen = rng.sample(pros, 4)
        members += [TeamMember(team=team, professional=pro) for pro in chosen]
        members.append(TeamMember(team=team, related_person=carer))
        cast.append({"person": person, "members": [p.user_id for p in chosen] + [carer.user_id]})
    TeamMember.objects.bulk_create(members)
    readers = [u.pk for u in pro_users] + [u.pk for u in carer_users]
    EmailChoice.objects.bulk_create([EmailChoice(user_id=uid, kind=kind, choice=rng.choice(["immediate", "daily"]))
                                     for uid in rng.sample(readers, len(readers) // 5) for kind in KINDS])
    return cast


def _plan(cast: list[dict], events: int, rng: random.Random) -> list[dict]:
    plan = []
    for i in range(events):
        entry = rng.choice(cast)
        author = rng.choice(entry["members"])
        if i % 2:
            plan.append({"kind": "task_assigned", "person": entry["person"], "actor": author,
                         "recipients": [rng.choice([m for m in entry["members"] if m != author])]})
        else:
            plan.append({"kind": "journal_message", "person": entry["person"], "actor": author, "recipients": None})
    return plan


def _reset() -> None:
    from django_tasks_db.models import DBTaskResult

    from careweave.notifications.models import Delivery, Event

    Delivery.objects.all().delete()
    Event.objects.all().delete()
    DBTaskResult.objects.all().delete()


def _counts() -> dict:
    from django_tasks_db.models import DBTaskResult

    from careweave.notifications.models import Delivery, Notification

    return {"notifications": Notification.objects.count(),
            "emails": Delivery.objects.filter(channel="email").count(),
            "digests": Delivery.objects.filter(channel="digest").count(),
            "jobs": DBTaskResult.objects.count()}


def _bulk(plan: list[dict], users: dict) -> float:
    from django.db import transaction

    from careweave.notifications.events import build, fan_out
    from careweave.notifications.tasks import queue_digests

    started = time.perf_counter()
    for start in range(0, len(plan), BATCH):
        with transaction.atomic():
            fan_out([build(e["kind"], person=e["person"], actor=users[e["actor"]], recipients=e["recipients"])
                     for e in plan[start:start + BATCH]])
    with transaction.atomic():
        queue_digests()
    return time.perf_counter() - started


def _one_by_one(plan: list[dict], users: dict) -> float:
    from django.db import transaction

    from careweave.notifications import emit
    from careweave.notifications.tasks import queue_digests

    started = time.perf_counter()
    for e in plan:
        with transaction.atomic():
            emit(e["kind"], person=e["person"], actor=users[e["actor"]], recipients=e["recipients"])
    with transaction.atomic():
        queue_digests()
    return time.perf_counter() - started


def _naive(plan: list[dict], users: dict) -> float:
    """The peer: what a first version would write, one row and one job at a time."""
    from django.db import transaction

    from careweave.notifications.events import team_users
    from careweave.notifications.kinds import AT_ONCE, DAILY, KINDS
    from careweave.notifications.models import Delivery, EmailChoice, Event, Notification
    from careweave.notifications.tasks import send_delivery

    started = time.perf_counter()
    for e in plan:
        with transaction.atomic():
            event = Event.objects.create(kind=e["kind"], person=e["person"], actor_id=e["actor"])
            recipients = e["recipients"] if e["recipients"] is not None else team_users(e["person"]) - {e["actor"]}
            for uid in recipients:
                chosen = EmailChoice.objects.filter(user_id=uid, kind=e["kind"]).values_list("choice", flat=True)
                choice = chosen.first() or KINDS[e["kind"]].default
                notification = Notification.objects.create(event=event, recipient_id=uid, email=choice)
                if choice == AT_ONCE:
                    delivery = Delivery.objects.create(recipient_id=uid, channel="email", notification=notification)
                    send_delivery.enqueue(delivery.pk)
    with transaction.atomic():
        readers = Notification.objects.filter(email=DAILY, digested_at=None).values_list("recipient_id", flat=True)
        for uid in sorted(set(readers)):
            Delivery.objects.create(recipient_id=uid, channel="digest")
    return time.perf_counter() - started


def task(events: int, persons: int, seed: int = 21) -> dict:
    """In a child process: make the cast, then time the three ways on the same events (fresh tables each)."""
    import os

    os.environ["CAREWEAVE_TASKS"] = "database"
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import User

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rng = random.Random(seed)
    cast = _make_cast(persons, rng)
    plan = _plan(cast, events, rng)
    users = User.objects.in_bulk()
    result = {}
    for name, way in (("bulk", _bulk), ("emit", _one_by_one), ("naive", _naive)):
        _reset()
        seconds = way(plan, users)
        result[name] = {"seconds": seconds, **_counts()}
    return result


def run(quick: bool = False) -> str:
    from datetime import date

    events, persons = (QUICK_EVENTS, QUICK_PERSONS) if quick else (EVENTS, PERSONS)
    before = load()
    results = on_both_databases("benchmarks.notifications", DATABASE, quick, events=events, persons=persons)
    after = load()
    rows, notes = [], []
    for db, r in results:
        bulk, emit, naive = r["bulk"], r["emit"], r["naive"]
        for name in ("emit", "naive"):
            same = all(r[name][k] == bulk[k] for k in ("notifications", "emails", "digests"))
            if not same:
                raise RuntimeError(f"{db}: {name} wrote {r[name]}, bulk wrote {bulk}")
        rows.append(f"| {db} | {bulk['seconds']:.1f} s | {emit['seconds']:.1f} s | {naive['seconds']:.1f} s | "
                    f"{naive['seconds'] / bulk['seconds']:.1f}× | {emit['seconds'] / bulk['seconds']:.1f}× |")
        meets = "meets" if bulk["seconds"] < TARGET_S else "misses"
        notes.append(f"- {db}{' (' + r['version'] + ')' if 'version' in r else ''}: {bulk['notifications']:,} inbox "
                     f"rows, {bulk['emails']:,} e-mails queued at once, {bulk['digests']:,} digests queued; "
                     f"jobs enqueued: bulk {bulk['jobs']:,}, one emit per action {emit['jobs']:,}, naive "
                     f"{naive['jobs']:,}. Target (the issue): {events:,} events fanned out to inboxes and digests "
                     f"in under {TARGET_S:.0f} s: the bulk fan-out {meets}; one `emit` per action costs "
                     f"{emit['seconds'] / events * 1000:.1f} ms per event (a commit each), paid inside the action "
                     "that caused it.")
    return "\n".join([
        "## Notifications fan-out",
        "",
        f"Measured {date.today():%Y-%m-%d} with `python -m benchmarks --only benchmarks.notifications` (part of "
        f"`make bench`) on {machine()}; load average {before:.1f} before and {after:.1f} after (other work shares "
        "the machine).",
        "",
        f"{events:,} events on {persons:,} persons (teams of four professionals from a pool of {PROFESSIONALS} and "
        "an informal carer, all with accounts; a fifth of the readers with their own e-mail choices): half a task "
        "assigned to one member, half a journal message to the person and the team less its author. Each way "
        "starts from empty notification tables and writes the same inbox rows, queued e-mails and digest "
        "deliveries, with the database job queue of `careweave worker` (decision 0024).",
        "",
        "| database | bulk fan-out (ours, batches of 1,000) | one `emit` per action (ours, one transaction each) "
        "| naive per-recipient inserts (peer) | naive / bulk | emit / bulk |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        *notes,
        "- How: `fan_out` resolves the recipients, their e-mail choices and push devices for a whole batch in three "
        "queries, inserts events, inbox rows and deliveries with `bulk_create`, and enqueues one sending job per "
        "batch (one per action for `emit`); the naive peer looks each choice up and inserts and enqueues per "
        "recipient. Sending itself (the mail server) is not in these times: the worker sends the queued "
        "deliveries after commit, polling every second.",
    ])
