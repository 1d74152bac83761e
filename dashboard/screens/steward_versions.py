"""版本历史 Resubmission history: every version of a unit's return for a period, and
which figures changed from one version to the next."""

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard.i18n import column, enum, lang, t
from dashboard.tables import Col

url = steward.url()
steward.keep_params()

st.title(t("page.versions"))
st.caption(t("versions.caption"))

reported = queries.slice_units(url)
if reported.empty:
    st.info(t("versions.none"))
    st.stop()

register = queries.units(url)
names = steward.unit_names(register)

st.subheader(t("versions.resubmitted"))
resubmitted = queries.resubmitted(url, queries.RESUBMITTED_LIMIT)
if resubmitted.empty:
    st.caption(t("versions.none_resubmitted"))
else:
    if len(resubmitted) >= queries.RESUBMITTED_LIMIT:
        st.caption(t("versions.latest_only", count=queries.RESUBMITTED_LIMIT))
    tables.show(
        resubmitted.assign(unit_name=resubmitted["unit_code"].map(names)),
        [
            Col("kind", "enum:kind"),
            Col("unit_code"),
            Col("unit_name"),
            Col("period", "period"),
            Col("versions", "int"),
            Col("last_received_at", "datetime"),
        ],
        key="versions_resubmitted",
        title=t("versions.resubmitted"),
    )

# The pickers start on the latest resubmitted return, if any.
start = resubmitted.iloc[0] if not resubmitted.empty else reported.iloc[-1]
kinds = list(dict.fromkeys(reported["kind"]))
steward.keep_valid("versions_kind", kinds)
st.session_state.setdefault("versions_kind", start["kind"])
kind_box, unit_box, period_box = st.columns(3)
kind = kind_box.selectbox(
    t("versions.kind"),
    kinds,
    key="versions_kind",
    format_func={k: enum("kind", k) for k in kinds}.__getitem__,
)
units = reported.loc[reported["kind"] == kind, "unit_code"].tolist()
steward.keep_valid("versions_unit", units)
if kind == start["kind"]:
    st.session_state.setdefault("versions_unit", start["unit_code"])
unit = unit_box.selectbox(
    t("versions.unit"),
    units,
    key="versions_unit",
    format_func={u: steward.unit_label(u, names) for u in units}.__getitem__,
)
periods = queries.slices(url, kind, unit)["period"].tolist()
steward.keep_valid("versions_period", periods)
if kind == start["kind"] and unit == start["unit_code"] and periods:
    # The resubmitted return's period, else the unit's latest.
    st.session_state.setdefault("versions_period", start.get("period") or periods[-1])
period = period_box.selectbox(
    t("versions.period"),
    periods,
    key="versions_period",
    format_func={p: fmt.period_label(p, lang()) for p in periods}.__getitem__,
)

rows = queries.slice_versions(url, kind, unit, period)
title = f"{enum('kind', kind)}_{unit}_{period}"
st.subheader(t("versions.list"))
tables.show(
    steward.versions_frame(rows),
    [
        Col("file_id", "int"),
        Col("file_name"),
        Col("received_at", "datetime"),
        Col("as_of", "date"),
        Col("approval", "enum:approval"),
        Col("version_status", "enum:version_status"),
        Col("row_count", "int"),
    ],
    key="versions_list",
    title=f"{t('versions.list')}_{title}",
)

version_ids = [int(i) for i in dict.fromkeys(rows["file_id"])]
version = st.selectbox(t("original.pick"), version_ids, key="versions_original_file")
if version is not None:
    steward.original_download(url, version, "versions_original")

st.subheader(t("versions.changes"))
if rows["file_id"].nunique() < 2:
    st.info(t("versions.single"))
    st.stop()
changes = steward.version_changes(rows, kind)
if changes.empty:
    st.info(t("versions.no_changes"))
    st.stop()
changes["figure"] = changes["figure"].map(column)
tables.show(
    changes,
    [
        Col("from_file"),
        Col("to_file"),
        Col("item_key"),
        Col("change", "enum:change"),
        Col("figure"),
        Col("old_value"),
        Col("new_value"),
    ],
    key="versions_changes",
    title=f"{t('versions.changes')}_{title}",
)
