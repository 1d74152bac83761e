"""How fast `ducha ingest` loads a return, against a bare PostgreSQL COPY of the same file.

    .venv/bin/python bench/ingest.py                  # 1,000,000 rows of every kind, 3 runs each
    .venv/bin/python bench/ingest.py --rows 100000 --kinds supervision --repeat 1

For each kind it writes a contract-valid CSV return with ``etl.generate`` (and the
master data it refers to), then, on a fresh embedded PostgreSQL, in a new database
per run (master data loaded first, untimed):

- COPY: the file's bytes streamed by psycopg into ``COPY … FROM STDIN (FORMAT csv)``
  of a plain table with the kind's column types and no index or constraint: the
  physical floor, timed around the COPY statement alone;
- ingest: ``ducha ingest FILE --as-of YEAR-12-31`` as a user runs it, from process
  start to exit (reading, staging, Great Expectations, promotion into ``core``),
  and the process's peak resident memory (``wait4``'s ru_maxrss).

It prints each run and then the medians: ingest / COPY is the figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg
from _common import ROOT, Server, ducha, fresh_server, machine, median, run, run_timed
from psycopg import sql

from etl.generate import generate
from etl.kinds import KINDS

YEAR = 2006


def bare_copy(url: str, kind: str, path: Path) -> float:
    """Seconds to COPY the file into a plain table of the kind's column types."""
    columns = KINDS[kind].columns
    table = sql.Identifier(f"bare_{kind}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create table {} ({})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type))
                    for c in columns
                ),
            )
        )
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(sql.SQL("copy {} from stdin (format csv, header true)").format(table)) as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        conn.execute(sql.SQL("drop table {}").format(table))
    return seconds


def one_kind(server: Server, kind: str, rows: int, repeat: int) -> dict[str, float]:
    """Time COPY and ingest of one kind ``repeat`` times; print each run; return the medians."""
    folder = server.scratch / kind
    paths = generate(kind, rows, folder, seed=1, year=YEAR)
    master, path = paths[:-1], paths[-1]
    size_mb = path.stat().st_size / 1e6
    copies, ingests, peaks = [], [], []
    for attempt in range(repeat):
        name = f"bench_{kind}_{attempt}"
        url = server.database(name)
        env = dict(os.environ, DATABASE_URL=url)
        run([*ducha(), "db", "upgrade"], env)
        if master:
            run([*ducha(), "ingest", *map(str, master)], env)
        copies.append(bare_copy(url, kind, path))
        timed = run_timed([*ducha(), "ingest", str(path), "--as-of", f"{YEAR}-12-31"], env)
        if timed.returncode != 0:
            sys.exit(f"ducha ingest {path.name} exited {timed.returncode}:\n{timed.stderr[-3000:]}")
        ingests.append(timed.seconds)
        peaks.append(timed.peak_rss_mb)
        print(
            f"  {kind:15s} run {attempt + 1}: COPY {copies[-1]:6.2f} s   ingest"
            f" {timed.seconds:6.2f} s   ratio {timed.seconds / copies[-1]:5.1f}x"
            f"   peak RSS {timed.peak_rss_mb:5.0f} MB",
            flush=True,
        )
        server.drop(name)
    return {
        "size_mb": size_mb,
        "copy": median(copies),
        "ingest": median(ingests),
        "ratio": median(ingests) / median(copies),
        "rss": max(peaks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per file (1,000,000)")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma-separated kinds (default: all six)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per kind (default 3)")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")

    started = time.perf_counter()
    results = {}
    with fresh_server("ingest") as server:
        print(f"machine: {machine(server.url)}")
        print(f"project: {ROOT}")
        print(f"{args.rows:,} rows per file, {args.repeat} run(s) per kind; medians below\n")
        for kind in kinds:
            results[kind] = one_kind(server, kind, args.rows, args.repeat)

    print()
    print(
        f"{'kind':15s} {'CSV MB':>7s} {'COPY s':>7s} {'ingest s':>9s} {'ratio':>6s} {'peak RSS':>9s}"
    )
    for kind, r in results.items():
        print(
            f"{kind:15s} {r['size_mb']:7.1f} {r['copy']:7.2f} {r['ingest']:9.2f}"
            f" {r['ratio']:5.1f}x {r['rss']:6.0f} MB"
        )
    print(f"\n(goal: ratio <= 2x, peak RSS < 512 MB; took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
