"""``make bench``: run every benchmark section and write ``docs/benchmarks.md``.

Speed and memory targets are checked here, never in timed unit tests. The benchmarks live in this
tree beside ``tests/``, outside the product's packages (nothing in ``careweave`` imports them): one
module per section with ``run(quick: bool) -> str`` returning a Markdown section that names its
machine, date and peer.

``--only MODULE`` (may be repeated) runs some sections and replaces just those sections in the
existing output file (matched by their ``##`` heading; a new one is appended), so the results of the
other sections stay as they are. Without ``--only`` the whole file is written again.

"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import traceback
from datetime import date
from pathlib import Path

SECTIONS = [
    ("FHIR API and import", "benchmarks.fhir"),
    ("Population engine", "benchmarks.population"),
    ("Zone dashboard", "benchmarks.dashboard"),
    ("Micro -> meso loop", "benchmarks.population_loop"),  # issue 20
    ("Financing simulator", "benchmarks.financing"),
    ("P3 data set and provisions reports", "benchmarks.p3"),
    ("Social map nearest search", "benchmarks.territory"),
    ("Notifications fan-out", "benchmarks.notifications"),
    ("Serving on every core", "benchmarks.serving"),
    ("Demo pages", "benchmarks.pages"),
    ("SQL on FHIR views", "benchmarks.sof"),  # issue 20
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


def _heading(section: str) -> str:
    return next((line for line in section.splitlines() if line.startswith("## ")), "")


def merge(existing: str, sections: list[str]) -> str:
    """``existing`` with each of ``sections`` in place of the section with the same ``##`` heading (or appended)."""
    # split before every "## " heading; chunk 0 is the header of the file
    chunks = re.split(r"(?m)^(?=## )", existing)
    for section in sections:
        heading = _heading(section)
        body = section.rstrip() + "\n\n"
        for i, chunk in enumerate(chunks):
            if i and heading and chunk.splitlines()[0].strip() == heading.strip():
                chunks[i] = body
                break
        else:
            if chunks and not chunks[-1].endswith("\n\n"):
                chunks[-1] = chunks[-1].rstrip() + "\n\n"
            chunks.append(body)
    return "".join(chunks).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Run Careweave's benchmarks and write docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", action="append", choices=[m for _t, m in SECTIONS],
                        help="run this section (may be repeated) and replace only it in the output file")
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careweave.settings")
    parts = [
        "# Benchmarks",
        "",
        f"Run with `make bench` on {date.today():%Y-%m-%d}. Machine: {machine()}.",
        "",
    ]
    sections: list[str] = []
    failed = False
    for title, module_name in SECTIONS:
        if args.only and module_name not in args.only:
            continue
        print(f"== {title}", flush=True)
        try:
            module = importlib.import_module(module_name)
            sections.append(module.run(quick=args.quick))
        except Exception:  # a failing section is reported, the others still run
            failed = True
            traceback.print_exc()
            if args.only:  # the section's earlier results stay in the file
                print(f"{title}: failed, its section in {args.out} is left as it was", file=sys.stderr)
            else:
                sections.append(f"## {title}\n\nThe benchmark failed on this run; see the console output.\n")
    out = Path(args.out)
    if args.only and out.exists():
        out.write_text(merge(out.read_text(), sections))
    else:
        out.write_text("\n".join(parts + sections).rstrip() + "\n")
    print(f"wrote {args.out}")
    return 1 if failed else 0
