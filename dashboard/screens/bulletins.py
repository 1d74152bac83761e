"""督查通报 Bulletins: preview the period's issue, edit 工作要求, publish, download; the archive."""

import streamlit as st

from dashboard import format as fmt
from dashboard import frame, queries, signin, tables
from dashboard.i18n import enum, t
from dashboard.tables import Col
from etl.documents import (
    BULLETIN_KINDS,
    SOURCE_HEADERS,
    UNIT_HEADERS,
    DocumentError,
    overview_text,
    problem_lines,
    source_rows,
    unit_rows,
)

page = frame.open("page.bulletins")
scope, url, language = page.scope, page.url, page.language

choice = page.filter_row(2)
kind = choice[0].selectbox(
    t("bul.kind"),
    list(BULLETIN_KINDS),
    key="bul_kind",
    format_func=lambda k: enum("bulletin_kind", k),
)
periods = [f"{scope.year}-Q{q}" for q in (4, 3, 2, 1)] + [str(scope.year)]
period = choice[1].selectbox(
    t("bul.period"),
    periods,
    index=periods.index(scope.period) if scope.period in periods else 0,
    key="bul_period",
)

archive = queries.bulletin_archive(url)
issued = archive[(archive["kind"] == kind) & (archive["period"] == period)]
try:
    draft, _ = queries.bulletin_draft(url, kind, period)
except DocumentError as exc:
    draft = None
    st.info(str(exc))

if draft is not None:
    if issued.empty:
        st.warning(t("bul.draft", no=draft.issue_no))
    else:
        row = issued.iloc[0]
        st.success(
            t(
                "bul.published",
                no=int(row["issue_no"]),
                by=row["published_by"],
                at=f"{row['published_at']:%Y-%m-%d %H:%M}",
            )
        )
    st.subheader(t("bul.preview"))
    with st.container(border=True, key="bulletin_preview"):
        st.markdown(f"**{t('bul.overview_text')}**")
        st.text(overview_text(draft))
        # st.table renders Markdown in its cells: unit names are made inert (fmt.plain).
        st.table(
            {
                header: [fmt.plain(row[i]) for row in source_rows(draft)]
                for i, header in enumerate(SOURCE_HEADERS)
            }
        )
        st.markdown(f"**{t('bul.units')}**")
        st.table(
            {
                header: [fmt.plain(row[i]) for row in unit_rows(draft)]
                for i, header in enumerate(UNIT_HEADERS)
            }
        )
        st.markdown(f"**{t('bul.problems')}**")
        st.text("\n".join(problem_lines(draft)))

    # Drafting and publishing are a steward's of every unit: a bulletin covers them all
    # (and the warehouse refuses anyone else's write, sql/migrations/0040).
    person = st.session_state.get(signin.PERSON_KEY)
    may_publish = person is not None and person.has("steward") and url.units == "*"
    if issued.empty and may_publish:
        st.subheader(t("bul.requirements"))
        text = st.text_area(
            t("bul.requirements"),
            value=draft.requirements,
            height=140,
            key=f"bul_req_{kind}_{period}",
        )
        buttons = st.columns(2)
        if buttons[0].button(t("bul.save"), key="bul_save"):
            try:
                queries.save_bulletin_requirements(url, kind, period, text, url.account)
                st.success(t("bul.saved"))
            except DocumentError as exc:
                st.error(str(exc))
        if buttons[1].button(t("bul.publish"), key="bul_publish", type="primary"):
            try:
                queries.save_bulletin_requirements(url, kind, period, text, url.account)
                number = queries.publish_bulletin(url, kind, period, url.account)
                st.success(t("bul.published_now", no=number))
                st.rerun()
            except DocumentError as exc:
                st.error(str(exc))

    if st.toggle(t("bul.render"), key="bul_render"):
        files = queries.bulletin_files(url, kind, period)
        stem = f"{BULLETIN_KINDS[kind]}_{period}"
        downloads = st.columns(2)
        downloads[0].download_button(
            t("bul.pdf"),
            files["pdf"],
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key="bul_pdf",
        )
        downloads[1].download_button(
            t("bul.docx"),
            files["docx"],
            file_name=f"{stem}.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key="bul_docx",
        )

st.subheader(t("bul.archive"))
if archive.empty:
    st.caption(t("bul.archive_empty"))
else:
    tables.show(
        archive.rename(columns={"kind": "bulletin_kind"}),
        [
            Col("bulletin_kind", "enum:bulletin_kind"),
            Col("year", "int"),
            Col("issue_no", "int"),
            Col("period"),
            Col("published_by"),
            Col("published_at", "datetime"),
            Col("pdf_sha256"),
            Col("docx_sha256"),
        ],
        key="bulletin_archive",
        title=t("bul.archive"),
    )
    labels = {
        int(
            r.bulletin_id
        ): f"{enum('bulletin_kind', r.kind)} {r.year}年第{r.issue_no}期 ({r.period})"
        for r in archive.itertuples()
    }
    picked = st.selectbox(
        t("bul.archive_pick"), list(labels), key="bul_archive_pick", format_func=labels.__getitem__
    )
    row = archive[archive["bulletin_id"] == picked].iloc[0]
    stem = f"{BULLETIN_KINDS[row['kind']]}_{row['year']}_{row['issue_no']}"
    saved = st.columns(2)
    saved[0].download_button(
        t("bul.pdf"),
        data=lambda: queries.archived_bulletin(url, picked, "pdf"),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="bul_archive_pdf",
    )
    saved[1].download_button(
        t("bul.docx"),
        data=lambda: queries.archived_bulletin(url, picked, "docx"),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="bul_archive_docx",
    )
