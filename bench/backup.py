"""How long `ducha backup` and `ducha restore` take, and how big a backup is.

    .venv/bin/python bench/backup.py               # ~10M fact rows (bench/marts.py's warehouse)
    .venv/bin/python bench/backup.py --scale 0.1   # ~1M
    .venv/bin/python bench/backup.py --pg15 postgresql://postgres@127.0.0.1:5432/test

The warehouse is filled as bench/marts.py fills it (SQL straight into core and
ingest, then the summaries and VACUUM ANALYZE); a few return files are then
loaded so the archive of files as sent is not empty. `ducha backup -o` and
`ducha restore` run as a user runs them, each timed from start to exit;
the restored database's every ingest and core table is counted against the
source's. With ``--pg15``, the backup is also restored on that server (the
move between major versions) and timed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
import warnings
from pathlib import Path

import psycopg
from _common import ROOT, ducha, fresh_server, machine, run, run_timed, with_database
from marts import fill
from psycopg import sql

COUNT_TABLES = """
select format('%I.%I', n.nspname, c.relname) from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname in ('ingest', 'core') and c.relkind in ('r', 'p') and not c.relispartition
order by 1
"""


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(COUNT_TABLES)]
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def timed(argv: list[str], url: str) -> float:
    done = run_timed(argv, dict(os.environ, DATABASE_URL=url))
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20, help="years of history (20)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume (1 = ~10M fact rows)")
    parser.add_argument("--pg15", help="also restore on this server (a maintenance database URL)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with fresh_server("backup") as server:
        url = server.database("ducha")
        env = dict(os.environ, DATABASE_URL=url)
        run([*ducha(), "db", "upgrade"], env)
        print(f"machine: {machine(url)}")
        print(f"project: {ROOT}")
        print(f"fill ({args.years} years, scale {args.scale}):")
        print(f"  filled in {fill(url, args.years, args.scale):.0f} s")
        run([*ducha(), "demo"], env)  # files kept as sent, beside the filled rows
        with psycopg.connect(url) as conn:
            size = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        source = counts(url)
        print(f"  database size {size / 1e6:,.0f} MB, {sum(source.values()):,} rows in ingest/core")

        with tempfile.TemporaryDirectory(prefix="ducha-bench-dump-") as folder:
            dump = Path(folder) / "ducha.dump"
            seconds = timed([*ducha(), "backup", "-o", str(dump)], url)
            print(f"backup   {seconds:7.1f} s  {dump.stat().st_size / 1e6:,.0f} MB (custom format)")
            target = server.database("restored")
            seconds = timed([*ducha(), "restore", str(dump)], target)
            same = counts(target) == source
            print(f"restore  {seconds:7.1f} s  same server (PostgreSQL 18), rows equal: {same}")
            if args.pg15:
                name = f"ducha_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(args.pg15, autocommit=True) as conn:
                    version = conn.info.server_version
                    conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                other = with_database(args.pg15, name)
                try:
                    seconds = timed([*ducha(), "restore", str(dump)], other)
                    same = counts(other) == source
                    print(
                        f"restore  {seconds:7.1f} s  PostgreSQL {version // 10000},"
                        f" rows equal: {same}"
                    )
                finally:
                    with psycopg.connect(args.pg15, autocommit=True) as conn:
                        conn.execute(
                            sql.SQL("drop database if exists {} with (force)").format(
                                sql.Identifier(name)
                            )
                        )


if __name__ == "__main__":
    main()
