"""报表收件箱 Submissions inbox: every file received, its units, periods and outcome."""

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard.i18n import enum, t
from etl.kinds import KINDS

url = steward.url()
steward.keep_params()

st.title(t("page.inbox"))
st.caption(t("inbox.caption"))

files = queries.files(url)
if files.empty:
    st.info(t("guide.no_files"))
    st.stop()

counts = st.columns(4)
status = files["status"]
counts[0].metric(t("inbox.files"), fmt.count(len(files)), border=True)
counts[1].metric(t("inbox.accepted"), fmt.count(status.isin(steward.ACCEPTED).sum()), border=True)
counts[2].metric(t("inbox.rejected"), fmt.count((status == "rejected").sum()), border=True)
counts[3].metric(t("inbox.pending"), fmt.count((status == "pending").sum()), border=True)

register = queries.units(url)
names = steward.unit_names(register)
statuses = list(dict.fromkeys(["accepted", "accepted_with_warnings", "rejected", *status]))
kind_box, status_box, unit_box, search_box = st.columns([2, 3, 2, 3])
kind = kind_box.selectbox(
    t("inbox.kind"),
    [None, *KINDS],
    key="inbox_kind",
    format_func={None: t("inbox.all_kinds"), **{k: enum("kind", k) for k in KINDS}}.__getitem__,
)
chosen = status_box.multiselect(
    t("inbox.status"),
    statuses,
    key="inbox_status",
    placeholder=t("inbox.all_statuses"),
    format_func={code: enum("file_status", code) for code in statuses}.__getitem__,
)
unit = unit_box.selectbox(
    t("inbox.unit"),
    [None, *names],
    key="inbox_unit",
    format_func={
        None: t("inbox.all_units"),
        **{code: steward.unit_label(code, names) for code in names},
    }.__getitem__,
)
search = search_box.text_input(t("inbox.search"), key="inbox_search").strip()

# The units a file covers are in the warehouse, not the page: ask it for a unit's files.
found = files if unit is None else queries.files(url, unit)
if kind is not None:
    found = found[found["kind"] == kind]
if chosen:
    found = found[found["status"].isin(chosen)]
if search:
    # Plain substring match: what the steward typed is text, never a pattern.
    found = found[found["file_name"].str.contains(search, case=False, regex=False)]

st.subheader(t("inbox.table"))
if found.empty:
    st.info(t("inbox.no_match"))
    st.stop()
tables.show(
    steward.describe_files(found, register),
    steward.FILE_COLS,
    key="steward_inbox",
    title=t("inbox.table"),
)

picked = steward.pick_file(found, "inbox_pick", t("inbox.pick"))
if picked is not None:
    steward.report_link(int(picked["file_id"]))
    steward.original_download(url, int(picked["file_id"]), "inbox_original")
