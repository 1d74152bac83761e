"""The reporting calendar as a chart: units down, periods across, a cell per return."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts
from dashboard import format as fmt
from dashboard.i18n import enum, lang
from dashboard.steward.files import unit_label
from dashboard.steward.rates import GRID_STATUSES
from etl.kinds import UNIT_TYPES


def calendar_grid(calendar: pd.DataFrame, status: pd.Series) -> go.Figure:
    """Units down, periods across, each cell coloured by its return's status (grid_status)."""
    frame = calendar.assign(grid=status)
    periods = frame.sort_values(["period_end", "period"])["period"].drop_duplicates().tolist()
    # Units in the register's order: subdistricts, departments, affiliated units.
    type_order = {code: index for index, code in enumerate(UNIT_TYPES)}
    units = (
        frame.assign(type_order=frame["unit_type"].map(type_order))
        .sort_values(["type_order", "unit_code"])["unit_code"]
        .drop_duplicates()
        .tolist()
    )
    names = dict(zip(frame["unit_code"], frame["unit_name"], strict=False))
    codes = {status: index for index, status in enumerate(GRID_STATUSES)}
    cells = frame.pivot(index="unit_code", columns="period", values="grid")
    cells = cells.reindex(index=units, columns=periods)
    z = cells.map(lambda status: codes.get(status)).to_numpy(dtype=float)
    text = cells.map(lambda status: enum("calendar_status", status)).to_numpy()
    steps = len(GRID_STATUSES)
    colourscale = []
    for index, colour in enumerate(GRID_STATUSES.values()):
        colourscale += [(index / steps, colour), ((index + 1) / steps, colour)]
    x_labels = [fmt.chart_text(fmt.period_label(period, lang())) for period in periods]
    y_labels = [fmt.chart_text(unit_label(code, names)) for code in units]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=y_labels,
            text=text,
            texttemplate="%{text}",
            colorscale=colourscale,
            zmin=-0.5,
            zmax=steps - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    # The legend: one invisible point per status, so its colour and name are listed.
    for status, colour in GRID_STATUSES.items():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"size": 12, "color": colour, "symbol": "square"},
            name=fmt.chart_text(enum("calendar_status", status)),
            showlegend=True,
        )
    fig.update_layout(
        height=120 + 30 * len(units),
        margin={"l": 10, "r": 10, "t": 40, "b": 50},
        # Below the grid: the periods are labelled along its top.
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_xaxes(type="category", side="top", showgrid=False)
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        showgrid=False,
        # A long name is cut on the axis, its code kept; in full in the hover.
        tickmode="array",
        tickvals=y_labels,
        ticktext=[fmt.chart_text(unit_label(code, names, charts.cut)) for code in units],
    )
    return fig
