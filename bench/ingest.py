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

It prints each run and then the medians: ingest / COPY is the figure. Three
more figures per run show where the floor of that ratio is:

- keyed COPY: the same COPY into the same table with a primary key on the
  kind's row key (core's key without its file): the least any load pays that
  finds a row's earlier versions, or a duplicate, by an index;

- core write: the load's promotion step alone (etl.loading.promote.promote_start: the
  rows into core with their keys, the summaries), on the same rows already in
  staging, rolled back afterwards: what any load into versioned tables pays;
- 10-row ingest: ``ducha ingest`` of a 10-row file of the kind: the fixed cost
  of a process (Python, imports, Great Expectations' import and set-up).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg
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
from psycopg import sql

from etl.generate import generate
from etl.kinds import KINDS

YEAR = 2006


def row_key(url: str, kind: str) -> list[str]:
    """The kind's row key: the columns of core's primary key but the file's."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "select attname from pg_index"
            " join pg_attribute on attrelid = indrelid and attnum = any(indkey)"
            " where indrelid = %s::regclass and indisprimary"
            " order by array_position(indkey::int2[], attnum)",
            (f"core.{kind}",),
        ).fetchall()
    # Not the year core adds to the key for its partitions (sql/migrations/0090): it
    # follows from the period or date already in it, and a file has no such column.
    columns = KINDS[kind].column_names
    return [name for (name,) in found if name != "file_id" and name in columns]


def bare_copy(url: str, kind: str, path: Path, key: list[str] | None = None) -> float:
    """Seconds to COPY the file into a plain table of the kind's column types.

    With ``key``, the table has that primary key and nothing else, and is
    dropped after.
    """
    columns = KINDS[kind].columns
    table = sql.Identifier(f"bare_{kind}" if key is None else f"keyed_{kind}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create table {} ({}{})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type))
                    for c in columns
                ),
                sql.SQL(", primary key ({})").format(sql.SQL(", ").join(map(sql.Identifier, key)))
                if key
                else sql.SQL(""),
            )
        )
        started = time.perf_counter()
        # The file's own columns: a kind's optional columns may be left out of it.
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline().strip().split(",")
        named = {c.zh: c.name for c in columns} | {c.name: c.name for c in columns}
        statement = sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(
            table, sql.SQL(", ").join(sql.Identifier(named[cell]) for cell in header)
        )
        with (
            conn.cursor() as cur,
            cur.copy(statement) as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        if key is not None:
            conn.execute(sql.SQL("drop table {}").format(table))
    return seconds


def core_write(url: str, kind: str) -> float:
    """Seconds the load's promotion step alone takes to write the COPYed rows into core.

    The rows go into a staging partition of a file of their own as the load's
    COPY would leave them, then etl.loading.promote.promote_start runs on them in a
    transaction that is rolled back: no Python reading, no Great Expectations.
    """
    from datetime import date

    from etl.loading.promote import promote_start
    from etl.loading.stage import staged_table

    spec = KINDS[kind]
    columns = sql.SQL(", ").join(map(sql.Identifier, spec.column_names))
    supervision = kind == "supervision"
    with psycopg.connect(url) as conn:
        conn.execute("set jit = off")  # as the load does
        file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of)"
            " values ('floor', 'floor', %s, 0, %s) returning file_id",
            (kind, date(YEAR, 12, 31)),
        ).fetchone()[0]
        conn.execute(
            sql.SQL("create unlogged table {} partition of staging.{} for values in ({})").format(
                staged_table(spec, file_id), sql.Identifier(kind), sql.Literal(file_id)
            )
        )
        conn.execute(
            sql.SQL(
                "insert into staging.{kind} (file_id, row_no, {columns}{extra})"
                " select %s, row_number() over () + 1, {columns}{as_of} from {bare}"
            ).format(
                kind=sql.Identifier(kind),
                columns=columns,
                extra=sql.SQL(", as_of") if supervision else sql.SQL(""),
                as_of=sql.SQL(", %s::date") if supervision else sql.SQL(""),
                bare=sql.Identifier(f"bare_{kind}"),
            ),
            (file_id, date(YEAR, 12, 31)) if supervision else (file_id,),
        )
        conn.execute(sql.SQL("analyze {}").format(staged_table(spec, file_id)))
        started = time.perf_counter()
        promote_start(conn, spec, file_id)
        seconds = time.perf_counter() - started
        conn.rollback()
        conn.execute(sql.SQL("drop table {}").format(sql.Identifier(f"bare_{kind}")))
        conn.commit()
    return seconds


def one_kind(server: Server, kind: str, rows: int, repeat: int) -> dict[str, float]:
    """Time COPY and ingest of one kind ``repeat`` times; print each run; return the medians."""
    folder = server.scratch / kind
    paths = generate(kind, rows, folder, seed=1, year=YEAR)
    master, path = paths[:-1], paths[-1]
    size_mb = path.stat().st_size / 1e6
    # The fixed cost of an ingest: a 10-row file of the same kind.
    small_master = generate(kind, 10, server.scratch / f"{kind}-10", seed=1, year=YEAR)
    small_master, small = small_master[:-1], small_master[-1]
    copies, keyed, writes, fixed, ingests, peaks = [], [], [], [], [], []
    for attempt in range(repeat):
        # COPY and the core write in a database of their own: the rolled-back
        # write leaves dead rows behind that would slow the ingest after it.
        name = f"bench_{kind}_{attempt}_floor"
        url = server.database(name)
        env = dict(os.environ, DATABASE_URL=url)
        run([*ducha(), "db", "upgrade"], env)
        if master:
            run([*ducha(), "ingest", *map(str, master)], env)
        copies.append(bare_copy(url, kind, path))
        keyed.append(bare_copy(url, kind, path, row_key(url, kind)))
        writes.append(core_write(url, kind))
        server.drop(name)

        name = f"bench_{kind}_{attempt}"
        url = server.database(name)
        env = dict(os.environ, DATABASE_URL=url)
        run([*ducha(), "db", "upgrade"], env)
        for files in (master, small_master):
            if files:
                run([*ducha(), "ingest", *map(str, files)], env)
        as_of = f"{YEAR}-12-31"
        fixed.append(run_timed([*ducha(), "ingest", str(small), "--as-of", as_of], env).seconds)
        timed = run_timed([*ducha(), "ingest", str(path), "--as-of", as_of], env)
        if timed.returncode != 0:
            sys.exit(f"ducha ingest {path.name} exited {timed.returncode}:\n{timed.stderr[-3000:]}")
        ingests.append(timed.seconds)
        peaks.append(timed.peak_rss_mb)
        print(
            f"  {kind:15s} run {attempt + 1}: COPY {copies[-1]:5.2f} s  keyed COPY"
            f" {keyed[-1]:5.2f} s  core write"
            f" {writes[-1]:5.2f} s  10-row ingest {fixed[-1]:5.2f} s  ingest"
            f" {timed.seconds:6.2f} s  ratio {timed.seconds / copies[-1]:5.1f}x"
            f"  peak RSS {timed.peak_rss_mb:4.0f} MB",
            flush=True,
        )
        server.drop(name)
    return {
        "size_mb": size_mb,
        "copy": median(copies),
        "keyed": median(keyed),
        "write": median(writes),
        "fixed": median(fixed),
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
    kinds = parse_kinds(parser, args.kinds)

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
        f"{'kind':15s} {'CSV MB':>7s} {'COPY s':>7s} {'ingest s':>9s} {'ratio':>6s}"
        f" {'peak RSS':>9s} {'keyed COPY':>11s} {'core write s':>13s} {'10-row ingest s':>16s}"
        f" {'floor':>6s}"
    )
    for kind, r in results.items():
        floor = (r["fixed"] + r["write"]) / r["copy"]
        print(
            f"{kind:15s} {r['size_mb']:7.1f} {r['copy']:7.2f} {r['ingest']:9.2f}"
            f" {r['ratio']:5.1f}x {r['rss']:6.0f} MB {r['keyed'] / r['copy']:10.1f}x"
            f" {r['write']:13.2f} {r['fixed']:16.2f} {floor:5.1f}x"
        )
    print(
        "\nkeyed COPY = a COPY into the same table with the kind's row key as its primary key,"
        " / COPY.\nfloor = (10-row ingest + core write) / COPY: what this ingest would cost if"
        " reading and validating a million rows took no time at all."
    )
    print(f"(goal: ratio <= 2x, peak RSS < 512 MB; took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
