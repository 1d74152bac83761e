"""A file's validation report as tables: its problems, its suite's results, and an
upload's outcome in one sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import format as fmt
from dashboard import uploads
from dashboard.i18n import lang, t
from dashboard.tables import Col

if TYPE_CHECKING:
    from etl.report import Problem, Report
    from etl.report_export import StoredFile

# Above this many problems the offline page is offered as a download only.
INLINE_PROBLEMS = 2_000


def problems_frame(problems: Iterable[Problem], column_label: Callable[[str | None], str]):
    """Problems as rows: the row as the user sees it, both column names, value, rule, messages."""
    frame = pd.DataFrame(
        [
            {
                "severity": problem.severity,
                "row_no": problem.row,
                "column_label": column_label(problem.column),
                "value": problem.value,
                "rule": problem.rule,
                "message_zh": problem.message_zh,
                "message_en": problem.message_en,
            }
            for problem in problems
        ],
        columns=[
            "severity",
            "row_no",
            "column_label",
            "value",
            "rule",
            "message_zh",
            "message_en",
        ],
    )
    frame["row_no"] = frame["row_no"].astype("Int64")
    return frame


PROBLEM_COLS = [
    Col("severity", "enum:severity"),
    Col("row_no", "int"),
    Col("column_label", "text"),
    Col("value", "text"),
    Col("rule", "text"),
    Col("message_zh", "text"),
    Col("message_en", "text"),
]


def expectations_frame(stored: StoredFile) -> pd.DataFrame:
    """The suite's results for one file: rule, expectation, column, result, counts."""
    from etl.report_export import expectation_meta, kwargs_text

    return pd.DataFrame(
        [
            {
                "expectation_result": "passed" if outcome.success else "failed",
                "rule": expectation_meta(stored, outcome).get("rule", ""),
                "expectation_type": outcome.expectation_type,
                "column_label": stored.column_label(outcome.column),
                "kwargs": kwargs_text(outcome.kwargs),
                "element_count": outcome.element_count,
                "unexpected_count": outcome.unexpected_count,
                "severity": outcome.severity,
            }
            for outcome in stored.expectations
        ],
        columns=[
            "expectation_result",
            "rule",
            "expectation_type",
            "column_label",
            "kwargs",
            "element_count",
            "unexpected_count",
            "severity",
        ],
    )


EXPECTATION_COLS = [
    Col("expectation_result", "enum:expectation_result"),
    Col("rule", "text"),
    Col("expectation_type", "text"),
    Col("column_label", "text"),
    Col("kwargs", "text"),
    Col("element_count", "int"),
    Col("unexpected_count", "int"),
    Col("severity", "enum:severity"),
]


def upload_summary(report: Report) -> tuple[str, str]:
    """One uploaded file's outcome as (level, sentence): level is success, warning or error."""
    if report.outcome == "duplicate":
        return "info", t(
            "upload.duplicate", file=fmt.plain(report.file_name), file_id=report.duplicate_of
        )
    refused = [p for p in report.problems if p.rule in uploads.REFUSALS]
    if report.file_id is None and refused:
        # Refused before loading (dashboard.uploads): the reason is the message.
        problem = refused[0]
        reason = problem.message_zh if lang() == "zh" else problem.message_en
        return "error", t(
            "upload.refused", file=fmt.plain(report.file_name), reason=fmt.plain(reason)
        )
    if report.outcome == "rejected":
        return "error", t(
            "upload.rejected", file=fmt.plain(report.file_name), errors=len(report.errors)
        )
    rows = fmt.count(report.row_count)
    if report.warnings:
        text = t(
            "upload.accepted_with_warnings",
            file=fmt.plain(report.file_name),
            rows=rows,
            warnings=len(report.warnings),
        )
    else:
        text = t("upload.accepted", file=fmt.plain(report.file_name), rows=rows)
    if report.approval == "pending":
        return "warning", f"{text} {t('upload.pending')}"
    return ("warning" if report.warnings else "success"), text
