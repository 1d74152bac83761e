"""A contract period (``YYYY``, ``YYYY-Qn``, ``YYYY-MM``) and its arithmetic, in one place.

The warehouse has the same arithmetic in SQL (``core.period_year``,
``core.period_end`` in sql/migrations/0001_init.sql); tests/test_period.py keeps
the two in step on a real PostgreSQL.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Grain = Literal["year", "quarter", "month"]

# A period as the contract writes it: 2006, 2006-Q4, 2006-12.
PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A year, a quarter of it or a month of it."""

    year: int
    quarter: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if self.quarter is not None and self.month is not None:
            raise ValueError("a period is a quarter or a month, not both")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"no such quarter: {self.quarter}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"no such month: {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period a contract text names; ValueError for anything else."""
        match = PERIOD.match(text)
        if not match:
            raise ValueError(f"not a period: {text!r}")
        year, quarter, month = match.groups()
        return cls(int(year), int(quarter) if quarter else None, int(month) if month else None)

    def __str__(self) -> str:
        if self.quarter is not None:
            return f"{self.year:04d}-Q{self.quarter}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def grain(self) -> Grain:
        if self.quarter is not None:
            return "quarter"
        return "month" if self.month is not None else "year"

    @property
    def last_month(self) -> int:
        if self.quarter is not None:
            return self.quarter * 3
        return self.month if self.month is not None else 12

    @property
    def first_month(self) -> int:
        if self.quarter is not None:
            return self.quarter * 3 - 2
        return self.month if self.month is not None else 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (SQL: ``core.period_end``)."""
        month = self.last_month
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def previous(self) -> Period:
        """The period before, at the same grain: 2006-Q1 -> 2005-Q4, 2006-01 -> 2005-12."""
        if self.quarter is not None:
            if self.quarter == 1:
                return Period(self.year - 1, quarter=4)
            return Period(self.year, quarter=self.quarter - 1)
        if self.month is not None:
            if self.month == 1:
                return Period(self.year - 1, month=12)
            return Period(self.year, month=self.month - 1)
        return Period(self.year - 1)


def period_end(text: str) -> date:
    """Last day of a contract period ('2006', '2006-Q4', '2006-12')."""
    return Period.parse(text).end


def previous_period(text: str) -> str:
    """The period before, at the same grain, as contract text."""
    return str(Period.parse(text).previous())
