"""The ``careweave`` command: one entry, subcommands that explain themselves.

Each bounded context contributes its own subcommands through a ``register(subparsers)``
function (``careweave.cli.core``, ``careweave.population.cli``...), so this module stays a
dispatcher. Exit codes: 0 success, 1 the command failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Modules that add subcommands; a missing optional module is skipped.
COMMAND_MODULES = [
    "careweave.cli.core",
    "careweave.population.cli",
    "careweave.fhir.cli",
    "careweave.sof.cli",  # issue 20
    "careweave.financing.cli",
    "careweave.cli.backup",
]


def cli_language() -> str:
    """The terminal's language (``LC_ALL``/``LC_MESSAGES``/``LANG``, e.g. ``nl_BE.UTF-8``), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(name, "")[:2].lower()
        if code in ("nl", "fr", "de", "en"):
            return code
    return "en"


def setup_django(db_path: str | None = None) -> None:
    """Configure Django once; ``--db PATH`` selects an SQLite file instead of the default.

    Messages the command prints follow the terminal's language, not the web app's default.
    """
    if db_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.path.abspath(db_path)}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    import django
    from django.utils import translation

    django.setup()
    translation.activate(cli_language())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careweave",
        description="Careweave: shared care plans, population management and indicators for integrated care.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
