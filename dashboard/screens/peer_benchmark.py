"""对标分析 Peer benchmark: this zone against the peer districts, indicator by indicator.

A ranks heatmap (indicators × months), the chosen indicator's figures for every
district and its gap to the best peer, the month's standings as an exportable
table, where every figure came from, and the month's brief (PDF, Excel).
"""

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame, guidance, queries, tables
from dashboard import format as fmt
from dashboard.i18n import t
from dashboard.tables import Col

page = frame.open("page.peers")
url, language = page.url, page.language
st.caption(t("peer.caption"))

years = queries.peer_years(url)
shared_year = page.scope.year if page.scope else None
if not years:
    guidance.compiled_missing("peer.empty", url, year=shared_year or "—")
    st.stop()

pick = st.columns([1, 1, 2])
year = pick[0].selectbox(
    t("peer.year"),
    years,
    index=years.index(shared_year) if shared_year in years else 0,
    key="peer_year",
)
ranks = queries.peer_ranks(url, year)
if ranks.empty:
    guidance.compiled_missing("peer.empty", url, year=year)
    st.stop()
if queries.peer_illustrative(url, year):
    st.warning(t("peer.illustrative"), icon="⚠️")

months = sorted(ranks["period"].unique())
wanted = page.scope.period if page.scope else None
month = pick[1].selectbox(
    t("peer.month"),
    months,
    index=months.index(wanted) if wanted in months else len(months) - 1,
    format_func=lambda p: fmt.period_label(p, language),
    key="peer_month",
)
this_month = queries.peer_month(url, year, month)
names = ranks.drop_duplicates("indicator_code").set_index("indicator_code")["indicator_name"]
# First shown: the indicator leaders follow that trails furthest in the chosen month.
trailing = this_month.sort_values(
    ["followed", "rank", "indicator_code"], ascending=[False, False, True]
)
indicator = pick[2].selectbox(
    t("peer.indicator"),
    list(names.index),
    index=list(names.index).index(trailing["indicator_code"].iloc[0]),
    format_func=lambda code: f"{names[code]} ({code})",
    key="peer_indicator",
)

first = int((this_month["rank"] == 1).sum())
cards = st.columns(3)
cards[0].metric(t("peer.first"), fmt.count(first), border=True)
cards[0].caption(t("peer.of", total=len(this_month)))
cards[1].metric(t("peer.not_first"), fmt.count(len(this_month) - first), border=True)
cards[2].metric(
    t("peer.narrowed"),
    fmt.count(int(this_month.loc[this_month["rank"] > 1, "gap_narrowed"].eq(True).sum())),
    border=True,
)

# -------------------------------------------------------- ranks heatmap --
st.subheader(t("peer.heatmap"))
st.caption(t("peer.heatmap.caption"))
grid = ranks.pivot(index="indicator_name", columns="period", values="rank")
grid = grid.reindex(columns=months)
heatmap = go.Figure(
    go.Heatmap(
        z=grid.to_numpy(dtype=float),
        x=[fmt.period_label(p, language) for p in grid.columns],
        y=[fmt.chart_text(name) for name in grid.index],
        text=grid.to_numpy(dtype=float),
        texttemplate="%{text:.0f}",
        colorscale=[[0, "#2e7d32"], [0.2, "#c5e1a5"], [0.6, "#ffcc80"], [1, "#c62828"]],
        zmin=1,
        zmax=max(6, float(ranks["districts_ranked"].max())),
        colorbar={"title": {"text": t("peer.rank")}},
        hovertemplate="%{y} · %{x}: %{z:.0f}<extra></extra>",
    )
)
heatmap.update_yaxes(autorange="reversed", type="category")
heatmap.update_xaxes(type="category")
heatmap.update_layout(height=max(280, 34 * len(grid) + 90), margin={"l": 10, "r": 10, "t": 10})
charts.show(heatmap, "peer_ranks")

# ------------------------------------------- the chosen indicator's lines --
figures = queries.peer_figures(url, year, indicator)
chosen = ranks[ranks["indicator_code"] == indicator]
label = f"{names[indicator]}（{chosen['measure'].iloc[0]}）"
st.subheader(t("peer.lines", indicator=label))
lines = go.Figure()
for _code, rows in figures.groupby("district_code", sort=False):
    home = bool(rows["is_home"].iloc[0])
    name = rows["district_name" if language == "zh" else "district_name_en"].iloc[0]
    lines.add_scatter(
        x=[fmt.period_label(p, language) for p in rows["period"]],
        y=rows["value"],
        name=fmt.chart_text(name),
        mode="lines+markers",
        line={"width": 4 if home else 1.5, "color": "#c62828" if home else None},
        opacity=1 if home else 0.75,
        hovertemplate="%{x}<br>%{fullData.name}: %{y:,}<extra></extra>",
    )
lines.update_xaxes(
    type="category",
    categoryorder="array",
    categoryarray=[fmt.period_label(p, language) for p in months],
)
lines.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10}, legend={"orientation": "h"})
charts.show(lines, "peer_lines")

st.subheader(t("peer.gap_chart", indicator=label))
st.caption(t("peer.gap_chart.caption"))
gap = go.Figure(
    go.Bar(
        x=[fmt.period_label(p, language) for p in chosen["period"]],
        y=chosen["gap_rate"],
        marker_color=["#c62828" if (v or 0) > 0 else "#2e7d32" for v in chosen["gap_rate"]],
        text=[fmt.chart_text(n or "") for n in chosen["best_peer_name"]],
        hovertemplate="%{x}<br>%{text}: %{y:.1%}<extra></extra>",
        name=t("peer.gap_rate"),
    )
)
gap.update_yaxes(tickformat=".1%", title=t("peer.gap_rate"))
gap.update_xaxes(type="category")
gap.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10})
charts.show(gap, "peer_gap")

# ------------------------------------------------------ the month's table --
month_label = fmt.period_label(month, language)
table = this_month.sort_values(["rank", "indicator_code"], ascending=[False, True]).copy()
table["gap_narrowed"] = table["gap_narrowed"].map(lambda v: None if v is None else str(bool(v)))
table["growth_gap_narrowed"] = table["growth_gap_narrowed"].map(
    lambda v: None if v is None else str(bool(v))
)
st.subheader(t("peer.table", month=month_label))
tables.show(
    table,
    [
        Col("indicator_name"),
        Col("measure"),
        Col("zone_value", "number"),
        Col("rank", "int"),
        Col("districts_ranked", "int"),
        Col("best_peer_name"),
        Col("best_peer_value", "number"),
        Col("gap", "number"),
        Col("gap_rate", "rate"),
        Col("gap_narrowed", "enum:narrowed"),
        Col("zone_growth", "rate"),
        Col("growth_rank", "int"),
        Col("best_growth_peer_name"),
        Col("growth_gap", "rate"),
        Col("growth_gap_narrowed", "enum:narrowed"),
    ],
    key="peer_standings",
    title=t("peer.table", month=month_label),
)

# --------------------------------------------------------------- sources --
st.subheader(t("peer.sources", indicator=names[indicator], month=month_label))
sources = figures[figures["period"] == month].rename(
    columns={"value": "figure_value", "source": "figure_source"}
)
tables.show(
    sources,
    [
        Col("district_name"),
        Col("figure_value", "number"),
        Col("basis", "enum:basis"),
        Col("yoy_growth", "rate"),
        Col("figure_source"),
        Col("file_name"),
        Col("received_at", "datetime"),
    ],
    key="peer_sources",
    title=t("peer.sources", indicator=names[indicator], month=month_label),
)

# ------------------------------------------------------------ the brief --
st.subheader(t("peer.brief"))
st.caption(t("peer.brief.caption"))


def _brief(fmt_name: str) -> bytes:
    from etl import peer_brief

    with queries.scoped_connection(url) as conn:
        brief = peer_brief.gather(conn, month)
    return peer_brief.render(brief, (fmt_name,))[fmt_name]


buttons = st.container(horizontal=True)
buttons.download_button(
    t("peer.brief.pdf"),
    data=lambda: _brief("pdf"),
    file_name=f"对标简报_{month}.pdf",
    mime="application/pdf",
    key="peer_brief_pdf",
    on_click="ignore",
)
buttons.download_button(
    t("peer.brief.xlsx"),
    data=lambda: _brief("xlsx"),
    file_name=f"对标简报_{month}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="peer_brief_xlsx",
    on_click="ignore",
)
