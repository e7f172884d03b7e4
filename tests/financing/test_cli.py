"""``careweave financing simulate`` and ``load-p3-table`` (the lead adds the module to the CLI's list)."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from careweave.financing import cli
from careweave.people.models import Person


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="careweave")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_simulate_writes_one_row_per_zone(small_pop, tmp_path, capsys):
    out = tmp_path / "sim.csv"
    assert run(["financing", "simulate", "--data", str(small_pop), "--year", "2024", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) >= 10 and {"ffs", "capitation", "bundled", "guarantee", "virtual", "p4p"} <= set(frame)
    assert "2024 on duckdb" in capsys.readouterr().out


def test_simulate_refuses_bad_input(small_pop, tmp_path, capsys):
    assert run(["financing", "simulate", "--data", str(small_pop), "--out", str(tmp_path / "x.txt")]) == 2
    assert run(["financing", "simulate", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "x.csv")]) == 1
    assert run(["financing", "simulate", "--data", str(small_pop), "--year", "1999",
                "--out", str(tmp_path / "x.csv")]) == 2
    assert "no data for 1999" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.django_db
def test_load_p3_table_in_an_unknown_or_empty_zone_fails_clearly(capsys, zone):
    assert run(["financing", "load-p3-table", "--zone", "NOWHERE"]) == 1
    assert "unknown zone NOWHERE" in capsys.readouterr().err
    assert run(["financing", "load-p3-table", "--zone", zone.code]) == 1
    assert "has no active professionals" in capsys.readouterr().err
    assert not Person.objects.exists()
