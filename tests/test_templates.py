"""Blank Excel templates: derived from kinds.py, and read back by the project's own reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from etl.kinds import KINDS, Column, Kind
from etl.readers import open_return
from etl.templates import INSTRUCTIONS_SHEET, LIST_SHEET, needed, write_template
from tests.helpers import query, run_cli

ALL_KINDS = list(KINDS.values())
SHORT_UNITS = ["JD-SY", "BM-JJ", "ZS-01"]
# Long enough that Excel's 255-character inline list cannot hold it.
LONG_UNITS = [f"UNIT-{number:04d}" for number in range(120)]


def unit_columns(kind: Kind) -> set[str]:
    return {name for ref in kind.references if ref.slug == "unknown-unit" for name in ref.columns}


def validations(sheet: Worksheet) -> dict[str, object]:
    """Column letter -> the data validation on that column's data rows."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        ranges = str(validation.sqref).split()
        assert len(ranges) == 1
        first = ranges[0].split(":")[0]
        assert first[-1] == "2" and not first[-2].isdigit(), ranges  # starts on row 2
        found[first[:-1]] = validation
    return found


def list_values(book: openpyxl.Workbook, validation) -> list[str]:
    """The values a list validation offers, inline or from the hidden list sheet."""
    assert validation.type == "list"
    formula = validation.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.rsplit("!", 1)
    assert sheet_name.strip("'") == LIST_SHEET
    return [row[0].value for row in book[LIST_SHEET][cells.replace("$", "")]]


def column_format(sheet: Worksheet, index: int) -> str | None:
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return dimension.number_format
    return None


def column_width(sheet: Worksheet, index: int) -> float:
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return dimension.width
    return 0


def sample(column: Column) -> object:
    """A valid cell for the column, as a person would type it into the template."""
    if column.enum:
        return next(iter(column.enum.values()))
    if column.type == "date":
        return date(2006, 3, 2)
    if column.type == "period":
        return "2006-06"
    if column.type in ("int", "number"):
        # Equal numbers satisfy every <= and >= pair rule; a maximum means a bounded range.
        return int(column.minimum) if column.maximum is not None else 9
    if column.name == "unit_code" or column.regex:
        return "JD-SY"
    return f"示例{column.zh}"


def fill(template: Path, target: Path, kind: Kind, values: dict[str, object]) -> Path:
    """Type one row into the template with openpyxl, as a unit would in Excel."""
    book = openpyxl.load_workbook(template)
    sheet = book[kind.zh]
    for index, column in enumerate(kind.columns, start=1):
        sheet.cell(row=2, column=index, value=values.get(column.name))
    book.save(target)
    return target


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda kind: kind.name)
def test_template_layout(kind: Kind, tmp_path: Path) -> None:
    path = write_template(kind, tmp_path / f"{kind.name}.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == [kind.zh, INSTRUCTIONS_SHEET]
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.zh for column in kind.columns]
    assert sheet.freeze_panes == "A2"
    checks = validations(sheet)
    assert len(checks) == len(kind.columns)  # every column has at least a prompt
    for index, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        assert header.font.b
        assert (header.fill.fgColor.rgb == "FFF8CBAD") == needed(column), column.name
        note = header.comment.text
        assert column.name in note and column.zh in note
        assert ("必填" in note) == needed(column)
        # Wide enough for the Chinese header (about two units a character).
        assert column_width(sheet, index) >= 2 * len(column.zh)
        validation = checks[letter]
        if column.enum:
            assert list_values(book, validation) == list(column.enum.values())
        elif column.type == "date":
            assert validation.type == "date"
            assert column_format(sheet, index) == "yyyy-mm-dd"
        elif column.type in ("int", "number"):
            assert validation.type == ("whole" if column.type == "int" else "decimal")
            if column.maximum is not None:
                assert validation.operator in (None, "between")
                assert float(validation.formula1) == float(column.minimum)
                assert float(validation.formula2) == float(column.maximum)
            elif column.minimum is not None:
                wanted = "greaterThan" if column.exclusive_minimum else "greaterThanOrEqual"
                assert validation.operator == wanted
                assert float(validation.formula1) == float(column.minimum)
        elif column.max_length is not None:
            assert validation.type == "textLength"
            assert int(validation.formula1) == column.max_length
        else:
            assert validation.type is None  # 'any value': a prompt only
        if column.type in ("text", "period"):
            # Kept as text so Excel neither drops a leading 0 nor turns 2006-06 into a date.
            assert column_format(sheet, index) == "@"
    # No unit list given: the unit columns carry no drop-down.
    for name in unit_columns(kind):
        letter = get_column_letter(kind.column_names.index(name) + 1)
        assert checks[letter].type != "list"
    assert LIST_SHEET not in book.sheetnames


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda kind: kind.name)
def test_instructions_explain_every_column_and_rule(kind: Kind, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(kind, tmp_path / "t.xlsx"))
    text = "\n".join(
        str(value)
        for row in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    for column in kind.columns:
        assert column.zh in text and column.name in text
        for code, label in (column.enum or {}).items():
            assert code in text and label in text
        if column.regex:
            assert column.regex in text
    for rule in kind.pair_rules:
        assert rule.zh in text and rule.en in text
    for reference in kind.references:
        assert reference.zh in text and reference.en in text
    for key in kind.unique_together:
        assert ", ".join(key) in text
    for form in ("YYYY/M/D", "YYYY年M月D日", "1,234", "YYYY-Qn", "GB18030"):
        assert form in text
    assert "ducha ingest" in text and f"--kind {kind.name}" in text
    if kind.name == "disability_aid":
        assert "不拒收" in text and "warning" in text  # the amount check only warns


@pytest.mark.parametrize("units", [SHORT_UNITS, LONG_UNITS], ids=["inline", "list-sheet"])
@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda kind: kind.name)
def test_unit_code_drop_down(kind: Kind, units: list[str], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(kind, tmp_path / "t.xlsx", units))
    checks = validations(book.worksheets[0])
    columns = unit_columns(kind)
    for name in kind.column_names:
        validation = checks[get_column_letter(kind.column_names.index(name) + 1)]
        if name in columns:
            assert list_values(book, validation) == units
            assert validation.errorStyle == "warning"  # a unit registered later is still valid
        elif not kind.column(name).enum:
            assert validation.type != "list"
    if columns and units is LONG_UNITS:
        assert book[LIST_SHEET].sheet_state == "hidden"
    if kind.name == "units":
        assert not columns  # the register itself names new units: no drop-down


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda kind: kind.name)
def test_filled_template_reads_back(kind: Kind, tmp_path: Path) -> None:
    template = write_template(kind, tmp_path / "template.xlsx", LONG_UNITS)
    values = {column.name: sample(column) for column in kind.columns}
    reader = open_return(fill(template, tmp_path / "filled.xlsx", kind, values))
    assert reader.kind is kind
    rows = list(reader.rows())
    assert [p for p in reader.problems if p.severity == "error"] == []
    assert len(rows) == 1
    row_no, typed = rows[0]
    assert row_no == 2
    for column, value in zip(kind.columns, typed, strict=True):
        if column.enum:
            assert value == next(iter(column.enum))  # the label typed, the code read
        elif column.type == "date":
            assert value == date(2006, 3, 2)
        else:
            assert value == sample(column)


def test_blank_template_is_a_file_without_rows(tmp_path: Path) -> None:
    reader = open_return(write_template(KINDS["supervision"], tmp_path / "t.xlsx", SHORT_UNITS))
    assert reader.kind is KINDS["supervision"]
    assert [p.rule for p in reader.problems] == ["no-rows"]


def test_filled_templates_load_into_the_warehouse(
    warehouse: str, monkeypatch, capsys, tmp_path: Path
) -> None:
    units, supervision = KINDS["units"], KINDS["supervision"]
    unit_file = fill(
        write_template(units, tmp_path / "units-template.xlsx"),
        tmp_path / "units.xlsx",
        units,
        {"unit_code": "JD-SY", "unit_name": "石羊场街道", "unit_type": "街道"},
    )
    item_file = fill(
        write_template(supervision, tmp_path / "supervision-template.xlsx", ["JD-SY"]),
        tmp_path / "supervision.xlsx",
        supervision,
        {
            "item_code": "S-2006-001",
            "source": "人大代表建议",
            "title": "道路整治",
            "unit_code": "JD-SY",
            "registered_on": date(2006, 3, 2),
            "due_on": date(2006, 6, 30),
            "closed_on": date(2006, 6, 1),
            "satisfaction": "基本满意",
        },
    )
    run = run_cli(
        monkeypatch, capsys, warehouse, "ingest", unit_file, item_file, "--as-of", "2006-12-31"
    )
    assert run.code == 0, run.err
    assert query(
        warehouse,
        "select item_code, source, unit_code, closed_on, satisfaction, status"
        " from mart.supervision_items",
    ) == [("S-2006-001", "deputy", "JD-SY", date(2006, 6, 1), "basically", "closed")]
