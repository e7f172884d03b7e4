"""Core subcommands: demo, serve, token, fhir import, manage."""

from __future__ import annotations

import argparse
import sys


def _serve(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(getattr(args, "db", None))
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from careweave.server import serve

    serve(host=args.host, port=args.port)
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
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.set_defaults(func=_serve)

    p = sub.add_parser("manage", help="run a Django management command (migrate, createsuperuser...)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_manage)


if __name__ == "__main__":
    sys.exit(0)
