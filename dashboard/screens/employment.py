"""就业指标 Employment: rates by unit and area against the full-employment line; flows; trend."""

import streamlit as st

from dashboard import charts, figures, frame, queries, tables
from dashboard import format as fmt
from dashboard.i18n import column, t
from dashboard.tables import Col, Drill

page = frame.open("page.employment")
scope, url, language = page.scope, page.url, page.language

rows = page.rows("employment", queries.employment)

setting, _ = st.columns([1, 3])
line = (
    setting.number_input(
        t("emp.line"),
        min_value=50.0,
        max_value=100.0,
        value=95.0,
        step=0.5,
        format="%.1f",
        key="full_line",
    )
    / 100
)
line_label = t("emp.line_label", line=fmt.percent(line))
summary = figures.employment_summary(rows)

cards = st.columns(6)
cards[0].metric(t("card.employment_rate"), fmt.percent(summary["employment_rate"]), border=True)
cards[0].caption(
    t(
        "card.employment_rate.detail",
        employed=fmt.count(summary["employed"]),
        labor_force=fmt.count(summary["labor_force"]),
    )
)
cards[1].metric(t("card.placement_rate"), fmt.percent(summary["placement_rate"]), border=True)
cards[1].caption(
    t(
        "card.placement_rate.detail",
        placements=fmt.count(summary["aid_placements"]),
        referrals=fmt.count(summary["aid_referrals"]),
    )
)
for slot, label, name in (
    (cards[2], "emp.zero_households", "zero_employment_households"),
    (cards[3], "emp.graduates", "graduates_hired"),
    (cards[4], "emp.trainees", "trainees"),
    (cards[5], "emp.transferred", "labor_transferred"),
):
    slot.metric(t(label), fmt.count(summary[name]), border=True)

rate_cols = [
    Col("labor_force", "int"),
    Col("employed", "int"),
    Col("employment_rate", "rate"),
    Col("meets_line", "enum:yes_no"),
    Col("zero_employment_households", "int"),
    Col("aid_referrals", "int"),
    Col("aid_placements", "int"),
    Col("placement_rate", "rate"),
]

st.subheader(t("emp.by_area"))
by_area = figures.employment_by(rows, ["unit_code", "unit_name", "area_name", "period"], line)
st.caption(t("emp.meets", met=int((by_area["meets_line"] == "yes").sum()), areas=len(by_area)))
charts.show(
    charts.bars(
        by_area,
        "area_name",
        [("employment_rate", column("employment_rate"))],
        rate=True,
        line=line,
        line_label=line_label,
    ),
    "employment_areas",
)
tables.show(
    by_area,
    [Col("unit_name"), Col("area_name"), Col("period", "period"), *rate_cols],
    key="employment_areas",
    title=t("emp.by_area"),
    drill=Drill("employment", by_area, "area_name"),
)

st.subheader(t("emp.by_unit"))
by_unit = figures.employment_by(rows, ["unit_code", "unit_name"], line)
charts.show(
    charts.bars(
        by_unit,
        "unit_name",
        [("employment_rate", column("employment_rate"))],
        rate=True,
        line=line,
        line_label=line_label,
    ),
    "employment_units",
)
tables.show(
    by_unit,
    [Col("unit_code"), Col("unit_name"), *rate_cols],
    key="employment_units",
    title=t("emp.by_unit"),
    drill=Drill("employment", by_unit, "unit_code"),
)

st.subheader(t("emp.trend"))
trend = queries.employment_trend(url, scope)
trend["label"] = trend["period"].map(lambda p: fmt.period_label(p, language))
charts.show(
    charts.lines(
        trend,
        "label",
        [
            ("employment_rate", column("employment_rate")),
            ("placement_rate", column("placement_rate")),
        ],
        rate=True,
        line=line,
        line_label=line_label,
    ),
    "employment_trend",
)
tables.show(
    trend,
    [
        Col("period", "period"),
        Col("labor_force", "int"),
        Col("employed", "int"),
        Col("employment_rate", "rate"),
        Col("aid_referrals", "int"),
        Col("aid_placements", "int"),
        Col("placement_rate", "rate"),
    ],
    key="employment_trend",
    title=t("emp.trend"),
    drill=Drill("employment", trend, "period"),
)
