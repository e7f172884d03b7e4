"""Core subcommands: demo, serve, token (in ``tokens``), manage."""

from __future__ import annotations

import argparse
import sys

from careweave.cli import tokens


def _serve(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(getattr(args, "db", None))
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from careweave.server import serve

    serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads, server=args.server,
          background=not args.no_worker)
    return 0


def _worker(args: argparse.Namespace) -> int:
    """Run the background jobs and the scheduler (``serve`` starts one itself unless ``--no-worker``)."""
    from careweave.cli import setup_django

    setup_django(getattr(args, "db", None))
    from careweave.jobs.worker import run_worker

    run_worker(interval=args.interval, batch=args.batch, scheduler=not args.no_scheduler,
               queues=args.queue or None, exclude=args.exclude_queue or None)
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Migrate, load the demo zone (once), print the logins and an API token, then serve."""
    import os

    os.environ["CAREWEAVE_DEMO"] = "1"
    from careweave.cli import setup_django

    setup_django(args.db)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from careweave.access.actions import create_api_token
    from careweave.demo import DEMO_ACCOUNTS, load_demo

    print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("Loading the synthetic demo zone (ELZ Zora)…", flush=True)
    summary = load_demo(persons=args.persons, seed=args.seed)
    if summary["created"]:
        print(f"  {summary['persons']} persons, {summary['professionals']} professionals loaded.")
    else:
        print(f"  already loaded ({summary['persons']} persons).")
    if not args.no_p3:
        # Every run, not only the first: the data set is idempotent and replaces an older version of itself.
        from django.utils.translation import gettext

        print(gettext("Loading the P3 data set of the financing report…"), flush=True)
        call_command("load_p3_table", "--zone", "ZORA", stdout=sys.stdout)
    try:
        from careweave.population.api import ensure_demo_population

        print("Generating the zone's synthetic population data…", flush=True)
        ensure_demo_population(settings.POPULATION_DATA_DIR)
        from careweave.population.macro import ensure_macro_population

        print("Generating the other zones' synthetic population data (macro level)…", flush=True)
        ensure_macro_population()
    except ImportError:
        pass
    # issue 20: the zone's indicators from its own care work, computed by the worker as the zone's staff ask it
    from careweave.fhir.actions import start_population_feed
    from careweave.territory.models import Zone

    try:
        start_population_feed(User.objects.get(username="zonestaff"), Zone.objects.get(code="ZORA"))
    except Exception as exc:  # noqa: BLE001 - the demo still starts; the dashboard offers to compute it again
        print(f"  (the zone's indicators from its care work were not computed: {exc})", flush=True)
    print()
    print("Demo logins (password for all: careweave-demo):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account['username']:<13} {account['name']:<18} {account['role']}")
    gp = User.objects.get(username="gp")
    token = create_api_token(gp, name="demo").secret
    print()
    print("API token for the FHIR API (user gp):")
    print(f"  {token}")
    print(f"  curl -H 'Authorization: Bearer {token}' http://{args.host}:{args.port}/fhir/R4/metadata")
    print()
    if args.no_serve:
        return 0
    from careweave.server import serve

    serve(host=args.host, port=args.port, background=not args.no_worker)
    return 0


def _manage(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["careweave manage", *args.rest])
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the web app and the FHIR API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default="auto",
                   help="gunicorn (several processes, Linux/macOS) or waitress (one process); auto picks gunicorn")
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.add_argument("--no-worker", action="store_true",
                   help="do not start the background worker beside the server (run `careweave worker` yourself)")
    p.set_defaults(func=_serve)

    p = sub.add_parser("worker", help="run background jobs (exports, e-mail, notifications) and nightly jobs")
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
    p.add_argument("--batch", action="store_true", help="stop when the queue is empty")
    p.add_argument("--no-scheduler", action="store_true", help="do not enqueue the scheduled (nightly) jobs")
    p.add_argument("--queue", action="append", help="serve only this queue (default, long); repeatable")
    p.add_argument("--exclude-queue", action="append", help="do not serve this queue; repeatable")
    p.set_defaults(func=_worker)

    p = sub.add_parser(
        "demo",
        help="set up the database, load the synthetic demo zone, print demo logins and serve",
        description="Migrates the database, loads ~200 synthetic people in ELZ Zora (once), prints the demo "
        "logins and an API token, then serves the app on http://127.0.0.1:8000.",
    )
    p.add_argument("--no-serve", action="store_true", help="load and print, but do not start the server")
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.add_argument("--persons", type=int, default=200, help="number of demo persons (default 200)")
    p.add_argument("--no-p3", action="store_true",
                   help="skip the generated P3 data set (13,338 persons billed 2019-2024) of the financing report")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same demo)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true", help="do not start the background worker")
    p.set_defaults(func=_demo)

    tokens.register(sub)

    p = sub.add_parser("manage", help="run a Django management command (migrate, createsuperuser...)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_manage)

