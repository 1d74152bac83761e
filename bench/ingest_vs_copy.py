"""Time `ducha ingest` of an N-row supervision return against a bare COPY of the same file.

Both run in one go on the same machine and the same (embedded, fresh) PostgreSQL:

    .venv/bin/python bench/ingest_vs_copy.py --rows 100000

The ingest is timed from process start to exit, as a user runs it; the COPY
streams the same CSV into a plain table with the same column types.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.generate import write_supervision, write_units  # noqa: E402
from etl.settings import embedded_url, stop_embedded  # noqa: E402

BARE_TABLE = """
create table bench_copy (
    item_code text, source text, title text, unit_code text,
    registered_on date, due_on date, closed_on date, satisfaction text
)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        home = Path(tmp) / "home"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = embedded_url(home)
        env = dict(os.environ, DATABASE_URL=url)
        ducha = [sys.executable, "-m", "etl.cli"]
        units = Path(tmp) / "units.csv"
        supervision = Path(tmp) / "supervision.csv"
        codes = write_units(units, 50)
        write_supervision(supervision, args.rows, codes)
        size_mb = supervision.stat().st_size / 1e6
        subprocess.run([*ducha, "db", "upgrade"], env=env, cwd=ROOT, check=True)
        subprocess.run([*ducha, "ingest", str(units)], env=env, cwd=ROOT, check=True,
                       stderr=subprocess.DEVNULL)  # fmt: skip

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(BARE_TABLE)
            started = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy("copy bench_copy from stdin with (format csv, header true)") as copy,
                supervision.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            copy_seconds = time.perf_counter() - started

        started = time.perf_counter()
        done = subprocess.run(
            [*ducha, "ingest", str(supervision), "--as-of", "2006-12-31"],
            env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        ingest_seconds = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"ingest failed with exit {done.returncode}")
        stop_embedded(home)

    print(f"rows                 {args.rows:,} ({size_mb:.1f} MB CSV)")
    print(f"bare COPY            {copy_seconds:8.2f} s  ({args.rows / copy_seconds:,.0f} rows/s)")
    print(
        f"ducha ingest         {ingest_seconds:8.2f} s  ({args.rows / ingest_seconds:,.0f} rows/s)"
    )
    print(f"ratio ingest / COPY  {ingest_seconds / copy_seconds:8.1f} x")


if __name__ == "__main__":
    main()
