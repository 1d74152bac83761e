"""The shared Plotly charts: bars and lines, rates as percentages, an optional target line.

Only plain cartesian traces: Streamlit's bundled plotly.js draws them with
nothing fetched from the network (no map tiles, no remote fonts). Plotly reads
<b>, <a href>, <br> … in every label, so category labels and trace names pass
through ``labels``/``fmt.chart_text`` and hover templates never embed them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import format as fmt

_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
_RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}


def labels(values: pd.Series) -> pd.Series:
    """Category labels for an axis: text shown as is (numbers and dates untouched)."""
    return values.map(lambda value: fmt.chart_text(value) if isinstance(value, str) else value)


# Longer category labels are cut on the axis (in full in the hover): a long unit name
# would otherwise take the whole height of the chart.
TICK_CHARS = 20


def cut(value: object, chars: int = TICK_CHARS) -> str:
    """Text cut to ``chars`` characters, the last an ellipsis when cut (not yet chart text)."""
    text = fmt.visible(value)
    return text if len(text) <= chars else text[: chars - 1] + "…"


def shorten(value: object, chars: int = TICK_CHARS) -> str:
    """A label cut to ``chars`` characters with an ellipsis, then made chart text."""
    return fmt.chart_text(cut(value, chars))


def short_ticks(values: Sequence[object]) -> dict[str, object]:
    """Axis settings that show long category labels shortened; {} when none is long."""
    texts = [value for value in values if isinstance(value, str)]
    if all(len(fmt.visible(text)) <= TICK_CHARS for text in texts):
        return {}
    unique = list(dict.fromkeys(texts))
    return {
        "tickmode": "array",
        "tickvals": [fmt.chart_text(text) for text in unique],
        "ticktext": [shorten(text) for text in unique],
    }


def _layout(fig: go.Figure, y_title: str, rate: bool, x: Sequence[object] = ()) -> go.Figure:
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=340,
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=fmt.chart_text(y_title),
        xaxis_title=None,
    )
    if rate:
        fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(**short_ticks(list(x)))
    return fig


def bars(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[tuple[str, str]],
    *,
    y_title: str = "",
    rate: bool = False,
    line: float | None = None,
    line_label: str = "",
    colours: Sequence[str] | None = None,
) -> go.Figure:
    """Grouped bars, one trace per (column, label), optionally a horizontal reference line."""
    fig = go.Figure()
    hover = "%{y:.1%}" if rate else "%{y:,}"
    for index, (column, label) in enumerate(series):
        fig.add_bar(
            x=labels(frame[x]),
            y=frame[column],
            name=fmt.chart_text(label),
            hovertemplate=f"%{{x}}<br>%{{fullData.name}}: {hover}<extra></extra>",
            marker_color=colours[index] if colours else None,
        )
    if line is not None:
        fig.add_hline(
            y=line,
            line_dash="dash",
            line_color="#c62828",
            annotation_text=fmt.chart_text(line_label),
        )
    return _layout(fig, y_title, rate, frame[x])


def rag_bars(frame: pd.DataFrame, x: str, y: str, status: str, y_title: str) -> go.Figure:
    """Bars of a rate coloured by red/amber/green status."""
    fig = go.Figure(
        go.Bar(
            x=labels(frame[x]),
            y=frame[y],
            marker_color=[_RAG_COLOURS.get(s, "#9e9e9e") for s in frame[status]],
            hovertemplate="%{x}<br>%{y:.1%}<extra></extra>",
        )
    )
    fig.add_hline(y=1, line_dash="dot", line_color="#555555")
    return _layout(fig, y_title, rate=True, x=frame[x])


def lines(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[tuple[str, str]],
    *,
    y_title: str = "",
    rate: bool = False,
    line: float | None = None,
    line_label: str = "",
) -> go.Figure:
    """Lines with markers over periods, one trace per (column, label)."""
    fig = go.Figure()
    hover = "%{y:.1%}" if rate else "%{y:,}"
    for column, label in series:
        fig.add_scatter(
            x=labels(frame[x]),
            y=frame[column],
            name=fmt.chart_text(label),
            mode="lines+markers",
            hovertemplate=f"%{{x}}<br>%{{fullData.name}}: {hover}<extra></extra>",
        )
    if line is not None:
        fig.add_hline(
            y=line,
            line_dash="dash",
            line_color="#c62828",
            annotation_text=fmt.chart_text(line_label),
        )
    fig.update_xaxes(type="category")
    return _layout(fig, y_title, rate, frame[x])


def show(fig: go.Figure, key: str) -> None:
    """Draw a chart with Streamlit's bundled plotly.js."""
    st.plotly_chart(fig, key=f"chart_{key}", config=_CONFIG, theme="streamlit")
