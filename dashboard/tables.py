"""Every table on every page: shown, exported to CSV and Excel, and drilled through.

A table is a DataFrame with codes and raw numbers plus a list of ``Col``s that
say how each column reads (a rate, an amount in yuan, an enum …). From that one
description come the on-screen formats, the localized headers and the exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import export, filters, queries
from dashboard import format as fmt
from dashboard.i18n import column, enum, lang, t

MAX_ROWS = 5_000

# How a column reads. "enum:<group>" columns hold codes shown through i18n.enum.
Kind = str


@dataclass(frozen=True)
class Col:
    name: str
    kind: Kind = "text"  # text, int, number, rate, yuan, date, datetime, period, enum:<group>


@dataclass
class Drill:
    """Where a table's figures came from: a return kind and the rows behind the table.

    ``rows`` holds the underlying rows (often the table itself); ``by`` names the
    column that identifies them: unit_code, period, or the kind's row key
    (target_code, area_name, program, item_code).
    """

    kind: str
    rows: pd.DataFrame
    by: str
    keys: tuple[str, ...] | None = None  # a fixed row-key restriction when ``by`` is not the key


def _labelled(frame: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
    """The table as shown and exported: enums and periods in words, headers localized."""
    shown = pd.DataFrame(index=frame.index)
    for col in cols:
        values = frame[col.name]
        if col.kind.startswith("enum:"):
            group = col.kind.removeprefix("enum:")
            values = values.map(lambda code, group=group: enum(group, code))
        elif col.kind == "period":
            values = values.map(lambda p: fmt.period_label(p, lang()) if isinstance(p, str) else "")
        elif col.kind == "datetime":
            values = pd.to_datetime(values)
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_localize(None)
        shown[column(col.name)] = values
    return shown.reset_index(drop=True)


def labelled(frame: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
    """The table as its downloads hold it: for exports a page assembles itself."""
    return _labelled(frame, cols)


def _column_config(cols: list[Col]) -> dict[str, object]:
    date_format = "YYYY年M月D日" if lang() == "zh" else "D MMM YYYY"
    config: dict[str, object] = {}
    for col in cols:
        label = column(col.name)
        if col.kind == "rate":
            config[label] = st.column_config.NumberColumn(format="%.1f%%")
        elif col.kind == "int":
            config[label] = st.column_config.NumberColumn(format="localized")
        elif col.kind == "yuan":
            config[label] = st.column_config.NumberColumn(format="accounting")
        elif col.kind == "date":
            config[label] = st.column_config.DateColumn(format=date_format)
        elif col.kind == "datetime":
            config[label] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    return config


def show(
    frame: pd.DataFrame,
    cols: list[Col],
    key: str,
    title: str,
    drill: Drill | None = None,
) -> None:
    """A table with its CSV and Excel downloads and, when given, its drill-through."""
    # A keyed container, so tests (and the browser) can find each table by name.
    with st.container(key=f"table_{key}"):
        _show(frame, cols, key, title, drill)


def _show(frame: pd.DataFrame, cols: list[Col], key: str, title: str, drill: Drill | None) -> None:
    labelled = _labelled(frame, cols)
    rates = [column(col.name) for col in cols if col.kind == "rate"]
    # The browser gets at most MAX_ROWS rows; the downloads always hold them all.
    on_screen = labelled.head(MAX_ROWS).copy()
    for label in rates:
        # The grid formats with printf, which cannot scale: show percentages.
        on_screen[label] = on_screen[label].astype(float) * 100
    st.dataframe(
        on_screen, hide_index=True, column_config=_column_config(cols), placeholder=fmt.MISSING
    )
    buttons = st.container(horizontal=True, vertical_alignment="center")
    # Titles may hold a file's name as received: folders, controls and length go.
    csv_name, xlsx_name = (
        fmt.file_name(f"{title}_{key}", ".csv"),
        fmt.file_name(f"{title}_{key}", ".xlsx"),
    )
    buttons.download_button(
        t("table.csv"),
        # Built on click, not on every rerun: large tables cost seconds to write.
        data=lambda: export.to_csv(labelled, rates),
        file_name=csv_name,
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
    buttons.download_button(
        t("table.xlsx"),
        data=lambda: export.to_xlsx(labelled, title, rates),
        file_name=xlsx_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
    )
    if len(frame) > MAX_ROWS:
        buttons.caption(t("table.first_rows", shown=f"{MAX_ROWS:,}", rows=f"{len(frame):,}"))
    else:
        buttons.caption(t("table.rows", rows=f"{len(frame):,}"))
    if drill is not None:
        _drill_through(drill, key, title)


_DRILL_COLS = [
    Col("version_status", "enum:version_status"),
    Col("file_name"),
    Col("row_no", "int"),
    Col("received_at", "datetime"),
    Col("as_of", "date"),
    Col("period", "period"),
    Col("unit_code"),
    Col("item_key"),
]


def _drill_through(drill: Drill, key: str, title: str) -> None:
    """The returns behind a table: every version of its rows, with file, row and status."""
    if not st.toggle(t("drill.toggle"), key=f"drill_{key}"):
        return
    context = filters.context()
    choices = sorted({str(value) for value in drill.rows[drill.by].dropna()})
    pick = st.selectbox(
        t("drill.row"),
        [None, *choices],
        key=f"drill_row_{key}",
        format_func={
            None: t("drill.all_rows"),
            **{value: _row_label(drill, value) for value in choices},
        }.__getitem__,
    )
    wanted = (pick,) if pick is not None else tuple(choices)
    rows = queries.return_rows(
        context.url,
        drill.kind,
        context.scope,
        keys=drill.keys if drill.by in ("unit_code", "period") else wanted,
        periods=wanted if drill.by == "period" else None,
        units=wanted if drill.by == "unit_code" else None,
        limit=queries.RETURN_ROWS_LIMIT,
    )
    if rows.empty:
        st.info(t("drill.empty"))
        return
    st.caption(t("drill.caption"))
    if len(rows) >= queries.RETURN_ROWS_LIMIT:
        st.caption(t("drill.limited", count=fmt.count(queries.RETURN_ROWS_LIMIT)))
    figures = pd.DataFrame(list(rows.pop("figures")), index=rows.index)
    figures = figures.drop(columns=[c for c in figures.columns if c in rows.columns])
    # Figures are shown as the return gave them (JSON values), one column each.
    cols = _DRILL_COLS + [Col(name) for name in figures.columns]
    show(
        rows.join(figures),
        cols,
        key=f"{key}_returns",
        title=f"{title} {t('drill.title')}",
    )


def _row_label(drill: Drill, value: str) -> str:
    if drill.by == "period":
        return fmt.period_label(value, lang())
    if drill.by == "unit_code" and "unit_name" in drill.rows:
        names = drill.rows.loc[drill.rows["unit_code"] == value, "unit_name"].dropna()
        return f"{names.iloc[0]} ({value})" if len(names) else value
    return value
