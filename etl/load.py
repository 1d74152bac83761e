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

A folder (``ducha ingest DIR``, ``ducha run``, an upload of several files) goes
through ``ingest_batch``: steps 1–2 for up to BATCH_FILES files on one
connection, step 3 once per kind over all of them (etl.validate.validate_staged_many),
then step 4 for each file in order, each in its own transaction: the same
outcomes, rows and records as loading the files one by one (tests/test_batch.py).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from etl.keep import keep_received
from etl.kinds import Kind
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
from etl.report import Problem, Report
from etl.steward import decide
from etl.validate import Validated, import_gx, validate_staged, validate_staged_many
from etl.warehouse import Connection, connect, warehouse_fault

# The public names of the load, for the command line, the dashboard and tests.
__all__ = [
    "RETURN_SUFFIXES",
    "NotARegularFile",
    "Skipped",
    "decide",
    "expand_paths",
    "failure_problem",
    "import_gx_meanwhile",
    "ingest_batch",
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
    regular files are passed over (scan_paths says why). The files are loaded as
    a batch (ingest_batch): each still whole or not at all, with its own report.
    """
    files = load_order(expand_paths(paths), kind)
    recover_interrupted(url)
    reports: list[Report] = []

    def passed_over(path: Path, exc: Exception) -> Report | None:
        if isinstance(exc, NotARegularFile):
            return None  # replaced by a link or a fifo since the folder was read: never opened
        raise exc

    ingest_batch(
        url,
        [(path, None) for path in files],
        kind=kind,
        as_of=as_of,
        channel=channel,
        sent_by=sent_by,
        names=names,
        on_done=lambda path, report: reports.append(report),
        on_error=passed_over,
    )
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
    with _Loader(url, as_of, run_id, channel, sent_by) as loader:
        prepared = loader.prepare(path, kind, digest, file_name)
        if isinstance(prepared, Report):
            return prepared
        return _decide_alone(loader, prepared)


def _decide_alone(loader: _Loader, staged: _Staged) -> Report:
    """Validate one staged file and decide it, promoting it while it is validated."""
    report = staged.report
    assert report.kind is not None and report.file_id is not None
    kind, file_id, row_count = report.kind, report.file_id, report.row_count
    # Validation (Great Expectations: seconds to import, then its queries) runs
    # in a thread on connections of its own while this connection copies the
    # rows into core; both sides mostly wait on PostgreSQL, so they overlap.
    # Nothing is committed until validation has passed.
    validation = _Background(lambda: validate_staged(loader.url, kind, file_id, row_count))
    return loader.decide(staged, validation.result, promote_meanwhile=True)


# Files staged at once in a batch before they are validated and decided: each
# holds an advisory lock and a staging partition until then.
BATCH_FILES = 200
# A file of more rows than this is not batched: it is validated alone while its
# rows are promoted (ingest_file), which is faster for it, and a run knows it
# for the file in hand until it is decided.
BATCH_ROWS = 10_000
# A file larger than this waits for the batch before it to be decided before
# it is read (reading and staging it takes a while).
BATCH_BYTES = 1 << 20
# A file of a batch no larger than this is staged in its kind's default
# partition rather than a partition of its own (etl.loading.stage.stage_rows).
SMALL_BYTES = 256 << 10


def ingest_batch(
    url: str,
    files: Sequence[tuple[Path, tuple[str, int] | None]],
    *,
    on_done: Callable[[Path, Report], None],
    on_error: Callable[[Path, Exception], Report | None],
    kind: str | None = None,
    as_of: date | None = None,
    run_id: int | None = None,
    channel: str | None = None,
    sent_by: str | None = None,
    names: Mapping[Path, str] | None = None,
    on_reading: Callable[[Path], None] | None = None,
    on_read: Callable[[Path], None] | None = None,
) -> None:
    """Load many files, in the order given, each exactly as ingest_file would, but faster.

    ``files`` are (path, digest or None), in load order (master data first). Up to
    BATCH_FILES files are read and staged one after another on one connection,
    each recorded, kept and committed on its own; then each kind's staged files
    are validated together (etl.validate.validate_staged_many), and each file is
    decided in a transaction of its own, in order. A file is therefore loaded
    whole or not at all and gets its own report, as alone; a bad one is
    rejected alone. A batch ends early where waiting would change a verdict:
    before a file of a later load order (units and targets are current before
    the returns that name them are checked) and before bytes that an earlier
    file of the batch may still make a duplicate.

    A file larger than BATCH_BYTES or of more rows than BATCH_ROWS is loaded alone
    as ingest_file loads it (validated while it is promoted).

    ``on_done(path, report)`` is called for each file once its outcome is
    committed, in order; ``on_error(path, exc)`` for an unexpected error on a
    file: it returns the file's report (then passed to on_done), None to pass the
    file over, or raises to stop. ``on_reading`` and ``on_read`` are called
    before a file is read and once it has been read and staged (or decided).
    """
    as_of = as_of or date.today()
    chunk: list[tuple[Path, Report | _Staged | None]] = []
    if files:
        import_gx_meanwhile()
    with _Loader(url, as_of, run_id, channel, sent_by) as loader:

        def flush() -> None:
            """Validate the batch's staged files together, then decide each, in order."""
            by_kind: dict[str, dict[int, int]] = {}
            for _, waiting in chunk:
                if isinstance(waiting, _Staged):
                    staged_report = waiting.report
                    assert staged_report.kind is not None and staged_report.file_id is not None
                    by_kind.setdefault(staged_report.kind.name, {})[staged_report.file_id] = (
                        staged_report.row_count
                    )
            verdicts = validate_staged_many(url, by_kind) if by_kind else {}
            for done_path, done in chunk:
                report: Report | None
                if isinstance(done, _Staged):
                    assert done.report.file_id is not None
                    verdict = verdicts[done.report.file_id]
                    try:
                        report = loader.decide(done, functools.partial(_given, verdict))
                    except Exception as exc:
                        report = on_error(done_path, exc)
                else:
                    report = done
                if report is not None:
                    on_done(done_path, report)
            chunk.clear()

        for path, given in files:
            digest = given
            if digest is None:
                with contextlib.suppress(OSError):  # prepare() meets it again and says why
                    digest = sha256_of(path)
            pending = {s.sha256 for _, s in chunk if isinstance(s, _Staged)}
            if (
                len(chunk) >= BATCH_FILES
                or (digest is not None and digest[0] in pending)
                or (digest is not None and digest[1] > BATCH_BYTES)  # decided before it is read
            ):
                flush()
            if on_reading:
                on_reading(path)

            def opened(found: Kind | None) -> None:
                """Before a file is recorded: lower load orders are decided first."""
                levels = [
                    s.report.kind.load_order
                    for _, s in chunk
                    if isinstance(s, _Staged) and s.report.kind is not None
                ]
                if found is not None and levels and max(levels) < found.load_order:
                    flush()

            item: Report | _Staged | None
            try:
                item = loader.prepare(
                    path,
                    kind,
                    digest,
                    (names or {}).get(path),
                    opened,
                    own_partition=digest is None or digest[1] > SMALL_BYTES,
                )
            except Exception as exc:
                item = on_error(path, exc)
            if isinstance(item, _Staged) and item.report.row_count > BATCH_ROWS:
                # A large file is validated alone, as ingest_file does, and stays
                # 'reading' until decided: if validating it kills the process,
                # the next run knows which file did (etl.run).
                flush()
                alone: Report | None
                try:
                    alone = _decide_alone(loader, item)
                except Exception as exc:
                    alone = on_error(path, exc)
                if alone is not None:
                    on_done(path, alone)
                continue
            if on_read:
                on_read(path)
            chunk.append((path, item))
        flush()


_gx_import: list[_Background] = []


def import_gx_meanwhile() -> None:
    """Start importing Great Expectations in the background (seconds), once a process.

    Called where files are about to be read: the import overlaps their reading
    and staging instead of coming after it. Validation waits for it to finish.
    """
    if not _gx_import and "great_expectations" not in sys.modules:
        _gx_import.append(_Background(_import_gx))


def _import_gx() -> Validated:
    import_gx()
    return ([], [])


def _given(verdict: Validated | Exception) -> Validated:
    if isinstance(verdict, Exception):
        raise verdict
    return verdict


@dataclass
class _Staged:
    """A file recorded, kept, locked and staged, waiting for its verdict."""

    report: Report
    sha256: str


# What promote_start did: the promotion, or the warehouse's refusal of the rows.
Started = tuple[Promotion | None, psycopg.Error | None]


def _start_promotion(conn: Connection, report: Report) -> Started:
    """Move the staged rows into core in an open transaction, or say why core refused them."""
    assert report.kind is not None and report.file_id is not None
    try:
        return promote_start(conn, report.kind, report.file_id), None
    except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
        # Rows the suite rejects may break core's constraints first; the
        # suite's problems are the ones to report, so they are waited for.
        conn.rollback()
        return None, exc


class _Loader:
    """The steps of a file's load on one connection, kept for the files of a batch."""

    def __init__(
        self,
        url: str,
        as_of: date | None,
        run_id: int | None,
        channel: str | None,
        sent_by: str | None,
    ) -> None:
        self.url, self.as_of, self.run_id = url, as_of or date.today(), run_id
        self.channel = channel or ("inbox" if run_id is not None else "command_line")
        self.given_channel, self.sent_by = channel, sent_by
        self._conn: Connection | None = None

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()

    def conn(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.url)
            # No JIT: compiling the promotion's INSERT … SELECT costs more than it saves.
            self._conn.execute("set jit = off")
            self._conn.commit()
        return self._conn

    def prepare(
        self,
        path: Path,
        kind: str | None,
        digest: tuple[str, int] | None,
        file_name: str | None,
        opened: Callable[[Kind | None], None] | None = None,
        own_partition: bool = True,
    ) -> Report | _Staged:
        """Read, record, keep and stage the file; its report when that already decides it.

        A staged file is committed as 'validating' and holds its lock until decide().
        """
        url, as_of, run_id = self.url, self.as_of, self.run_id
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
                url,
                report,
                digest,
                as_of,
                run_id,
                path=path,
                channel=self.given_channel,
                sent_by=self.sent_by,
            )
        report.kind = reader.kind
        if opened is not None:
            opened(reader.kind)
        conn = self.conn()
        # The bytes and a receipt are kept for every arrival, a duplicate's too.
        keep = functools.partial(
            keep_received,
            conn,
            path,
            sha256,
            size,
            channel=self.channel,
            sent_by=self.sent_by,
            file_name=report.file_name,
        )
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

        # Not flushed to disk before going on: what is committed until the verdict
        # (the file 'validating', its bytes, its staged rows) is made durable by
        # the verdict's own commit, which is, WAL being written in order; lost
        # with a crash of the server or machine, it is as if the file never came.
        conn.execute("set local synchronous_commit = off")
        file_id = record_file(conn, report, digest, as_of, run_id)
        not_kept = keep(file_id=file_id)
        lock_file(conn, file_id)
        conn.commit()  # recorded (and locked) before it is staged: a failure rejects this row
        staged = False
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

            conn.execute("set local synchronous_commit = off")  # as above
            report.row_count = stage_rows(conn, reader, file_id, as_of, own_partition)
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
                return report
            staged = True
            return _Staged(report=report, sha256=sha256)
        except Exception as exc:
            if conn.broken or warehouse_fault(url, exc):
                raise
            reject_after_failure(conn, report, exc)
            return report
        finally:
            if not staged:
                self._release(file_id)

    def decide(
        self, staged: _Staged, validated: Callable[[], Validated], promote_meanwhile: bool = False
    ) -> Report:
        """Accept the staged file (its rows into core) or reject it, as validation says.

        ``validated()`` gives validation's findings (waiting for them, or raising
        its error). With ``promote_meanwhile`` the promotion starts on this
        connection first, while validation runs elsewhere (ingest_file); else once
        validation has passed. Either way nothing is committed before the verdict.
        """
        conn, report = self.conn(), staged.report
        assert report.file_id is not None and report.kind is not None
        try:
            started = _start_promotion(conn, report) if promote_meanwhile else None
            found, outcomes = validated()
            report.problems = _merge(report.problems, found)
            report.expectations = outcomes
            if report.errors:
                conn.rollback()
                finish_rejected(conn, report)
                return report
            promotion, failure = started or _start_promotion(conn, report)
            if isinstance(failure, psycopg.errors.DataError):
                raise failure  # not a verdict on the file: as before, a fault
            if promotion is not None:
                try:
                    promote_finish(conn, report, promotion)
                    return report
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
            return report
        except Exception as exc:
            if conn.broken or warehouse_fault(self.url, exc):
                raise
            reject_after_failure(conn, report, exc)
            return report
        finally:
            self._release(report.file_id)

    def _release(self, file_id: int) -> None:
        conn = self._conn
        if conn is None:
            return
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
