"""督办督查 Supervision: counts and rates by source, the overdue list, a searchable item table."""

import streamlit as st

from dashboard import charts, figures, frame, queries, tables, warning_colours
from dashboard import format as fmt
from dashboard.i18n import enum, t
from dashboard.tables import Col, Drill
from etl.kinds import SUPERVISION_SOURCES

page = frame.open("page.supervision")
scope, url, language = page.scope, page.url, page.language

items = page.rows("supervision", queries.supervision_items)

all_items = items
source = st.selectbox(
    t("sup.source"),
    [None, *SUPERVISION_SOURCES],
    key="sup_source",
    format_func={
        None: t("sup.all_sources"),
        **{code: enum("supervision_source", code) for code in SUPERVISION_SOURCES},
    }.__getitem__,
)
if source is not None:
    items = items[items["source"] == source]
summary = figures.supervision_summary(items)
counts = st.columns(4)
for slot, label, name in (
    (counts[0], "sup.registered", "registered"),
    (counts[1], "sup.closed", "closed"),
    (counts[2], "sup.open_not_due", "open_not_due"),
    (counts[3], "sup.overdue", "overdue"),
):
    slot.metric(t(label), fmt.count(summary[name]), border=True)
rates = st.columns(3)
rates[0].metric(t("sup.closure_rate"), fmt.percent(summary["closure_rate"]), border=True)
rates[0].caption(
    t(
        "card.closure_rate.detail",
        closed=fmt.count(summary["closed"]),
        registered=fmt.count(summary["registered"]),
    )
)
rates[1].metric(t("sup.on_time_rate"), fmt.percent(summary["on_time_rate"]), border=True)
rates[2].metric(t("sup.satisfaction_rate"), fmt.percent(summary["satisfaction_rate"]), border=True)

st.subheader(t("sup.by_source"))
by_source = figures.supervision_by(all_items, ["source"])
by_source["label"] = by_source["source"].map(lambda code: enum("supervision_source", code))
charts.show(
    charts.bars(
        by_source,
        "label",
        [
            ("closed", t("sup.closed")),
            ("open_not_due", t("sup.open_not_due")),
            ("overdue", t("sup.overdue")),
        ],
        colours=["#2e7d32", "#1565c0", "#c62828"],
    ),
    "supervision_sources",
)
tables.show(
    by_source,
    [
        Col("source", "enum:supervision_source"),
        Col("registered", "int"),
        Col("closed", "int"),
        Col("open_not_due", "int"),
        Col("overdue", "int"),
        Col("closure_rate", "rate"),
        Col("on_time_rate", "rate"),
        Col("satisfaction_rate", "rate"),
    ],
    key="supervision_sources",
    title=t("sup.by_source"),
    drill=Drill("supervision", all_items, "item_code"),
)

item_cols = [
    Col("item_code"),
    Col("title"),
    Col("source", "enum:supervision_source"),
    Col("unit_name"),
    Col("registered_on", "date"),
    Col("due_on", "date"),
    Col("closed_on", "date"),
    Col("status", "enum:status"),
    Col("days_overdue", "int"),
    Col("satisfaction", "enum:satisfaction"),
]

st.subheader(t("sup.overdue_list"))
overdue = items[items["status"] == "overdue"].sort_values("days_overdue", ascending=False)
if overdue.empty:
    st.success(t("sup.no_overdue"))
else:
    tables.show(
        overdue,
        [
            Col("item_code"),
            Col("title"),
            Col("unit_code"),
            Col("unit_name"),
            Col("source", "enum:supervision_source"),
            Col("due_on", "date"),
            Col("days_overdue", "int"),
        ],
        key="supervision_overdue",
        title=t("sup.overdue_list"),
        drill=Drill("supervision", overdue, "item_code"),
    )

warning_colours.panel(url, scope)

st.subheader(t("sup.items"))
search_box, status_box = st.columns([3, 2])
search = search_box.text_input(t("sup.search"), key="sup_search").strip()
statuses = status_box.multiselect(
    t("sup.status_filter"),
    ["closed", "open", "overdue"],
    key="sup_status",
    placeholder=t("sup.status_placeholder"),
    format_func={code: enum("status", code) for code in ("closed", "open", "overdue")}.__getitem__,
)
found = items
if search:
    # Plain substring match: what the reader typed is text, never a pattern.
    haystack = found[["item_code", "title", "unit_code", "unit_name"]].fillna("").astype(str)
    hit = haystack.apply(lambda col: col.str.contains(search, case=False, regex=False)).any(axis=1)
    found = found[hit]
if statuses:
    found = found[found["status"].isin(statuses)]
tables.show(
    found,
    item_cols,
    key="supervision_items",
    title=t("sup.items"),
    drill=Drill("supervision", found, "item_code"),
)
