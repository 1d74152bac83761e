"""Validate and load return files: the one module through which the ETL writes.

A file's journey (contract §2):

1. hash it; the same bytes already accepted change nothing;
2. read and type its rows (etl.readers), COPY them into the file's own
   partition of ``staging`` under a new ``ingest.files`` row, and commit, so
   Great Expectations can see them;
3. run the kind's suite and the warehouse checks (etl.validate) in a thread,
   while this connection, in a transaction it keeps open, copies the rows into
   ``core`` and marks which versions are current;
4. when validation has passed, record the file and commit that transaction;
   when it has not, roll it back and record the rejection. Either way the
   staging partition is dropped.

Nothing reaches ``core`` before step 4 commits, so a file is loaded whole or not
at all, whatever happens to the process.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import threading
import traceback
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

import psycopg
from psycopg import sql

from etl.keep import keep_received
from etl.kinds import KINDS, Kind
from etl.names import shown_name
from etl.readers import open_return
from etl.report import ExpectationOutcome, Problem, Report
from etl.settings import WarehouseUnavailable, connect
from etl.sqlgen import year_sql

RETURN_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".htm", ".html"}

# Files being loaded hold a session advisory lock in this namespace, keyed by
# file_id; a 'validating' file whose lock is free was left by a dead process.
_FILE_LOCK_SPACE = 0x6475
_FILE_KEY = f"{_FILE_LOCK_SPACE}, (%s::bigint %% 2147483647)::int"
# Promotions of one kind are serialised, so "which version is current" is
# always decided over committed rows.
_PROMOTE_LOCK_SPACE = 0x6476

_COPY_BATCH = 5000  # rows per write to COPY


def _kind_lock(kind: Kind) -> int:
    return zlib.crc32(kind.name.encode()) & 0x7FFFFFFF  # advisory keys are int4


class NotARegularFile(OSError):
    """The path is a symbolic link, a folder, a fifo, a socket or a device: never opened."""


# What a path that is not a regular file is, for messages (zh, en).
_NOT_REGULAR = {
    stat.S_IFLNK: ("符号链接（不跟随）", "a symbolic link (not followed)"),
    stat.S_IFDIR: ("文件夹（不搜索子文件夹）", "a folder (folders inside are not searched)"),
    stat.S_IFIFO: ("命名管道（不打开）", "a named pipe, fifo (not opened)"),
    stat.S_IFSOCK: ("套接字（不打开）", "a socket (not opened)"),
    stat.S_IFCHR: ("字符设备（不打开）", "a character device (not opened)"),
    stat.S_IFBLK: ("块设备（不打开）", "a block device (not opened)"),
}


def _what_it_is(mode: int) -> tuple[str, str]:
    return _NOT_REGULAR.get(stat.S_IFMT(mode), ("不是普通文件", "not a regular file"))


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, which must be a regular file itself.

    O_NOFOLLOW refuses a symbolic link and O_NONBLOCK keeps a fifo from
    blocking the open; what was opened is then checked to be a regular file.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if os.path.islink(path):  # ELOOP from O_NOFOLLOW
            raise NotARegularFile(*_what_it_is(stat.S_IFLNK)) from err
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotARegularFile(*_what_it_is(mode))
    return fd


def sha256_of(path: Path) -> tuple[str, int]:
    """The SHA-256 and size of a regular file (NotARegularFile for anything else)."""
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(open_regular(path), "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Skipped:
    """A path that was not loaded, and why: said once, the file left where it is."""

    path: Path
    reason_zh: str
    reason_en: str
    # A symbolic link or anything but a regular file or folder: not followed,
    # not opened. (Lock files and other names are merely passed over.)
    refused: bool = False

    def line(self) -> str:
        return f"跳过 skipped: {shown_name(self.path)} — {self.reason_zh} / {self.reason_en}"


def _return_suffix(name: str) -> bool:
    # ".csv" alone is a hidden file with no extension; "..csv" or ".x.csv" is a CSV.
    stem, dot, suffix = name.rpartition(".")
    return bool(dot and stem) and f".{suffix.lower()}" in RETURN_SUFFIXES


def scan_paths(
    paths: Iterable[Path], skip_folders: Iterable[str] = ()
) -> tuple[list[Path], list[Skipped]]:
    """Regular files to load, and what was passed over; nothing is opened or followed.

    A path given is loaded when it is a regular file, searched (not
    recursively) when it is a folder. In a folder, a regular file is loaded
    when its extension is a return's (names starting with a dot included);
    Office lock files (``~$x.xlsx``), other files and subfolders (but
    ``skip_folders``) are skipped with the reason. Symbolic links, fifos,
    sockets and devices are refused wherever they are.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    passed_over = set(skip_folders)
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except OSError as err:
            skipped.append(Skipped(path, f"无法访问：{err.strerror}", err.strerror, True))
            continue
        if stat.S_ISREG(mode):
            found.append(path)
            continue
        if not stat.S_ISDIR(mode):
            skipped.append(Skipped(path, *_what_it_is(mode), refused=True))
            continue
        try:
            with os.scandir(path) as entries:
                listed = sorted(entries, key=lambda e: os.fsencode(e.name))
        except OSError as err:
            skipped.append(Skipped(path, f"无法读取文件夹：{err.strerror}", err.strerror, True))
            continue
        for entry in listed:
            inside = Path(entry.path)
            if entry.is_symlink():
                skipped.append(Skipped(inside, *_what_it_is(stat.S_IFLNK), refused=True))
            elif entry.is_dir(follow_symlinks=False):
                if entry.name not in passed_over:
                    skipped.append(Skipped(inside, *_what_it_is(stat.S_IFDIR)))
            elif not entry.is_file(follow_symlinks=False):
                mode = entry.stat(follow_symlinks=False).st_mode
                skipped.append(Skipped(inside, *_what_it_is(mode), refused=True))
            elif entry.name.startswith("~$"):
                skipped.append(
                    Skipped(
                        inside,
                        "Office 锁定文件：工作簿正在 Excel 中打开，保存并关闭后其本身会被载入",
                        "an Office lock file: the workbook is open in Excel; the workbook"
                        " itself is loaded once saved and closed",
                    )
                )
            elif not _return_suffix(entry.name):
                suffixes = " ".join(sorted(RETURN_SUFFIXES))
                skipped.append(
                    Skipped(
                        inside,
                        f"不是报表文件（扩展名应为 {suffixes}）",
                        f"not a return file (the extension should be one of {suffixes})",
                    )
                )
            else:
                found.append(inside)
    return found, skipped


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Regular files as given; a folder contributes every return file in it (see scan_paths)."""
    return scan_paths(paths)[0]


def load_order(paths: list[Path], kind: str | None = None) -> list[Path]:
    """Master data first (units, then targets), then the rest by name."""

    def key(path: Path) -> tuple[int, str]:
        try:
            reader = open_return(path, kind)
        except Exception:  # ingest_file meets it again and rejects the file with the reason
            return (10, path.name)
        order = reader.kind.load_order if reader.kind is not None else 10
        return (order, path.name)

    return sorted(paths, key=key)


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


def warehouse_fault(url: str, exc: BaseException) -> bool:
    """Whether ``exc`` is the warehouse failing (not the file): then the whole command stops."""
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError, WarehouseUnavailable)):
        return True
    # Great Expectations and SQLAlchemy wrap a vanished server in errors of their own.
    try:
        connect(url).close()
    except (WarehouseUnavailable, psycopg.Error):
        return True
    return False


def failure_problem(exc: BaseException) -> Problem:
    """The problem that tells of an unexpected error met on a file; the traceback goes to a log."""
    import tempfile

    try:
        handle, log = tempfile.mkstemp(prefix="ducha-error-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.writelines(traceback.format_exception(exc))
        where_zh, where_en = f"；详情见 {log}", f"; the details are in {log}"
    except OSError:
        where_zh = where_en = ""
    what = shown_name(f"{type(exc).__name__}: {exc}")[:300]
    return Problem(
        rule="internal-error",
        message_zh=f"处理此文件时出现意外错误（{what}），文件未载入{where_zh}",
        message_en=f"an unexpected error stopped this file ({what}); nothing of it was"
        f" loaded{where_en}",
        source="warehouse",
    )


def record_rejected(
    url: str,
    report: Report,
    digest: tuple[str, int],
    as_of: date,
    run_id: int | None = None,
    path: Path | None = None,
    channel: str | None = None,
    sent_by: str | None = None,
) -> Report:
    """Record a file rejected before it was staged (report.problems say why).

    With ``path``, its bytes are kept as sent too (etl.keep), as for any file.
    """
    sha256, size = digest
    with connect(url) as conn:
        report.file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, run_id)"
            " values (%s, %s, %s, %s, %s, %s) returning file_id",
            (report.file_name, sha256, report.kind.name if report.kind else None, size, as_of,
             run_id),
        ).fetchone()[0]  # fmt: skip
        if path is not None:
            report.problems += keep_received(
                conn,
                path,
                sha256,
                size,
                channel=channel or ("inbox" if run_id is not None else "command_line"),
                sent_by=sent_by,
                file_id=report.file_id,
                file_name=report.file_name,
            )
        conn.commit()
        _finish_rejected(conn, report)
    return report


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
    receipt = {
        "channel": channel or ("inbox" if run_id is not None else "command_line"),
        "sent_by": sent_by,
        "file_name": report.file_name,
    }

    with connect(url) as conn:
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
                keep_received(conn, path, sha256, size, **receipt, duplicate_of=previous[0])
                conn.commit()
                return report

        file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, run_id)"
            " values (%s, %s, %s, %s, %s, %s) returning file_id",
            (report.file_name, sha256, reader.kind.name if reader.kind else None, size, as_of,
             run_id),
        ).fetchone()[0]  # fmt: skip
        report.file_id = file_id
        not_kept = keep_received(conn, path, sha256, size, **receipt, file_id=file_id)
        conn.execute(f"select pg_advisory_lock({_FILE_KEY})", (file_id,))
        conn.commit()  # recorded (and locked) before it is staged: a failure rejects this row
        try:
            if (
                not_kept
                or reader.kind is None
                or any(p.severity == "error" for p in reader.problems)
            ):
                conn.commit()
                report.problems = not_kept + list(reader.problems)
                _finish_rejected(conn, report)
                return report

            report.row_count = _stage(conn, reader, file_id, as_of)
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
                _finish_rejected(conn, report)
            else:
                _validate_and_promote(url, conn, report)
            return report
        except Exception as exc:
            if conn.broken or warehouse_fault(url, exc):
                raise
            _reject_after_failure(conn, report, exc)
            return report
        finally:
            try:
                conn.rollback()
                conn.execute(f"select pg_advisory_unlock({_FILE_KEY})", (file_id,))
            except psycopg.Error:
                # Interrupted mid-query (Ctrl-C, SIGTERM), the connection cannot
                # roll back: closing it does, and the interruption is what to report.
                if sys.exc_info()[1] is None:
                    raise


def _reject_after_failure(conn: psycopg.Connection, report: Report, exc: BaseException) -> None:
    """Reject a file whose load failed unexpectedly: nothing of it stays in staging or core."""
    conn.rollback()
    failure = failure_problem(exc)
    report.approval = None
    report.problems = [*report.problems, failure]
    try:
        _finish_rejected(conn, report)
    except Exception:  # the problems found so far may be what failed: keep the one
        if conn.broken:
            raise
        conn.rollback()
        report.problems = [failure]
        _finish_rejected(conn, report)


def staged_table(kind: Kind, file_id: int) -> sql.Identifier:
    """The file's own partition of staging.<kind> (see sql/migrations/0004)."""
    return sql.Identifier("staging", f"{kind.name}_f{file_id}")


def _stage(conn: psycopg.Connection, reader, file_id: int, as_of: date) -> int:
    """COPY the typed rows into the file's staging partition; return how many rows there were.

    The partition is unlogged and has no index: its rows live only while the
    file is validated, and dropping it afterwards costs nothing, where deleting
    a million rows and vacuuming after them took a second.
    """
    kind: Kind = reader.kind
    table = staged_table(kind, file_id)
    conn.execute(
        sql.SQL("create unlogged table {} partition of staging.{} for values in ({})").format(
            table, sql.Identifier(kind.name), sql.Literal(file_id)
        )
    )
    columns = ["file_id", "row_no", *kind.column_names]
    suffix = "\n"
    if kind.name == "supervision":
        columns.append("as_of")
        suffix = f"\t{as_of.isoformat()}\n"
    statement = sql.SQL("copy {} ({}) from stdin").format(
        table, sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # Lines of COPY's text format, joined here from fields the reader formats
    # once per distinct cell: write_row formatted every value of every row.
    tab, prefix = "\t", f"{file_id}\t"
    rows = reader.copy_text_rows()
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        while batch := [
            f"{prefix}{row_no}\t{tab.join(fields)}{suffix}"
            for row_no, fields in islice(rows, _COPY_BATCH)
        ]:
            copy.write("".join(batch))
            count += len(batch)
    return count


def _merge(first: list[Problem], later: list[Problem]) -> list[Problem]:
    """Keep the reader's word on a cell; drop a later rule's echo of the same cell."""
    seen = {(p.row, p.column) for p in first if p.row is not None and p.severity == "error"}
    merged = list(first)
    for problem in later:
        if problem.severity == "error" and (problem.row, problem.column) in seen:
            continue
        merged.append(problem)
    return merged


def _record_details(conn: psycopg.Connection, report: Report) -> None:
    file_id = report.file_id
    with conn.cursor() as cur:
        with cur.copy(
            "copy ingest.problems (file_id, severity, source, row_no, column_name, value,"
            " rule, message_zh, message_en) from stdin"
        ) as copy:
            for p in report.problems:
                copy.write_row(
                    (
                        file_id,
                        p.severity,
                        p.source,
                        p.row,
                        p.column,
                        p.value,
                        p.rule,
                        p.message_zh,
                        p.message_en,
                    )
                )
        with cur.copy(
            "copy ingest.expectation_results (file_id, expectation_type, column_name, kwargs,"
            " severity, success, element_count, unexpected_count) from stdin"
        ) as copy:
            for outcome in report.expectations:
                copy.write_row(_outcome_row(file_id, outcome))


def _outcome_row(file_id: int | None, outcome: ExpectationOutcome) -> tuple:
    from psycopg.types.json import Jsonb

    return (
        file_id,
        outcome.expectation_type,
        outcome.column,
        Jsonb(outcome.kwargs),
        outcome.severity,
        outcome.success,
        outcome.element_count,
        outcome.unexpected_count,
    )


def _drop_staged(conn: psycopg.Connection, kind: Kind | None, file_id: int) -> None:
    """Drop the file's staging partition (and any rows of it in the default partition)."""
    if kind is not None:
        conn.execute(sql.SQL("drop table if exists {}").format(staged_table(kind, file_id)))
        conn.execute(
            sql.SQL("delete from staging.{} where file_id = %s").format(sql.Identifier(kind.name)),
            (file_id,),
        )


def _finish_rejected(conn: psycopg.Connection, report: Report) -> None:
    report.outcome = "rejected"
    with conn.transaction():
        _drop_staged(conn, report.kind, report.file_id)
        _record_details(conn, report)
        conn.execute(
            "update ingest.files set outcome = 'rejected', finished_at = now(), row_count = %s,"
            " error_count = %s, warning_count = %s where file_id = %s",
            (report.row_count, len(report.errors), len(report.warnings), report.file_id),
        )
    conn.commit()


class _Background(threading.Thread):
    """A call run in a daemon thread; ``result()`` waits for it and re-raises its error.

    Daemon, so that an interrupted ingest does not wait for validation to finish.
    """

    def __init__(self, call: Callable[[], tuple]) -> None:
        super().__init__(name="ducha-validate", daemon=True)
        self._call = call
        self._value: tuple = ()
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> tuple:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


@dataclass
class _Promotion:
    """What the first half of a promotion decided, for the second half."""

    approval: str
    newer: bool
    held: list[Problem]


def _validate_and_promote(url: str, conn: psycopg.Connection, report: Report) -> None:
    """Validate the staged rows and, at the same time, promote them in an open transaction.

    Validation (Great Expectations: seconds to import, then its queries) runs in
    a thread on connections of its own while this connection copies the rows
    into core; both sides mostly wait on PostgreSQL, so they overlap. Nothing is
    committed until validation has passed: a file it rejects is rolled back
    whole, exactly as if it had never been promoted.
    """
    from etl.validate import validate_staged

    kind, file_id, row_count = report.kind, report.file_id, report.row_count
    assert kind is not None and file_id is not None
    validation = _Background(lambda: validate_staged(url, kind, file_id, row_count))
    promotion: _Promotion | None = None
    failure: psycopg.Error | None = None
    try:
        promotion = _promote_start(conn, kind, file_id)
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
        _finish_rejected(conn, report)
        return
    if isinstance(failure, psycopg.errors.DataError):
        raise failure  # not a verdict on the file: as before, a fault
    if promotion is not None:
        try:
            _promote_finish(conn, report, promotion)
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
    _finish_rejected(conn, report)


def _promote_start(conn: psycopg.Connection, kind: Kind, file_id: int) -> _Promotion:
    """In a new transaction: decide the approval and move the staged rows into core."""
    table = sql.Identifier(kind.name)
    columns = ["row_no", *kind.column_names]
    selected: list[sql.Composable] = [sql.Identifier("s", c) for c in columns]
    source = sql.SQL("staging.{} as s").format(table)
    if kind.sliced:
        columns += ["year", "period_end"]
        selected += [sql.Identifier("p", "year"), sql.Identifier("p", "period_end")]
        # Derived once per distinct period, not per row: core.period_end's
        # regular expressions cost 3 s over a million rows. (OFFSET 0 keeps the
        # planner from pulling the calls up into the join, once per row again.)
        source = sql.SQL(
            "staging.{table} as s join ("
            " select period, core.period_year(period) as year,"
            " core.period_end(period) as period_end"
            " from (select distinct period from staging.{table} where file_id = %(file_id)s) as d"
            " offset 0"
            ") as p on p.period = s.period"
        ).format(table=table)
    if kind.name == "supervision":
        columns.append("as_of")
        selected.append(sql.Identifier("s", "as_of"))
    conn.execute(
        "select pg_advisory_xact_lock(%s::int, %s::int)", (_PROMOTE_LOCK_SPACE, _kind_lock(kind))
    )
    requires_approval = conn.execute(
        "select requires_approval from ingest.kind_settings where kind = %s", (kind.name,)
    ).fetchone()
    approval = "pending" if requires_approval and requires_approval[0] else "approved"
    held = _locked_periods(conn, kind, file_id) if kind.sliced else []
    if held:
        approval = "pending"
    # Whether core holds rows of a later file of this kind: those of the later
    # accepted files (rows reach core exactly when their file is accepted).
    newer = conn.execute(
        "select exists (select 1 from ingest.files where kind = %s and file_id > %s"
        " and outcome in ('accepted', 'accepted_with_warnings'))",
        (kind.name, file_id),
    ).fetchone()[0]
    # The common case, an approved file newer than every version held:
    # retire the current rows of its keys and insert its rows as
    # current, instead of re-deciding every version of every key.
    current_now = approval == "approved" and not newer
    if current_now:
        _retire_current(conn, kind, file_id)
    conn.execute(
        sql.SQL(
            "insert into core.{table} (file_id, is_current, {columns})"
            " select s.file_id, %(current)s, {selected} from {source}"
            " where s.file_id = %(file_id)s"
        ).format(
            table=table,
            columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
            selected=sql.SQL(", ").join(selected),
            source=source,
        ),
        {"current": current_now, "file_id": file_id},
    )
    _record_summaries(conn, kind, file_id, current_now)
    return _Promotion(approval=approval, newer=newer, held=held)


def _promote_finish(conn: psycopg.Connection, report: Report, promotion: _Promotion) -> None:
    """Record the accepted file, drop its staging rows and commit the promotion."""
    kind, file_id = report.kind, report.file_id
    assert kind is not None and file_id is not None
    report.problems += promotion.held
    _drop_staged(conn, kind, file_id)
    report.outcome = "accepted_with_warnings" if report.warnings else "accepted"
    report.approval = promotion.approval
    conn.execute(
        "update ingest.files set outcome = %s, approval = %s, finished_at = now(),"
        " row_count = %s, error_count = 0, warning_count = %s where file_id = %s",
        (report.outcome, promotion.approval, report.row_count, len(report.warnings), file_id),
    )
    _record_details(conn, report)
    if promotion.approval == "approved" and promotion.newer:
        refresh_current(conn, kind, file_id)
    conn.commit()


def _locked_periods(conn: psycopg.Connection, kind: Kind, file_id: int) -> list[Problem]:
    """A warning for each locked (unit, period) the staged file reports on."""
    locked = conn.execute(
        sql.SQL(
            "select distinct s.unit_code, s.period from staging.{} as s"
            " join ingest.period_locks as l on l.kind = %s and l.unit_code = s.unit_code"
            " and l.period = s.period and l.released_at is null"
            " where s.file_id = %s order by 1, 2"
        ).format(sql.Identifier(kind.name)),
        (kind.name, file_id),
    ).fetchall()
    return [
        Problem(
            rule="period-locked",
            severity="warning",
            source="warehouse",
            column="period",
            value=f"{unit_code} {period}",
            message_zh=f"{unit_code} 的 {period} 报告期已锁定：本报表待数据管理员放行后生效",
            message_en=f"{unit_code} {period} is locked: this return waits for a"
            " steward to release it",
        )
        for unit_code, period in locked
    ]


# The slice of a row in ingest.slices and ingest.file_coverage (sql/migrations/0006):
# its period, else its year; as mart.return_rows names it.
def _slice_of(kind: Kind, alias: str) -> sql.Composable:
    """A core row's slice as text: its period, else its year (etl.sqlgen.year_sql), else NULL."""
    if kind.sliced:
        return sql.Identifier(alias, "period")
    if kind.year_column is None:
        return sql.SQL("null::text")
    return sql.SQL("({})::text").format(sql.SQL(year_sql(kind, alias)))


def _counted(kind: Kind, update: sql.Composable, sign: int, nested: bool = False) -> sql.Composable:
    """An UPDATE of core.<kind> AS t's is_current that also moves the summaries' counts.

    ``sign`` is +1 when the rows it updates become current, -1 when they stop
    being current. ``nested``: the statement continues a WITH list.
    """
    slices = sql.SQL("")
    if kind.sliced:
        slices = sql.SQL(
            "slices as ("
            " update ingest.slices as s set current_rows = s.current_rows + {sign} * b.n"
            " from by_slice as b"
            " where s.file_id = b.file_id and s.unit_code = b.unit_code and s.period = b.period"
            "), "
        ).format(sign=sql.Literal(sign))
    return sql.SQL(
        "{lead} changed as ({update} returning t.file_id, t.unit_code, {slice} as period),"
        " by_slice as ("
        "  select file_id, unit_code, period, count(*) as n from changed group by 1, 2, 3"
        " ), {slices}"
        " by_file as (select file_id, sum(n) as n from by_slice group by file_id)"
        " update ingest.file_coverage as c set current_rows = c.current_rows + {sign} * f.n"
        " from by_file as f where c.file_id = f.file_id"
    ).format(
        lead=sql.SQL(",") if nested else sql.SQL("with"),
        update=update,
        slice=_slice_of(kind, "t"),
        slices=slices,
        sign=sql.Literal(sign),
    )


def _record_summaries(conn: psycopg.Connection, kind: Kind, file_id: int, current: bool) -> None:
    """Add the staged file's slices and coverage to the summaries (sql/migrations/0006)."""
    table = sql.Identifier(kind.name)
    if kind.sliced:
        # Grouped first, so period_end and year are derived once per slice.
        groups = sql.SQL(
            "select unit_code, period, core.period_end(period) as period_end,"
            " core.period_year(period) as year, row_count"
            " from (select unit_code, period, count(*) as row_count from staging.{table}"
            "       where file_id = %(file_id)s group by unit_code, period offset 0) as counted"
        ).format(table=table)
        record_slices = sql.SQL(
            " slices as ("
            "  insert into ingest.slices (kind, file_id, unit_code, period, period_end, year,"
            "   row_count, current_rows)"
            "  select %(kind)s, %(file_id)s, unit_code, period, period_end, year, row_count,"
            "   case when %(current)s then row_count else 0 end"
            "  from groups"
            " ),"
        )
    else:
        groups = sql.SQL(
            "select unit_code, {slice} as period, count(*) as row_count"
            " from staging.{table} as s where file_id = %(file_id)s group by 1, 2"
        ).format(table=table, slice=_slice_of(kind, "s"))
        record_slices = sql.SQL("")
    conn.execute(
        sql.SQL(
            "with groups as materialized ({groups}),{record_slices}"
            " coverage as ("
            "  select array_agg(distinct unit_code order by unit_code) as unit_codes,"
            "   coalesce(array_agg(distinct period order by period)"
            "    filter (where period is not null), '{{}}') as periods,"
            "   sum(row_count) as row_count"
            "  from groups"
            " )"
            " insert into ingest.file_coverage"
            "  (file_id, kind, unit_codes, periods, row_count, current_rows)"
            " select %(file_id)s, %(kind)s, unit_codes, periods, row_count,"
            "  case when %(current)s then row_count else 0 end"
            " from coverage"
        ).format(groups=groups, record_slices=record_slices),
        {"file_id": file_id, "kind": kind.name, "current": current},
    )


def _version_key_sql(kind: Kind) -> tuple[sql.Composed, sql.Composed]:
    """The kind's version key as a column list, and as ``t.c = k.c and …`` matching t to k."""
    keys = sql.SQL(", ").join(map(sql.Identifier, kind.version_key))
    match = sql.SQL(" and ").join(
        sql.SQL("t.{c} = k.{c}").format(c=sql.Identifier(c)) for c in kind.version_key
    )
    return keys, match


def _retire_current(conn: psycopg.Connection, kind: Kind, file_id: int) -> None:
    """Mark not current the current rows of every version key the staged file reports on."""
    keys, match = _version_key_sql(kind)
    update = sql.SQL(
        "update core.{table} as t set is_current = false"
        " from (select distinct {keys} from staging.{table} where file_id = %(file_id)s) as k"
        " where {match} and t.is_current"
    ).format(table=sql.Identifier(kind.name), keys=keys, match=match)
    conn.execute(_counted(kind, update, -1), {"file_id": file_id})


def refresh_current(conn: psycopg.Connection, kind: Kind, file_id: int) -> None:
    """Re-decide is_current for every version key that the file touches.

    The current version of a key is the latest approved file that holds it;
    for slice kinds the key is (unit_code, period) and the whole slice of that
    file is current together (contract §2: a return is the unit's whole report).
    """
    keys, match = _version_key_sql(kind)
    # Two statements, the retirements first: "one current version per key" is
    # a unique index for master data, checked row by row as an UPDATE goes.
    update = sql.SQL(
        """
        update core.{table} as t
        set is_current = %(becomes)s
        from touched as k
        left join winner as w using ({keys})
        where {match}
            and t.is_current is distinct from coalesce(t.file_id = w.file_id, false)
            and coalesce(t.file_id = w.file_id, false) = %(becomes)s
        """
    ).format(keys=keys, table=sql.Identifier(kind.name), match=match)
    for becomes in (False, True):
        conn.execute(
            sql.SQL(
                """
                with touched as (
                    select distinct {keys} from core.{table} where file_id = %(file_id)s
                ),

                winner as (
                    select {keys}, max(versions.file_id) as file_id
                    from core.{table} as versions
                    join touched using ({keys})
                    join ingest.files as files on files.file_id = versions.file_id
                    where files.approval = 'approved'
                    group by {keys}
                )

                {update}
                """
            ).format(
                keys=keys,
                table=sql.Identifier(kind.name),
                update=_counted(kind, update, 1 if becomes else -1, nested=True),
            ),
            {"file_id": file_id, "becomes": becomes},
        )


def decide(
    url: str,
    file_id: int,
    action: str,
    decided_by: str,
    reason: str | None = None,
    scope: tuple[str, str, str] | None = None,
) -> str:
    """A steward approves or rejects (withdraws) an accepted file; returns the new approval.

    ``scope`` (account, roles, units): decide as the signed-in person, on the
    dashboard role's connection, the decision signed by their account; the
    warehouse refuses it unless they are a steward of the file's units.
    """
    from etl.accounts import apply_scope, audit_decision

    if action not in ("approve", "reject"):
        raise ValueError(f"unknown action {action!r}")
    if not decided_by.strip():
        raise ValueError("decided_by must name the steward / 必须填写审核人")
    approval = "approved" if action == "approve" else "rejected"
    with connect(url) as conn, conn.transaction():
        apply_scope(conn, scope)
        row = conn.execute(
            "select kind, outcome from ingest.files where file_id = %s for update", (file_id,)
        ).fetchone()
        if row is None or row[1] not in ("accepted", "accepted_with_warnings"):
            raise ValueError(f"file {file_id} is not an accepted file / 文件未被接收")
        kind = KINDS[row[0]]
        conn.execute(
            "select pg_advisory_xact_lock(%s::int, %s::int)",
            (_PROMOTE_LOCK_SPACE, _kind_lock(kind)),
        )
        conn.execute(
            "insert into ingest.decisions (file_id, action, decided_by, reason, signed_by)"
            " values (%s, %s, %s, %s, %s)",
            (file_id, action, decided_by.strip(), reason, scope[0] if scope else None),
        )
        conn.execute(
            "update ingest.files set approval = %s where file_id = %s", (approval, file_id)
        )
        refresh_current(conn, kind, file_id)
        audit_decision(conn, scope, f"decision.{action}", f"file {file_id}", {"reason": reason})
    return approval


def recover_interrupted(url: str) -> int:
    """Mark files left 'validating' by a dead process as interrupted; drop their staging rows."""
    recovered = 0
    with connect(url, autocommit=True) as conn:
        stale = conn.execute(
            "select file_id, kind from ingest.files where outcome = 'validating'"
        ).fetchall()
        for file_id, kind_name in stale:
            got = conn.execute(f"select pg_try_advisory_lock({_FILE_KEY})", (file_id,)).fetchone()[
                0
            ]
            if not got:
                continue  # another process is loading it right now
            try:
                with conn.transaction():
                    _drop_staged(conn, KINDS.get(kind_name or ""), file_id)
                    conn.execute(
                        "update ingest.files set outcome = 'interrupted', finished_at = now()"
                        " where file_id = %s and outcome = 'validating'",
                        (file_id,),
                    )
                recovered += 1
            finally:
                conn.execute(f"select pg_advisory_unlock({_FILE_KEY})", (file_id,))
    return recovered
