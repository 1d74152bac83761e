"""校验报告 Validation report: one file's problems and expectation results, its report
as Excel for the unit and as the offline page, its decisions and the approval form."""

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard.i18n import enum, lang, t

url = steward.url()

st.title(t("page.report"))
steward.show_flash()

files = queries.files(url)
if files.empty:
    steward.keep_params()
    st.info(t("guide.no_files"))
    st.stop()

file = steward.pick_file(files, "report_file", t("report.pick"), unknown="report.no_such_file")
file_id = int(file["file_id"])
stored = queries.stored_file(url, file_id)
if stored is None:  # removed since the list was read
    st.info(t("guide.no_files"))
    st.stop()

register = queries.units(url)
names = steward.unit_names(register)
st.caption(
    t(
        "report.meta",
        kind=enum("kind", stored.kind_name) or "?",
        received=fmt.date_label(stored.received_at, lang()),
        as_of=fmt.date_label(stored.as_of, lang()),
        file_id=file_id,
    )
)
cards = st.columns(5)
cards[0].metric(t("report.status"), enum("file_status", file["status"]), border=True)
cards[1].metric(t("report.rows"), fmt.count(stored.row_count), border=True)
cards[2].metric(t("report.errors"), fmt.count(stored.error_count), border=True)
cards[3].metric(t("report.warnings"), fmt.count(stored.warning_count), border=True)
total = len(stored.expectations)
cards[4].metric(
    t("report.expectations_failed"),
    f"{stored.failed_expectations} / {total}" if total else fmt.MISSING,
    border=True,
)
steward.covers_caption(file, names)

downloads = st.container(horizontal=True)
# The stem as received may be long or hold anything: shortened and made safe, the id kept.
stem = fmt.file_name(stored.file_name.rsplit(".", 1)[0], "")[:60]
downloads.download_button(
    t("report.download_xlsx"),
    # Built on click: the workbook is written only when the steward asks for it.
    data=lambda: steward.report_workbook(stored),
    file_name=fmt.file_name(f"校验报告_{stem}_{file_id}", ".xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="report_xlsx",
    on_click="ignore",
)
downloads.download_button(
    t("report.download_html"),
    data=lambda: steward.report_html(stored).encode("utf-8"),
    file_name=fmt.file_name(f"校验结果_{stem}_{file_id}", ".html"),
    mime="text/html",
    key="report_html",
    on_click="ignore",
)
steward.original_download(url, file_id, "report_original", downloads)

st.subheader(t("report.problems"))
if stored.problems:
    tables.show(
        steward.problems_frame(stored.sorted_problems(), stored.column_label),
        steward.PROBLEM_COLS,
        key="report_problems",
        title=f"{t('report.problems')}_{file_id}",
    )
else:
    st.success(t("report.no_problems"))

st.subheader(t("report.expectations"))
if stored.expectations:
    tables.show(
        steward.expectations_frame(stored),
        steward.EXPECTATION_COLS,
        key="report_expectations",
        title=f"{t('report.expectations')}_{file_id}",
    )
else:
    st.info(t("report.no_expectations"))

st.subheader(t("decide.title"))
if file["outcome"] in steward.ACCEPTED:
    steward.decision_form(url, file)
else:
    st.info(t("report.not_decidable"))
history = queries.decisions(url, file_id)
if history.empty:
    st.caption(t("report.no_history"))
else:
    tables.show(
        history,
        steward.DECISION_COLS,
        key="report_decisions",
        title=f"{t('report.history')}_{file_id}",
    )

st.subheader(t("report.offline"))
st.caption(t("report.offline.caption"))
if len(stored.problems) > steward.INLINE_PROBLEMS:
    # Tens of thousands of problems make a page of megabytes: download it instead.
    st.info(t("report.offline_too_big", problems=fmt.count(len(stored.problems))))
else:
    # The page escapes every text and forbids scripts (its own CSP): safe in a frame.
    st.iframe(steward.report_html(stored), height=640)
