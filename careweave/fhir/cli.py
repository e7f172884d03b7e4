"""``careweave fhir import FILE...``: import FHIR transaction bundles through the API's own code.

Each file is one transaction (all or nothing) processed exactly as ``POST /fhir/R4`` would: the
same rules, access checks and audit trail. Importing a file twice changes nothing. Progress goes to
stderr, the per-file summary to stdout (``--json`` for machines). Exit codes: 0 all files imported,
1 at least one file failed, 2 bad usage (e.g. an unknown user).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

IMPORT_USERNAME = "careweave-import"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fhir", help="FHIR R4 API tools: import bundles",
                                   description="Tools around the FHIR R4 API (served at /fhir/R4).")
    sub = parser.add_subparsers(dest="fhir_command", metavar="SUBCOMMAND")
    sub.required = True
    imp = sub.add_parser(
        "import", help="import FHIR transaction bundles (e.g. Synthea) into Careweave",
        description="Import FHIR R4 transaction or batch bundles with the same code as POST /fhir/R4. "
                    "Resource types Careweave models become people, teams, plans and goals; the others "
                    "(Observation, Encounter, Claim...) are stored unchanged and counted. Importing a "
                    "file twice changes nothing.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="bundle JSON files")
    imp.add_argument("--as", dest="username", default=None,
                     help="the professional in whose name to import: they join the care team of every person "
                          f"they register (default: a system account '{IMPORT_USERNAME}')")
    imp.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    imp.add_argument("--json", action="store_true", help="print the per-file summary as JSON on stdout")
    imp.set_defaults(func=cmd_import)


def _say(message: str) -> None:
    sys.stderr.write(message)
    sys.stderr.flush()


def import_account() -> Any:
    """The system account imports run as when no ``--as`` is given: a professional the person can remove."""
    from django.contrib.auth.models import User

    from careweave.people.models import Discipline, Professional

    user, created = User.objects.get_or_create(username=IMPORT_USERNAME,
                                               defaults={"first_name": "Careweave", "last_name": "import"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if getattr(user, "professional", None) is None:
        Professional.objects.create(user=user, given_name="Careweave", family_name="import (system)",
                                    discipline=Discipline.OTHER)
        user.refresh_from_db()
    return user


def import_file(actor: Any, path: Path) -> dict[str, Any]:
    """Import one bundle file; return its summary (never raises for a bad file)."""
    from careweave.fhir.bundles import bundle_hash, process_bundle
    from careweave.fhir.errors import as_fhir_error
    from careweave.fhir.history import acting_as
    from careweave.fhir.refusals import keep_refusals

    started = time.perf_counter()
    summary: dict[str, Any] = {"file": str(path), "ok": False}
    try:
        raw = path.read_bytes()
        bundle = json.loads(raw)
        with keep_refusals(), acting_as(actor):
            result = process_bundle(actor, bundle, source_hash=bundle_hash(raw))
    except OSError as exc:
        summary["error"] = f"cannot read the file: {exc}"
    except ValueError as exc:
        summary["error"] = f"not valid JSON: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bad file is reported, the next one still imported
        try:
            summary["error"] = as_fhir_error(exc).message
        except Exception:  # noqa: BLE001
            summary["error"] = f"{type(exc).__name__}: {exc}"
    else:
        stored_types: dict[str, int] = {}
        for entry in result.entries:
            if entry.outcome.startswith("stored"):
                stored_types[entry.resource_type] = stored_types.get(entry.resource_type, 0) + 1
        summary.update(
            ok=not result.failed,
            created=result.total("created"),
            updated=result.total("updated"),
            unchanged=result.total("unchanged", "matched"),
            stored=result.total("stored", "stored-unchanged"),
            stored_new=result.total("stored"),
            stored_types=stored_types,
            failed=result.total("failed"),
            warnings=result.warnings,
        )
        if result.failed:
            summary["error"] = "; ".join(e.message for e in result.entries if e.outcome == "failed")[:2000]
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def describe(summary: dict[str, Any]) -> str:
    if "created" not in summary:
        return f"FAILED: {summary.get('error', '')}"
    text = (f"created {summary['created']}, updated {summary['updated']}, unchanged {summary['unchanged']}, "
            f"stored unmodelled {summary['stored']} ({summary['stored_new']} new)")
    if summary.get("failed"):
        text += f", FAILED {summary['failed']}: {summary.get('error', '')}"
    return text + f" in {summary['seconds']:.2f}s"


def cmd_import(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(args.db)
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if args.username:
        try:
            actor = User.objects.select_related("professional").get(username=args.username)
        except User.DoesNotExist:
            _say(f"careweave fhir import: no user {args.username!r}\n")
            return 2
    else:
        actor = import_account()
    files = [Path(f) for f in args.files]
    summaries = []
    for number, path in enumerate(files, start=1):
        _say(f"[{number}/{len(files)}] {path.name} ... ")
        summary = import_file(actor, path)
        summaries.append(summary)
        _say(("ok" if summary["ok"] else "FAILED") + f" ({summary['seconds']:.2f}s)\n")
        if not args.json:
            print(f"{path}: {describe(summary)}")
    ok = sum(1 for s in summaries if s["ok"])
    if args.json:
        print(json.dumps(summaries, indent=2, ensure_ascii=False))
    else:
        totals = {key: sum(s.get(key, 0) for s in summaries) for key in ("created", "updated", "unchanged", "stored")}
        print(f"{ok} of {len(files)} files imported: created {totals['created']}, updated {totals['updated']}, "
              f"unchanged {totals['unchanged']}, stored unmodelled {totals['stored']}")
    return 0 if ok == len(files) else 1
