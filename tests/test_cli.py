"""The ``careweave`` command: help texts, demo, token, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "careweave", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "CAREWEAVE_VAR": str(cwd / "var"), "HOME": str(cwd)},
    )


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "token", "manage"):
        assert command in result.stdout


def test_demo_without_serving_prints_logins_and_a_working_token(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    result = run("demo", "--no-serve", "--db", str(db), "--persons", "16", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "careweave-demo" in result.stdout and "coordinator" in result.stdout
    assert "13338 of 13338 persons and" in result.stdout  # the P3 data set of the financing report
    token_line = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("cw_")]
    assert token_line, result.stdout
    again = run("token", "nurse", "--db", str(db), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.strip().startswith("cw_")


@pytest.mark.parametrize("args", [("token", "nobody"), ("no-such-command",)])
def test_bad_usage_has_a_meaningful_exit_code(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "x.sqlite3"
    extra = ("--db", str(db)) if args[0] == "token" else ()
    if args[0] == "token":
        run("manage", "migrate", "-v0", cwd=tmp_path)  # empty database, no users
    result = run(*args, *extra, cwd=tmp_path)
    assert result.returncode in (1, 2)
    assert result.stderr


def test_the_command_speaks_the_terminals_language(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    english = run("demo", "--no-serve", "--db", str(db), "--persons", "16", "--no-p3", cwd=tmp_path)
    assert "general practitioner" in english.stdout
    dutch = subprocess.run(
        [sys.executable, "-m", "careweave", "demo", "--no-serve", "--no-p3", "--db", str(db)], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "CAREWEAVE_VAR": str(tmp_path / "var"), "HOME": str(tmp_path),
             "LANG": "nl_BE.UTF-8"},
    )
    assert "huisarts" in dutch.stdout
