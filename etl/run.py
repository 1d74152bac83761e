"""Scheduled runs over an inbox folder: ``ducha run --inbox DIR``.

Each run holds a PostgreSQL advisory lock, so two runs never overlap (the
second exits at once with EXIT_BUSY); loads every return file in the inbox
through the same path as ``ducha ingest``; then moves each file to
``processed/`` or ``rejected/`` (a rejected file gets its report beside it).
A file is moved only after its outcome is committed.

No file can block the others or later runs:

- symbolic links, fifos, sockets, devices and subfolders are never opened or
  followed: they are reported and left where they are (etl.loading.files.scan_paths);
- a file that fails in any way (an unexpected error while reading or loading
  it, a report that cannot be written) is rejected with the reason and filed
  away like any rejected file; only the warehouse failing stops the run;
- before reading a file the run records its hash in ``ingest.run_files``. A
  file that kills the process outright (the reader aborting, the kernel's OOM
  killer) is found there by the next run, which closes the dead run and
  rejects those bytes without reading them again, saying why. Putting the
  file in the inbox again tries it once more.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from etl.load import import_gx_meanwhile, ingest_batch
from etl.loading.files import NotARegularFile, Skipped, scan_paths, sha256_of
from etl.loading.ledger import failure_problem, record_rejected
from etl.loading.recover import recover_interrupted
from etl.names import REPORT_ROOM, free_name, shown_name
from etl.readers import open_return
from etl.report import Problem, Report
from etl.warehouse import connect, first_value, warehouse_fault

RUN_LOCK = 0x647563686172  # "duchar"
PROCESSED = "processed"
REJECTED = "rejected"


@dataclass
class RunResult:
    run_id: int | None
    busy: bool = False
    reports: list[Report] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # What went wrong filing files away (zh / en lines); the files' outcomes stand.
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(r.outcome == "rejected" for r in self.reports)

    @property
    def refused(self) -> int:
        """Symbolic links and special files left in the inbox."""
        return sum(s.refused for s in self.skipped)


@dataclass
class Filed:
    """Where a finished file went, and what could not be done on the way."""

    target: Path | None
    notes: list[str] = field(default_factory=list)


def file_away(
    inbox: Path,
    path: Path,
    report: Report,
    write_excel_report: Callable[[Path], object] | None = None,
) -> Filed:
    """Move a finished file to processed/ or rejected/ (with its reports beside it).

    The names are fitted to the filesystem (etl.names.free_name). A report that
    cannot be written is noted, and the file is moved all the same; a file
    that cannot be moved is noted and stays in the inbox.
    """
    folder = inbox / (REJECTED if report.outcome == "rejected" else PROCESSED)
    shown = shown_name(path.name)
    filed = Filed(target=None)
    try:
        folder.mkdir(exist_ok=True)
        target = free_name(folder, path.name, REPORT_ROOM if report.outcome == "rejected" else 0)
    except OSError as err:
        filed.notes.append(
            f"无法移走 {shown}：{err.strerror} / cannot file away {shown}: {err.strerror}"
        )
        return filed
    if report.outcome == "rejected":
        text = target.with_name(target.name + ".report.txt")
        try:
            text.write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
        except OSError as err:
            filed.notes.append(
                f"无法写入 {shown} 的报告：{err.strerror} / cannot write the report of"
                f" {shown}: {err.strerror}"
            )
        if write_excel_report is not None and report.file_id is not None:
            try:
                write_excel_report(target.with_name(target.name + ".report.xlsx"))
            except Exception as exc:  # the file is rejected whatever befalls its Excel copy
                what = shown_name(f"{type(exc).__name__}: {exc}")[:300]
                filed.notes.append(
                    f"无法写入 {shown} 的 Excel 报告：{what} / cannot write the Excel report"
                    f" of {shown}: {what}"
                )
    try:
        shutil.move(path, target)
    except OSError as err:
        filed.notes.append(
            f"无法移走 {shown}：{err.strerror}，文件留在收件箱 / cannot move {shown}:"
            f" {err.strerror}; it stays in the inbox"
        )
        return filed
    filed.target = target
    return filed


def _stopped_a_run(run_id: int, started: str) -> Problem:
    return Problem(
        rule="stopped-a-run",
        message_zh=f"此文件曾使之前的运行 #{run_id}（开始于 {started}）中止：读取或载入它时进程意外"
        "退出（文件可能过大或已损坏）。为保护以后的运行，本次未再读取它。请检查并修正文件后重新放入"
        "收件箱；若文件无误，再次放入即可重试一次",
        message_en=f"this file stopped an earlier run (#{run_id}, started {started}): the"
        " process died while reading or loading it (the file may be too large or damaged)."
        " To protect later runs it was not read again. Check and mend the file and put it in"
        " the inbox again; if it is sound, putting it back tries it once more",
        source="warehouse",
    )


class _Ledger:
    """The run's rows in ingest.runs and ingest.run_files, on the lock connection."""

    def __init__(self, conn: psycopg.Connection, run_id: int) -> None:
        self.conn = conn
        self.run_id = run_id

    def in_hand(self, path: Path, digest: tuple[str, int]) -> int:
        """Record, committed before the file is read, that the run is reading it."""
        entry: int = first_value(
            self.conn.execute(
                "insert into ingest.run_files (run_id, file_name, sha256, size_bytes)"
                " values (%s, %s, %s, %s) returning run_file_id",
                (self.run_id, shown_name(path.name), *digest),
            )
        )
        return entry

    def state(self, entry: int, state: str, file_id: int | None = None) -> None:
        self.conn.execute(
            "update ingest.run_files set state = %s, file_id = coalesce(%s, file_id),"
            " changed_at = now() where run_file_id = %s",
            (state, file_id, entry),
        )

    def crashed_earlier(self, sha256: str) -> tuple[list[int], int, str] | None:
        """The entries of dead runs that died holding these bytes, the first run and its start."""
        rows = self.conn.execute(
            "select f.run_file_id, f.run_id, to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
            " from ingest.run_files as f join ingest.runs as r using (run_id)"
            " where f.sha256 = %s and f.state = 'crashed' order by f.run_file_id",
            (sha256,),
        ).fetchall()
        if not rows:
            return None
        return [r[0] for r in rows], rows[0][1], rows[0][2]

    def count(self, report: Report, entry: int | None = None) -> None:
        """Count the file's outcome in the run; with ``entry``, mark that entry done too."""
        column = sql.Identifier(_COUNTERS[report.outcome])
        rows = report.row_count if report.outcome.startswith("accepted") else 0
        self.conn.execute(
            sql.SQL(
                "with done as (update ingest.run_files set state = 'done',"
                " file_id = coalesce(%s, file_id), changed_at = now() where run_file_id = %s)"
                " update ingest.runs set {c} = {c} + 1, rows_loaded = rows_loaded + %s"
                " where run_id = %s"
            ).format(c=column),
            (report.file_id, entry, rows, self.run_id),
        )


def _close_dead_runs(conn: psycopg.Connection) -> None:
    """Holding the lock, no other run is alive: any 'running' one died, with what it held."""
    dead = [
        row[0]
        for row in conn.execute(
            "update ingest.runs set status = 'interrupted', finished_at = coalesce(finished_at,"
            " now()), message = coalesce(message, 'the process died; closed by the next run')"
            " where status = 'running' returning run_id"
        )
    ]
    if dead:
        conn.execute(
            "update ingest.run_files set state = 'crashed', changed_at = now()"
            " where run_id = any(%s) and state = 'reading'",
            (dead,),
        )


def run_inbox(
    url: str,
    inbox: Path,
    as_of: date | None = None,
    on_start: Callable[[list[Path]], None] | None = None,
    on_file: Callable[[Path, Report], None] | None = None,
    write_excel_report: Callable[[str, int, Path], Path] | None = None,
    on_skip: Callable[[list[Skipped]], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> RunResult:
    """Load every return file in ``inbox`` once, under the run lock."""
    as_of = as_of or date.today()
    with connect(url, autocommit=True) as lock_conn:
        got = first_value(lock_conn.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK,)))
        if not got:
            return RunResult(run_id=None, busy=True)
        # The run's own ledger is not waited on to reach the disk: a row written
        # here is seen at once by any other session and survives this process
        # dying (what run_files is for); only a crash of the server could lose the
        # last few, and with them no file's outcome (each commits durably).
        lock_conn.execute("set synchronous_commit = off")
        _close_dead_runs(lock_conn)
        recover_interrupted(url)
        run_id = first_value(
            lock_conn.execute(
                "insert into ingest.runs (inbox, host, pid) values (%s, %s, %s) returning run_id",
                (shown_name(inbox.resolve()), socket.gethostname(), os.getpid()),
            )
        )
        result = RunResult(run_id=run_id)
        ledger = _Ledger(lock_conn, run_id)

        def finish(path: Path, report: Report, entry: int | None) -> None:
            result.reports.append(report)
            ledger.count(report, entry)  # and the entry done, in the same statement
            excel = None
            if write_excel_report is not None and report.file_id is not None:
                file_id = report.file_id

                def excel(target: Path) -> object:
                    return write_excel_report(url, file_id, target)

            filed = file_away(inbox, path, report, excel)
            if on_file:
                on_file(path, report)
            for note in filed.notes:
                result.notes.append(note)
                if on_note:
                    on_note(note)

        def skip(skipped: Skipped) -> None:
            result.skipped.append(skipped)
            lock_conn.execute(
                "update ingest.runs set files_skipped = files_skipped + 1 where run_id = %s",
                (run_id,),
            )

        def failed(path: Path, exc: Exception, digest: tuple[str, int] | None) -> Report:
            """The report of a file that met an unexpected error, recorded if it can be."""
            if warehouse_fault(url, exc):
                raise exc
            report = Report(file_name=shown_name(path.name), problems=[failure_problem(exc)])
            if digest is not None:
                with contextlib.suppress(Exception):
                    record_rejected(url, report, digest, as_of, run_id, path=path)
            return report

        try:
            # The inbox itself is the operator's to choose: a link to it is followed.
            files, skipped = scan_paths([inbox.resolve()], skip_folders=(PROCESSED, REJECTED))
            lock_conn.execute(
                "update ingest.runs set files_seen = %s, files_skipped = %s where run_id = %s",
                (len(files), len(skipped), run_id),
            )
            result.skipped = skipped
            if on_skip and skipped:
                on_skip(skipped)
            if on_start:
                on_start(files)
            if files:
                import_gx_meanwhile()  # while the files are hashed and read for their order
            # Hash each file, then read it for the load order; what is known to
            # have killed a run is rejected unread.
            queue: list[tuple[int, str, Path, tuple[str, int], int]] = []
            for path in files:
                digest: tuple[str, int] | None = None
                entry: int | None = None
                try:
                    digest = sha256_of(path)
                    crashed = ledger.crashed_earlier(digest[0])
                    if crashed is not None:
                        entries, earlier_run, started = crashed
                        report = Report(
                            file_name=shown_name(path.name),
                            problems=[_stopped_a_run(earlier_run, started)],
                        )
                        record_rejected(url, report, digest, as_of, run_id, path=path)
                        for earlier in entries:
                            ledger.state(earlier, "reported", report.file_id)
                        finish(path, report, None)
                        continue
                    entry = ledger.in_hand(path, digest)
                    reader = open_return(path)
                    order = reader.kind.load_order if reader.kind is not None else 10
                    ledger.state(entry, "waiting")
                    queue.append((order, path.name, path, digest, entry))
                except NotARegularFile as err:  # swapped for a link or a fifo since listed
                    skip(Skipped(path, *err.reasons, refused=True))
                except OSError as err:
                    if digest is not None:
                        finish(path, failed(path, err, digest), entry)
                        continue
                    report = Report(file_name=shown_name(path.name))
                    report.problems.append(
                        Problem(
                            rule="unreadable",
                            message_zh=f"无法读取文件：{err.strerror}",
                            message_en=f"cannot read the file: {err.strerror}",
                        )
                    )
                    finish(path, report, entry)
                except Exception as exc:
                    finish(path, failed(path, exc, digest), entry)
            queue.sort(key=lambda queued: queued[:2])
            entry_of = {path: entry for _order, _name, path, _digest, entry in queue}
            digest_of = {path: digest for _order, _name, path, digest, _entry in queue}

            def on_error(path: Path, exc: Exception) -> Report | None:
                if isinstance(exc, NotARegularFile):
                    ledger.state(entry_of.pop(path), "done")
                    skip(Skipped(path, *exc.reasons, refused=True))
                    return None
                return failed(path, exc, digest_of[path])

            def reading(path: Path) -> None:
                ledger.state(entry_of[path], "reading")

            def read(path: Path) -> None:
                if path in entry_of:  # else passed over, and done
                    ledger.state(entry_of[path], "waiting")

            # Read and staged as a batch, each file still its own transaction and
            # report (etl.load.ingest_batch). A file is 'reading' while it is read
            # and staged, the step that can kill the process; 'waiting' after.
            ingest_batch(
                url,
                [(path, digest) for _order, _name, path, digest, _entry in queue],
                as_of=as_of,
                run_id=run_id,
                on_reading=reading,
                on_read=read,
                on_done=lambda path, report: finish(path, report, entry_of.get(path)),
                on_error=on_error,
            )
        except BaseException as exc:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            _finish(lock_conn, run_id, status, shown_name(f"{type(exc).__name__}: {exc}"))
            raise
        _finish(lock_conn, run_id, "rejected_files" if result.rejected else "succeeded", None)
        return result


_COUNTERS = {
    "accepted": "files_accepted",
    "accepted_with_warnings": "files_accepted",
    "rejected": "files_rejected",
    "duplicate": "files_duplicate",
}


def _finish(conn: psycopg.Connection, run_id: int, status: str, message: str | None) -> None:
    # If the warehouse itself went away this fails too: the next run closes the
    # run as interrupted, and takes the file it held for one that killed it.
    with contextlib.suppress(psycopg.Error):
        conn.execute(
            "update ingest.runs set status = %s, message = %s, finished_at = now()"
            " where run_id = %s",
            (status, message, run_id),
        )
        conn.execute(
            "update ingest.run_files set state = 'stopped', changed_at = now()"
            " where run_id = %s and state = 'reading'",
            (run_id,),
        )
