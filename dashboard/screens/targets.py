"""目标完成 Target completion: by unit, unit type and source; status; ranking; trend; drill-down."""

import streamlit as st

from dashboard import charts, figures, frame, queries, tables
from dashboard import format as fmt
from dashboard.i18n import column, enum, t
from dashboard.tables import Col, Drill

page = frame.open("page.targets")
scope, url, language = page.scope, page.url, page.language

targets = page.rows("targets", queries.targets)
if targets["completion_rate"].isna().all():
    page.missing("target_progress")

setting, legend = st.columns([1, 3], vertical_alignment="bottom")
amber_floor = (
    setting.number_input(
        t("targets.amber"), min_value=50, max_value=100, value=90, step=5, key="amber"
    )
    / 100
)
pace = figures.time_progress(scope.as_at)
targets["rag"] = figures.rag_status(targets["completion_rate"], pace, amber_floor)
legend.markdown(f"**{t('targets.thresholds')}**")
legend.caption(
    t(
        "targets.thresholds.text",
        pace=fmt.percent(pace),
        as_at=fmt.date_label(scope.as_at, language),
        amber=fmt.percent(amber_floor, digits=0),
    )
)

summary = figures.target_summary(targets)
status_counts = targets["rag"].value_counts()
cards = st.columns(5)
cards[0].metric(
    t("card.target_completion"),
    fmt.percent(summary["completion_share"]),
    border=True,
)
cards[0].caption(
    t(
        "card.target_completion.detail",
        completed=fmt.count(summary["completed"]),
        targets=fmt.count(summary["targets"]),
    )
)
for slot, status in zip(cards[1:], figures.RAG, strict=True):
    slot.metric(enum("rag", status), fmt.count(status_counts.get(status, 0)), border=True)

# Grouped tables share their columns: counts, the completed share and status counts.
group_cols = [
    Col("targets", "int"),
    Col("reported", "int"),
    Col("completed", "int"),
    Col("completion_share", "rate"),
    Col("mean_completion_rate", "rate"),
    Col("green", "int"),
    Col("amber", "int"),
    Col("red", "int"),
    Col("grey", "int"),
]
progress_drill = Drill("target_progress", targets, "target_code")

st.subheader(t("targets.ranking"))
by_unit = figures.completion_by(targets, ["unit_code", "unit_name", "unit_type"])
by_unit = by_unit.sort_values(
    ["completion_share", "mean_completion_rate", "unit_code"], ascending=[False, False, True]
).reset_index(drop=True)
by_unit["rank"] = by_unit.index + 1
by_unit["rag"] = figures.rag_status(by_unit["mean_completion_rate"], pace, amber_floor)
charts.show(
    charts.rag_bars(
        by_unit, "unit_name", "mean_completion_rate", "rag", column("mean_completion_rate")
    ),
    "targets_units",
)
tables.show(
    by_unit,
    [
        Col("rank", "int"),
        Col("unit_code"),
        Col("unit_name"),
        Col("unit_type", "enum:unit_type"),
        *group_cols,
    ],
    key="targets_units",
    title=t("targets.ranking"),
    drill=Drill("target_progress", by_unit, "unit_code"),
)

left, right = st.columns(2)
with left:
    st.subheader(t("targets.by_unit_type"))
    tables.show(
        figures.completion_by(targets, ["unit_type"]),
        [Col("unit_type", "enum:unit_type"), *group_cols],
        key="targets_unit_types",
        title=t("targets.by_unit_type"),
        drill=progress_drill,
    )
with right:
    st.subheader(t("targets.by_source"))
    tables.show(
        figures.completion_by(targets, ["source"]),
        [Col("source", "enum:target_source"), *group_cols],
        key="targets_sources",
        title=t("targets.by_source"),
        drill=progress_drill,
    )

st.subheader(t("targets.trend"))
trend = queries.target_trend(url, scope)
if trend.empty:
    page.missing("target_progress")
else:
    trend["completion_share"] = trend["completed"] / trend["targets"]
    trend["label"] = trend["period"].map(lambda p: fmt.period_label(p, language))
    charts.show(
        charts.lines(
            trend,
            "label",
            [
                ("completion_share", column("completion_share")),
                ("mean_completion_rate", column("mean_completion_rate")),
            ],
            rate=True,
        ),
        "targets_trend",
    )
    tables.show(
        trend,
        [
            Col("period", "period"),
            Col("targets", "int"),
            Col("reported", "int"),
            Col("completed", "int"),
            Col("completion_share", "rate"),
            Col("mean_completion_rate", "rate"),
        ],
        key="targets_trend",
        title=t("targets.trend"),
        drill=Drill("target_progress", trend, "period"),
    )

st.subheader(t("targets.unit_targets"))
unit_names = dict(zip(by_unit["unit_code"], by_unit["unit_name"], strict=True))
unit = st.selectbox(
    t("targets.pick_unit"),
    list(unit_names),
    key="targets_pick_unit",
    format_func=lambda code: f"{unit_names[code]} ({code})",
)
unit_targets = targets[targets["unit_code"] == unit]
tables.show(
    unit_targets,
    [
        Col("target_code"),
        Col("target_name"),
        Col("source", "enum:target_source"),
        Col("measure"),
        Col("direction", "enum:direction"),
        Col("planned_value", "number"),
        Col("actual_value", "number"),
        Col("completion_rate", "rate"),
        Col("rag", "enum:rag"),
        Col("period", "period"),
    ],
    key="targets_unit_targets",
    title=t("targets.unit_targets"),
    drill=Drill("target_progress", unit_targets, "target_code"),
)

st.subheader(t("targets.history"))
target_names = dict(zip(unit_targets["target_code"], unit_targets["target_name"], strict=True))
target = st.selectbox(
    t("targets.pick_target"),
    list(target_names),
    key="targets_pick_target",
    format_func=lambda code: f"{code} {target_names[code]}",
)
history = queries.target_history(url, scope.year, target)
if history.empty:
    st.info(t("targets.no_history"))
else:
    history["label"] = history["period"].map(lambda p: fmt.period_label(p, language))
    charts.show(
        charts.lines(history, "label", [("completion_rate", column("completion_rate"))], rate=True),
        "targets_history",
    )
    tables.show(
        history,
        [
            Col("period", "period"),
            Col("planned_value", "number"),
            Col("actual_value", "number"),
            Col("measure"),
            Col("completion_rate", "rate"),
            Col("note"),
        ],
        key="targets_history",
        title=t("targets.history"),
        drill=Drill("target_progress", history, "period", keys=(target,)),
    )
