"""Every page, export and drill-through, as a person of some units: nothing of any other
unit reaches them (issue 10).

The person's pages are run in AppTest. Everything they could read is collected: every
table handed to ``tables.show`` (what is on screen and what its CSV and Excel downloads
are written from), the bytes of every download button (CSV, Excel, reports, files as
sent), every drill-through switched on, every option of every select box and every
chart's data. That is checked against what the warehouse holds for the other units,
read with the owner's connection (no policy in the way): no code, name, area, target
or 督办事项 of another unit may appear. The same pages must show the person's own rows,
so the check is not passed by an empty page.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager

from dashboard import tables
from etl.accounts import Person
from tests.apptest import start_app
from tests.conftest import create_database, drop_database
from tests.helpers import query

STREET = Person("rep-sy", "石羊填报", ("reporter",), ("JD-SY",))  # 石羊街道: employment, aid
OFFICE = Person("rep-aj", "安监填报", ("reporter",), ("BM-AJ",))  # a department: targets, items
STEWARD_OF_ONE = Person("keeper-sy", "石羊管理", ("steward",), ("JD-SY",))

REPORTER_PAGES = [
    "overview",
    "targets",
    "employment",
    "disability_aid",
    "supervision",
    "bulletins",
    "steward_inbox",
    "steward_report",
    "steward_upload",
]
STEWARD_PAGES = [
    "steward_inbox",
    "steward_report",
    "steward_approval",
    "steward_versions",
    "steward_calendar",
    "steward_runs",
]


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_scope_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)
    st.cache_data.clear()


@dataclass
class Others:
    """What the warehouse holds of every unit but the person's (the owner's reading)."""

    codes: set[str]
    names: set[str]
    exact: set[str]  # areas, target codes and names, item codes and titles

    @classmethod
    def of(cls, url: str, units: tuple[str, ...]) -> Others:
        units = list(units)

        def column(statement: str) -> set[str]:
            return {row[0] for row in query(url, statement, (units,)) if row[0]}

        codes = column("select unit_code from core.units where not unit_code = any(%s)")
        names = column("select unit_name from core.units where not unit_code = any(%s)")
        names -= column("select unit_name from core.units where unit_code = any(%s)")
        exact = set()
        for relation, columns in (
            ("mart.employment", ("area_name",)),
            ("core.targets", ("target_code", "target_name")),
            ("mart.supervision_items", ("item_code", "title")),
        ):
            for name in columns:
                theirs = column(f"select {name} from {relation} where not unit_code = any(%s)")
                mine = column(f"select {name} from {relation} where unit_code = any(%s)")
                exact |= theirs - mine
        return cls(codes, names, exact)

    def found_in(self, strings: set[str]) -> set[str]:
        """The strings that name another unit or one of its rows."""
        found = {s for s in strings if s in self.exact}
        for text in strings:
            for code in self.codes:
                if re.search(rf"(?<![A-Z0-9-]){re.escape(code)}(?![A-Z0-9-])", text):
                    found.add(text)
            found |= {text for name in self.names if name in text}
        return found


@dataclass
class Seen:
    """Everything a page handed to the person."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    drills: list[str] = field(default_factory=list)
    downloads: list[tuple[str, object]] = field(default_factory=list)

    def strings(self, at) -> set[str]:
        found: set[str] = set()
        for frame in self.frames:
            found |= _cells(frame)
        for name, data in self.downloads:
            found |= _download_strings(name, data() if callable(data) else data)
        for widget in (*at.selectbox, *at.multiselect, *at.radio):
            found |= {str(option) for option in widget.options}
        for chart in at.get("plotly_chart"):
            found |= _json_strings(json.loads(chart.proto.spec))
        return found


def _cells(frame: pd.DataFrame) -> set[str]:
    values = set()
    for name in frame.columns:
        values |= {str(v) for v in frame[name].dropna().tolist() if not isinstance(v, float)}
        values.add(str(name))
    return values


def _json_strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_json_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_json_strings(v) for v in value)) if value else set()
    return set()


def _download_strings(name: str, data: object) -> set[str]:
    """The cells of a CSV or Excel download, read back independently; other files'
    bytes as text (reports, files as sent)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    lower = (name or "").lower()
    if lower.endswith(".xlsx") or raw[:2] == b"PK":
        try:
            sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, dtype=str)
        except Exception:  # a workbook as sent that is not a table: its text will do
            return {raw.decode("utf-8", "replace")}
        return set().union(*(_cells(sheet) for sheet in sheets.values())) if sheets else set()
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return _cells(pd.read_csv(io.BytesIO(raw), dtype=str, encoding=encoding))
            except (UnicodeDecodeError, pd.errors.ParserError):
                continue
    return {raw.decode("utf-8", "replace")}


@pytest.fixture
def seen(monkeypatch) -> Seen:
    """Record every table, drill-through and download the pages make."""
    record = Seen()
    show = tables.show

    def recording_show(frame, cols, key, title, drill=None):
        record.frames.append(frame.copy())
        if drill is not None:
            record.drills.append(key)
            record.frames.append(drill.rows.copy())
        return show(frame, cols, key, title, drill)

    monkeypatch.setattr(tables, "show", recording_show)
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, data, mimetype, coordinates, file_name=None, *args, **kwargs):
        if file_name is not None:  # a download, not an image
            record.downloads.append((file_name, data))
        return add(self, data, mimetype, coordinates, file_name, *args, **kwargs)

    def recording_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        record.downloads.append((file_name or "", data_callable))
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_deferred)
    return record


def open_as(monkeypatch, url: str, person: Person, page: str, params=None):
    at = start_app(monkeypatch, url, params, person=person, timeout=60)
    at.switch_page(f"screens/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def drill_everything(at, seen: Seen):
    """Switch on every drill-through the page offers, and every toggle of the page."""
    toggles = [w for w in at.toggle if w.key and w.key != "bul_render"]
    for toggle in toggles:
        toggle.set_value(True)
    if toggles:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


CASES = (
    [(STREET, page) for page in REPORTER_PAGES]
    + [(OFFICE, page) for page in REPORTER_PAGES]
    + [(STEWARD_OF_ONE, page) for page in STEWARD_PAGES]
)


@pytest.mark.parametrize(
    ("person", "page"), CASES, ids=[f"{p.account}-{page}" for p, page in CASES]
)
def test_a_person_of_some_units_sees_nothing_of_the_others(monkeypatch, demo, seen, person, page):
    others = Others.of(demo, person.units)
    assert others.codes and others.names and others.exact  # something to hide
    at = drill_everything(open_as(monkeypatch, demo, person, page), seen)
    strings = seen.strings(at)
    assert others.found_in(strings) == set()


def _own_strings(url: str, units: tuple[str, ...]) -> set[str]:
    own = set(units)
    for relation, name in (
        ("mart.employment", "area_name"),
        ("core.targets", "target_code"),
        ("mart.supervision_items", "item_code"),
        ("mart.disability_aid", "program"),
    ):
        own |= {
            r[0]
            for r in query(
                url, f"select {name} from {relation} where unit_code = any(%s)", (list(units),)
            )
        }
    return own


@pytest.mark.parametrize(
    ("person", "page", "table_count"),
    [
        (STREET, "employment", 2),
        (STREET, "disability_aid", 2),
        (OFFICE, "targets", 2),
        (OFFICE, "supervision", 2),
    ],
)
def test_the_same_pages_show_the_persons_own_rows(
    monkeypatch, demo, seen, person, page, table_count
):
    """The check above is not passed by an empty page: their own rows are there."""
    at = drill_everything(open_as(monkeypatch, demo, person, page), seen)
    strings = set().union(*(_cells(frame) for frame in seen.frames))
    assert person.units[0] in strings
    own = _own_strings(demo, person.units)
    assert len(own & strings) >= table_count, (own, strings)
    assert seen.drills, "the page offers no drill-through"
    assert seen.downloads
    assert not at.exception


def test_a_file_of_other_units_only_cannot_be_opened_by_its_number(monkeypatch, demo, seen):
    """The report page asked, through its link, for a file that covers none of the
    person's units: nothing of it is shown or offered for download."""
    [(file_id,)] = query(
        demo,
        "select file_id from ingest.file_coverage where not ('BM-AJ' = any(unit_codes))"
        " and unit_codes <> '{}' order by file_id limit 1",
    )
    name = query(demo, "select file_name from ingest.files where file_id = %s", (file_id,))[0][0]
    at = open_as(monkeypatch, demo, OFFICE, "steward_report", {"file": str(file_id)})
    strings = seen.strings(at)
    assert Others.of(demo, OFFICE.units).found_in(strings) == set()
    shown = " ".join(e.value for e in (*at.caption, *at.markdown, *at.info, *at.warning))
    assert f"#{file_id}" not in shown or name not in shown
    assert not any(n.endswith(name) for n, _ in seen.downloads)


def test_the_warehouse_gives_a_file_as_sent_only_to_who_sees_all_its_units(demo):
    """The attacker's side of the downloads: plain SQL as the dashboard role."""
    from etl.accounts import set_scope
    from tests.test_access import as_dashboard

    [(sha256, units)] = query(
        demo,
        "select files.sha256, coverage.unit_codes from ingest.files as files"
        " join ingest.file_coverage as coverage using (file_id)"
        " where 'JD-SY' = any(coverage.unit_codes) and cardinality(coverage.unit_codes) > 1"
        " order by files.file_id limit 1",
    )
    assert (
        query(demo, "select count(*) from ingest.kept_chunks where sha256 = %s", (sha256,))[0][0]
        > 0
    )
    every_unit = Person("keeper-all", "全部", ("steward",), ())
    all_of_them = Person("keeper-these", "这些", ("steward",), tuple(units))
    for person, expected in ((STREET, 0), (STEWARD_OF_ONE, 0), (every_unit, 1), (all_of_them, 1)):
        with as_dashboard(demo) as conn, conn.transaction():
            set_scope(conn, person)
            got = conn.execute(
                "select count(*) from ingest.kept_files where sha256 = %s", (sha256,)
            ).fetchone()[0]
            chunks = conn.execute(
                "select count(*) > 0 from ingest.kept_chunks where sha256 = %s", (sha256,)
            ).fetchone()[0]
        assert (got, chunks) == (expected, bool(expected)), person
