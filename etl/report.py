"""Validation reports are data: problems with a row, a column, a value and a rule."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Literal

from etl.kinds import Kind
from etl.names import shown_name

Severity = Literal["error", "warning"]

# A text cell starting with one of these is taken by a spreadsheet for a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would treat this text as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def checked_file_id(file_id: int) -> int:
    """The file id as an int; "5", 5.0 and True are refused.

    The id selects a file's rows and must really be an integer. operator.index
    takes numpy integers (a dashboard's DataFrame) but not "5" or 5.0; bool is an
    int to Python, yet as a file id it is a caller's mistake.
    """
    if isinstance(file_id, bool):
        raise TypeError("file_id must be an integer")
    return operator.index(file_id)


def column_label(kind: Kind | None, column: str | None) -> str:
    """Both header names of a column, e.g. ``单位代码 (unit_code)``; the name alone if unknown."""
    if not column:
        return ""
    if kind is not None and column in kind.column_names:
        return kind.column(column).label()
    return column


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a return, as the unit must be told of it.

    ``row`` is the row number as the user sees it in the spreadsheet (the
    header is row 1); ``None`` for problems of the whole file or a whole column.
    ``column`` is the contract's English column name.
    """

    rule: str
    message_zh: str
    message_en: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    source: Literal["reader", "expectation", "warehouse"] = "reader"

    def flat(self) -> tuple[int | None, str | None, str]:
        return (self.row, self.column, self.rule)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One Great Expectations expectation's result, kept in the warehouse."""

    expectation_type: str
    column: str | None
    kwargs: dict[str, Any]
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    severity: Severity = "error"


@dataclass
class Report:
    """Everything found about one file."""

    file_name: str
    kind: Kind | None = None
    problems: list[Problem] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    row_count: int = 0
    file_id: int | None = None
    # accepted, accepted_with_warnings, rejected, or duplicate (same bytes
    # already loaded: nothing was changed).
    outcome: str = "rejected"
    approval: str | None = None
    duplicate_of: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def flat(self, severity: Severity = "error") -> list[tuple[int | None, str | None, str]]:
        return [p.flat() for p in self.problems if p.severity == severity]

    def column_label(self, column: str | None) -> str:
        """Both header names of a column, e.g. ``单位代码 (unit_code)``."""
        return column_label(self.kind, column)

    def lines(self, limit: int | None = None) -> list[str]:
        """The report as text lines (zh / en), errors first; at most ``limit`` problems.

        No line break or terminal escape in a file name or a message reaches the
        text (see etl.names.shown_name): one report line is one line.
        """
        name = shown_name(self.file_name, backslash=False)
        kind = f"{self.kind.name} {self.kind.zh}" if self.kind else "未知类型 unknown kind"
        detail = f"{kind}, {self.row_count} 行 rows"
        if self.file_id is not None:
            detail += f", 文件编号 file #{self.file_id}"
        if self.duplicate_of is not None:
            detail = f"{kind}, 文件编号 file #{self.duplicate_of}"
        if self.approval == "pending":
            detail += ", 待审核 awaiting a steward's approval"
        lines = [f"{OUTCOME_WORDS[self.outcome]}: {name} ({detail})"]
        shown = self.errors + self.warnings
        for problem in shown if limit is None else shown[:limit]:
            where = [name]
            if problem.row is not None:
                where.append(f"第 {problem.row} 行 row {problem.row}")
            if problem.column:
                where.append(self.column_label(problem.column))
            if problem.value is not None:
                where.append(f"值 value {problem.value!r}")
            where.append(f"规则 rule {problem.rule}")
            mark = "错误 error" if problem.severity == "error" else "警告 warning"
            lines.append(f"  [{mark}] " + " · ".join(where))
            message = f"{problem.message_zh} / {problem.message_en}"
            lines.append("      " + shown_name(message, backslash=False))
        if limit is not None and len(shown) > limit:
            more = len(shown) - limit
            lines.append(
                f"  … 另有 {more} 个问题 / {more} more problems: 完整报告见数据仓库"
                f" ingest.problems (file_id {self.file_id}) / the full report is in the warehouse"
            )
        return lines


OUTCOME_WORDS = {
    "accepted": "✓ 已接收 accepted",
    "accepted_with_warnings": "✓ 已接收（有警告）accepted with warnings",
    "duplicate": "= 相同文件已载入，未作改动 / same bytes already loaded, nothing changed",
    "rejected": "✗ 已拒收 rejected",
}
