"""How much of `ducha ingest` is Great Expectations, and how that scales with rows.

    .venv/bin/python bench/validation.py                      # 100k and 1M rows, every kind
    .venv/bin/python bench/validation.py --rows 10000,100000 --kinds supervision --repeat 1

Each run is ``ducha ingest FILE`` in a process of its own, timed from start to
exit as in bench/ingest.py, with timers around the load's phases (the process
reports them at exit; they cost nothing measurable):

- GX import: ``import great_expectations`` (etl.validate.import_gx);
- GX run: building the ephemeral context and running the kind's suite (every
  query GX sends), without the import;
- reference checks: the warehouse lookups etl.validate runs after GX;
- waited: how long the load, its rows already copied into core, then waited
  for validation to finish: the part of GX that the promotion does not hide.

GX share = (GX import + GX run) / wall time of the ingest. The load validates
in a thread while it promotes, so that share is work GX does, not all of it time
added: "waited" is what removing GX entirely would save at most.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    ROOT,
    Server,
    ducha,
    fresh_server,
    machine,
    median,
    parse_kinds,
    run,
    run_timed,
)

from etl.generate import generate
from etl.kinds import KINDS

YEAR = 2006
PHASES = Path(__file__).resolve().parent / "_phases.py"


def one(server: Server, kind: str, rows: int, repeat: int) -> dict[str, float]:
    """Median phases of ``repeat`` ingests of a ``rows``-row return of ``kind``."""
    scratch = server.scratch
    paths = generate(kind, rows, scratch / f"{kind}-{rows}", seed=1, year=YEAR)
    master, path = paths[:-1], paths[-1]
    runs: list[dict[str, float]] = []
    for attempt in range(repeat):
        name = f"bench_validation_{kind}_{rows}_{attempt}"
        url = server.database(name)
        env = dict(os.environ, DATABASE_URL=url)
        run([*ducha(), "db", "upgrade"], env)
        if master:
            run([*ducha(), "ingest", *map(str, master)], env)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            timed = run_timed(
                [sys.executable, str(PHASES), out.name, "ingest", str(path), "--as-of",
                 f"{YEAR}-12-31"],
                env,
            )  # fmt: skip
            if timed.returncode != 0:
                sys.exit(
                    f"ingest of {path.name} exited {timed.returncode}:\n{timed.stderr[-3000:]}"
                )
            phases = json.loads(Path(out.name).read_text())
        phases["total"] = timed.seconds
        runs.append(phases)
        server.drop(name)
    keys = sorted({key for phases in runs for key in phases})
    return {key: median([phases.get(key, 0.0) for phases in runs]) for key in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated file sizes")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds (all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per kind and size (3)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.rows.split(",") if size.strip()]
    kinds = parse_kinds(parser, args.kinds)

    started = time.perf_counter()
    results: dict[tuple[str, int], dict[str, float]] = {}
    with fresh_server("validation") as server:
        print(f"machine: {machine(server.url)}")
        print(f"project: {ROOT}; {args.repeat} run(s) each, medians\n")
        for kind in kinds:
            for rows in sizes:
                r = one(server, kind, rows, args.repeat)
                results[kind, rows] = r
                gx = r.get("gx_import", 0.0) + r.get("gx_run", 0.0)
                print(
                    f"  {kind:15s} {rows:>9,} rows: ingest {r['total']:6.2f} s, GX {gx:5.2f} s"
                    f" ({gx / r['total']:4.0%}), waited {r.get('waited', 0.0):5.2f} s",
                    flush=True,
                )

    print(
        f"\n{'kind':15s} {'rows':>9s} {'ingest':>7s} {'stage':>6s} {'promote':>7s}"
        f" {'GX imp':>6s} {'GX run':>6s} {'refs':>5s} {'waited':>6s} {'GX share':>8s}"
    )
    for (kind, rows), r in results.items():
        gx = r.get("gx_import", 0.0) + r.get("gx_run", 0.0)
        print(
            f"{kind:15s} {rows:>9,} {r['total']:7.2f} {r.get('stage', 0):6.2f}"
            f" {r.get('promote', 0):7.2f} {r.get('gx_import', 0):6.2f} {r.get('gx_run', 0):6.2f}"
            f" {r.get('reference', 0):5.2f} {r.get('waited', 0):6.2f} {gx / r['total']:8.0%}"
        )
    if len(sizes) > 1:
        low, high = min(sizes), max(sizes)
        print(f"\nGX run, {high:,} rows against {low:,} ({high // low}x the rows):")
        for kind in kinds:
            a, b = results[kind, low].get("gx_run", 0.0), results[kind, high].get("gx_run", 0.0)
            print(f"  {kind:15s} {a:6.2f} s -> {b:6.2f} s  ({b / a if a else 0:4.1f}x)")
    print(f"\n(seconds, medians; took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
