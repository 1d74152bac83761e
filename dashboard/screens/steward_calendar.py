"""报送日历 Reporting calendar: expected, received, on-time and approved returns per
period (DHIS2's reporting rates), a unit × period grid, and each kind's reporting rules."""

import streamlit as st

from dashboard import charts, figures, queries, steward, tables
from dashboard import format as fmt
from dashboard.i18n import enum, lang, t
from dashboard.tables import Col
from etl.kinds import KINDS

url = steward.url()
steward.keep_params()

st.title(t("page.calendar"))
steward.show_flash()

settings = queries.kind_settings(url)
years = queries.calendar_years(url)
periodic = [kind for kind in steward.PERIODIC if kind in set(settings["kind"])]

if not years:
    st.info(t("cal.empty"))
else:
    kind_box, year_box = st.columns([3, 2])
    kind = kind_box.selectbox(
        t("cal.kind"),
        periodic,
        key="cal_kind",
        format_func={k: enum("kind", k) for k in periodic}.__getitem__,
    )
    year_labels = {year: fmt.period_label(str(year), lang()) for year in years}
    year = year_box.selectbox(
        t("cal.year"), years, key="cal_year", format_func=year_labels.__getitem__
    )
    calendar = queries.reporting_calendar(url, kind, year)
    if calendar.empty:
        st.info(t("cal.no_expected", year=year, kind=enum("kind", kind)))
    else:
        rates = steward.calendar_rates(calendar)
        expected, received = int(rates["expected"].sum()), int(rates["received"].sum())
        on_time, approved = int(rates["on_time"].sum()), int(rates["approved"].sum())
        cards = st.columns(4)
        cards[0].metric(
            t("cal.reporting_rate"),
            fmt.percent(figures.ratio(received, expected)),
            border=True,
        )
        cards[0].caption(
            t("cal.received.detail", received=fmt.count(received), expected=fmt.count(expected))
        )
        cards[1].metric(
            t("cal.on_time_rate"),
            fmt.percent(figures.ratio(on_time, expected)),
            border=True,
        )
        cards[1].caption(
            t("cal.on_time.detail", on_time=fmt.count(on_time), expected=fmt.count(expected))
        )
        cards[2].metric(t("cal.approved"), fmt.count(approved), border=True)
        cards[2].caption(t("cal.approved.detail", pending=fmt.count(rates["pending"].sum())))
        cards[3].metric(t("cal.expected"), fmt.count(expected), border=True)
        st.caption(t("cal.rates_caption"))

        st.subheader(t("cal.by_period"))
        chart_frame = rates.assign(label=rates["period"].map(lambda p: fmt.period_label(p, lang())))
        charts.show(
            charts.bars(
                chart_frame,
                "label",
                [
                    ("reporting_rate", t("cal.reporting_rate")),
                    ("on_time_report_rate", t("cal.on_time_rate")),
                ],
                rate=True,
                colours=["#1565c0", "#2e7d32"],
            ),
            "calendar_rates",
        )
        tables.show(
            rates,
            [
                Col("period", "period"),
                Col("report_due_on", "date"),
                Col("expected", "int"),
                Col("received", "int"),
                Col("on_time", "int"),
                Col("approved", "int"),
                Col("pending", "int"),
                Col("reporting_rate", "rate"),
                Col("on_time_report_rate", "rate"),
            ],
            key="calendar_rates",
            title=f"{t('cal.by_period')}_{kind}_{year}",
        )

        st.subheader(t("cal.grid"))
        status = steward.grid_status(calendar)
        charts.show(steward.calendar_grid(calendar, status), "calendar_grid")
        details = calendar.assign(calendar_status=status, locked=steward.yes_no(calendar["locked"]))
        tables.show(
            details,
            [
                Col("period", "period"),
                Col("unit_code"),
                Col("unit_name"),
                Col("calendar_status", "enum:calendar_status"),
                Col("report_due_on", "date"),
                Col("first_received_at", "datetime"),
                Col("versions", "int"),
                Col("latest_file_name"),
                Col("locked", "enum:yes_no"),
            ],
            key="calendar_details",
            title=f"{t('cal.details')}_{kind}_{year}",
        )

# ----------------------------------------------------------- reporting rules --

st.subheader(t("cal.settings"))
rules = settings.assign(
    frequency=settings["frequency"].fillna(""),
    requires_approval=steward.yes_no(settings["requires_approval"]),
    expected_unit_types=settings["expected_unit_types"].map(
        lambda types: steward.joined(enum("unit_type", code) for code in types)
    ),
)
tables.show(
    rules,
    [
        Col("kind", "enum:kind"),
        Col("frequency", "enum:frequency"),
        Col("deadline_days", "int"),
        Col("requires_approval", "enum:yes_no"),
        Col("expected_unit_types"),
        Col("changed_by"),
        Col("changed_at", "datetime"),
    ],
    key="calendar_settings",
    title=t("cal.settings"),
)

with st.expander(t("cal.edit")):
    kinds = [kind for kind in KINDS if kind in set(settings["kind"])]
    edit_kind = st.selectbox(
        t("cal.edit_kind"),
        kinds,
        key="settings_kind",
        format_func={k: enum("kind", k) for k in kinds}.__getitem__,
    )
    current = settings.loc[settings["kind"] == edit_kind].iloc[0]

    def rules() -> tuple[int, bool]:
        deadline_days = st.number_input(
            t("cal.deadline_days"),
            min_value=0,
            max_value=365,
            step=1,
            value=int(current["deadline_days"]),
            key=f"settings_deadline_{edit_kind}",
        )
        requires_approval = st.checkbox(
            t("cal.requires_approval"),
            value=bool(current["requires_approval"]),
            key=f"settings_approval_{edit_kind}",
        )
        return int(deadline_days), bool(requires_approval)

    # Keyed by kind: switching kinds shows that kind's current values.
    signed = steward.signed_form(
        f"settings_form_{edit_kind}", "settings", [steward.Button("save", t("cal.save"))], rules
    )
    if signed is not None:
        deadline_days, requires_approval = signed.fields
        saved = steward.record(
            signed,
            lambda who, reason: queries.update_kind_settings(
                url, edit_kind, deadline_days, requires_approval, who, reason
            ),
            lambda changed: t("cal.saved", kind=enum("kind", edit_kind)) if changed else None,
        )
        if saved is False:
            st.info(t("cal.unchanged"))

changes = queries.settings_changes(url)
if not changes.empty:
    st.markdown(f"**{t('cal.changes')}**")
    tables.show(
        changes.assign(
            old_requires_approval=steward.yes_no(changes["old_requires_approval"]),
            new_requires_approval=steward.yes_no(changes["new_requires_approval"]),
        ),
        [
            Col("changed_at", "datetime"),
            Col("changed_by"),
            Col("kind", "enum:kind"),
            Col("old_deadline_days", "int"),
            Col("new_deadline_days", "int"),
            Col("old_requires_approval", "enum:yes_no"),
            Col("new_requires_approval", "enum:yes_no"),
            Col("reason"),
        ],
        key="calendar_settings_changes",
        title=t("cal.changes"),
    )
