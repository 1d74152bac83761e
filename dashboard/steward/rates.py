"""The reporting calendar's figures: DHIS2's reporting rates per period and each
expected return's status in the grid."""

from __future__ import annotations

import pandas as pd

# The grid's statuses in legend order, with colours close to Streamlit's palette.
GRID_STATUSES = {
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "pending": "#1565c0",
    "withdrawn": "#7b1fa2",
    "missing": "#c62828",
    "not_due": "#bdbdbd",
}


def calendar_rates(calendar: pd.DataFrame) -> pd.DataFrame:
    """Per period, from the calendar's rows (queries.reporting_calendar): expected, received,
    on time, approved and pending returns, and DHIS2's reporting rates (received / expected,
    on time / expected), in time order."""
    flags = calendar.assign(
        expected=1,
        received=calendar["received"].fillna(False).astype(int),
        on_time=calendar["on_time"].fillna(False).astype(int),
        approved=calendar["approved"].fillna(False).astype(int),
        pending=(calendar["status"] == "pending").astype(int),
    )
    rates = (
        flags.groupby(["period_end", "period"], sort=True)
        .agg(
            report_due_on=("report_due_on", "min"),
            expected=("expected", "sum"),
            received=("received", "sum"),
            on_time=("on_time", "sum"),
            approved=("approved", "sum"),
            pending=("pending", "sum"),
        )
        .reset_index()
    )
    rates["reporting_rate"] = rates["received"] / rates["expected"]
    rates["on_time_report_rate"] = rates["on_time"] / rates["expected"]
    return rates


def grid_status(calendar: pd.DataFrame) -> pd.Series:
    """Each expected return's status for the grid: an approved one on time or late."""
    on_time = calendar["on_time"].fillna(False).astype(bool)
    approved = calendar["status"] == "approved"
    status = calendar["status"].copy()
    status[approved & on_time] = "on_time"
    status[approved & ~on_time] = "late"
    return status


def yes_no(values: pd.Series) -> pd.Series:
    """Booleans as the yes_no enum's codes (NULL stays empty)."""
    return values.map(lambda value: None if pd.isna(value) else ("yes" if value else "no"))
