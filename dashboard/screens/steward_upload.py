"""上传 Upload: units' return files validated and loaded as by `ducha ingest`, each
file's outcome and problems, and the blank Excel template of every kind."""

from datetime import date

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard import uploads as upload_rules
from dashboard.i18n import enum, t
from etl.kinds import KINDS

url = steward.url()
steward.keep_params()
# Someone of some units only uploads the kinds units report; master data and the
# assessment's scores are the office's (a steward of every unit), and the warehouse
# refuses them from anyone else (sql/views/66_auth_upload_scope.sql).
offered = [name for name, k in KINDS.items() if url.units == "*" or k.units_report]

st.title(t("page.upload"))
st.caption(t("upload.caption"))
try:
    limit_mb = upload_rules.max_upload_mb()
except upload_rules.UploadLimitError as exc:
    st.error(t("upload.bad_limit", error=fmt.plain(exc)))
    st.stop()
# Streamlit refuses larger files in the browser (server.maxUploadSize, which
# `ducha dashboard` sets to the same limit); this page checks again, since the
# app may be served without that option.
st.caption(t("upload.limit", limit=limit_mb, chars=upload_rules.MAX_NAME_CHARS))

# A new uploader after each load, so the same files are not sent twice by accident.
round_no = st.session_state.setdefault("upload_round", 0)
uploads = st.file_uploader(
    t("upload.files"),
    type=["csv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods", "htm", "html"],  # contract §1
    accept_multiple_files=True,
    key=f"upload_files_{round_no}",
)
kind_box, as_of_box = st.columns(2)
kind = kind_box.selectbox(
    t("upload.kind"),
    [None, *offered],
    key="upload_kind",
    format_func={None: t("upload.auto"), **{k: enum("kind", k) for k in offered}}.__getitem__,
)
as_of = as_of_box.date_input(t("upload.as_of"), value=date.today(), key="upload_as_of")
if st.button(t("upload.submit"), key="upload_submit", type="primary"):
    if not uploads:
        st.warning(t("upload.choose_first"))
    else:
        with st.spinner(t("upload.submit")):
            reports = queries.ingest_uploads(
                url,
                # The buffer, not a copy: an over-large file is not doubled in memory.
                [(upload.name, upload.getbuffer()) for upload in uploads],
                kind,
                as_of,
                limit_mb=limit_mb,
            )
        st.session_state["upload_reports"] = reports
        st.session_state["upload_round"] = round_no + 1
        st.rerun()

reports = st.session_state.get("upload_reports")
if reports:
    st.subheader(t("upload.results"))
    for index, report in enumerate(reports):
        level, sentence = steward.upload_summary(report)
        getattr(st, level)(sentence)
        if report.problems:
            tables.show(
                steward.problems_frame(report.problems, report.column_label),
                steward.PROBLEM_COLS,
                key=f"upload_problems_{index}",
                title=f"{t('report.problems')}_{report.file_name[:40]}",
            )
        file_id = report.file_id or report.duplicate_of
        if file_id is not None:
            steward.report_link(int(file_id))

st.subheader(t("upload.templates"))
st.caption(t("upload.templates.caption"))
unit_codes = tuple(queries.units(url)["unit_code"])
buttons = st.container(horizontal=True)
for name in offered:
    return_kind = KINDS[name]
    buttons.download_button(
        enum("kind", name),
        # Written on click: six workbooks on every rerun would slow the page.
        data=lambda name=name: steward.template_workbook(name, unit_codes),
        file_name=f"{return_kind.zh}_{name}_模板.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"template_{name}",
        on_click="ignore",
    )
