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
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

import psycopg
from psycopg import sql

from etl.kinds import KINDS, Kind
from etl.readers import open_return
from etl.report import ExpectationOutcome, Problem, Report
from etl.settings import connect

RETURN_SUFFIXES = {".csv", ".xlsx", ".xls"}

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


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder contributes every return file in it (not recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file()
                    and p.suffix.lower() in RETURN_SUFFIXES
                    and not p.name.startswith((".", "~$"))
                )
            )
        else:
            found.append(path)
    return found


def load_order(paths: list[Path], kind: str | None = None) -> list[Path]:
    """Master data first (units, then targets), then the rest by name."""

    def key(path: Path) -> tuple[int, str]:
        reader = open_return(path, kind)
        order = reader.kind.load_order if reader.kind is not None else 10
        return (order, path.name)

    return sorted(paths, key=key)


def ingest_files(
    url: str,
    paths: Iterable[Path],
    kind: str | None = None,
    as_of: date | None = None,
) -> list[Report]:
    """Validate and load each file; folders are expanded and master data goes first."""
    files = load_order(expand_paths(paths), kind)
    recover_interrupted(url)
    reports = []
    for path in files:
        reports.append(ingest_file(url, path, kind=kind, as_of=as_of))
    return reports


def ingest_file(
    url: str,
    path: Path,
    kind: str | None = None,
    as_of: date | None = None,
    run_id: int | None = None,
) -> Report:
    """Validate one file and load it whole, or record why it was rejected."""
    as_of = as_of or date.today()
    report = Report(file_name=path.name)
    sha256, size = sha256_of(path)
    reader = open_return(path, kind)
    report.kind = reader.kind

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
                return report

        file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, run_id)"
            " values (%s, %s, %s, %s, %s, %s) returning file_id",
            (path.name, sha256, reader.kind.name if reader.kind else None, size, as_of, run_id),
        ).fetchone()[0]
        report.file_id = file_id
        conn.execute(f"select pg_advisory_lock({_FILE_KEY})", (file_id,))
        try:
            if reader.kind is None or any(p.severity == "error" for p in reader.problems):
                conn.commit()
                report.problems = list(reader.problems)
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
        finally:
            conn.rollback()
            conn.execute(f"select pg_advisory_unlock({_FILE_KEY})", (file_id,))


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
    if kind.sliced:
        return sql.Identifier(alias, "period")
    if kind.name == "targets":
        return sql.SQL("{}::text").format(sql.Identifier(alias, "year"))
    if kind.name == "supervision":
        return sql.SQL("(extract(year from {})::integer)::text").format(
            sql.Identifier(alias, "registered_on")
        )
    return sql.SQL("null::text")


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
