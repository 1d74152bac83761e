"""The month-end batch: many small returns at once through `ducha ingest DIR` and `ducha run`.

    .venv/bin/python bench/batch.py                                  # 31 units x 4 kinds = 124 files
    .venv/bin/python bench/batch.py --districts 20 --kinds all6      # 20 x 31 x 6 = 3,720 files
    .venv/bin/python bench/batch.py --units 8 --kinds employment     # a quick look

It writes one month's return per unit and kind (``--rows`` data rows each, a range
such as ``3-8`` drawn per file, seeded) by splitting what ``etl.generate`` writes for
all the units by unit, plus the master data they refer to (units, targets). Then,
on a fresh embedded PostgreSQL, each in a new database with the master data loaded
first (untimed):

- COPY: the same rows, one ``COPY … FROM STDIN (FORMAT csv)`` a file into a plain
  table of the kind's column types (no index, no constraint), one connection,
  each file its own transaction: the floor of moving these rows into PostgreSQL
  file by file;
- ingest: ``ducha ingest DIR --as-of YEAR-12-31`` as a user runs it, from process
  start to exit;
- run: ``ducha run --inbox DIR --as-of YEAR-12-31`` on a copy of the same inbox.

For ingest and run it prints the total time from process start, the time until
the first file was decided (for ingest ``ingest.files.finished_at``: the start of
the transaction that decided it, the server's clock on the same machine; for run
the moment the file was moved to processed/, its ctime), the time a file after that ((last − first) / (files − 1)), the peak
resident memory of the process (``wait4``'s ru_maxrss) and how many files were
accepted; every file must be (a figure of a load that rejected files is no figure).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import time
from pathlib import Path

import psycopg
from _common import ROOT, Server, ducha, fresh_server, machine, parse_kinds, run, run_timed
from psycopg import sql

from etl.generate import ENCODING, generate
from etl.kinds import KINDS

YEAR = 2006
MONTH_END = ("target_progress", "employment", "disability_aid", "supervision")
ALL_SIX = ("target_progress", "employment", "disability_aid", "supervision", "targets", "units")
UNITS_PER_DISTRICT = 31


def rows_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    first, last = int(low), int(high or low)
    if not 1 <= first <= last:
        raise argparse.ArgumentTypeError(f"rows: N or LOW-HIGH with 1 <= LOW <= HIGH: {text!r}")
    return first, last


def build_inbox(
    folder: Path, kinds: list[str], units: int, rows: tuple[int, int], seed: int
) -> tuple[list[Path], Path, dict[str, int]]:
    """Write master data and one return per (kind, unit); the master files, the inbox, rows by kind.

    ``units`` and ``targets`` in ``kinds`` are month-end corrections too: one file a
    unit holding that unit's own row (units) or its targets (targets).
    """
    master_dir, inbox, work = folder / "master", folder / "inbox", folder / "generated"
    for path in (master_dir, inbox, work):
        path.mkdir(parents=True, exist_ok=True)
    high = rows[1]
    # The targets: `high` a unit, for target progress (and the targets kind).
    made = generate("target_progress", units * high, work / "target_progress", seed=seed,
                    units=units, periods=1, year=YEAR)  # fmt: skip
    master = []
    for path in made[:2]:  # units.csv, targets.csv
        master.append(shutil.copy(path, master_dir / path.name))
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for kind in kinds:
        if kind in ("units", "targets"):
            source = master_dir / f"{kind}.csv"
        elif kind == "target_progress":
            source = made[-1]
        else:
            source = generate(kind, units * high, work / kind, seed=seed, units=units,
                              periods=1, year=YEAR)[-1]  # fmt: skip
        with source.open(encoding=ENCODING, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            unit_column = header.index(KINDS[kind].column("unit_code").zh)
            by_unit: dict[str, list[list[str]]] = {}
            for row in reader:
                by_unit.setdefault(row[unit_column], []).append(row)
        counts[kind] = 0
        for unit, unit_rows in sorted(by_unit.items()):
            keep = unit_rows[: rng.randint(*rows)] if kind != "units" else unit_rows
            with (inbox / f"{kind}-{unit}.csv").open("w", encoding=ENCODING, newline="") as out:
                writer = csv.writer(out)
                writer.writerow(header)
                writer.writerows(keep)
            counts[kind] += len(keep)
    shutil.rmtree(work)
    return master, inbox, counts


def fresh_warehouse(server: Server, name: str, master: list[Path]) -> tuple[str, dict[str, str]]:
    url = server.database(name)
    env = dict(os.environ, DATABASE_URL=url)
    run([*ducha(), "db", "upgrade"], env)
    run([*ducha(), "ingest", *map(str, master), "--as-of", f"{YEAR}-12-31"], env)
    return url, env


def bare_copy(url: str, inbox: Path) -> float:
    """Seconds to COPY every file of the inbox, one statement and transaction a file."""
    files = sorted(inbox.glob("*.csv"))
    with psycopg.connect(url, autocommit=True) as conn:
        for kind in {path.name.split("-", 1)[0] for path in files}:
            conn.execute(
                sql.SQL("create table {} ({})").format(
                    sql.Identifier(f"bare_{kind}"),
                    sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type))
                        for c in KINDS[kind].columns
                    ),
                )
            )
        # The generator leaves optional trailing columns out of the rows (units' e-mail).
        widths: dict[str, int] = {}
        for path in files:
            kind = path.name.split("-", 1)[0]
            if kind not in widths:
                with path.open(encoding=ENCODING, newline="") as handle:
                    widths[kind] = len(list(csv.reader(handle))[1])
        started = time.perf_counter()
        for path in files:
            kind = path.name.split("-", 1)[0]
            statement = sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(
                sql.Identifier(f"bare_{kind}"),
                sql.SQL(", ").join(
                    sql.Identifier(c.name) for c in KINDS[kind].columns[: widths[kind]]
                ),
            )
            with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
                copy.write(path.read_bytes())
        return time.perf_counter() - started


def decided(url: str, since_file: int) -> tuple[int, int, float, float]:
    """Files decided after ``since_file``: accepted, all, first and last finished_at (epoch s)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) filter (where outcome in ('accepted', 'accepted_with_warnings')),"
            " count(*), extract(epoch from min(finished_at)), extract(epoch from max(finished_at))"
            " from ingest.files where file_id > %s",
            (since_file,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), float(row[2] or 0), float(row[3] or 0)


def last_file(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("select coalesce(max(file_id), 0) from ingest.files").fetchone()
    return int(row[0]) if row else 0


def filed_away(inbox: Path) -> tuple[float, float]:
    """When ``ducha run`` moved its first and last file (a rename sets the file's ctime)."""
    times = [
        path.stat().st_ctime
        for folder in ("processed", "rejected")
        for path in (inbox / folder).glob("*.csv")
    ]
    return (min(times), max(times)) if times else (0.0, 0.0)


def timed_load(
    server: Server, name: str, master: list[Path], argv: list[str], inbox: Path
) -> dict[str, float]:
    url, env = fresh_warehouse(server, name, master)
    before = last_file(url)
    wall_start = time.time()
    timed = run_timed([*ducha(), *argv, "--as-of", f"{YEAR}-12-31"], env)
    accepted, files, first, last = decided(url, before)
    if argv[0] == "run":
        first, last = filed_away(inbox)
    if timed.returncode != 0 or accepted != files:
        sys.exit(
            f"ducha {argv[0]} exited {timed.returncode}, {accepted} of {files} files accepted:\n"
            f"{timed.stderr[-3000:]}"
        )
    server.drop(name)
    return {
        "seconds": timed.seconds,
        "first": first - wall_start,
        "per_file": (last - first) / max(files - 1, 1),
        "rss": timed.peak_rss_mb,
        "files": files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--units", type=int, default=UNITS_PER_DISTRICT, help="units a district (default 31)"
    )
    parser.add_argument("--districts", type=int, default=1, help="multiplies the units (default 1)")
    parser.add_argument(
        "--kinds",
        default=",".join(MONTH_END),
        help="comma-separated kinds (default: the four month-end ones; 'all6' adds targets and"
        " units)",
    )
    parser.add_argument(
        "--rows", type=rows_range, default=(3, 8), help="data rows a file, N or LOW-HIGH (3-8)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", choices=("ingest", "run", "both"), default="both", help="which commands to time"
    )
    args = parser.parse_args()
    kinds = list(ALL_SIX) if args.kinds == "all6" else parse_kinds(parser, args.kinds)
    units = args.units * args.districts

    started = time.perf_counter()
    with fresh_server("batch") as server:
        print(f"machine: {machine(server.url)}")
        print(f"project: {ROOT}")
        master, inbox, counts = build_inbox(server.scratch, kinds, units, args.rows, args.seed)
        files = sum(1 for _ in inbox.glob("*.csv"))
        total_rows = sum(counts.values())
        print(
            f"{files:,} files ({units:,} units x {len(kinds)} kinds), {total_rows:,} rows"
            f" ({args.rows[0]}-{args.rows[1]} a file)\n"
        )
        url, _ = fresh_warehouse(server, "bench_batch_copy", master)
        floor = bare_copy(url, inbox)
        server.drop("bench_batch_copy")
        print(f"  bare COPY     {floor:7.2f} s  {floor / files * 1000:6.1f} ms a file", flush=True)
        results = {}
        commands = ("ingest", "run") if args.only == "both" else (args.only,)
        for command in commands:
            folder = server.scratch / f"inbox-{command}"
            shutil.copytree(inbox, folder)
            argv = (
                ["ingest", str(folder)] if command == "ingest" else ["run", "--inbox", str(folder)]
            )
            r = timed_load(server, f"bench_batch_{command}", master, argv, folder)
            results[command] = r
            print(
                f"  ducha {command:7s} {r['seconds']:7.2f} s  first file after {r['first']:5.2f} s"
                f"  then {r['per_file'] * 1000:6.1f} ms a file  peak RSS {r['rss']:4.0f} MB"
                f"  ({r['files']:.0f} files accepted)",
                flush=True,
            )
    print(
        f"\ngoal: 124 files <= 6 s from process start, <= 50 ms a file after start-up,"
        f" peak RSS < 512 MB; took {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
