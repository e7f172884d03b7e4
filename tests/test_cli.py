"""The ``careweave`` command: help texts, demo, token, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("cli")


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


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:  # noqa: ANN001
    """One ``careweave demo --no-serve`` (a fresh database: migrations, the zone, the P3 data set) for the module."""
    place = tmp_path_factory.mktemp("cli")
    return place, run("demo", "--no-serve", "--db", str(place / "demo.sqlite3"), "--persons", "16", cwd=place)


def test_demo_without_serving_prints_logins_and_a_working_token(demo_run) -> None:  # noqa: ANN001
    place, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "careweave-demo" in result.stdout and "coordinator" in result.stdout
    assert "13338 of 13338 persons and" in result.stdout  # the P3 data set of the financing report
    token_line = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("cw_")]
    assert token_line, result.stdout
    again = run("token", "nurse", "--db", str(place / "demo.sqlite3"), cwd=place)
    assert again.returncode == 0 and again.stdout.strip().startswith("cw_")


@pytest.mark.parametrize("args", [("token", "nobody"), ("no-such-command",)])
def test_bad_usage_has_a_meaningful_exit_code(demo_run, args: tuple[str, ...]) -> None:  # noqa: ANN001
    place, _result = demo_run
    extra = ("--db", str(place / "demo.sqlite3")) if args[0] == "token" else ()
    result = run(*args, *extra, cwd=place)
    assert result.returncode in (1, 2)
    assert result.stderr


def test_the_command_speaks_the_terminals_language(demo_run) -> None:  # noqa: ANN001
    place, english = demo_run
    assert "general practitioner" in english.stdout
    dutch = subprocess.run(
        [sys.executable, "-m", "careweave", "demo", "--no-serve", "--no-p3", "--db", str(place / "demo.sqlite3")],
        cwd=place, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "CAREWEAVE_VAR": str(place / "var"), "HOME": str(place),
             "LANG": "nl_BE.UTF-8"},
    )
    assert "huisarts" in dutch.stdout
