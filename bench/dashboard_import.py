"""How long importing the dashboard's modules takes, and what it loads.

    .venv/bin/python bench/dashboard_import.py            # 5 cold imports, each in a new process
    .venv/bin/python bench/dashboard_import.py --runs 10

Each run is a fresh interpreter importing what ``streamlit run dashboard/app.py``
imports before a page draws (queries, tables, charts, filters, the frame, the
stewards' modules), with a warehouse URL nobody answers: nothing may connect at
import. Printed: the wall-clock import time (median and slowest), how many modules
were loaded, the packages that brought in the most, and whether any of the ETL's
heavy modules (Great Expectations, the loader, the readers) came along; those load
on first use only, which tests/test_dashboard_units.py checks without a clock.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "dashboard.queries",
    "dashboard.tables",
    "dashboard.charts",
    "dashboard.filters",
    "dashboard.frame",
    "dashboard.steward",
)
HEAVY = ("great_expectations", "etl.validate", "etl.load", "etl.readers")
_PROBE = """
import json, sys, time
before = set(sys.modules)
started = time.perf_counter()
for name in {modules!r}:
    __import__(name)
spent = time.perf_counter() - started
print(json.dumps({{"seconds": spent, "modules": sorted(set(sys.modules) - before)}}))
"""


def one_import() -> dict:
    """Import the dashboard once in a new interpreter: seconds taken, modules loaded."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(modules=MODULES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/x"},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold imports to time (default 5)")
    args = parser.parse_args()
    runs = [one_import() for _ in range(args.runs)]
    seconds = [run["seconds"] for run in runs]
    modules = runs[-1]["modules"]
    print(f"import of {', '.join(MODULES)}")
    print(
        f"  wall clock over {args.runs} runs: median {statistics.median(seconds):.2f} s,"
        f" slowest {max(seconds):.2f} s"
    )
    print(f"  modules loaded: {len(modules)}")
    packages = Counter(name.split(".")[0] for name in modules)
    top = ", ".join(f"{package} {count}" for package, count in packages.most_common(8))
    print(f"  most modules from: {top}")
    heavy = sorted({name for name in modules if name.startswith(HEAVY)})
    print(f"  heavy modules loaded: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
