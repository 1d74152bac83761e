"""Reading returns: formats, encodings, headers, cell forms and every class of bad input."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from etl import readers
from etl.kinds import KINDS, Column
from etl.readers import open_return
from tests.conftest import EXAMPLES

# One valid row of each kind, by English column name.
VALID = {
    "units": {"unit_code": "JD-SY", "unit_name": "石羊街道", "unit_type": "subdistrict"},
    "targets": {
        "year": "2006",
        "target_code": "T-001",
        "target_name": "全社会固定资产投资",
        "source": "city",
        "unit_code": "BM-CZ",
        "measure": "亿元",
        "planned_value": "180",
        "direction": "higher",
        "weight": "8",
    },
    "target_progress": {
        "period": "2006-06",
        "unit_code": "BM-CZ",
        "target_code": "T-001",
        "actual_value": "95.5",
        "note": "",
    },
    "employment": {
        "period": "2006-Q2",
        "unit_code": "JD-SY",
        "area_name": "石羊场社区",
        "labor_force": "620",
        "employed": "588",
        "zero_employment_households": "1",
        "aid_referrals": "9",
        "aid_placements": "8",
    },
    "disability_aid": {
        "period": "2006-05",
        "unit_code": "JD-SY",
        "program": "特困生活补助",
        "households": "40",
        "person_times": "42",
        "standard_yuan": "100",
        "amount_yuan": "4200",
    },
    "supervision": {
        "item_code": "S-2006-001",
        "source": "city",
        "title": "天府软件园整改",
        "unit_code": "BM-CZ",
        "registered_on": "2006-03-02",
        "due_on": "2006-04-30",
        "closed_on": "",
        "satisfaction": "",
    },
}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_of(header: list[str], *rows: list[str]) -> str:
    return "\r\n".join(",".join(cells) for cells in [header, *rows]) + "\r\n"


def read(path: Path, kind: str | None = None) -> tuple[list, list, list]:
    """(rows, error flats, warning flats) of a file."""
    reader = open_return(path, kind)
    rows = list(reader.rows())
    errors = [p.flat() for p in reader.problems if p.severity == "error"]
    warnings = [p.flat() for p in reader.problems if p.severity == "warning"]
    return rows, errors, warnings


def one_cell(tmp_path: Path, kind: str, column: str, cell: str) -> tuple[object, list]:
    """The typed value of ``cell`` in a otherwise valid one-row CSV, and the error flats."""
    row = dict(VALID[kind], **{column: cell})
    text = csv_of(list(row), ['"' + v.replace('"', '""') + '"' for v in row.values()])
    rows, errors, _ = read(write(tmp_path / "one.csv", text), kind)
    assert len(rows) == 1
    return rows[0][1][KINDS[kind].column_names.index(column)], errors


EXAMPLE_KINDS = [
    ("units.csv", "units", 3),
    ("targets.csv", "targets", 2),
    ("target_progress_2006-06.csv", "target_progress", 2),
    ("employment_2006-Q2.xlsx", "employment", 1),
    ("disability_aid_2006-05.csv", "disability_aid", 2),
    ("supervision_2006.csv", "supervision", 2),
]


@pytest.mark.parametrize(("name", "kind", "count"), EXAMPLE_KINDS)
def test_examples_read_with_their_kind_and_no_errors(name: str, kind: str, count: int) -> None:
    reader = open_return(EXAMPLES / name)
    rows = list(reader.rows())
    assert reader.kind is not None and reader.kind.name == kind
    assert [p for p in reader.problems if p.severity == "error"] == []
    assert [row_no for row_no, _ in rows] == list(range(2, 2 + count))
    assert all(len(values) == len(reader.kind.columns) for _, values in rows)


def test_example_values_are_typed() -> None:
    rows = list(open_return(EXAMPLES / "disability_aid_2006-05.csv").rows())
    assert rows[0] == (
        2,
        ("2006-05", "JD-SY", "特困生活补助", 40, 42, Decimal("100"), Decimal("4200.00")),
    )
    supervision = list(open_return(EXAMPLES / "supervision_2006.csv").rows())
    assert supervision[1][1][:5] == (
        "S-2006-002",
        "cppcc",
        "关于改善园区交通的提案",
        "JD-SY",
        date(2006, 5, 8),
    )


UNITS_TEXT = csv_of(
    ["单位代码", "单位名称", "单位类别"],
    ["JD-SY", "石羊街道", "街道"],
    ["BM-CZ", "财政局", "department"],
)
# The files have no 联系邮箱 (email) column: it is optional, so read as None.
UNITS_ROWS = [
    (2, ("JD-SY", "石羊街道", "subdistrict", None)),
    (3, ("BM-CZ", "财政局", "department", None)),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = UNITS_TEXT.replace(",", "\t") if encoding == "utf-16" else UNITS_TEXT
    rows, errors, warnings = read(write(tmp_path / "u.csv", text, encoding))
    assert (rows, errors, warnings) == (UNITS_ROWS, [], [])


def test_gb18030_after_64kb_of_ascii(tmp_path: Path) -> None:
    """The encoding is settled at the first non-ASCII line, however late it comes."""
    filler = [[f"U-{n:05d}", f"unit {n}", "department"] for n in range(4000)]
    text = csv_of(["unit_code", "unit_name", "unit_type"], *filler, ["JD-SY", "石羊街道", "街道"])
    assert len(text) > readers.SNIFF_BYTES
    rows, errors, _ = read(write(tmp_path / "u.csv", text, "gb18030"))
    assert errors == []
    assert rows[-1] == (4002, ("JD-SY", "石羊街道", "subdistrict", None))


@pytest.mark.parametrize(
    "header",
    [
        ["unit_type", "unit_code", "unit_name"],
        ["单位类别", "单位名称", "单位代码"],
        ["Unit_Type", " unit_name ", "单位代码"],
        ["单位类别", "ｕｎｉｔ＿ｎａｍｅ", "单位代码　"],  # full-width header, ideographic space
    ],
)
def test_headers_in_any_language_and_order(tmp_path: Path, header: list[str]) -> None:
    cells = {"unit_code": "JD-SY", "unit_name": "石羊街道", "unit_type": "街道"}
    by_key = {readers.header_key(name): value for name, value in cells.items()}
    by_key |= {
        readers.header_key(c.zh): cells[c.name] for c in KINDS["units"].columns if c.name in cells
    }
    row = [by_key[readers.header_key(h)] for h in header]
    reader = open_return(write(tmp_path / "u.csv", csv_of(header, row)))
    assert reader.kind is not None and reader.kind.name == "units"
    assert list(reader.rows()) == [(2, ("JD-SY", "石羊街道", "subdistrict", None))]
    assert reader.headers["unit_code"] in [h.strip() for h in header]
    assert reader.problems == []


@pytest.mark.parametrize(
    ("kind", "column", "cell", "value"),
    [
        # text: trimmed, full-width folded, empty -> None
        ("units", "unit_code", "  JD-SY ", "JD-SY"),
        ("units", "unit_code", "ＪＤ－ＳＹ", "JD-SY"),
        ("target_progress", "note", "　", None),
        ("units", "unit_name", "石羊街道", "石羊街道"),
        # enum: Chinese label or code, any case for codes; unknown passes through
        ("units", "unit_type", "街道", "subdistrict"),
        ("units", "unit_type", "SubDistrict", "subdistrict"),
        ("units", "unit_type", "直属单位", "affiliated"),
        ("units", "unit_type", "城区", "城区"),
        ("targets", "direction", "越低越好", "lower"),
        ("targets", "direction", "", "higher"),  # the column's default
        ("supervision", "satisfaction", "基本满意", "basically"),
        ("supervision", "satisfaction", "", None),
        # int
        ("employment", "labor_force", "620", 620),
        ("employment", "labor_force", "1,234", 1234),
        ("employment", "labor_force", "６２０", 620),
        ("employment", "labor_force", "620.0", 620),
        ("employment", "labor_force", "1e3", 1000),
        ("employment", "labor_force", "", None),
        ("targets", "year", "2006", 2006),
        # number
        ("target_progress", "actual_value", "95.5", Decimal("95.5")),
        ("disability_aid", "amount_yuan", "4,200.00", Decimal("4200.00")),
        ("disability_aid", "amount_yuan", "1,234,567.8", Decimal("1234567.8")),
        ("disability_aid", "amount_yuan", "１，２３４．５", Decimal("1234.5")),
        ("disability_aid", "amount_yuan", "1e5", Decimal("1e5")),
        ("disability_aid", "amount_yuan", "-3.5", Decimal("-3.5")),
        ("disability_aid", "amount_yuan", ".5", Decimal("0.5")),
        ("disability_aid", "standard_yuan", "", None),
        # date
        ("supervision", "registered_on", "2006-03-02", date(2006, 3, 2)),
        ("supervision", "registered_on", "2006/3/2", date(2006, 3, 2)),
        ("supervision", "registered_on", "2006年3月2日", date(2006, 3, 2)),
        ("supervision", "registered_on", "２００６－０３－０２", date(2006, 3, 2)),
        ("supervision", "registered_on", "2006/3/2 0:00", date(2006, 3, 2)),
        ("supervision", "registered_on", "2006-03-02 14:30:00", date(2006, 3, 2)),
        ("supervision", "registered_on", "20060302", date(2006, 3, 2)),
        ("supervision", "registered_on", "38778", date(2006, 3, 2)),  # an Excel serial
        ("supervision", "closed_on", "", None),
        # period
        ("target_progress", "period", "2006-06", "2006-06"),
        ("target_progress", "period", "2006-6", "2006-06"),
        ("target_progress", "period", "2006/06", "2006-06"),
        ("target_progress", "period", "2006.6", "2006-06"),
        ("target_progress", "period", "2006年6月", "2006-06"),
        ("target_progress", "period", "200606", "2006-06"),
        ("target_progress", "period", "2006/6/1", "2006-06"),
        ("target_progress", "period", "2006-Q2", "2006-Q2"),
        ("target_progress", "period", "2006Q2", "2006-Q2"),
        ("target_progress", "period", "2006-q2", "2006-Q2"),
        ("target_progress", "period", "2006年第2季度", "2006-Q2"),
        ("target_progress", "period", "2006年第二季度", "2006-Q2"),
        ("target_progress", "period", "2006", "2006"),
        ("target_progress", "period", "2006年", "2006"),
        ("target_progress", "period", "２００６－Ｑ２", "2006-Q2"),
    ],
)
def test_cell_forms(tmp_path: Path, kind: str, column: str, cell: str, value: object) -> None:
    assert one_cell(tmp_path, kind, column, cell) == (value, [])


@pytest.mark.parametrize(
    ("kind", "column", "cell", "rule"),
    [
        ("employment", "labor_force", "12.5", "type-int"),
        ("employment", "labor_force", "many", "type-int"),
        ("employment", "labor_force", "1,23", "type-int"),
        ("employment", "labor_force", "9" * 30, "type-int"),
        ("employment", "labor_force", "50%", "type-int"),
        ("disability_aid", "amount_yuan", "1.2.3", "type-number"),
        ("disability_aid", "amount_yuan", "NaN", "type-number"),
        ("disability_aid", "amount_yuan", "inf", "type-number"),
        ("disability_aid", "amount_yuan", "12%", "type-number"),  # not a rate column
        ("disability_aid", "amount_yuan", "1_000", "type-number"),
        ("disability_aid", "amount_yuan", "¥100", "type-number"),
        ("supervision", "registered_on", "2006-02-30", "type-date"),
        ("supervision", "registered_on", "2006-13-01", "type-date"),
        ("supervision", "registered_on", "2006/3-2", "type-date"),
        ("supervision", "registered_on", "next week", "type-date"),
        ("supervision", "registered_on", "2006", "type-date"),
        ("target_progress", "period", "2006-13", "type-period"),
        ("target_progress", "period", "2006-Q5", "type-period"),
        ("target_progress", "period", "2006年第5季度", "type-period"),
        ("target_progress", "period", "06-2006", "type-period"),
        ("target_progress", "period", "H1 2006", "type-period"),
    ],
)
def test_bad_cells(tmp_path: Path, kind: str, column: str, cell: str, rule: str) -> None:
    assert one_cell(tmp_path, kind, column, cell) == (None, [(2, column, rule)])


def test_bad_cell_message_names_value_and_form(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        csv_of(
            list(VALID["supervision"]), [*list(VALID["supervision"].values())[:4], "2006-02-30"]
        ),
    )
    reader = open_return(path)
    list(reader.rows())
    [problem] = reader.problems
    assert (problem.value, problem.source, problem.severity) == ("2006-02-30", "reader", "error")
    assert "立项日期" in problem.message_zh and "2006-02-30" in problem.message_zh
    assert "2006年3月2日" in problem.message_zh
    assert "registered_on" in problem.message_en and "2006-02-30" in problem.message_en
    assert "no such calendar date" in problem.message_en


@pytest.mark.parametrize(
    ("cell", "value"),
    [("95.6%", Decimal("0.956")), ("95.6 ％", Decimal("0.956")), ("0.956", Decimal("0.956"))],
)
def test_rate_column_takes_percent(cell: str, value: Decimal) -> None:
    parse = readers.cell_parser(Column("rate", "比率", "number", rate=True))
    assert parse(cell) == value


def test_every_bad_cell_of_a_row_is_reported_and_rows_are_numbered_as_in_excel(
    tmp_path: Path,
) -> None:
    text = (
        "\r\n"  # a blank row above the header: Excel still counts it
        "unit_code,unit_name,unit_type\r\n"
        "JD-SY,石羊街道,街道\r\n"
        ",,\r\n"
        "\r\n"
        'BM-CZ,"财政局\r\n(本级)",department\r\n'  # one row, two lines
        "ZS-FY,法院,affiliated\r\n"
    )
    rows, errors, _ = read(write(tmp_path / "u.csv", text))
    assert errors == []
    assert [row_no for row_no, _ in rows] == [3, 6, 7]
    assert rows[1][1][1] == "财政局\r\n(本级)"

    text = csv_of(
        list(VALID["employment"]),
        ["2006-Q2", "JD-SY", "a", "620", "588", "1", "9", "8"],
        ["2006-Q9", "JD-SY", "b", "6.5", "588", "x", "9", "8"],
    )
    rows, errors, _ = read(write(tmp_path / "e.csv", text))
    assert errors == [(3, "period", "type-period"), (3, "labor_force", "type-int"),
                      (3, "zero_employment_households", "type-int")]  # fmt: skip
    assert rows[1] == (3, (None, "JD-SY", "b", None, 588, None, 9, 8, None, None, None))


def test_cell_problems_are_capped_per_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_CELL_PROBLEMS", 2)
    bad = [["2006-Q2", "JD-SY", f"a{n}", "x", "1", "1", "1", "1"] for n in range(5)]
    _, errors, _ = read(write(tmp_path / "e.csv", csv_of(list(VALID["employment"]), *bad)))
    assert errors == [
        (2, "labor_force", "type-int"),
        (3, "labor_force", "type-int"),
        (None, "labor_force", "type-int"),
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8"), ("\t", "utf-8-sig"), ("\t", "gb18030")]
)
def test_semicolon_and_tab_separated(tmp_path: Path, delimiter: str, encoding: str) -> None:
    path = write(tmp_path / "u.csv", UNITS_TEXT.replace(",", delimiter), encoding)
    assert read(path) == (UNITS_ROWS, [], [])


@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run an XLSX test with each engine: small sheets go to calamine, big ones to openpyxl."""
    if request.param == "openpyxl":
        monkeypatch.setattr(readers, "CALAMINE_MAX_XML_BYTES", 0)
    return request.param


def test_example_xlsx_reads_with_either_engine(engine: str) -> None:
    reader = open_return(EXAMPLES / "employment_2006-Q2.xlsx")
    assert list(reader.rows()) == [
        (2, ("2006-Q2", "JD-SY", "石羊场社区", 620, 588, 1, 9, 8, None, None, None))
    ]
    assert reader.problems == []


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_cells_and_the_sheet_named_by_kind(tmp_path: Path, engine: str) -> None:
    header = ["事项编号", "事项来源", "事项名称", "承办单位", "立项日期", "办理时限", "办结日期"]
    path = write_xlsx(
        tmp_path / "returns.xlsx",
        {
            "说明": [["请在“督办事项”表中填写"]],
            "督办事项": [
                [],
                header,
                ["S-1", "市委市政府督办", "整改", "BM-CZ", datetime(2006, 3, 2), 38837, None],
                [None, None, None],
                ["S-2", "cppcc", 1001, "JD-SY", "2006/5/8", "2006年8月8日", date(2006, 6, 1)],
            ],
        },
    )
    reader = open_return(path)
    assert reader.kind is not None and reader.kind.name == "supervision"
    assert list(reader.rows()) == [
        (3, ("S-1", "city", "整改", "BM-CZ", date(2006, 3, 2), date(2006, 4, 30), None, None)),
        (5, ("S-2", "cppcc", "1001", "JD-SY", date(2006, 5, 8), date(2006, 8, 8), date(2006, 6, 1),
             None)),
    ]  # fmt: skip
    assert reader.problems == []


def test_xlsx_numerics_and_periods(tmp_path: Path, engine: str) -> None:
    header = list(VALID["employment"])
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {
            "Sheet1": [
                header,
                [datetime(2006, 6, 1), "JD-SY", "a", 620.0, 588, 1, 9, 8],
                [2006, "JD-SY", "b", 12.5, True, 1, 9, 8],
                ["2006-Q2", "JD-SY", "c", "1,234", 7, 0, 0, 0],
            ]
        },
    )
    rows, errors, _ = read(path, "就业情况")
    assert [values[:5] for _, values in rows] == [
        ("2006-06", "JD-SY", "a", 620, 588),
        ("2006", "JD-SY", "b", None, None),
        ("2006-Q2", "JD-SY", "c", 1234, 7),
    ]
    assert errors == [(3, "labor_force", "type-int"), (3, "employed", "type-int")]

    path = write_xlsx(
        tmp_path / "d.xlsx",
        {"残疾人救助发放": [list(VALID["disability_aid"]), ["2006-05", "JD-SY", "x", 1, 1, 0.1 + 0.2, 4200.5]]},
    )  # fmt: skip
    [(_, values)] = list(open_return(path).rows())
    assert values[5:] == (Decimal("0.3"), Decimal("4200.5"))


@pytest.mark.parametrize(
    ("bad_line", "rule"),
    [(b"BAD,\xff\xfe,department", "undecodable"), (b"BAD,\x00,department", "not-a-spreadsheet")],
)
def test_bad_bytes_midway_are_reported_at_their_row(
    tmp_path: Path, bad_line: bytes, rule: str
) -> None:
    good = "".join(f"U-{n:05d},单位{n},department\r\n" for n in range(3000)).encode()
    path = tmp_path / "u.csv"
    path.write_bytes(b"unit_code,unit_name,unit_type\r\n" + good + bad_line + b"\r\n")
    reader = open_return(path)
    assert reader.problems == []
    assert len(list(reader.rows())) == 3000
    assert [p.flat() for p in reader.problems] == [(3002, None, rule)]


def random_bytes(size: int = 4096) -> bytes:
    return random.Random(0).randbytes(size)


def zip_of_text() -> bytes:
    """A zip archive that is not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


BAD_FILES = [
    # (file name, bytes, kind hint, errors, warnings)
    ("empty.csv", b"", None, [(None, None, "empty-file")], []),
    ("blank.csv", b"\r\n , \r\n\r\n", None, [(None, None, "empty-file")], []),
    ("header.csv", "单位代码,单位名称,单位类别\r\n".encode(), None, [(None, None, "no-rows")], []),
    ("random.xlsx", random_bytes(), None, [(None, None, "not-a-spreadsheet")], []),
    ("random.csv", random_bytes(), None, [(None, None, "not-a-spreadsheet")], []),
    ("nonsense.xlsx", bytes(range(0x80, 0x100)) * 4, None, [(None, None, "not-a-spreadsheet")], []),
    ("nonsense.csv", bytes(range(0x80, 0x100)) * 4, None, [(None, None, "undecodable")], []),
    # An OLE file python-calamine cannot read as a workbook: damaged, not a spreadsheet.
    ("old.xls", readers._OLE_MAGIC + bytes(504), None, [(None, None, "not-a-spreadsheet")], []),
    (
        "no_placements.csv",
        csv_of(list(VALID["employment"])[:-1], list(VALID["employment"].values())[:-1]).encode(),
        "employment",
        [(None, "aid_placements", "missing-column")],
        [],
    ),
    (
        "no_placements_no_hint.csv",
        csv_of(list(VALID["employment"])[:-1], list(VALID["employment"].values())[:-1]).encode(),
        None,
        [(None, "aid_placements", "missing-column")],
        [],
    ),
    ("unknown.csv", csv_of(["foo", "bar"], ["1", "2"]).encode(), None, [(1, None, "unknown-kind")], []),
    (
        "ambiguous.csv",
        csv_of(["unit_code"], ["JD-SY"]).encode(),
        None,
        [(1, None, "unknown-kind")],
        [],
    ),
    ("hint.csv", UNITS_TEXT.encode(), "nope", [(None, None, "unknown-kind")], []),
    (
        "duplicate.csv",
        csv_of(["unit_code", "unit_name", "unit_type", "单位代码"], ["A", "n", "街道", "B"]).encode(),
        None,
        [(1, "unit_code", "duplicate-column")],
        [],
    ),
    ("zip.xlsx", zip_of_text(), None, [(None, None, "not-a-spreadsheet")], []),
    ("utf16.csv", "\ufeffnot\x00tab\r\n".encode("utf-16-le"), None, [(1, None, "unknown-kind")], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "kind", "errors", "warnings"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_files(
    tmp_path: Path, name: str, content: bytes, kind: str | None, errors: list, warnings: list
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    reader = open_return(path, kind)
    assert list(reader.rows()) == []
    assert [p.flat() for p in reader.problems if p.severity == "error"] == errors
    assert [p.flat() for p in reader.problems if p.severity == "warning"] == warnings


def test_extra_column_is_a_warning(tmp_path: Path) -> None:
    text = csv_of(
        ["unit_code", "备注2", "unit_name", "unit_type", ""], ["A1", "x", "n", "街道", ""]
    )
    reader = open_return(write(tmp_path / "u.csv", text))
    assert list(reader.rows()) == [(2, ("A1", "n", "subdistrict", None))]
    assert [(p.flat(), p.severity, p.value) for p in reader.problems] == [
        ((1, None, "extra-column"), "warning", "备注2")
    ]


def test_missing_column_is_named_in_both_languages(tmp_path: Path) -> None:
    header = [name for name in VALID["employment"] if name != "aid_placements"]
    reader = open_return(write(tmp_path / "e.csv", csv_of(header, ["1"] * len(header))))
    [problem] = reader.problems
    assert "成功上岗人数" in problem.message_zh and "aid_placements" in problem.message_zh
    assert "aid_placements" in problem.message_en and "成功上岗人数" in problem.message_en


def test_optional_and_defaulted_columns_may_be_left_out(tmp_path: Path) -> None:
    row = {k: v for k, v in VALID["targets"].items() if k not in ("direction", "weight")}
    rows, errors, warnings = read(write(tmp_path / "t.csv", csv_of(list(row), list(row.values()))))
    assert (errors, warnings) == ([], [])
    assert rows[0][1][-2:] == ("higher", None)


def test_rows_can_be_read_twice_without_repeating_problems(tmp_path: Path) -> None:
    text = csv_of(list(VALID["employment"]), ["2006-Q2", "JD-SY", "a", "x", "1", "1", "1", "1"])
    reader = open_return(write(tmp_path / "e.csv", text))
    assert list(reader.rows()) == list(reader.rows())
    assert [p.flat() for p in reader.problems] == [(2, "labor_force", "type-int")]
