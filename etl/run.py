"""Scheduled runs over an inbox folder: ``ducha run --inbox DIR``.

Each run holds a PostgreSQL advisory lock, so two runs never overlap (the
second exits at once with EXIT_BUSY); loads every return file in the inbox
through the same path as ``ducha ingest``; then moves each file to
``processed/`` or ``rejected/`` (a rejected file gets its report beside it).
A file is moved only after its outcome is committed: if the run dies, the
file is still in the inbox and the next run loads it (or, if it was committed
just before the death, finds the same bytes already loaded and moves it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from etl.load import expand_paths, ingest_file, load_order, recover_interrupted
from etl.report import Report
from etl.settings import connect

RUN_LOCK = 0x647563686172  # "duchar"
PROCESSED = "processed"
REJECTED = "rejected"


@dataclass
class RunResult:
    run_id: int | None
    busy: bool = False
    reports: list[Report] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(r.outcome == "rejected" for r in self.reports)


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or with a timestamp suffix when a file of that name is there."""
    target = folder / name
    if not target.exists():
        return target
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{Path(name).stem}.{stamp}{Path(name).suffix}"


def file_away(inbox: Path, path: Path, report: Report) -> Path:
    """Move a finished file to processed/ or rejected/ (with its report beside it)."""
    folder = inbox / (REJECTED if report.outcome == "rejected" else PROCESSED)
    folder.mkdir(exist_ok=True)
    target = _free_name(folder, path.name)
    if report.outcome == "rejected":
        text = target.with_name(target.name + ".report.txt")
        text.write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    shutil.move(str(path), target)
    return target


def run_inbox(
    url: str,
    inbox: Path,
    as_of: date | None = None,
    on_start: Callable[[list[Path]], None] | None = None,
    on_file: Callable[[Path, Report], None] | None = None,
    write_excel_report: Callable[[str, int, Path], Path] | None = None,
) -> RunResult:
    """Load every return file in ``inbox`` once, under the run lock."""
    with connect(url, autocommit=True) as lock_conn:
        got = lock_conn.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()[0]
        if not got:
            return RunResult(run_id=None, busy=True)
        # Holding the lock, no other run is alive: any 'running' one died.
        lock_conn.execute(
            "update ingest.runs set status = 'interrupted', finished_at = coalesce(finished_at,"
            " now()) where status = 'running'"
        )
        recover_interrupted(url)
        run_id = lock_conn.execute(
            "insert into ingest.runs (inbox, host, pid) values (%s, %s, %s) returning run_id",
            (str(inbox.resolve()), socket.gethostname(), os.getpid()),
        ).fetchone()[0]
        result = RunResult(run_id=run_id)
        try:
            files = load_order(expand_paths([inbox]))
            lock_conn.execute(
                "update ingest.runs set files_seen = %s where run_id = %s", (len(files), run_id)
            )
            if on_start:
                on_start(files)
            for path in files:
                report = ingest_file(url, path, as_of=as_of, run_id=run_id)
                result.reports.append(report)
                target = file_away(inbox, path, report)
                if report.outcome == "rejected" and write_excel_report and report.file_id:
                    write_excel_report(
                        url, report.file_id, target.with_name(target.name + ".report.xlsx")
                    )
                _count(lock_conn, run_id, report)
                if on_file:
                    on_file(path, report)
        except BaseException as exc:
            _finish(lock_conn, run_id, "failed", f"{type(exc).__name__}: {exc}")
            raise
        _finish(lock_conn, run_id, "rejected_files" if result.rejected else "succeeded", None)
        return result


_COUNTERS = {
    "accepted": "files_accepted",
    "accepted_with_warnings": "files_accepted",
    "rejected": "files_rejected",
    "duplicate": "files_duplicate",
}


def _count(conn: psycopg.Connection, run_id: int, report: Report) -> None:
    column = sql.Identifier(_COUNTERS[report.outcome])
    rows = report.row_count if report.outcome.startswith("accepted") else 0
    conn.execute(
        sql.SQL(
            "update ingest.runs set {c} = {c} + 1, rows_loaded = rows_loaded + %s where run_id = %s"
        ).format(c=column),
        (rows, run_id),
    )


def _finish(conn: psycopg.Connection, run_id: int, status: str, message: str | None) -> None:
    # If the warehouse itself went away this fails too: the next run marks the
    # run interrupted.
    with contextlib.suppress(psycopg.Error):
        conn.execute(
            "update ingest.runs set status = %s, message = %s, finished_at = now()"
            " where run_id = %s",
            (status, message, run_id),
        )
