"""Validate and load return files: the load's steps, in order (contract §2).

A file's journey, each step in a module of etl/loading/:

1. hash it (``files``); the same bytes already accepted change nothing;
2. read and type its rows (etl.readers), record the file in the ledger
   (``ledger``) and, holding its lock (``locks``), COPY the rows into the file's
   own partition of ``staging`` (``stage``), and commit, so Great Expectations
   can see them;
3. run the kind's suite and the warehouse checks (etl.validate) in a thread,
   while this connection, in a transaction it keeps open, copies the rows into
   ``core`` and marks which versions are current (``promote``, ``versions``; the
   SQL is in sql/load/<kind>.sql);
4. when validation has passed, record the file and commit that transaction;
   when it has not, roll it back and record the rejection. Either way the
   staging partition is dropped.

Nothing reaches ``core`` before step 4 commits, so a file is loaded whole or not
at all, whatever happens to the process; a process that dies mid-load leaves a
'validating' file that the next load marks interrupted (``recover``). Every
connection comes from the one gateway, etl.warehouse.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

import psycopg

from etl.keep import keep_received
from etl.loading.files import (
    RETURN_SUFFIXES,
    NotARegularFile,
    Skipped,
    expand_paths,
    load_order,
    open_regular,
    scan_paths,
    sha256_of,
)
from etl.loading.ledger import (
    failure_problem,
    finish_rejected,
    record_file,
    record_rejected,
    reject_after_failure,
)
from etl.loading.locks import lock_file, unlock_file
from etl.loading.promote import Promotion, promote_finish, promote_start
from etl.loading.recover import recover_interrupted
from etl.loading.stage import stage_rows, staged_table
from etl.loading.versions import refresh_current
from etl.names import shown_name
from etl.readers import open_return
from etl.report import ExpectationOutcome, Problem, Report
from etl.steward import decide
from etl.validate import validate_staged
from etl.warehouse import Connection, connect, warehouse_fault

# The public names of the load, for the command line, the dashboard and tests.
__all__ = [
    "RETURN_SUFFIXES",
    "NotARegularFile",
    "Skipped",
    "decide",
    "expand_paths",
    "failure_problem",
    "ingest_file",
    "ingest_files",
    "load_order",
    "open_regular",
    "record_rejected",
    "recover_interrupted",
    "refresh_current",
    "scan_paths",
    "sha256_of",
    "staged_table",
    "warehouse_fault",
]


def ingest_files(
    url: str,
    paths: Iterable[Path],
    kind: str | None = None,
    as_of: date | None = None,
    channel: str | None = None,
    sent_by: str | None = None,
    names: Mapping[Path, str] | None = None,
) -> list[Report]:
    """Validate and load each file; folders are expanded and master data goes first.

    ``names`` gives a file the name to record instead of its own (an upload saved
    under a generated name keeps the name it was sent with). Paths that are not
    regular files are passed over (scan_paths says why).
    """
    files = load_order(expand_paths(paths), kind)
    recover_interrupted(url)
    reports = []
    for path in files:
        try:
            reports.append(
                ingest_file(
                    url,
                    path,
                    kind=kind,
                    as_of=as_of,
                    channel=channel,
                    sent_by=sent_by,
                    file_name=(names or {}).get(path),
                )
            )
        except NotARegularFile:
            continue  # replaced by a link or a fifo since the folder was read: never opened
    return reports


def ingest_file(
    url: str,
    path: Path,
    kind: str | None = None,
    as_of: date | None = None,
    run_id: int | None = None,
    digest: tuple[str, int] | None = None,
    channel: str | None = None,
    sent_by: str | None = None,
    file_name: str | None = None,
) -> Report:
    """Validate one file and load it whole, or record why it was rejected.

    ``digest`` is the file's (sha256, size) when the caller has it. Whatever
    goes wrong with the file itself ends in a rejection with the reason; only
    the warehouse failing raises (and NotARegularFile, before anything is read).
    ``channel`` is how the file came (etl.keep.CHANNELS; default: ``inbox`` within
    a run, else ``command_line``), ``sent_by`` who sent it, ``file_name`` the name
    it was sent with when ``path`` is a copy; its bytes are kept as sent (etl.keep)
    in the transaction that records it.
    """
    as_of = as_of or date.today()
    # A name given by the caller (an upload's, dashboard.uploads) is already shown
    # escaped: its backslashes are its own escapes, not to be escaped twice.
    report = Report(
        file_name=shown_name(file_name, backslash=False) if file_name else shown_name(path.name)
    )
    if digest is None:
        try:
            digest = sha256_of(path)
        except NotARegularFile:
            raise
        except OSError as err:  # no hash, so nothing to record: the report says why
            report.problems.append(
                Problem(
                    rule="unreadable",
                    message_zh=f"无法读取文件：{err.strerror}",
                    message_en=f"cannot read the file: {err.strerror}",
                )
            )
            return report
    sha256, size = digest
    try:
        reader = open_return(path, kind)
    except Exception as exc:
        if warehouse_fault(url, exc):
            raise
        report.problems.append(failure_problem(exc))
        return record_rejected(
            url, report, digest, as_of, run_id, path=path, channel=channel, sent_by=sent_by
        )
    report.kind = reader.kind
    channel_name = channel or ("inbox" if run_id is not None else "command_line")

    with connect(url) as conn:
        # The bytes and a receipt are kept for every arrival, a duplicate's too.
        keep = functools.partial(
            keep_received,
            conn,
            path,
            sha256,
            size,
            channel=channel_name,
            sent_by=sent_by,
            file_name=report.file_name,
        )
        # No JIT: compiling the promotion's INSERT … SELECT costs more than it saves.
        conn.execute("set jit = off")
        if reader.kind is not None:
            previous = conn.execute(
                "select file_id from ingest.files where sha256 = %s and kind = %s"
                " and outcome in ('accepted', 'accepted_with_warnings')"
                " order by file_id limit 1",
                (sha256, reader.kind.name),
            ).fetchone()
            if previous:
                report.outcome = "duplicate"
                report.duplicate_of = previous[0]
                keep(duplicate_of=previous[0])
                conn.commit()
                return report

        file_id = record_file(conn, report, digest, as_of, run_id)
        not_kept = keep(file_id=file_id)
        lock_file(conn, file_id)
        conn.commit()  # recorded (and locked) before it is staged: a failure rejects this row
        try:
            if (
                not_kept
                or reader.kind is None
                or any(p.severity == "error" for p in reader.problems)
            ):
                conn.commit()
                report.problems = not_kept + list(reader.problems)
                finish_rejected(conn, report)
                return report

            report.row_count = stage_rows(conn, reader, file_id, as_of)
            conn.commit()
            report.problems = list(reader.problems)
            if report.row_count == 0 and not report.errors:
                report.problems.append(
                    Problem(
                        rule="no-rows",
                        message_zh="文件没有数据行",
                        message_en="the file has no data rows",
                    )
                )
            if report.errors:
                finish_rejected(conn, report)
            else:
                _validate_and_promote(url, conn, report)
            return report
        except Exception as exc:
            if conn.broken or warehouse_fault(url, exc):
                raise
            reject_after_failure(conn, report, exc)
            return report
        finally:
            try:
                conn.rollback()
                unlock_file(conn, file_id)
            except psycopg.Error:
                # Interrupted mid-query (Ctrl-C, SIGTERM), the connection cannot
                # roll back: closing it does, and the interruption is what to report.
                if sys.exc_info()[1] is None:
                    raise


def _merge(first: list[Problem], later: list[Problem]) -> list[Problem]:
    """Keep the reader's word on a cell; drop a later rule's echo of the same cell."""
    seen = {(p.row, p.column) for p in first if p.row is not None and p.severity == "error"}
    merged = list(first)
    for problem in later:
        if problem.severity == "error" and (problem.row, problem.column) in seen:
            continue
        merged.append(problem)
    return merged


# What validation finds: its problems, and every expectation's outcome.
Validated = tuple[list[Problem], list[ExpectationOutcome]]


class _Background(threading.Thread):
    """A call run in a daemon thread; ``result()`` waits for it and re-raises its error.

    Daemon, so that an interrupted ingest does not wait for validation to finish.
    """

    def __init__(self, call: Callable[[], Validated]) -> None:
        super().__init__(name="ducha-validate", daemon=True)
        self._call = call
        self._value: Validated = ([], [])
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> Validated:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


def _validate_and_promote(url: str, conn: Connection, report: Report) -> None:
    """Validate the staged rows and, at the same time, promote them in an open transaction.

    Validation (Great Expectations: seconds to import, then its queries) runs in
    a thread on connections of its own while this connection copies the rows
    into core; both sides mostly wait on PostgreSQL, so they overlap. Nothing is
    committed until validation has passed: a file it rejects is rolled back
    whole, exactly as if it had never been promoted.
    """
    kind, file_id, row_count = report.kind, report.file_id, report.row_count
    assert kind is not None and file_id is not None
    validation = _Background(lambda: validate_staged(url, kind, file_id, row_count))
    promotion: Promotion | None = None
    failure: psycopg.Error | None = None
    try:
        promotion = promote_start(conn, kind, file_id)
    except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
        # Rows the suite rejects may break core's constraints first; the
        # suite's problems are the ones to report, so wait for them.
        conn.rollback()
        failure = exc
    found, outcomes = validation.result()
    report.problems = _merge(report.problems, found)
    report.expectations = outcomes
    if report.errors:
        conn.rollback()
        finish_rejected(conn, report)
        return
    if isinstance(failure, psycopg.errors.DataError):
        raise failure  # not a verdict on the file: as before, a fault
    if promotion is not None:
        try:
            promote_finish(conn, report, promotion)
            return
        except psycopg.errors.IntegrityError as exc:
            conn.rollback()
            failure = exc
    # The suite should have caught it; if not, the file is still rejected whole.
    assert failure is not None
    report.problems.append(
        Problem(
            rule="integrity",
            message_zh=f"数据仓库拒绝了这些行：{failure.diag.message_primary}",
            message_en=f"the warehouse refused these rows: {failure.diag.message_primary}",
            source="warehouse",
        )
    )
    report.approval = None
    finish_rejected(conn, report)
