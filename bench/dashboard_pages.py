"""How long each dashboard page takes to draw on a warehouse of a million (or ten million) rows.

    .venv/bin/python bench/dashboard_pages.py             # ~1M fact rows (--scale 0.1)
    .venv/bin/python bench/dashboard_pages.py --scale 1   # ~10M, the marts benchmark's warehouse

The warehouse is filled as bench/marts.py fills it (SQL straight into core,
then the summaries and VACUUM ANALYZE). Each page of dashboard/app.py is then run
cold (Streamlit's caches cleared, so every query goes to PostgreSQL) in
Streamlit's AppTest, once with no filter and once with one unit chosen; the
time is the whole script run: queries, DataFrames, charts and widgets. Every
query a page issues is timed too (``dashboard.queries._read``, wrapped): its
p50 and p95 over all the page's queries in all its runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings
from pathlib import Path

from _common import ROOT, ducha, fresh_server, machine, median, percentile, run
from marts import fill

APP = ROOT / "dashboard" / "app.py"
SCREENS = ROOT / "dashboard" / "screens"
TIMEOUT = 300  # seconds a page may take before AppTest gives up
FILTERS = {"all units": {}, "one unit": {"unit": "JD-007"}}


def pages() -> list[str]:
    """Every page of the app, as the screen file AppTest switches to (the overview first)."""
    found = sorted(path.name for path in SCREENS.glob("*.py") if path.name != "__init__.py")
    found.remove("overview.py")
    return ["overview.py", *found]


def timing_queries(spent: list[float]) -> None:
    """Record the seconds of every query the dashboard runs into ``spent``."""
    from dashboard import queries

    read = queries._read

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return read(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    queries._read = timed


def draw(url: str, page: str, params: dict[str, str]) -> tuple[float, str]:
    """Seconds to run the app and switch to ``page``, cold; and what went wrong, if anything."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    st.cache_data.clear()
    started = time.perf_counter()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    if page != "overview.py":
        at.switch_page(f"screens/{page}").run()
    seconds = time.perf_counter() - started
    problem = "; ".join(str(e.value)[:80] for e in at.exception)
    return seconds, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20, help="years of history (20)")
    parser.add_argument("--scale", type=float, default=0.1, help="volume (0.1 = ~1M fact rows)")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per page and filter (3)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    # Streamlit warns about running outside its server; here that is the point.
    for name in (
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.caching.cache_resource_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).disabled = True

    started = time.perf_counter()
    with fresh_server("pages") as server:
        url = server.database("ducha")
        run([*ducha(), "db", "upgrade"], dict(os.environ, DATABASE_URL=url))
        print(f"machine: {machine(url)}")
        print(f"project: {ROOT}")
        print(f"fill ({args.years} years, scale {args.scale}):")
        print(f"  filled in {fill(url, args.years, args.scale):.0f} s\n")
        spent: list[float] = []
        timing_queries(spent)
        print(
            f"{'page':18s}"
            + "".join(f"{label + ' s':>12s}" for label in FILTERS)
            + f"{'queries':>9s}{'query p50':>11s}{'query p95':>11s}"
        )
        slowest, query_p95 = 0.0, 0.0
        for page in pages():
            cells = []
            spent.clear()
            for params in FILTERS.values():
                times = []
                for _ in range(args.repeat):
                    seconds, problem = draw(url, page, params)
                    times.append(seconds)
                    if problem:
                        print(f"  {page}: {problem}")
                cells.append(median(times))
            ms = [s * 1000 for s in spent] or [0.0]
            slowest = max(slowest, *cells)
            query_p95 = max(query_p95, percentile(ms, 0.95))
            print(
                f"{Path(page).stem:18s}"
                + "".join(f"{s:12.2f}" for s in cells)
                + f"{len(spent) // (args.repeat * len(FILTERS)):9d}"
                + f"{median(ms):9.1f}ms{percentile(ms, 0.95):9.1f}ms",
                flush=True,
            )
        from dashboard import queries

        queries.engine(url).dispose()
    print(
        f"\nslowest page {slowest:.2f} s (goal 1 s); highest page query p95 {query_p95:.1f} ms"
        f" (goal 100 ms); took {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
