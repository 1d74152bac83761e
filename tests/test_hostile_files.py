"""Hostile workbooks (issue 9): each is refused before a reader allocates for it.

Each workbook of the issue's table is built here, a few KB to 3 MB as a file:
its deflate stream is one block of the repeated content, flushed so that it can
be repeated byte for byte, so a part that inflates to 1.2 GB costs a second to
make. Each is pushed through the reader, `ducha ingest`, `ducha run --inbox`
and the dashboard's upload, and must be rejected with its own rule slug and the
limit named, in bounded memory and time, leaving the warehouse as it was.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import resource
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st

from etl.limits import Limits, setting_name
from etl.readers import open_return
from tests.apptest import texts
from tests.conftest import EXAMPLES
from tests.helpers import query, snapshot

GB = 1 << 30
DUCHA = Path(sys.executable).with_name("ducha")

# ------------------------------------------------------------ building --

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="units" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
# A units return's header and one good row, as inline strings.
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>unit_code</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>unit_name</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>unit_type</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>ZZ-01</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>测试单位</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>部门</t></is></c></row>'
)
SHARED_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@dataclass
class Part:
    """A zip entry: deflated bytes, their CRC-32 and inflated size (declared may differ)."""

    name: str
    deflated: bytes
    crc: int
    size: int
    declared: int | None = None


def part(name: str, *pieces: bytes | tuple[bytes, int]) -> Part:
    """A part made of pieces, each bytes or (bytes, times repeated), deflated cheaply.

    Each piece is compressed once and flushed (Z_FULL_FLUSH), which ends it on a
    byte boundary with no reference to what came before: the same compressed
    bytes can then be repeated to inflate to the piece repeated.
    """
    deflated, crc, size = [], 0, 0
    for piece in pieces:
        data, times = piece if isinstance(piece, tuple) else (piece, 1)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        deflated.append(block * times)
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
    deflated.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))
    return Part(name, b"".join(deflated), crc, size)


def write_zip(path: Path, parts: list[Part]) -> Path:
    """A zip (no zip64: every part under 4 GiB) whose entries may declare any size."""
    local, central = bytearray(), bytearray()
    for entry in parts:
        name = entry.name.encode()
        declared = entry.size if entry.declared is None else entry.declared
        fields = (8, 0, 0, entry.crc, len(entry.deflated), declared, len(name), 0)
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, len(local)
        )
        central += name
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields) + name + entry.deflated
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
    return path


def workbook(
    path: Path, *sheet: bytes | tuple[bytes, int], dimension: str = "A1:C2", shared=None, extra=()
) -> Path:
    """A units workbook: its header row, then the given sheet pieces; shared strings if given."""
    head = (SHEET_HEAD.format(dimension=dimension) + HEADER_ROW).encode()
    parts = [
        part("[Content_Types].xml", CONTENT_TYPES.encode()),
        part("_rels/.rels", ROOT_RELS.encode()),
        part("xl/workbook.xml", WORKBOOK.encode()),
        part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode()),
        part("xl/worksheets/sheet1.xml", head, *sheet, SHEET_TAIL.encode()),
        part("xl/sharedStrings.xml", *(shared or [SHARED_HEAD.encode() + b"</sst>"])),
        *extra,
    ]
    return write_zip(path, parts)


def bomb(path: Path) -> Path:
    """A sheet part that declares 20 KB in the zip but inflates to 1.2 GB."""
    made = workbook(path)
    parts = [
        part("[Content_Types].xml", CONTENT_TYPES.encode()),
        part("_rels/.rels", ROOT_RELS.encode()),
        part("xl/workbook.xml", WORKBOOK.encode()),
        part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode()),
    ]
    sheet = part(
        "xl/worksheets/sheet1.xml",
        (SHEET_HEAD.format(dimension="A1:C2") + HEADER_ROW).encode(),
        (b"<row/>" * 174763, 1144),  # 1.2 GB
        SHEET_TAIL.encode(),
    )
    sheet.declared = 20_000
    write_zip(made, [*parts, sheet])
    return made


MB = 1 << 20
HUNDRED_KB = 100 * 1024


@dataclass(frozen=True)
class Hostile:
    name: str
    build: object  # (Path) -> Path
    rule: str
    value: str  # as stored with the problem
    limit: str  # the limit's figure, as the message names it
    setting: str
    env: tuple[tuple[str, str], ...] = ()

    def expected_value(self, path: Path) -> str | None:
        """The value the problem must carry; None where only a lower bound is known."""
        if self.value.startswith("size of "):
            with zipfile.ZipFile(path) as archive:
                return str(archive.getinfo(self.value.removeprefix("size of ")).file_size)
        return self.value or None


HOSTILE = [
    # The table.
    Hostile(
        "far_cell_xfd1048576.xlsx",
        lambda p: workbook(
            p, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1"
        ),
        "too-many-columns",
        "16384",
        "512",
        "DUCHA_MAX_COLUMNS",
    ),
    Hostile(
        "far_cell_xfd3000.xlsx",
        lambda p: workbook(p, b'<row r="3000"><c r="XFD3000"><v>1</v></c></row>', dimension="A1"),
        "too-many-columns",
        "16384",
        "512",
        "DUCHA_MAX_COLUMNS",
    ),
    Hostile(
        "shared_strings_1_2gb.xlsx",
        lambda p: workbook(
            p,
            shared=[
                SHARED_HEAD.encode(),
                (b"<si><t>ab</t></si>" * 58254, 1200),
                b"</sst>",
            ],
        ),
        "part-too-large",
        "size of xl/sharedStrings.xml",
        "268,435,456",
        "DUCHA_MAX_PART_BYTES",
    ),
    Hostile(
        "blank_rows_1_2gb.xlsx",
        lambda p: workbook(p, (b"<row/>" * 174763, 1200)),
        "sheet-too-large",
        "size of xl/worksheets/sheet1.xml",
        "1,073,741,824",
        "DUCHA_MAX_SHEET_BYTES",
    ),
    Hostile(
        "one_cell_1_2gb.xlsx",
        lambda p: workbook(
            p,
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>',
            (b"x" * MB, 1200),
            b"</t></is></c></row>",
        ),
        "sheet-too-large",
        "size of xl/worksheets/sheet1.xml",
        "1,073,741,824",
        "DUCHA_MAX_SHEET_BYTES",
    ),
    # What the scan finds below the size limits.
    Hostile(
        "blank_rows_100mb.xlsx",
        lambda p: workbook(p, (b"<row/>" * 174763, 100)),
        "too-many-rows",
        "",  # more than the limit: where the scan stopped counting
        "1,048,576",
        "DUCHA_MAX_ROWS",
    ),
    Hostile(
        "long_cell.xlsx",
        lambda p: workbook(
            p,
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>',
            "长".encode() * 40_000,
            b"</t></is></c></row>",
        ),
        "cell-too-long",
        "40000",
        "32,767",
        "DUCHA_MAX_CELL_CHARS",
    ),
    Hostile(
        "lying_dimension.xlsx",
        lambda p: workbook(p, dimension="A1:XFD1048576"),
        "dimension-too-large",
        "A1:XFD1048576",
        "512",
        "DUCHA_MAX_COLUMNS",
    ),
    Hostile(
        "far_row.xlsx",  # a cell whose own reference is far, in a <row> that says row 3
        lambda p: workbook(p, b'<row r="3"><c r="A2000000"><v>1</v></c></row>'),
        "too-many-rows",
        "2000000",
        "1,048,576",
        "DUCHA_MAX_ROWS",
    ),
    Hostile(
        "zip_bomb_part.xlsx",
        bomb,
        "workbook-damaged",
        "xl/worksheets/sheet1.xml",
        "",
        "",
    ),
    Hostile(
        "many_shared_strings.xlsx",
        lambda p: workbook(p, shared=[SHARED_HEAD.encode(), (b"<si/>" * 100_000, 41), b"</sst>"]),
        "too-many-shared-strings",
        "",
        "4,000,000",
        "DUCHA_MAX_SHARED_STRINGS",
    ),
    Hostile(
        "many_cells.xlsx",  # under a limit lowered through the environment
        lambda p: workbook(
            p, *[f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>'.encode() for r in range(3, 2003)]
        ),
        "too-many-cells",
        "",
        "1,000",
        "DUCHA_MAX_CELLS",
        env=(("DUCHA_MAX_CELLS", "1000"),),
    ),
]
IDS = [hostile.name for hostile in HOSTILE]


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    """Built once for all test workers (beside their own temporary folders), under a lock."""
    folder = tmp_path_factory.getbasetemp().parent / "hostile-workbooks"
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for hostile in HOSTILE:
            if not (folder / hostile.name).exists():
                hostile.build(folder / "building.xlsx").rename(folder / hostile.name)
    return {hostile.name: folder / hostile.name for hostile in HOSTILE}


def valid_units(path: Path) -> Path:
    """The same units header and row, as a workbook that must load."""
    return workbook(path)


# ------------------------------------------------------------- the reader --


def test_the_files_are_small(hostile_files):
    for name, path in hostile_files.items():
        assert path.stat().st_size < 3 * MB, name


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_reader_rejects_before_reading(hostile, hostile_files, monkeypatch):
    for key, value in hostile.env:
        monkeypatch.setenv(key, value)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader = open_return(hostile_files[hostile.name])
    took = time.perf_counter() - start
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert [problem.rule for problem in reader.problems] == [hostile.rule]
    problem = reader.problems[0]
    expected = hostile.expected_value(hostile_files[hostile.name])
    if expected is not None:
        assert problem.value == expected
    else:  # counted until the scan passed the limit
        assert int(problem.value) > int(hostile.limit.replace(",", ""))
    if hostile.setting:
        assert (
            f"上限 {hostile.limit} " in problem.message_zh and hostile.setting in problem.message_zh
        )
        assert (
            f"limit of {hostile.limit} " in problem.message_en
            and hostile.setting in problem.message_en
        )
    assert reader.kind is None and list(reader.rows()) == []
    assert took < 60 and grown_kb < 256 * 1024, (took, grown_kb)


def test_messages_name_the_limit_the_value_and_the_fix(hostile_files):
    reader = open_return(hostile_files["far_cell_xfd1048576.xlsx"])
    assert reader.problems[0].message_zh == (
        "工作表「xl/worksheets/sheet1.xml」有单元格位于 XFD 列（第 16,384 列），"
        "超过上限 512 列（设置项 DUCHA_MAX_COLUMNS）；请在 Excel 或 WPS 中删除数据区以外的行、列和内容"
        "（或只把数据复制到新工作簿），另存后再提交"
    )
    assert reader.problems[0].message_en == (
        'the sheet "xl/worksheets/sheet1.xml" has a cell in column XFD (column 16,384),'
        " over the limit of 512 columns (DUCHA_MAX_COLUMNS); delete the rows, columns and"
        " contents outside the data (or copy only the data into a new workbook), save it and"
        " submit it again"
    )
    reader = open_return(hostile_files["zip_bomb_part.xlsx"])
    assert reader.problems[0].message_en == (
        'the workbook is damaged: its part "xl/worksheets/sheet1.xml" does not inflate to its'
        " recorded size and checksum; open it in Excel or WPS, save it again and submit it"
    )


def test_a_good_workbook_built_the_same_way_loads(tmp_path):
    reader = open_return(valid_units(tmp_path / "units.xlsx"))
    assert reader.problems == []
    # The unit register's optional 联系邮箱 (email) column is absent: None.
    assert list(reader.rows()) == [(2, ("ZZ-01", "测试单位", "department", None))]


def test_limits_are_settings(tmp_path, monkeypatch):
    path = workbook(tmp_path / "wide.xlsx", b'<row r="3"><c r="F3"><v>1</v></c></row>')
    assert open_return(path).problems == []
    monkeypatch.setenv("DUCHA_MAX_COLUMNS", "5")
    assert [p.rule for p in open_return(path).problems] == ["too-many-columns"]
    monkeypatch.setenv("DUCHA_MAX_COLUMNS", "lots")
    with pytest.raises(ValueError, match="DUCHA_MAX_COLUMNS must be a whole number"):
        Limits.from_env()


def test_cells_without_references_count_where_they_land(tmp_path, monkeypatch):
    monkeypatch.setenv("DUCHA_MAX_COLUMNS", "5")
    six = b"<row>" + b"<c><v>1</v></c>" * 6 + b"</row>"
    path = workbook(tmp_path / "refless.xlsx", six)
    # An upper bound, as the scan does not follow each row: the farthest referenced
    # column (C, of the header) plus the most cells placed without a reference (6).
    assert [(p.rule, p.value) for p in open_return(path).problems] == [("too-many-columns", "9")]
    monkeypatch.setenv("DUCHA_MAX_ROWS", "4")
    rows = workbook(tmp_path / "refless_rows.xlsx", b"<row/><row/><row/>")
    assert [(p.rule, p.value) for p in open_return(rows).problems] == [("too-many-rows", "5")]


def test_prefixed_tags_are_counted_too(tmp_path, monkeypatch):
    monkeypatch.setenv("DUCHA_MAX_COLUMNS", "5")
    hidden = b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="3"><x:c r="Z3"><x:v>1</x:v></x:c></x:row>'
    path = workbook(tmp_path / "prefixed.xlsx", hidden)
    assert [(p.rule, p.value) for p in open_return(path).problems] == [("too-many-columns", "26")]


# ------------------------------------------------------- through `ducha` --


def run_ducha(
    url: str, *argv: object, env: dict[str, str] | None = None
) -> tuple[int, str, float, int]:
    """Run the installed `ducha`; its exit code, stderr, seconds and peak RSS in bytes."""
    environ = {**os.environ, "DATABASE_URL": url, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(DUCHA), *map(str, argv)], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # wait4 gives this child's own rusage; the pipes are small enough not to fill.
    _, status, usage = os.wait4(process.pid, 0)
    took = time.perf_counter() - start
    err = process.stderr.read().decode()
    process.stdout.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, err, took, usage.ru_maxrss * 1024


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_ducha_ingest_rejects(hostile, hostile_files, warehouse):
    before = snapshot(warehouse)
    files_before = query(warehouse, "select count(*) from ingest.files")[0][0]
    code, err, took, peak = run_ducha(
        warehouse,
        "ingest",
        hostile_files[hostile.name],
        "--as-of",
        "2006-12-31",
        env=dict(hostile.env),
    )
    assert code == 1, err
    assert hostile.rule in err and "Traceback" not in err
    if hostile.setting:
        assert hostile.setting in err
    assert took < 60 and peak < GB, (took, peak)
    assert snapshot(warehouse) == before
    assert query(
        warehouse,
        "select f.file_name, f.outcome, p.rule from ingest.files f join ingest.problems p using (file_id)"
        " where f.file_id = (select max(file_id) from ingest.files)",
    ) == [(hostile.name, "rejected", hostile.rule)]
    assert query(warehouse, "select count(*) from ingest.files")[0][0] == files_before + 1


def test_ducha_run_loads_the_good_and_rejects_each_hostile(hostile_files, warehouse, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    valid = sorted(path.name for path in inbox.iterdir())
    hostile = [h for h in HOSTILE if not h.env]
    for item in hostile:
        shutil.copy(hostile_files[item.name], inbox / item.name)
    code, err, took, peak = run_ducha(warehouse, "run", "--inbox", inbox, "--as-of", "2006-12-31")
    assert code == 1, err
    assert "Traceback" not in err
    assert took < 60 * 3 and peak < GB, (took, peak)
    assert sorted(path.name for path in (inbox / "processed").iterdir()) == valid
    rejected = sorted(path.name for path in (inbox / "rejected").iterdir())
    assert rejected == sorted(
        name
        for item in hostile
        for name in (item.name, f"{item.name}.report.txt", f"{item.name}.report.xlsx")
    )
    for item in hostile:
        report = (inbox / "rejected" / f"{item.name}.report.txt").read_text(encoding="utf-8")
        assert item.rule in report, item.name
    outcomes = query(
        warehouse,
        "select file_name, outcome in ('accepted', 'accepted_with_warnings') from ingest.files",
    )
    assert sorted(outcomes) == sorted(
        [(name, True) for name in valid] + [(item.name, False) for item in hostile]
    )
    assert query(warehouse, "select status, files_rejected from ingest.runs") == [
        ("rejected_files", len(hostile))
    ]


# ---------------------------------------------------------- the upload page --


@pytest.fixture
def blank_copy(warehouse):
    yield warehouse
    st.cache_data.clear()


def test_upload_rejects_each_and_the_server_answers(
    hostile_files, blank_copy, monkeypatch, tmp_path
):
    from tests.test_dashboard_steward import open_page

    hostile = [h for h in HOSTILE if not h.env]
    good = valid_units(tmp_path / "units.xlsx")
    at = open_page(monkeypatch, blank_copy, "upload", timeout=120)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader[0].set_value(
        [(good.name, good.read_bytes(), xlsx)]
        + [(item.name, hostile_files[item.name].read_bytes(), xlsx) for item in hostile]
    )
    start = time.perf_counter()
    at.button(key="upload_submit").click().run()
    took = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    assert took < 60 * 2, took
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < GB
    errors = texts(at.error)
    for item in hostile:
        assert f"{item.name}：已拒收" in errors, item.name
    assert "units.xlsx：已接收" in texts(at.success)
    stored = query(
        blank_copy,
        "select f.file_name, p.rule from ingest.files f join ingest.problems p using (file_id)"
        " where f.outcome = 'rejected' order by 1",
    )
    assert stored == sorted((item.name, item.rule) for item in hostile)
    assert query(blank_copy, "select unit_code from core.units") == [("ZZ-01",)]
    # The server still answers: the page draws again, and another page too.
    at.run()
    assert not at.exception
    at.switch_page("screens/steward_runs.py").run()
    assert not at.exception


def test_every_limit_is_documented_with_its_default():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for item in dataclasses.fields(Limits):
        name = setting_name(item.name)
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), "")
        assert row, name
        default = item.default
        shown = f"{default >> 30} GiB" if default >= 1 << 30 else f"{default >> 20} MiB"
        assert f"{default:,}" in row or shown in row, (name, row)
