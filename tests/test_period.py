"""etl.period.Period: the one period type, in step with the warehouse's SQL functions."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from etl.period import Period, period_end, previous_period


def _all_periods(year: int) -> list[str]:
    return (
        [str(year)]
        + [f"{year}-Q{quarter}" for quarter in range(1, 5)]
        + [f"{year}-{month:02d}" for month in range(1, 13)]
    )


@pytest.mark.parametrize(
    ("text", "end", "previous", "grain"),
    [
        ("2006", date(2006, 12, 31), "2005", "year"),
        ("2006-Q1", date(2006, 3, 31), "2005-Q4", "quarter"),
        ("2006-Q4", date(2006, 12, 31), "2006-Q3", "quarter"),
        ("2004-02", date(2004, 2, 29), "2004-01", "month"),  # a leap year
        ("2100-02", date(2100, 2, 28), "2100-01", "month"),  # not a leap year
        ("2006-01", date(2006, 1, 31), "2005-12", "month"),
        ("2006-06", date(2006, 6, 30), "2006-05", "month"),
    ],
)
def test_period_arithmetic(text: str, end: date, previous: str, grain: str) -> None:
    period = Period.parse(text)
    assert str(period) == text
    assert period.end == end == period_end(text)
    assert str(period.previous()) == previous == previous_period(text)
    assert period.grain == grain


@pytest.mark.parametrize("text", ["", "06", "2006-Q5", "2006-Q0", "2006-13", "2006-00", "2006-1"])
def test_not_a_period(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_python_and_sql_agree(warehouse: str) -> None:
    """Every period of a leap year, a common year and a century year, both ways."""
    texts = [text for year in (2004, 2006, 2100) for text in _all_periods(year)]
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(
            "select p, core.period_end(p), core.period_year(p) from unnest(%s::text[]) as p",
            (texts,),
        ).fetchall()
    assert [(text, Period.parse(text).end, Period.parse(text).year) for text in texts] == rows
