"""``careweave backup`` / ``careweave restore``: a backup restores into an empty place with every
row of every table, the population data set and the secret key; nothing is overwritten unasked."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.xdist_group("backup")


def run(*args: str, cwd: Path, var: Path, database_url: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CAREWEAVE_VAR": str(var), "HOME": str(cwd),
           "PYTHONPATH": str(REPO)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "careweave", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table, every row, in a stable order."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def checksums(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory) -> dict[str, Path]:  # noqa: ANN001
    base = tmp_path_factory.mktemp("backup")
    source, var = base / "source.sqlite3", base / "var"
    loaded = run("demo", "--no-serve", "--no-p3", "--persons", "16", "--db", str(source), cwd=base, var=var)
    assert loaded.returncode == 0, loaded.stderr
    made = run("backup", str(base / "backup"), "--db", str(source), cwd=base, var=var)
    assert made.returncode == 0, made.stderr
    return {"base": base, "source": source, "var": var, "backup": base / "backup"}


def test_a_backup_restores_into_an_empty_place_row_by_row(demo_backup) -> None:  # noqa: ANN001
    base = demo_backup["base"]
    target, var = base / "restored.sqlite3", base / "var-restored"
    done = run("restore", str(demo_backup["backup"]), "--db", str(target), cwd=base, var=var)
    assert done.returncode == 0, done.stderr

    original, restored = sqlite_tables(demo_backup["source"]), sqlite_tables(target)
    assert original.keys() == restored.keys() and len(original["people_person"]) >= 16
    for table, rows in original.items():
        assert restored[table] == rows, f"{table} differs after the restore"
    assert (var / "secret_key").read_text() == (demo_backup["var"] / "secret_key").read_text()
    population = checksums(demo_backup["var"] / "population")
    assert population and checksums(var / "population") == population


def test_the_manifest_carries_versions_date_and_a_checksum_of_every_file(demo_backup) -> None:  # noqa: ANN001
    import json

    manifest = json.loads((demo_backup["backup"] / "manifest.json").read_text())
    assert manifest["versions"]["django"] and manifest["created"] and manifest["migrations"]
    assert set(manifest["files"]) == set(checksums(demo_backup["backup"])) - {"manifest.json"}
    assert {"database.sqlite3", "secret_key"} <= set(manifest["files"])
    assert any(name.startswith("population/") for name in manifest["files"])


def test_a_database_with_data_is_not_overwritten_without_force(demo_backup) -> None:  # noqa: ANN001
    base = demo_backup["base"]
    target, var = base / "busy.sqlite3", base / "var-busy"
    assert run("restore", str(demo_backup["backup"]), "--db", str(target), cwd=base, var=var).returncode == 0
    with sqlite3.connect(target) as db:
        db.execute("UPDATE people_person SET given_name = 'Changed' WHERE id = (SELECT MIN(id) FROM people_person)")
    refused = run("restore", str(demo_backup["backup"]), "--db", str(target), cwd=base, var=var)
    assert refused.returncode == 1 and "--force" in refused.stderr
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT COUNT(*) FROM people_person WHERE given_name = 'Changed'").fetchone() == (1,)
    forced = run("restore", str(demo_backup["backup"]), "--db", str(target), "--force", cwd=base, var=var)
    assert forced.returncode == 0, forced.stderr
    assert sqlite_tables(target) == sqlite_tables(demo_backup["source"])


def test_a_damaged_backup_is_refused_and_nothing_changes(demo_backup) -> None:  # noqa: ANN001
    base = demo_backup["base"]
    damaged = base / "damaged"
    shutil.copytree(demo_backup["backup"], damaged)
    with (damaged / "secret_key").open("a") as fh:
        fh.write("x")
    target = base / "untouched.sqlite3"
    refused = run("restore", str(damaged), "--db", str(target), cwd=base, var=base / "var-damaged")
    assert refused.returncode == 1 and "checksum" in refused.stderr
    assert not target.exists() or sqlite_tables(target) == {}


def test_backing_up_into_a_directory_that_holds_files_is_refused(demo_backup) -> None:  # noqa: ANN001
    base = demo_backup["base"]
    again = run("backup", str(demo_backup["backup"]), "--db", str(demo_backup["source"]), cwd=base,
                var=demo_backup["var"])
    assert again.returncode == 1 and "not empty" in again.stderr


@pytest.mark.postgresql
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the PostgreSQL variant runs when DATABASE_URL is PostgreSQL (CI)")
def test_a_postgresql_backup_restores_into_an_empty_database_row_by_row(tmp_path: Path) -> None:
    import psycopg

    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    suffix = uuid.uuid4().hex[:8]
    source_name, target_name = f"cw_backup_src_{suffix}", f"cw_backup_dst_{suffix}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{source_name}"')
        admin.execute(f'CREATE DATABASE "{target_name}"')
    try:
        source_url, target_url = f"{server}/{source_name}", f"{server}/{target_name}"
        var = tmp_path / "var"
        loaded = run("demo", "--no-serve", "--no-p3", "--persons", "16", cwd=tmp_path, var=var, database_url=source_url)
        assert loaded.returncode == 0, loaded.stderr
        made = run("backup", str(tmp_path / "backup"), cwd=tmp_path, var=var, database_url=source_url)
        assert made.returncode == 0, made.stderr
        done = run("restore", str(tmp_path / "backup"), cwd=tmp_path, var=tmp_path / "var2", database_url=target_url)
        assert done.returncode == 0, done.stderr

        def tables(url: str) -> dict[str, list[tuple]]:
            with psycopg.connect(url) as db:
                names = [r[0] for r in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
                return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}

        original = tables(source_url)
        assert original == tables(target_url) and original["people_person"]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in (source_name, target_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
