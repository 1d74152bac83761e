"""A file's validation report, as stored in the warehouse, written as Excel for the unit.

``read_stored`` reads one file's record, problems and expectation results from
``ingest`` (also used by ``etl.datadocs``); ``write_report_xlsx`` writes them as a
workbook of three sheets — summary, problems, expectations — in Chinese and
English. Every text cell is written as a string, and one that a spreadsheet
would take for a formula (``= + - @``, tab, CR) carries Excel's quote prefix:
a report quotes what the unit typed, and must never run it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
import xlsxwriter
from psycopg.rows import dict_row
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from etl.kinds import KINDS, Kind
from etl.report import (
    ExpectationOutcome,
    Problem,
    checked_file_id,
    column_label,
    looks_like_formula,
)
from etl.warehouse import connect

# Excel's limit on the characters of one cell.
EXCEL_CELL_LIMIT = 32767

OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("已接收", "accepted"),
    "accepted_with_warnings": ("已接收（有警告）", "accepted with warnings"),
    "rejected": ("已拒收", "rejected"),
    "validating": ("校验中", "being validated"),
    "interrupted": ("已中断", "interrupted"),
}
APPROVAL_WORDS: dict[str, tuple[str, str]] = {
    "approved": ("已批准", "approved"),
    "pending": ("待审核", "awaiting a steward's approval"),
    "rejected": ("已撤回", "withdrawn by a steward"),
}
SEVERITY_WORDS: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
}
SOURCE_WORDS: dict[str, tuple[str, str]] = {
    "reader": ("读取", "reading"),
    "expectation": ("校验规则", "expectation"),
    "warehouse": ("数据仓库核对", "warehouse check"),
}

PROBLEM_HEADERS = (
    "行号 Row",
    "列 Column",
    "值 Value",
    "规则 Rule",
    "说明 Message (zh)",
    "Message (en)",
    "级别 Severity",
)
EXPECTATION_HEADERS = (
    "规则 Rule",
    "规则类型 Expectation",
    "列 Column",
    "参数 Arguments",
    "结果 Result",
    "检查行数 Rows checked",
    "不符合行数 Unexpected",
    "级别 Severity",
)
SUMMARY_SHEET = "摘要 Summary"
PROBLEMS_SHEET = "问题 Problems"
EXPECTATIONS_SHEET = "校验规则 Expectations"


class FileNotFound(LookupError):
    """No file with that id in ingest.files; the message is for the user (zh / en)."""


@dataclass(frozen=True)
class StoredFile:
    """One received file as the warehouse recorded it, with its problems and results."""

    file_id: int
    file_name: str
    sha256: str
    kind_name: str | None
    size_bytes: int
    received_at: datetime
    finished_at: datetime | None
    as_of: date
    row_count: int | None
    outcome: str
    approval: str | None
    error_count: int
    warning_count: int
    problems: tuple[Problem, ...] = ()
    expectations: tuple[ExpectationOutcome, ...] = ()

    @property
    def kind(self) -> Kind | None:
        return KINDS.get(self.kind_name or "")

    def column_label(self, column: str | None) -> str:
        """Both header names of a column, e.g. ``办结日期 (closed_on)``."""
        return column_label(self.kind, column)

    def kind_label(self) -> tuple[str, str]:
        """The kind in Chinese and English, e.g. ("督办事项", "supervision")."""
        kind = self.kind
        if kind is not None:
            return kind.zh, kind.name
        return ("未知类型", "unknown kind") if not self.kind_name else (self.kind_name,) * 2

    def sorted_problems(self) -> list[Problem]:
        """File-level problems first, then by row as the user sees it, then by column."""
        kind = self.kind
        order = {name: index for index, name in enumerate(kind.column_names)} if kind else {}
        indexed = list(enumerate(self.problems))
        indexed.sort(
            key=lambda item: (
                item[1].row is not None,
                item[1].row or 0,
                order.get(item[1].column or "", len(order)),
                item[0],  # stored order breaks ties: stable
            )
        )
        return [problem for _, problem in indexed]

    @property
    def failed_expectations(self) -> int:
        return sum(not outcome.success for outcome in self.expectations)


_FILE_SQL = """
    select file_id, file_name, sha256, kind as kind_name, size_bytes, received_at,
           finished_at, as_of, row_count, outcome, approval, error_count, warning_count
    from ingest.files
    where file_id = any(%(ids)s)
    order by file_id
"""
_PROBLEMS_SQL = """
    select file_id, rule, message_zh, message_en, row_no, column_name, value, severity, source
    from ingest.problems
    where file_id = any(%(ids)s)
    order by file_id, problem_id
"""
_EXPECTATIONS_SQL = """
    select file_id, expectation_type, column_name, kwargs, success, element_count,
           unexpected_count, severity
    from ingest.expectation_results
    where file_id = any(%(ids)s)
    order by file_id, result_id
"""


def all_file_ids(conn: psycopg.Connection) -> list[int]:
    """Every file received, oldest first."""
    return [row[0] for row in conn.execute("select file_id from ingest.files order by file_id")]


def read_stored_files(conn: psycopg.Connection, file_ids: Sequence[int]) -> list[StoredFile]:
    """The files with these ids (those that exist), in file_id order, in three queries."""
    params = {"ids": [checked_file_id(file_id) for file_id in file_ids]}
    problems: dict[int, list[Problem]] = {}
    for file_id, *fields in conn.execute(_PROBLEMS_SQL, params):
        rule, zh, en, row, column, value, severity, source = fields
        problems.setdefault(file_id, []).append(
            Problem(
                rule=rule,
                message_zh=zh,
                message_en=en,
                row=row,
                column=column,
                value=value,
                severity=severity,
                source=source,
            )
        )
    outcomes: dict[int, list[ExpectationOutcome]] = {}
    for file_id, *fields in conn.execute(_EXPECTATIONS_SQL, params):
        type_, column, kwargs, success, elements, unexpected, severity = fields
        outcomes.setdefault(file_id, []).append(
            ExpectationOutcome(
                expectation_type=type_,
                column=column,
                kwargs=kwargs or {},
                success=success,
                element_count=elements,
                unexpected_count=unexpected,
                severity=severity,
            )
        )
    with conn.cursor(row_factory=dict_row) as cur:
        return [
            StoredFile(
                **row,
                problems=tuple(problems.get(row["file_id"], ())),
                expectations=tuple(outcomes.get(row["file_id"], ())),
            )
            for row in cur.execute(_FILE_SQL, params)
        ]


def read_stored(url: str, file_id: int) -> StoredFile:
    """One file's record, problems and expectation results; FileNotFound if there is none."""
    with connect(url) as conn:
        found = read_stored_files(conn, [file_id])
    if not found:
        raise FileNotFound(f"没有编号为 {file_id} 的文件 / no file with id {file_id}")
    return found[0]


@lru_cache(maxsize=16)
def _suite_meta(kind_name: str) -> dict[tuple[str, str], dict[str, Any]]:
    from etl.suites import load_suite_dict

    return {
        (item["type"], _canonical(item["kwargs"])): item["meta"]
        for item in load_suite_dict(KINDS[kind_name])["expectations"]
    }


def _canonical(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, sort_keys=True, ensure_ascii=False)


def expectation_meta(stored: StoredFile, outcome: ExpectationOutcome) -> dict[str, Any]:
    """The suite's meta (rule slug, zh / en templates) of a stored result; {} if not found."""
    if stored.kind is None:
        return {}
    try:
        return _suite_meta(stored.kind.name).get(
            (outcome.expectation_type, _canonical(outcome.kwargs)), {}
        )
    except (OSError, ValueError):  # a missing or broken suite file: show the result without it
        return {}


def moment_text(value: datetime | date | None) -> str:
    """A date or timestamp as text: 2006-06-30 or 2006-06-30 14:03:12+08:00."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def kwargs_text(kwargs: dict[str, Any]) -> str:
    """An expectation's arguments as readable JSON."""
    return json.dumps(kwargs, ensure_ascii=False, sort_keys=True, default=str)


def summary_rows(stored: StoredFile) -> list[tuple[str, str, str]]:
    """(label zh, label en, value) lines of the report's summary."""
    kind_zh, kind_en = stored.kind_label()
    outcome_zh, outcome_en = OUTCOME_WORDS.get(stored.outcome, (stored.outcome,) * 2)
    rows = [
        ("文件名", "File name", stored.file_name),
        ("文件编号", "File id", str(stored.file_id)),
        ("报表类型", "Kind of return", f"{kind_zh} ({kind_en})"),
        ("接收时间", "Received at", moment_text(stored.received_at)),
        ("完成时间", "Finished at", moment_text(stored.finished_at)),
        ("截止日期", "As-of date", moment_text(stored.as_of)),
        ("结果", "Outcome", f"{outcome_zh} / {outcome_en}"),
    ]
    if stored.approval:
        approval_zh, approval_en = APPROVAL_WORDS.get(stored.approval, (stored.approval,) * 2)
        rows.append(("审核", "Approval", f"{approval_zh} / {approval_en}"))
    total, failed = len(stored.expectations), stored.failed_expectations
    rows += [
        ("数据行数", "Data rows", "" if stored.row_count is None else str(stored.row_count)),
        ("错误", "Errors", str(stored.error_count)),
        ("警告", "Warnings", str(stored.warning_count)),
        (
            "校验规则",
            "Expectations",
            f"{total} 条，未通过 {failed} / {total}, {failed} failed"
            if total
            else "未运行 / not run",
        ),
        ("文件大小", "Size", f"{stored.size_bytes} 字节 bytes"),
        ("SHA-256", "SHA-256", stored.sha256),
    ]
    return rows


def advice(stored: StoredFile) -> list[tuple[str, str]]:
    """What the unit should do next, as (zh, en) sentences."""
    lines = [
        (
            "行号为在表格中看到的行号（表头为第 1 行）；没有行号的问题涉及整个文件或整列。",
            "Row numbers are as seen in the spreadsheet (the header is row 1); a problem"
            " without a row concerns the whole file or a whole column.",
        )
    ]
    if stored.outcome == "rejected":
        lines.insert(
            0,
            (
                "文件已整体拒收，数据仓库未作任何改动；请改正“问题”中列出的错误后重新报送整份文件。",
                "The file was rejected whole and nothing in the warehouse changed; correct the"
                " errors listed under Problems and send the whole file again.",
            ),
        )
    elif stored.outcome == "accepted_with_warnings":
        lines.insert(
            0,
            (
                "文件已接收；请核实“问题”中列出的警告，如有误请改正后重新报送。",
                "The file was accepted; check the warnings listed under Problems and, if they"
                " reveal a mistake, send a corrected file.",
            ),
        )
    if not stored.expectations and stored.outcome == "rejected":
        lines.append(
            (
                "文件在读取时即被拒收，校验规则未运行；改正后可能还会发现其他问题。",
                "The file was rejected while being read, so the expectations did not run;"
                " more problems may show once it is corrected.",
            )
        )
    return lines


class _Cells:
    """Writes cells so that text is always inert text and numbers stay numbers."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.formats: dict[tuple[tuple[str, Any], ...], Format] = {}

    def style(self, **properties: Any) -> Format | None:
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(properties)
        return self.formats[key]

    def text(self, sheet: Worksheet, row: int, col: int, value: str, **style: Any) -> None:
        if not value:
            return  # an empty cell, not an empty string: blank when read back
        value = value[:EXCEL_CELL_LIMIT]
        if looks_like_formula(value):
            # Excel's quote prefix: shown as typed, and still text when the cell is edited.
            style["quote_prefix"] = True
        sheet.write_string(row, col, value, self.style(**style))

    def number(self, sheet: Worksheet, row: int, col: int, value: int | None) -> None:
        if value is not None:
            sheet.write_number(row, col, value)


def _severity_text(severity: str) -> str:
    zh, en = SEVERITY_WORDS.get(severity, (severity, severity))
    return f"{zh} {en}"


HEAD_STYLE = {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "top"}
FAILED_STYLE = {"bold": True, "font_color": "#C00000"}


def _table_header(cells: _Cells, sheet: Worksheet, headers: Sequence[str]) -> None:
    for col, text in enumerate(headers):
        cells.text(sheet, 0, col, text, **HEAD_STYLE)
    sheet.freeze_panes(1, 0)


def _summary_sheet(cells: _Cells, sheet: Worksheet, stored: StoredFile) -> None:
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 60)
    cells.text(sheet, 0, 0, "报表校验报告 / Validation report", bold=True, font_size=14)
    row = 2
    for zh, en, value in summary_rows(stored):
        cells.text(sheet, row, 0, zh, bold=True)
        cells.text(sheet, row, 1, en, bold=True)
        cells.text(sheet, row, 2, value)
        row += 1
    row += 1
    for zh, en in advice(stored):
        cells.text(sheet, row, 0, zh)
        cells.text(sheet, row + 1, 0, en, italic=True, font_color="#595959")
        row += 2


def _problems_sheet(cells: _Cells, sheet: Worksheet, stored: StoredFile) -> None:
    for col, width in enumerate((8, 26, 30, 24, 50, 50, 12)):
        sheet.set_column(col, col, width)
    _table_header(cells, sheet, PROBLEM_HEADERS)
    problems = stored.sorted_problems()
    for row, problem in enumerate(problems, start=1):
        cells.number(sheet, row, 0, problem.row)
        cells.text(sheet, row, 1, stored.column_label(problem.column))
        if problem.value is not None:
            cells.text(sheet, row, 2, problem.value)
        cells.text(sheet, row, 3, problem.rule)
        cells.text(sheet, row, 4, problem.message_zh)
        cells.text(sheet, row, 5, problem.message_en)
        style = FAILED_STYLE if problem.severity == "error" else {}
        cells.text(sheet, row, 6, _severity_text(problem.severity), **style)
    sheet.autofilter(0, 0, max(len(problems), 1), len(PROBLEM_HEADERS) - 1)
    if not problems:
        cells.text(sheet, 1, 0, "没有问题 / no problems")


def _expectations_sheet(cells: _Cells, sheet: Worksheet, stored: StoredFile) -> None:
    for col, width in enumerate((24, 44, 26, 50, 16, 12, 12, 12)):
        sheet.set_column(col, col, width)
    _table_header(cells, sheet, EXPECTATION_HEADERS)
    for row, outcome in enumerate(stored.expectations, start=1):
        meta = expectation_meta(stored, outcome)
        cells.text(sheet, row, 0, meta.get("rule", ""))
        cells.text(sheet, row, 1, outcome.expectation_type)
        cells.text(sheet, row, 2, stored.column_label(outcome.column))
        cells.text(sheet, row, 3, kwargs_text(outcome.kwargs))
        if outcome.success:
            cells.text(sheet, row, 4, "通过 passed")
        else:
            cells.text(sheet, row, 4, "未通过 failed", **FAILED_STYLE)
        cells.number(sheet, row, 5, outcome.element_count)
        cells.number(sheet, row, 6, outcome.unexpected_count)
        cells.text(sheet, row, 7, _severity_text(outcome.severity))
    if stored.expectations:
        sheet.autofilter(0, 0, len(stored.expectations), len(EXPECTATION_HEADERS) - 1)
    else:
        cells.text(
            sheet,
            1,
            0,
            "校验规则未运行（文件在读取时即被拒收）/ the expectations did not run"
            " (the file was rejected while being read)",
        )


def write_report_workbook(stored: StoredFile, path: Path) -> Path:
    """Write a stored file's report as an .xlsx workbook at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Strings are written as strings: never as formulas, links or numbers.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties(
            {
                "title": f"报表校验报告 Validation report: file {stored.file_id}",
                "author": "ducha",
            }
        )
        cells = _Cells(book)
        _summary_sheet(cells, book.add_worksheet(SUMMARY_SHEET), stored)
        _problems_sheet(cells, book.add_worksheet(PROBLEMS_SHEET), stored)
        _expectations_sheet(cells, book.add_worksheet(EXPECTATIONS_SHEET), stored)
    return path


def write_report_xlsx(url: str, file_id: int, path: Path) -> Path:
    """Write the report of file ``file_id`` (as stored in the warehouse at ``url``) to ``path``."""
    return write_report_workbook(read_stored(url, file_id), path)
