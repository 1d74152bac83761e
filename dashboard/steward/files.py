"""Files as the stewards' pages show them: their units and periods in words, the file
picker, the link to a file's report and the download of the file as sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pandas as pd
import streamlit as st

from dashboard import filters, queries
from dashboard import format as fmt
from dashboard.i18n import enum, lang, t
from dashboard.steward.state import keep_params, param_int
from dashboard.tables import Col
from etl.kinds import KINDS

ACCEPTED = ("accepted", "accepted_with_warnings")
# Kinds reported per (unit, period): the ones with versions, locks and a calendar.
PERIODIC = tuple(name for name, kind in KINDS.items() if kind.sliced)


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
