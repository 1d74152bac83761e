"""Promotion: a staged file's rows into core, in the transaction that accepts the file."""

from __future__ import annotations

from dataclasses import dataclass

from etl.kinds import Kind
from etl.loading.ledger import finish_accepted
from etl.loading.locks import lock_promotions
from etl.loading.statements import run
from etl.loading.versions import refresh_current, refresh_derived, retire_current
from etl.report import Problem, Report
from etl.warehouse import Connection


@dataclass
class Promotion:
    """What the first half of a promotion decided, for the second half."""

    approval: str
    newer: bool
    held: list[Problem]


def promote_start(conn: Connection, kind: Kind, file_id: int) -> Promotion:
    """In a new transaction: decide the approval and move the staged rows into core."""
    lock_promotions(conn, kind)
    requires_approval = conn.execute(
        "select requires_approval from ingest.kind_settings where kind = %s", (kind.name,)
    ).fetchone()
    approval = "pending" if requires_approval and requires_approval[0] else "approved"
    held = locked_periods(conn, kind, file_id) if kind.sliced else []
    if held:
        approval = "pending"
    # Whether core holds rows of a later file of this kind: those of the later
    # accepted files (rows reach core exactly when their file is accepted).
    later = conn.execute(
        "select exists (select 1 from ingest.files where kind = %s and file_id > %s"
        " and outcome in ('accepted', 'accepted_with_warnings'))",
        (kind.name, file_id),
    ).fetchone()
    newer = bool(later and later[0])
    # The common case, an approved file newer than every version held:
    # retire the current rows of its keys and insert its rows as
    # current, instead of re-deciding every version of every key.
    current_now = approval == "approved" and not newer
    if current_now:
        retire_current(conn, kind, file_id)
    run(conn, kind, "record_summaries", file_id=file_id, current=current_now)
    if kind.year_partitioned:  # a new year's partition, from the years just recorded
        run(conn, kind, "year_partitions", file_id=file_id)
    run(conn, kind, "insert_rows", file_id=file_id, current=current_now)
    if current_now:
        refresh_derived(conn, kind, file_id)
    return Promotion(approval=approval, newer=newer, held=held)


def promote_finish(conn: Connection, report: Report, promotion: Promotion) -> None:
    """Record the accepted file, drop its staging rows and commit the promotion."""
    kind, file_id = report.kind, report.file_id
    assert kind is not None and file_id is not None
    report.problems += promotion.held
    finish_accepted(conn, report, promotion.approval)
    if promotion.approval == "approved" and promotion.newer:
        refresh_current(conn, kind, file_id)
    conn.commit()


def locked_periods(conn: Connection, kind: Kind, file_id: int) -> list[Problem]:
    """A warning for each locked (unit, period) the staged file reports on."""
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
        for unit_code, period in run(conn, kind, "locked_periods", file_id=file_id)
    ]
