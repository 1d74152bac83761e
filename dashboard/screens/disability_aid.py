"""残疾人救助 Disability aid: disbursement by month, program and unit; the standard over time."""

import streamlit as st

from dashboard import charts, figures, frame, queries, tables
from dashboard import format as fmt
from dashboard.i18n import column, t
from dashboard.tables import Col, Drill

page = frame.open("page.aid")
scope, url, language = page.scope, page.url, page.language

rows = page.rows("disability_aid", queries.disability_aid)

# Households are only meaningful within one program (a household may be in
# several), so they are shown once a program is chosen.
programs = sorted(rows["program"].unique())
program = st.selectbox(
    t("aid.program"),
    [None, *programs],
    key="aid_program",
    format_func={None: t("aid.all_programs"), **{name: name for name in programs}}.__getitem__,
)
chosen = rows if program is None else rows[rows["program"] == program]
summary = figures.aid_summary(chosen)
cards = st.columns(4)
cards[0].metric(t("aid.amount"), fmt.yuan_short(summary["amount_yuan"], language), border=True)
cards[0].caption(fmt.yuan(summary["amount_yuan"], language))
cards[1].metric(t("aid.person_times"), fmt.count(summary["person_times"]), border=True)
cards[2].metric(
    t("aid.per_person_time"), fmt.yuan(summary["amount_per_person_time"], language), border=True
)
if program is None:
    cards[3].metric(t("aid.programs"), fmt.count(len(programs)), border=True)
else:
    cards[3].metric(t("aid.households"), fmt.count(summary["households"]), border=True)

program_keys = (program,) if program else None
aid_cols = [
    Col("person_times", "int"),
    Col("amount_yuan", "yuan"),
    Col("amount_per_person_time", "yuan"),
]
# Within one program a month's households are people; across programs they overlap.
households = [Col("households", "int")]
chosen_cols = [*aid_cols, *households] if program else aid_cols

st.subheader(t("aid.by_month"))
by_month = figures.aid_by(chosen, ["period"])
by_month["label"] = by_month["period"].map(lambda p: fmt.period_label(p, language))
charts.show(
    charts.bars(
        by_month, "label", [("amount_yuan", column("amount_yuan"))], y_title=column("amount_yuan")
    ),
    "aid_months",
)
tables.show(
    by_month,
    [Col("period", "period"), *chosen_cols],
    key="aid_months",
    title=t("aid.by_month"),
    drill=Drill("disability_aid", by_month, "period", keys=program_keys),
)

left, right = st.columns(2)
with left:
    st.subheader(t("aid.by_program"))
    by_program = figures.aid_by(rows, ["program"]).sort_values("amount_yuan", ascending=False)
    tables.show(
        by_program,
        [Col("program"), *aid_cols, *households],
        key="aid_programs",
        title=t("aid.by_program"),
        drill=Drill("disability_aid", by_program, "program"),
    )
with right:
    st.subheader(t("aid.by_unit"))
    by_unit = figures.aid_by(chosen, ["unit_code", "unit_name"]).sort_values(
        "amount_yuan", ascending=False
    )
    tables.show(
        by_unit,
        [Col("unit_code"), Col("unit_name"), *chosen_cols],
        key="aid_units",
        title=t("aid.by_unit"),
        drill=Drill("disability_aid", by_unit, "unit_code", keys=program_keys),
    )

st.subheader(t("aid.standard"))
standard = queries.aid_standard(url, scope)
# The declared standard where the return gives one, else what was paid per person-time.
standard["standard"] = standard["standard_yuan"].fillna(standard["amount_per_person_time"])
standard["label"] = standard["period"].map(lambda p: fmt.period_label(p, language))
by_program_over_time = standard.pivot_table(
    index=["period_end", "label"], columns="program", values="standard", aggfunc="max"
).reset_index()
# A standard is a line through time: programs paid in one month only are left to the table.
recurring = standard["program"].value_counts()
recurring = [name for name in by_program_over_time.columns if recurring.get(name, 0) > 1]
charts.show(
    charts.lines(
        by_program_over_time,
        "label",
        [(name, name) for name in recurring],
        y_title=column("standard_yuan"),
    ),
    "aid_standard",
)
tables.show(
    standard,
    [
        Col("period", "period"),
        Col("program"),
        Col("standard_yuan", "yuan"),
        Col("amount_per_person_time", "yuan"),
    ],
    key="aid_standard",
    title=t("aid.standard"),
    drill=Drill("disability_aid", standard, "program"),
)
