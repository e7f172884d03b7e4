"""``make bench``: run every benchmark section and write ``docs/benchmarks.md``.

Speed and memory targets are checked here, never in timed unit tests. Each bounded context
contributes a module with ``run(quick: bool) -> str`` returning a Markdown section.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import traceback
from datetime import date
from pathlib import Path

SECTIONS = [
    ("FHIR API and import", "careweave.fhir.benchmark"),
    ("Population engine", "careweave.population.benchmark"),
    ("Zone dashboard", "careweave.population.dashboard_bench"),
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Careweave's benchmarks and write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", choices=[m for _t, m in SECTIONS], help="run one section")
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    parts = [
        "# Benchmarks",
        "",
        f"Run with `make bench` on {date.today():%Y-%m-%d}. Machine: {machine()}.",
        "",
    ]
    failed = False
    for title, module_name in SECTIONS:
        if args.only and module_name != args.only:
            continue
        print(f"== {title}", flush=True)
        try:
            module = importlib.import_module(module_name)
            parts.append(module.run(quick=args.quick))
        except Exception:  # a failing section is reported, the others still run
            failed = True
            traceback.print_exc()
            parts.append(f"## {title}\n\nThe benchmark failed on this run; see the console output.\n")
    Path(args.out).write_text("\n".join(parts).rstrip() + "\n")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
