"""Time `ducha ingest` of an N-row supervision return against a bare COPY of the same file.

Both run in one go on the same machine and the same (embedded, fresh) PostgreSQL:

    .venv/bin/python bench/ingest_vs_copy.py --rows 100000

The ingest is timed from process start to exit, as a user runs it; the COPY
streams the same CSV into a plain table with the same column types.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.settings import embedded_url, stop_embedded  # noqa: E402

SOURCES = ["市委市政府督办", "上级领导批示", "两委会议决事项", "人大代表建议", "政协委员提案"]
SATISFACTION = ["满意", "基本满意", "不满意", ""]


def write_units(path: Path, units: int) -> list[str]:
    codes = [f"BM-{i:04d}" for i in range(units)]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["单位代码", "单位名称", "单位类别"])
        for i, code in enumerate(codes):
            writer.writerow([code, f"单位{i}", "部门"])
    return codes


def write_supervision(path: Path, rows: int, codes: list[str]) -> None:
    start = date(2006, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "事项编号",
                "事项来源",
                "事项名称",
                "承办单位",
                "立项日期",
                "办理时限",
                "办结日期",
                "反馈意见",
            ]
        )
        for i in range(rows):
            registered = start + timedelta(days=i % 300)
            due = registered + timedelta(days=30 + i % 60)
            closed = registered + timedelta(days=10 + i % 50) if i % 7 else None
            writer.writerow(
                [
                    f"S-{i:08d}",
                    SOURCES[i % 5],
                    f"关于第{i}号督办事项的办理",
                    codes[i % len(codes)],
                    registered.isoformat(),
                    due.isoformat(),
                    closed.isoformat() if closed else "",
                    SATISFACTION[i % 4] if closed else "",
                ]
            )


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
