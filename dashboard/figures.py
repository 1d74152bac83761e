"""Headline figures computed from the query module's frames (pure pandas, no Streamlit).

Each summary uses the contract's definitions (§4): rates are fractions and a rate
whose denominator is 0 is None.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

RAG = ("green", "amber", "red", "grey")


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else None


def time_progress(as_at: date) -> float:
    """序时进度: the share of the year elapsed at a date (1.0 at 31 December)."""
    year_days = (date(as_at.year, 12, 31) - date(as_at.year, 1, 1)).days + 1
    return ((as_at - date(as_at.year, 1, 1)).days + 1) / year_days


# ----------------------------------------------------------------- targets --


# The demo marks what the yearbook does not give with 示例 (README, "The demo's
# 2005 assessment": its 2005 targets are all illustrative); a comparison with a
# period whose rows are all so marked says so rather than passing for a real
# change. (The 2006 register mixes the seed's targets with illustrative ones to
# reach its counts; a comparison within 2006 is not marked.)
ILLUSTRATIVE_MARKS = ("示例", "illustrative")
_TEXT_COLUMNS = ("target_name", "area_name", "program", "title", "note")


def illustrative(rows: pd.DataFrame) -> bool:
    """Whether every row carries the demo's illustrative mark in its name or note."""
    if rows.empty:
        return False
    marked = pd.Series(False, index=rows.index)
    for name in _TEXT_COLUMNS:
        if name in rows.columns:
            text = rows[name].fillna("").astype(str)
            for mark in ILLUSTRATIVE_MARKS:
                marked |= text.str.contains(mark, regex=False)
    return bool(marked.all())


def target_summary(targets: pd.DataFrame) -> dict[str, float | int | None]:
    """How many targets there are, have reported, and are completed (rate ≥ 100%)."""
    completed = int((targets["completion_rate"] >= 1).sum())
    return {
        "targets": len(targets),
        "reported": int(targets["completion_rate"].notna().sum()),
        "completed": completed,
        "completion_share": ratio(completed, len(targets)),
    }


def rag_status(rates: pd.Series, pace: float, amber_floor: float) -> pd.Series:
    """Green at or above time progress, amber above ``amber_floor`` of it, else red; grey if unreported."""
    status = pd.Series("red", index=rates.index, dtype=object)
    status[rates >= pace * amber_floor] = "amber"
    status[rates >= pace] = "green"
    status[rates.isna()] = "grey"
    return status


def completion_by(targets: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Targets, reported, completed and the completed share per group, RAG counts included."""
    grouped = targets.assign(
        is_reported=targets["completion_rate"].notna(),
        is_completed=targets["completion_rate"] >= 1,
    ).groupby(keys, dropna=False)
    table = grouped.agg(
        targets=("target_code", "count"),
        reported=("is_reported", "sum"),
        completed=("is_completed", "sum"),
        mean_completion_rate=("completion_rate", "mean"),
    )
    if "rag" in targets:
        counts = targets.groupby([*keys, "rag"], dropna=False).size().unstack(fill_value=0)
        table = table.join(counts.reindex(columns=list(RAG), fill_value=0))
    table["completion_share"] = table["completed"] / table["targets"]
    return table.reset_index()


# ------------------------------------------------------------- employment --


def employment_summary(rows: pd.DataFrame) -> dict[str, float | int | None]:
    """Totals over (unit, area) rows: stocks, flows and the two rates."""
    totals = {
        name: int(rows[name].fillna(0).sum())
        for name in (
            "labor_force",
            "employed",
            "zero_employment_households",
            "aid_referrals",
            "aid_placements",
            "graduates_hired",
            "trainees",
            "labor_transferred",
        )
    }
    totals["employment_rate"] = ratio(totals["employed"], totals["labor_force"])
    totals["placement_rate"] = ratio(totals["aid_placements"], totals["aid_referrals"])
    return totals


def employment_by(rows: pd.DataFrame, keys: list[str], line: float) -> pd.DataFrame:
    """Employment and placement per group, and whether it reaches the full-employment line."""
    table = rows.groupby(keys, dropna=False)[
        ["labor_force", "employed", "zero_employment_households", "aid_referrals", "aid_placements"]
    ].sum()
    table["employment_rate"] = table["employed"] / table["labor_force"].where(
        table["labor_force"] > 0
    )
    table["placement_rate"] = table["aid_placements"] / table["aid_referrals"].where(
        table["aid_referrals"] > 0
    )
    table["meets_line"] = (table["employment_rate"] >= line).map({True: "yes", False: "no"})
    return table.reset_index()


# ---------------------------------------------------------- disability aid --


def aid_summary(rows: pd.DataFrame) -> dict[str, float | int | None]:
    """Person-times, amount, amount per person-time, and households of the busiest month."""
    person_times = int(rows["person_times"].sum())
    amount = float(rows["amount_yuan"].sum())
    # Households are counted afresh each month, so adding months would count
    # the same household twelve times: take the busiest month instead.
    monthly = rows.groupby("period")["households"].sum()
    return {
        "person_times": person_times,
        "amount_yuan": amount,
        "households": int(monthly.max()) if len(monthly) else 0,
        "amount_per_person_time": ratio(amount, person_times),
    }


def aid_by(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Amount, person-times and households per group; households of the busiest month."""
    per_month = rows.groupby([*keys, "period"], dropna=False)["households"].sum()
    table = rows.groupby(keys, dropna=False)[["person_times", "amount_yuan"]].sum()
    table["households"] = per_month.groupby(level=list(range(len(keys)))).max()
    table["amount_per_person_time"] = table["amount_yuan"] / table["person_times"].where(
        table["person_times"] > 0
    )
    return table.reset_index()


# ------------------------------------------------------------- supervision --


def supervision_by(items: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """mart.supervision_closure's counts and rates, for any grouping of items."""
    flagged = items.assign(
        is_closed=items["status"] == "closed",
        is_open=items["status"] == "open",
        is_overdue=items["status"] == "overdue",
        on_time=(items["status"] == "closed") & (items["closed_on"] <= items["due_on"]),
        satisfied=items["satisfaction"].isin(["satisfied", "basically"]),
        with_feedback=items["satisfaction"].notna(),
    )
    table = flagged.groupby(keys, dropna=False).agg(
        registered=("item_code", "count"),
        closed=("is_closed", "sum"),
        open_not_due=("is_open", "sum"),
        overdue=("is_overdue", "sum"),
        closed_on_time=("on_time", "sum"),
        satisfied=("satisfied", "sum"),
        with_feedback=("with_feedback", "sum"),
    )
    table["closure_rate"] = table["closed"] / table["registered"].where(table["registered"] > 0)
    table["on_time_rate"] = table["closed_on_time"] / table["closed"].where(table["closed"] > 0)
    table["satisfaction_rate"] = table["satisfied"] / table["with_feedback"].where(
        table["with_feedback"] > 0
    )
    return table.reset_index()


def supervision_summary(items: pd.DataFrame) -> dict[str, float | int | None]:
    """The same counts and rates over all items."""
    if items.empty:
        return {
            "registered": 0,
            "closed": 0,
            "open_not_due": 0,
            "overdue": 0,
            "closure_rate": None,
            "on_time_rate": None,
            "satisfaction_rate": None,
        }
    row = supervision_by(items.assign(all="all"), ["all"]).iloc[0]
    summary: dict[str, float | int | None] = {
        name: int(row[name]) for name in ("registered", "closed", "open_not_due", "overdue")
    }
    for name in ("closure_rate", "on_time_rate", "satisfaction_rate"):
        summary[name] = None if pd.isna(row[name]) else float(row[name])
    return summary
