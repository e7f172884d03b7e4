"""``careweave backup DIR`` and ``careweave restore DIR``: a backup that is known to restore.

A backup directory holds the database (SQLite through its online backup API, so a running server
may keep writing; PostgreSQL as ``pg_dump --format=custom``), the population data set (the Parquet
directory, ``POPULATION_DATA_DIR``), the secret key (``var/secret_key``) and ``manifest.json`` with
the versions, the date, the applied migrations and a SHA-256 of every file. Restore checks every
checksum first, refuses a backup made by a newer Careweave (a migration this code does not know),
refuses to overwrite a database that holds users or persons unless ``--force``, and migrates an
older backup forward. Run by the server's operator: access to the files is the permission.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _(message: str) -> str:
    """gettext, imported when a message is shown: every command builds this parser (issue #19, fixed cost)."""
    from django.utils.translation import gettext

    return gettext(message)

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
POPULATION = "population"
SECRET = "secret_key"
# Tables whose rows mean someone's data is in the database (a fresh ``migrate`` fills only catalogues).
DATA_TABLES = ("auth_user", "people_person")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    from django.conf import settings

    return settings.DATABASES["default"]


def _is_sqlite(db: dict[str, Any]) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def _pg_command(tool: str, db: dict[str, Any], *args: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    command = [tool, *args]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    return command, env


def _applied_migrations() -> list[list[str]]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _holds_data() -> bool:
    from django.db import connection

    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - fixed names
                if cursor.fetchone():
                    return True
    return False


def create_backup(target: Path) -> dict[str, Any]:
    """Write a backup into ``target`` (new or empty); returns the manifest."""
    import django
    from django.conf import settings
    from django.db import connection

    if target.exists() and any(target.iterdir()):
        raise BackupError(_("%(dir)s is not empty: back up into a new or empty directory.") % {"dir": target})
    target.mkdir(parents=True, exist_ok=True)
    db = _database()
    if _is_sqlite(db):
        connection.ensure_connection()
        destination = sqlite3.connect(target / SQLITE_FILE)
        try:
            connection.connection.backup(destination)  # consistent even while others write
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            destination.close()
        database = {"engine": "sqlite", "file": SQLITE_FILE, "sqlite": sqlite3.sqlite_version}
    else:
        command, env = _pg_command("pg_dump", db, "--format=custom", "--no-owner", f"--file={target / PG_FILE}",
                                   str(db["NAME"]))
        _run(command, env)
        database = {"engine": "postgresql", "file": PG_FILE}
    population = Path(settings.POPULATION_DATA_DIR)
    if population.is_dir():
        shutil.copytree(population, target / POPULATION)
    secret = Path(settings.VAR_DIR) / SECRET
    if secret.is_file():
        shutil.copy2(secret, target / SECRET)
    files = {
        str(path.relative_to(target)): _sha256(path)
        for path in sorted(target.rglob("*")) if path.is_file() and path != target / MANIFEST
    }
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"careweave": _package_version(),
                     "django": django.get_version(), "python": platform.python_version()},
        "database": database,
        "migrations": _applied_migrations(),
        "secret_key": SECRET in files,
        "population": any(name.startswith(POPULATION + "/") for name in files),
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("careweave")
    except PackageNotFoundError:
        return "unknown"


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking that every file it lists is there, unchanged."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(_("%(dir)s holds no readable manifest.json: it is not a Careweave backup (%(error)s).")
                          % {"dir": source, "error": exc}) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup has format %(found)s; this Careweave reads format %(known)s.")
                          % {"found": manifest.get("format"), "known": FORMAT})
    for name, expected in manifest.get("files", {}).items():
        path = source / name
        if not path.is_file():
            raise BackupError(_("%(file)s is missing from the backup.") % {"file": name})
        if _sha256(path) != expected:
            raise BackupError(_("%(file)s does not match its checksum: the backup is damaged.") % {"file": name})
    return manifest


def _refuse_newer_schema(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]
    if unknown:
        raise BackupError(_("This backup was made by a newer Careweave (unknown migrations: %(names)s). "
                            "Install that version to restore it.") % {"names": ", ".join(unknown[:5])})


def restore_backup(source: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore ``source`` into the configured database and var directory; returns the manifest."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    manifest = read_manifest(source)
    _refuse_newer_schema(manifest)
    db = _database()
    engine = "sqlite" if _is_sqlite(db) else "postgresql"
    if manifest["database"]["engine"] != engine:
        raise BackupError(_("This is a %(found)s backup; the configured database is %(engine)s.")
                          % {"found": manifest["database"]["engine"], "engine": engine})
    if _holds_data() and not force:
        raise BackupError(_("The database already holds users or persons; restoring would replace them. "
                            "Add --force to replace them."))
    if engine == "sqlite":
        connection.ensure_connection()
        backup = sqlite3.connect(f"file:{source / SQLITE_FILE}?mode=ro", uri=True)
        try:
            backup.backup(connection.connection)  # replaces every page of the target database
        finally:
            backup.close()
        connection.close()
    else:
        connection.close()
        command, env = _pg_command("pg_restore", db, "--clean", "--if-exists", "--no-owner",
                                   f"--dbname={db['NAME']}", str(source / PG_FILE))
        _run(command, env)
    if manifest.get("population"):
        population = Path(settings.POPULATION_DATA_DIR)
        if population.exists():
            shutil.rmtree(population)
        shutil.copytree(source / POPULATION, population)
    if manifest.get("secret_key"):
        secret = Path(settings.VAR_DIR) / SECRET
        shutil.copy2(source / SECRET, secret)
        secret.chmod(0o600)
    call_command("migrate", interactive=False, verbosity=0)  # an older backup catches up with this code
    return manifest


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(_("%(tool)s is not installed; it is needed for PostgreSQL.") % {"tool": command[0]}) from None
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": command[0], "error": done.stderr.strip()[:500]})


# --------------------------------------------------------------------------- the commands


def _backup(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(args.db)
    try:
        manifest = create_backup(Path(args.directory))
    except BackupError as exc:
        print(f"careweave backup: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {len(manifest['files'])} files into {args.directory} ({manifest['database']['engine']}).")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from careweave.cli import setup_django

    setup_django(args.db)
    try:
        manifest = restore_backup(Path(args.directory), force=args.force)
    except BackupError as exc:
        print(f"careweave restore: {exc}", file=sys.stderr)
        return 1
    print(f"Restored the backup of {manifest['created']} from {args.directory}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="back up the database, the population data set and the secret key",
                       description="Writes a backup into DIR (new or empty): the database, the population "
                       "data set, var/secret_key and manifest.json (versions, date, checksums).")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.set_defaults(func=_backup)

    p = sub.add_parser("restore", help="restore a backup made with `careweave backup`",
                       description="Checks every checksum, then restores the database, the population data "
                       "set and the secret key. Refuses a database that holds users or persons unless --force.")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--db", help="SQLite file to use instead of the default (var/careweave.sqlite3)")
    p.add_argument("--force", action="store_true", help="replace a database that already holds data")
    p.set_defaults(func=_restore)
