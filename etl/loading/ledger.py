"""The ledger of loads: each file's row in ingest.files, its outcome, problems and expectations."""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import date
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from etl.keep import keep_received
from etl.loading.stage import drop_staged
from etl.names import shown_name
from etl.report import ExpectationOutcome, Problem, Report
from etl.warehouse import Connection, connect


def refusal_problem(exc: BaseException) -> Problem | None:
    """The problem of a row the warehouse refused from a unit's upload (the upload_scope
    trigger, sql/views/66_auth_upload_scope.sql), or None for any other error."""
    diag = getattr(exc, "diag", None)
    if diag is None or diag.constraint_name != "upload_scope" or diag.sqlstate != "42501":
        return None
    zh, _, en = (diag.message_primary or "").partition(" / ")
    detail = diag.message_detail or ""
    column = diag.column_name
    value = None
    if column is not None:  # "… the uploader's units: CODE (the uploader reports for …)"
        value = en.split(": ", 1)[-1].split(" (", 1)[0] or None
    return Problem(
        rule="unit-not-yours" if column is not None else "not-your-kind",
        message_zh=zh,
        message_en=en or zh,
        row=int(detail) if detail.isdigit() else None,
        column=column,
        value=value,
        source="warehouse",
    )


def failure_problem(exc: BaseException) -> Problem:
    """The problem that tells of an unexpected error met on a file; the traceback goes to a log.

    A refusal of the upload_scope trigger is no unexpected error: its own problem."""
    refused = refusal_problem(exc)
    if refused is not None:
        return refused
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


def record_file(
    conn: Connection, report: Report, digest: tuple[str, int], as_of: date, run_id: int | None
) -> int:
    """The file's new row in ingest.files (outcome 'validating' until it is decided)."""
    sha256, size = digest
    row = conn.execute(
        "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, run_id)"
        " values (%s, %s, %s, %s, %s, %s) returning file_id",
        (report.file_name, sha256, report.kind.name if report.kind else None, size, as_of,
         run_id),
    ).fetchone()  # fmt: skip
    assert row is not None
    file_id: int = row[0]
    report.file_id = file_id
    return file_id


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
        file_id = record_file(conn, report, digest, as_of, run_id)
        if path is not None:
            report.problems += keep_received(
                conn,
                path,
                sha256,
                size,
                channel=channel or ("inbox" if run_id is not None else "command_line"),
                sent_by=sent_by,
                file_id=file_id,
                file_name=report.file_name,
            )
        conn.commit()
        finish_rejected(conn, report)
    return report


def record_details(conn: Connection, report: Report) -> None:
    """COPY the report's problems and expectation results into the ledger."""
    file_id = report.file_id
    with conn.cursor() as cur:
        if report.problems:  # most files have none: no COPY, no round trip
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
        if report.expectations:
            with cur.copy(
                "copy ingest.expectation_results (file_id, expectation_type, column_name,"
                " kwargs, severity, success, element_count, unexpected_count) from stdin"
            ) as copy:
                for outcome in report.expectations:
                    copy.write_row(_outcome_row(file_id, outcome))


def _outcome_row(file_id: int | None, outcome: ExpectationOutcome) -> tuple[Any, ...]:
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


def finish_rejected(conn: Connection, report: Report) -> None:
    """Record the file rejected, with its problems, and drop whatever of it was staged."""
    assert report.file_id is not None
    report.outcome = "rejected"
    with conn.transaction():
        drop_staged(conn, report.kind, report.file_id)
        record_details(conn, report)
        conn.execute(
            "update ingest.files set outcome = 'rejected', finished_at = now(), row_count = %s,"
            " error_count = %s, warning_count = %s where file_id = %s",
            (report.row_count, len(report.errors), len(report.warnings), report.file_id),
        )
    conn.commit()


def finish_accepted(conn: Connection, report: Report, approval: str) -> None:
    """Record the file accepted (in the promotion's transaction, which the caller commits)."""
    assert report.kind is not None and report.file_id is not None
    drop_staged(conn, report.kind, report.file_id)
    report.outcome = "accepted_with_warnings" if report.warnings else "accepted"
    report.approval = approval
    conn.execute(
        "update ingest.files set outcome = %s, approval = %s, finished_at = now(),"
        " row_count = %s, error_count = 0, warning_count = %s where file_id = %s",
        (report.outcome, approval, report.row_count, len(report.warnings), report.file_id),
    )
    record_details(conn, report)


def reject_after_failure(conn: Connection, report: Report, exc: BaseException) -> None:
    """Reject a file whose load failed unexpectedly: nothing of it stays in staging or core."""
    conn.rollback()
    failure = failure_problem(exc)
    report.approval = None
    report.problems = [*report.problems, failure]
    try:
        finish_rejected(conn, report)
    except Exception:  # the problems found so far may be what failed: keep the one
        if conn.broken:
            raise
        conn.rollback()
        report.problems = [failure]
        finish_rejected(conn, report)
