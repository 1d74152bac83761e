"""目标考核 Assessment: ranking per class with grade bands, grade counts, scorecards, exports."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import assessment_export, charts, frame, queries, tables
from dashboard import format as fmt
from dashboard.i18n import column, enum, t
from dashboard.tables import Col

GRADE_COLOURS = {"advanced": "#2e7d32", "pass": "#f9a825", "fail": "#c62828"}

page = frame.open("page.assessment")
url, language = page.url, page.language

years = queries.assessment_years(url)
if not years:
    st.info(t("assess.empty"))
    st.stop()
year = st.selectbox(t("assess.year"), years, key="assess_year")
schemes = queries.assessment_schemes(url, year)
published = schemes[schemes["status"] == "published"]
scheme = (published if not published.empty else schemes[schemes["status"] == "draft"]).iloc[0]
signed = pd.notna(scheme["published_at"])
st.caption(
    t(
        "assess.scheme",
        title=fmt.plain(scheme["title"]),
        status=enum("scheme_status", scheme["status"]),
        by=fmt.plain(scheme["published_by"] if signed else scheme["created_by"]),
        at=fmt.date_label(scheme["published_at"] if signed else scheme["created_at"], language),
    )
)
if "示例" in f"{scheme['title']}{scheme['note'] or ''}":
    st.info(t("assess.illustrative"))

results = queries.assessment_results(url, year)
if results.empty:
    st.info(t("assess.no_results", year=year))
    st.stop()
is_steward = "steward" in url.roles.split(",")

# 发布即定格: a published year shows the frozen copy; what today's data would
# change is flagged here, never applied silently (sql/migrations/0063).
publication = queries.assessment_publication(url, year)
if publication.empty:
    st.caption(t("assess.not_published", year=year))
else:
    published_row = publication.iloc[0]
    st.caption(
        t(
            "assess.frozen",
            by=fmt.plain(published_row["published_by"]),
            at=fmt.date_label(published_row["published_at"], language),
            digest=published_row["digest"][:12],
        )
    )
    changes = queries.assessment_publication_changes(url, year)
    if not changes.empty:
        st.warning(
            t(
                "assess.changed_since",
                changed=len(changes),
                units="、".join(
                    fmt.plain(f"{name}（{code}）")
                    for code, name in zip(changes["unit_code"], changes["unit_name"], strict=True)
                ),
            )
        )
        tables.show(
            changes,
            [
                Col("unit_code"),
                Col("unit_name"),
                Col("published_total", "number"),
                Col("current_total", "number"),
                Col("published_rank", "int"),
                Col("current_rank", "int"),
                Col("published_grade", "enum:grade"),
                Col("current_grade", "enum:grade"),
            ],
            key="assess_changed_since",
            title=t("assess.changed_table"),
        )
        if is_steward and st.button(
            t("assess.republish", account=url.account), key="assess_republish"
        ):
            queries.republish_assessment(url, year)
            st.success(t("assess.republished"))
            st.rerun()
results["class_name"] = results["class_zh"] if language == "zh" else results["class_en"]
results["vetoed_label"] = results["vetoed"].map(lambda vetoed: "yes" if vetoed else "no")

cards = st.columns(4)
cards[0].metric(t("assess.assessed"), fmt.count(len(results)), border=True)
counts = results["grade"].value_counts()
for slot, grade in zip(cards[1:], ("advanced", "pass", "fail"), strict=True):
    slot.metric(enum("grade", grade), fmt.count(counts.get(grade, 0)), border=True)

rankings = queries.external_rankings(url)
rankings = rankings[rankings["year"] == year]
for ranking in rankings.itertuples():
    out_of = f" / {ranking.out_of}" if pd.notna(ranking.out_of) else ""
    title = f"，{ranking.award_title}" if language == "zh" else f"; {ranking.award_title}"
    st.success(
        t(
            "assess.external",
            body=fmt.plain(ranking.assessing_body),
            assessment=fmt.plain(ranking.assessment),
            rank=ranking.rank,
            out_of=out_of,
            title=fmt.plain(title) if ranking.award_title else "",
        )
    )

if is_steward:
    with st.expander(t("assess.record_ranking")), st.form("assess_ranking_form"):
        ranking_year = st.number_input(
            t("assess.ranking_year"), 2000, 2100, value=int(year), key="assess_ranking_year"
        )
        ranking_body = st.text_input(t("assess.ranking_body"), key="assess_ranking_body")
        ranking_name = st.text_input(
            t("assess.ranking_assessment"),
            value=f"{int(ranking_year)}年度目标综合考核",
            key="assess_ranking_assessment",
        )
        ranking_rank = st.number_input(
            t("assess.ranking_rank"), min_value=1, value=1, key="assess_ranking_rank"
        )
        ranking_out_of = st.number_input(
            t("assess.ranking_out_of"), min_value=0, value=0, key="assess_ranking_out_of"
        )
        ranking_title = st.text_input(t("assess.ranking_title"), key="assess_ranking_title")
        if st.form_submit_button(
            t("assess.ranking_save", account=url.account), key="assess_ranking_save"
        ):
            if (
                not ranking_body.strip()
                or not ranking_name.strip()
                or (ranking_out_of and ranking_out_of < ranking_rank)
            ):
                st.error(t("assess.ranking_invalid"))
            else:
                queries.record_external_ranking(
                    url,
                    int(ranking_year),
                    ranking_body,
                    ranking_name,
                    int(ranking_rank),
                    int(ranking_out_of) or None,
                    ranking_title,
                )
                st.success(t("assess.ranking_saved"))

result_cols = [
    Col("rank_in_class", "int"),
    Col("unit_code"),
    Col("unit_name"),
    Col("total", "number"),
    Col("grade", "enum:grade"),
    Col("vetoed_label", "enum:yes_no"),
    Col("previous_rank", "int"),
    Col("rank_change", "int"),
]
for class_code, in_class in results.groupby("class_code", sort=False):
    name = in_class["class_name"].iloc[0]
    st.subheader(t("assess.ranking", name=name))
    figure = go.Figure(
        go.Bar(
            x=charts.labels(in_class["unit_name"]),
            y=in_class["total"],
            marker_color=[GRADE_COLOURS[g] for g in in_class["grade"]],
            text=[enum("grade", g) for g in in_class["grade"]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        yaxis_title=column("total"),
        xaxis={"tickangle": -45, **charts.short_ticks(in_class["unit_name"])},
    )
    charts.show(figure, f"assess_{class_code}")
    tables.show(
        in_class,
        result_cols,
        key=f"assess_{class_code}",
        title=f"{t('assess.ranking', name=name)}",
    )

# 考核结果汇总表: one row a unit, the weighted parts side by side, in class and rank order.
scores = queries.assessment_scores(url, year)
st.download_button(
    t("assess.summary_export"),
    data=lambda: assessment_export.summary_workbook(year, results, scores, language),
    file_name=fmt.file_name(f"{year}_{t('assess.summary_title')}", ".xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="assess_summary_xlsx",
    on_click="ignore",
)

# ------------------------------------------------------------ scorecard --
st.subheader(t("assess.scorecard"))
names = dict(zip(results["unit_code"], results["unit_name"], strict=True))
unit = st.selectbox(
    t("assess.pick_unit"),
    list(names),
    key="assess_unit",
    format_func=lambda code: f"{names[code]} ({code})",
)
mine = results[results["unit_code"] == unit].iloc[0]
st.markdown(
    t(
        "assess.total_line",
        total=fmt.number(mine["total"]),
        rank=int(mine["rank_in_class"]),
        size=int(mine["class_size"]),
        grade=enum("grade", mine["grade"]),
    )
)
unit_parts = scores[scores["unit_code"] == unit]
tables.show(unit_parts, assessment_export.PART_COLS, key="assess_parts", title=t("assess.parts"))

if not publication.empty:
    st.caption(t("assess.scorecard_live"))
st.markdown(f"**{t('assess.targets')}**")
unit_targets = assessment_export.with_labels(queries.assessment_targets(url, year, unit))
tables.show(
    unit_targets, assessment_export.TARGET_COLS, key="assess_targets", title=t("assess.targets")
)

st.markdown(f"**{t('assess.evaluations')}**")
evaluations = queries.assessment_evaluations(url, year, unit)
tables.show(
    evaluations,
    assessment_export.EVALUATION_COLS,
    key="assess_evaluations",
    title=t("assess.evaluations"),
)

st.markdown(f"**{t('assess.items')}**")
items = queries.assessment_items(url, year, unit)
if items.empty:
    st.caption(t("assess.no_items"))
else:
    tables.show(items, assessment_export.ITEM_COLS, key="assess_items", title=t("assess.items"))


st.download_button(
    t("assess.scorecard_export"),
    data=lambda: assessment_export.scorecard_workbook(unit_parts, unit_targets, evaluations, items),
    file_name=fmt.file_name(f"{year}_{names[unit]}_{t('assess.scorecard')}", ".xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="assess_scorecard_xlsx",
    on_click="ignore",
)

# ---------------------------------------------------- draft and publish --
# A steward tries a changed scheme as a draft, sees beside the year's scheme
# which units would change rank or grade, and publishes it; each step signed
# by the account (assess.schemes.created_by / published_by).
st.subheader(t("assess.drafts"))
drafts = schemes[schemes["status"] == "draft"]
drafts = drafts[drafts["scheme_id"] != scheme["scheme_id"]]
if drafts.empty:
    st.caption(t("assess.no_drafts"))
else:
    draft_id = st.selectbox(
        t("assess.draft_pick"),
        list(drafts["scheme_id"]),
        key="assess_draft",
        format_func=lambda sid: (
            f"#{sid} {drafts.loc[drafts['scheme_id'] == sid, 'created_by'].iloc[0]}"
        ),
    )
    draft = queries.scheme_results(url, int(draft_id)).rename(
        columns={"total": "draft_total", "rank_in_class": "draft_rank", "grade": "draft_grade"}
    )
    compared = results.merge(
        draft[["unit_code", "draft_total", "draft_rank", "draft_grade"]], on="unit_code"
    )
    changed = compared[
        (compared["rank_in_class"] != compared["draft_rank"])
        | (compared["grade"] != compared["draft_grade"])
    ]
    st.caption(t("assess.changes", changed=len(changed)))
    tables.show(
        compared,
        [
            Col("unit_code"),
            Col("unit_name"),
            Col("total", "number"),
            Col("rank_in_class", "int"),
            Col("grade", "enum:grade"),
            Col("draft_total", "number"),
            Col("draft_rank", "int"),
            Col("draft_grade", "enum:grade"),
        ],
        key="assess_draft_compare",
        title=t("assess.drafts"),
    )
    if is_steward and st.button(t("assess.publish", account=url.account), key="assess_publish"):
        queries.publish_assessment_scheme(url, int(draft_id))
        st.success(t("assess.published_now"))
        st.rerun()

if is_steward:
    with st.expander(t("assess.new_draft")):
        classes = results.drop_duplicates("class_code")[["class_code", "class_name"]]
        with st.form("assess_new_draft"):
            shares = {
                row.class_code: st.number_input(
                    t("assess.share", name=row.class_name),
                    min_value=0.0,
                    max_value=1.0,
                    value=0.8,
                    step=0.05,
                    key=f"assess_share_{row.class_code}",
                )
                for row in classes.itertuples()
            }
            note = st.text_input(t("assess.note"), key="assess_draft_note")
            if st.form_submit_button(t("assess.make_draft", account=url.account)):
                new_id = queries.draft_assessment_scheme(
                    url,
                    int(scheme["scheme_id"]),
                    {},
                    {code: {"advanced_share": share} for code, share in shares.items()},
                    note or None,
                )
                st.success(t("assess.drafted", scheme=new_id))
