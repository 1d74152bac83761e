"""What the data stewards' pages (数据管理) share: the link's parameters, the steward's
name, the file picker and the decision form, and the pure helpers behind the pages
(file descriptions, problem tables, version differences, the calendar grid).

The stewards' pages do without the leaders' filters: the entry script calls
``begin(url)`` instead of ``filters.sidebar``, and each page keeps its own
parameters (a file id) in the URL with ``keep_params``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, filters, queries, uploads
from dashboard import format as fmt
from dashboard.i18n import enum, lang, t
from dashboard.tables import Col
from etl.kinds import KINDS, UNIT_TYPES
from etl.settings import WarehouseUnavailable

if TYPE_CHECKING:
    from etl.report import Problem, Report
    from etl.report_export import StoredFile

_URL_KEY = "_ducha_steward_url"
_NAME_KEY = "_ducha_steward_name"
_FLASH_KEY = "_ducha_steward_flash"
ACCEPTED = ("accepted", "accepted_with_warnings")
# Above this many problems the offline page is offered as a download only.
INLINE_PROBLEMS = 2_000
# Kinds reported per (unit, period): the ones with versions, locks and a calendar.
PERIODIC = tuple(name for name, kind in KINDS.items() if kind.sliced)

# ------------------------------------------------------------ page state --


def begin(url: str) -> None:
    """Remember the warehouse for the stewards' page about to run."""
    st.session_state[_URL_KEY] = url


def url() -> str:
    """The warehouse URL the entry script checked."""
    return st.session_state[_URL_KEY]


def keep_params(**values: object) -> None:
    """Put this page's parameters (and the language, unless Chinese) in the URL, nothing else."""
    filters.sync_query_params(
        {key: str(value) for key, value in values.items() if value is not None}
    )


def param_int(name: str) -> int | None:
    """An integer parameter of the link (``?file=12``), None when absent or not a number."""
    raw = st.query_params.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def flash(message: str) -> None:
    """A success message for the next run (after ``st.rerun``)."""
    st.session_state[_FLASH_KEY] = message


def show_flash() -> None:
    """Show and forget the message a previous run left."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def name_input(key: str) -> str:
    """The name that signs a decision: the signed-in person's, shown, never typed.

    The warehouse records their account beside it (``signed_by``) and refuses a
    decision signed by anyone but the person whose scope the transaction holds.
    """
    from dashboard.signin import PERSON_KEY

    person = st.session_state[PERSON_KEY]
    # Names are a person's own text: shown as is, never as Markdown.
    st.caption(
        t(
            "steward.signed_as",
            name=fmt.plain(person.display_name),
            account=fmt.plain(person.account),
        )
    )
    return person.display_name


def keep_valid(key: str, options: Sequence[object]) -> None:
    """Forget a picker's choice that is no longer among its options (its parent changed)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def remember_name(name: str) -> None:
    """The name that signed a decision or lock, for the session's other name fields."""
    version = st.session_state.get(_NAME_KEY, (0, ""))[0] + 1
    st.session_state[_NAME_KEY] = (version, name)


# ------------------------------------------------------- file descriptions --


def joined(items: Iterable[str]) -> str:
    """A list in words: 甲、乙 in Chinese, "a, b" in English."""
    return ("、" if lang() == "zh" else ", ").join(items)


def unit_names(register: pd.DataFrame) -> dict[str, str]:
    """unit_code -> unit_name of the unit register (queries.units)."""
    return dict(zip(register["unit_code"], register["unit_name"], strict=True))


def unit_label(code: str, names: dict[str, str], cut: Callable[[str], str] = str) -> str:
    """A unit by name and code: 芳草街道 (JD-FC); ``cut`` shortens the name."""
    return f"{cut(names.get(code) or code)} ({code})"


def covers_caption(file: pd.Series, names: dict[str, str]) -> None:
    """Under a file's heading: the units and periods it covers (nothing for none)."""
    if file["unit_codes"]:
        st.caption(
            t(
                "report.covers",
                units=fmt.plain(units_text(file["unit_codes"], names, file["unit_count"])),
                periods=fmt.plain(periods_text(file["periods"]) or fmt.MISSING),
            )
        )


def units_text(codes: Sequence[str], names: dict[str, str], count: int | None = None) -> str:
    """The units a file covers: one by name and code, a few by name, many abbreviated.

    ``codes`` may be the first few of ``count`` units (queries.files gives three).
    """
    count = len(codes) if count is None else count
    if count == 1 and codes:
        return unit_label(codes[0], names)
    if count <= 3:
        return joined([names.get(code, code) for code in codes])
    shown = joined([names.get(code, code) for code in codes[:2]])
    return f"{shown} {t('steward.more', count=count)}"


def periods_text(periods: Sequence[str]) -> str:
    """The periods a file covers, in words; a long run as its first and last."""
    labels = [fmt.period_label(period, lang()) for period in periods]
    if len(labels) <= 3:
        return joined(labels)
    return f"{t('steward.range', first=labels[0], last=labels[-1])} ({len(labels)})"


def describe_files(files: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The files with their units and periods in words, ready for a table."""
    names = unit_names(register)
    described = files.copy()
    described["units"] = [
        units_text(codes, names, count)
        for codes, count in zip(files["unit_codes"], files["unit_count"], strict=True)
    ]
    described["periods"] = files["periods"].map(periods_text)
    described["file_status"] = files["status"]
    return described


FILE_COLS = [
    Col("file_id", "int"),
    Col("file_name", "text"),
    Col("kind", "enum:kind"),
    Col("file_status", "enum:file_status"),
    Col("units", "text"),
    Col("periods", "text"),
    Col("received_at", "datetime"),
    Col("row_count", "int"),
    Col("error_count", "int"),
    Col("warning_count", "int"),
]


def file_label(row: pd.Series | dict) -> str:
    """A file in a picker: #12 employment_2006-Q4.xlsx（就业情况）.

    Only what never changes: the browser keeps a picker's choice by its label, so a
    label that changed under it (a status after a decision) would lose the choice.
    """
    return t(
        "steward.file",
        file_id=int(row["file_id"]),
        file_name=row["file_name"],
        kind=enum("kind", row["kind"]) or "?",
    )


def pick_file(
    files: pd.DataFrame, key: str, label: str, unknown: str | None = None
) -> pd.Series | None:
    """A file picker; with ``unknown`` (the label saying a linked file is not among
    the choices), it starts from the link's ``?file=`` and keeps the choice in the URL."""
    in_url = unknown is not None
    if files.empty:
        return None
    ids = [int(file_id) for file_id in files["file_id"]]
    if st.session_state.get(key) not in ids:
        wanted = param_int("file") if in_url else None
        if wanted is not None and wanted not in ids:
            st.warning(t(unknown, file_id=wanted))
        st.session_state[key] = wanted if wanted in ids else ids[0]
    # Labels are made now: Streamlit may call format_func outside this run.
    labels = {
        int(file_id): file_label({"file_id": file_id, "file_name": name, "kind": kind})
        for file_id, name, kind in zip(
            files["file_id"], files["file_name"], files["kind"], strict=True
        )
    }
    chosen = st.selectbox(label, ids, key=key, format_func=labels.__getitem__)
    if in_url:
        keep_params(file=chosen)
    return files.loc[files["file_id"] == chosen].iloc[0]


def report_link(file_id: int) -> None:
    """A link to one file's validation report."""
    st.page_link(
        "screens/steward_report.py",
        label=f"{t('steward.open_report')} #{file_id}",
        query_params={"file": str(file_id), **filters.lang_param()},
    )


def original_download(warehouse: str, file_id: int, key: str, where=st) -> None:
    """A download button for one file as its unit sent it (etl.keep), or why there is none."""
    kept = queries.original(warehouse, int(file_id))
    if kept is None:
        where.caption(t("original.not_kept"))
        return
    name, sha256, _size = kept
    where.download_button(
        t("original.download"),
        # Read from the warehouse only when the steward asks for it.
        data=lambda: queries.original_bytes(warehouse, sha256),
        file_name=name,
        mime="application/octet-stream",
        key=key,
        on_click="ignore",
    )


# ------------------------------------------------------------ decisions --


def decision_form(warehouse: str, file: pd.Series) -> None:
    """Approve or withdraw one accepted file; the steward's name is required."""
    file_id, approval = int(file["file_id"]), file["approval"]
    st.caption(t("decide.current", approval=enum("approval", approval)) + " " + t("decide.help"))
    with st.form(f"decide_{file_id}"):
        who = name_input("decide_name")
        reason = st.text_input(t("steward.reason"), key="decide_reason").strip()
        buttons = st.container(horizontal=True)
        approve = buttons.form_submit_button(
            t("decide.approve"),
            key="decide_approve",
            type="primary",
            disabled=approval == "approved",
        )
        reject = buttons.form_submit_button(
            t("decide.reject"), key="decide_reject", disabled=approval == "rejected"
        )
    if not (approve or reject):
        return
    if not who:
        st.error(t("steward.name_required"))
        return
    action = "approve" if approve else "reject"
    try:
        queries.decide(warehouse, file_id, action, who, reason)
    except (ValueError, WarehouseUnavailable) as exc:
        st.error(t("steward.failed", error=fmt.plain(exc)))
        return
    remember_name(who)
    done = "decide.approved" if approve else "decide.rejected"
    flash(t(done, file_id=file_id, file_name=fmt.plain(file["file_name"]), who=fmt.plain(who)))
    st.rerun()


DECISION_COLS = [
    Col("decided_at", "datetime"),
    Col("action", "enum:action"),
    Col("decided_by", "text"),
    Col("reason", "text"),
    Col("file_id", "int"),
    Col("file_name", "text"),
    Col("kind", "enum:kind"),
]


# ------------------------------------------------------ validation reports --


def problems_frame(problems: Iterable[Problem], column_label: Callable[[str | None], str]):
    """Problems as rows: the row as the user sees it, both column names, value, rule, messages."""
    frame = pd.DataFrame(
        [
            {
                "severity": problem.severity,
                "row_no": problem.row,
                "column_label": column_label(problem.column),
                "value": problem.value,
                "rule": problem.rule,
                "message_zh": problem.message_zh,
                "message_en": problem.message_en,
            }
            for problem in problems
        ],
        columns=[
            "severity",
            "row_no",
            "column_label",
            "value",
            "rule",
            "message_zh",
            "message_en",
        ],
    )
    frame["row_no"] = frame["row_no"].astype("Int64")
    return frame


PROBLEM_COLS = [
    Col("severity", "enum:severity"),
    Col("row_no", "int"),
    Col("column_label", "text"),
    Col("value", "text"),
    Col("rule", "text"),
    Col("message_zh", "text"),
    Col("message_en", "text"),
]


def expectations_frame(stored: StoredFile) -> pd.DataFrame:
    """The suite's results for one file: rule, expectation, column, result, counts."""
    from etl.report_export import expectation_meta, kwargs_text

    return pd.DataFrame(
        [
            {
                "expectation_result": "passed" if outcome.success else "failed",
                "rule": expectation_meta(stored, outcome).get("rule", ""),
                "expectation_type": outcome.expectation_type,
                "column_label": stored.column_label(outcome.column),
                "kwargs": kwargs_text(outcome.kwargs),
                "element_count": outcome.element_count,
                "unexpected_count": outcome.unexpected_count,
                "severity": outcome.severity,
            }
            for outcome in stored.expectations
        ],
        columns=[
            "expectation_result",
            "rule",
            "expectation_type",
            "column_label",
            "kwargs",
            "element_count",
            "unexpected_count",
            "severity",
        ],
    )


EXPECTATION_COLS = [
    Col("expectation_result", "enum:expectation_result"),
    Col("rule", "text"),
    Col("expectation_type", "text"),
    Col("column_label", "text"),
    Col("kwargs", "text"),
    Col("element_count", "int"),
    Col("unexpected_count", "int"),
    Col("severity", "enum:severity"),
]


def report_workbook(stored: StoredFile) -> bytes:
    """The file's report as the Excel workbook sent back to the unit (etl.report_export)."""
    from etl.report_export import write_report_workbook

    with tempfile.TemporaryDirectory(prefix="ducha-report-") as folder:
        path = write_report_workbook(stored, Path(folder) / "report.xlsx")
        return path.read_bytes()


def report_html(stored: StoredFile) -> str:
    """The file's offline validation page (etl.datadocs): inline CSS, no scripts, escaped text."""
    from etl.datadocs import render_stored_page

    return render_stored_page(stored)


def template_workbook(kind: str, unit_codes: Sequence[str]) -> bytes:
    """The blank Excel template of a kind, with the register's unit codes in its drop-downs."""
    from etl.templates import write_template

    with tempfile.TemporaryDirectory(prefix="ducha-template-") as folder:
        path = write_template(KINDS[kind], Path(folder) / f"{kind}.xlsx", unit_codes)
        return path.read_bytes()


def upload_summary(report: Report) -> tuple[str, str]:
    """One uploaded file's outcome as (level, sentence): level is success, warning or error."""
    if report.outcome == "duplicate":
        return "info", t(
            "upload.duplicate", file=fmt.plain(report.file_name), file_id=report.duplicate_of
        )
    refused = [p for p in report.problems if p.rule in uploads.REFUSALS]
    if report.file_id is None and refused:
        # Refused before loading (dashboard.uploads): the reason is the message.
        problem = refused[0]
        reason = problem.message_zh if lang() == "zh" else problem.message_en
        return "error", t(
            "upload.refused", file=fmt.plain(report.file_name), reason=fmt.plain(reason)
        )
    if report.outcome == "rejected":
        return "error", t(
            "upload.rejected", file=fmt.plain(report.file_name), errors=len(report.errors)
        )
    rows = fmt.count(report.row_count)
    if report.warnings:
        text = t(
            "upload.accepted_with_warnings",
            file=fmt.plain(report.file_name),
            rows=rows,
            warnings=len(report.warnings),
        )
    else:
        text = t("upload.accepted", file=fmt.plain(report.file_name), rows=rows)
    if report.approval == "pending":
        return "warning", f"{text} {t('upload.pending')}"
    return ("warning" if report.warnings else "success"), text


# ---------------------------------------------------------------- versions --


def versions_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per version (file) of a return, oldest first."""
    return (
        rows.groupby("file_id", sort=True)
        .agg(
            file_name=("file_name", "first"),
            received_at=("received_at", "first"),
            as_of=("as_of", "first"),
            approval=("approval", "first"),
            version_status=("version_status", "first"),
            row_count=("item_key", "size"),
        )
        .reset_index()
    )


def version_changes(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """What changed from each version of a return to the next: one row per figure.

    Rows are matched by their key within the return (area, program, target); a
    row only in the later version is "added", only in the earlier "removed",
    and a figure whose value differs is "changed" (old → new).
    """
    skip = {*KINDS[kind].version_key, KINDS[kind].item_column, "period", "unit_code", "as_of"}
    versions = []
    for file_id, version in rows.groupby("file_id", sort=True):
        label = f"#{file_id} {version['file_name'].iloc[0]}"
        figures = {
            key: dict(figs)
            for key, figs in zip(version["item_key"], version["figures"], strict=True)
        }
        versions.append((label, figures))
    changes = []
    for (before_label, before), (after_label, after) in pairwise(versions):
        for key in sorted(before.keys() | after.keys()):
            old, new = before.get(key), after.get(key)
            change = "changed" if old is not None and new is not None else "added"
            if new is None:
                change = "removed"
            names = [name for name in (new or old) if name not in skip]
            for name in names:
                old_value = None if old is None else old.get(name)
                new_value = None if new is None else new.get(name)
                if change == "changed" and _same(old_value, new_value):
                    continue
                changes.append(
                    {
                        "from_file": before_label,
                        "to_file": after_label,
                        "item_key": key,
                        "change": change,
                        "figure": name,
                        "old_value": _value_text(old_value),
                        "new_value": _value_text(new_value),
                    }
                )
    return pd.DataFrame(
        changes,
        columns=["from_file", "to_file", "item_key", "change", "figure", "old_value", "new_value"],
    )


def _same(old: object, new: object) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return old == new


def _value_text(value: object) -> str | None:
    """A figure as the return gave it: numbers with separators, text as is."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return fmt.number(value)
    return str(value)


# ---------------------------------------------------------------- calendar --

# The grid's statuses in legend order, with colours close to Streamlit's palette.
GRID_STATUSES = {
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "pending": "#1565c0",
    "withdrawn": "#7b1fa2",
    "missing": "#c62828",
    "not_due": "#bdbdbd",
}


def calendar_rates(calendar: pd.DataFrame) -> pd.DataFrame:
    """Per period, from the calendar's rows (queries.reporting_calendar): expected, received,
    on time, approved and pending returns, and DHIS2's reporting rates (received / expected,
    on time / expected), in time order."""
    flags = calendar.assign(
        expected=1,
        received=calendar["received"].fillna(False).astype(int),
        on_time=calendar["on_time"].fillna(False).astype(int),
        approved=calendar["approved"].fillna(False).astype(int),
        pending=(calendar["status"] == "pending").astype(int),
    )
    rates = (
        flags.groupby(["period_end", "period"], sort=True)
        .agg(
            report_due_on=("report_due_on", "min"),
            expected=("expected", "sum"),
            received=("received", "sum"),
            on_time=("on_time", "sum"),
            approved=("approved", "sum"),
            pending=("pending", "sum"),
        )
        .reset_index()
    )
    rates["reporting_rate"] = rates["received"] / rates["expected"]
    rates["on_time_report_rate"] = rates["on_time"] / rates["expected"]
    return rates


def grid_status(calendar: pd.DataFrame) -> pd.Series:
    """Each expected return's status for the grid: an approved one on time or late."""
    on_time = calendar["on_time"].fillna(False).astype(bool)
    approved = calendar["status"] == "approved"
    status = calendar["status"].copy()
    status[approved & on_time] = "on_time"
    status[approved & ~on_time] = "late"
    return status


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


def yes_no(values: pd.Series) -> pd.Series:
    """Booleans as the yes_no enum's codes (NULL stays empty)."""
    return values.map(lambda value: None if pd.isna(value) else ("yes" if value else "no"))
