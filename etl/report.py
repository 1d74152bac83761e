"""Validation reports are data: problems with a row, a column, a value and a rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from etl.kinds import Kind

Severity = Literal["error", "warning"]


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
        if column is None:
            return ""
        if self.kind is not None and column in self.kind.column_names:
            return self.kind.column(column).label()
        return column
