"""ETL 运行 ETL runs: the history of `ducha run --inbox`, failures first to the eye,
and the files each run loaded."""

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard.i18n import enum, lang, t
from dashboard.tables import Col

url = steward.url()
steward.keep_params()

st.title(t("page.runs"))
st.caption(t("runs.caption"))

runs = queries.runs(url)
if runs.empty:
    st.info(t("runs.none"))
    st.stop()

failed = runs[runs["status"].isin(["failed", "interrupted"])]
rejecting = runs[runs["status"] == "rejected_files"]
last = runs.iloc[0]
cards = st.columns(4)
cards[0].metric(t("runs.count"), fmt.count(len(runs)), border=True)
cards[1].metric(t("runs.last"), enum("run_status", last["status"]), border=True)
cards[1].caption(fmt.date_label(last["started_at"], lang()))
cards[2].metric(t("runs.failed"), fmt.count(len(failed)), border=True)
cards[3].metric(t("runs.rows"), fmt.count(runs["rows_loaded"].sum()), border=True)


def _ids(frame) -> str:
    return "、".join(str(run_id) for run_id in frame["run_id"].head(10))


if not failed.empty:
    st.error(t("runs.failures", count=len(failed), runs=_ids(failed)))
if not rejecting.empty:
    st.warning(t("runs.rejections", count=len(rejecting), runs=_ids(rejecting)))

st.subheader(t("runs.table"))
tables.show(
    runs.rename(columns={"status": "run_status"}),
    [
        Col("run_id", "int"),
        Col("run_status", "enum:run_status"),
        Col("started_at", "datetime"),
        Col("finished_at", "datetime"),
        Col("duration_seconds", "number"),
        Col("inbox"),
        Col("files_seen", "int"),
        Col("files_accepted", "int"),
        Col("files_rejected", "int"),
        Col("files_duplicate", "int"),
        Col("rows_loaded", "int"),
        Col("message"),
        Col("host"),
    ],
    key="runs",
    title=t("runs.table"),
)

st.subheader(t("runs.files"))
labels = {
    int(row["run_id"]): t(
        "runs.run",
        run_id=int(row["run_id"]),
        # Not the status: it changes while a run goes on (see steward.file_label).
        started=f"{row['started_at']:%Y-%m-%d %H:%M}",
    )
    for _, row in runs.iterrows()
}
run_id = st.selectbox(t("runs.pick"), list(labels), key="runs_pick", format_func=labels.__getitem__)
files = queries.files(url)
of_run = files[files["run_id"] == run_id]
if of_run.empty:
    st.caption(t("runs.no_files"))
else:
    tables.show(
        steward.describe_files(of_run, queries.units(url)),
        steward.FILE_COLS,
        key="runs_files",
        title=f"{t('runs.files')}_{run_id}",
    )
