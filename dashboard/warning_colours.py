"""督办预警: the blue/yellow/red panel of the supervision page, its overview count, a unit's to-do list.

Colours come from mart.supervision_warnings (the office's rule, as of each item's
as-of date); this module only draws them.
"""

from __future__ import annotations

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, tables
from dashboard.i18n import enum, t
from dashboard.queries import Scope
from dashboard.tables import Col, Drill

COLOURS = ("red", "yellow", "blue")
# The colour's dot in front of its label: Streamlit's own colour markup, in our labels only
# (no emoji: the office's browsers may have no emoji font).
DOTS = {"red": ":red[●]", "yellow": ":orange[●]", "blue": ":blue[●]"}

_COLUMNS = [
    Col("warning", "enum:warning"),
    Col("item_code"),
    Col("title"),
    Col("unit_name"),
    Col("source", "enum:supervision_source"),
    Col("registered_on", "date"),
    Col("due_on", "date"),
    Col("days_to_due", "int"),
    Col("as_of", "date"),
]


def counts(url: str, scope: Scope) -> dict[str, int]:
    """How many open items carry each colour."""
    found = queries.supervision_warnings(url, scope)
    return (
        {colour: int((found["warning"] == colour).sum()) for colour in COLOURS}
        if len(found)
        else dict.fromkeys(COLOURS, 0)
    )


def overview_line(url: str, scope: Scope) -> None:
    """The overview's count of warned items."""
    st.caption(t("warn.overview", **{c: fmt.count(n) for c, n in counts(url, scope).items()}))


def panel(url: str, scope: Scope) -> None:
    """Counts by colour, the warned items (filterable) and a unit's to-do list."""
    st.subheader(t("warn.header"))
    rule = queries.office_settings(url)
    st.caption(
        t(
            "warn.caption",
            days=int(rule["near_due_days"]),
            share=fmt.percent(float(rule["behind_share"]), 0),
        )
    )
    found = queries.supervision_warnings(url, scope)
    slots = st.columns(3)
    for slot, colour in zip(slots, COLOURS, strict=True):
        slot.metric(
            f"{DOTS[colour]} {enum('warning', colour)}",
            fmt.count(int((found["warning"] == colour).sum()) if len(found) else 0),
            border=True,
        )
    if found.empty:
        st.success(t("warn.none"))
        return
    chosen = st.multiselect(
        t("warn.colour_filter"),
        list(COLOURS),
        key="warn_colours",
        placeholder=t("warn.all_colours"),
        format_func=lambda code: enum("warning", code),
    )
    shown = found[found["warning"].isin(chosen)] if chosen else found
    tables.show(
        shown,
        _COLUMNS,
        key="supervision_warnings",
        title=t("warn.header"),
        drill=Drill("supervision", shown, "item_code"),
    )

    st.subheader(t("warn.todo"))
    units = found[["unit_code", "unit_name"]].drop_duplicates().sort_values("unit_code")
    names = dict(
        zip(units["unit_code"], units["unit_name"].fillna(units["unit_code"]), strict=True)
    )
    unit = st.selectbox(
        t("warn.todo_unit"),
        list(names),
        key="warn_unit",
        format_func=lambda code: f"{names[code]} ({code})",
    )
    todo = found[found["unit_code"] == unit]
    tables.show(
        todo,
        _COLUMNS,
        key="supervision_todo",
        title=f"{t('warn.todo')}_{unit}",
        drill=Drill("supervision", todo, "item_code"),
    )
