"""A file's report as Excel, read from the warehouse after a real `ducha ingest`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl.kinds import KINDS
from etl.report_export import (
    EXPECTATION_HEADERS,
    EXPECTATIONS_SHEET,
    PROBLEM_HEADERS,
    PROBLEMS_SHEET,
    SUMMARY_SHEET,
    FileNotFound,
    read_stored,
    write_report_xlsx,
)
from tests.helpers import latest_file_id, query, run_cli, write_csv

SUPERVISION_HEADER = [
    "事项编号", "事项来源", "事项名称", "承办单位", "立项日期", "办理时限", "办结日期", "反馈意见",
]  # fmt: skip
HYPERLINK = '=HYPERLINK("http://evil.example/","点我 click")'
# Rows 2-5 as the unit sees them; every problem is one the suites or the warehouse find.
BAD_SUPERVISION = [
    ["S-1", "市委市政府督办", "道路整治", HYPERLINK, "2006-03-02", "2006-02-01", "", ""],
    ["-5", "invalid-source", "路灯维修", "JD-SY", "2006-03-02", "2006-06-30", "", ""],
    ["-5", "city", "+绿化", "@SUM(A1)", "2006-03-02", "2006-06-30", "2006-07-01", "满意"],
    ["S-4", "leader", "普通标题", "BM-CZ", "2006-03-02", "2006-06-30", "2006-03-01", "满意"],
]
SEVERITY = {"error": "错误 error", "warning": "警告 warning"}


def ingest(monkeypatch, capsys, url: str, path: Path, *args: str) -> tuple[int, int]:
    """Ingest one file; its exit code and file_id."""
    run = run_cli(monkeypatch, capsys, url, "ingest", path, *args)
    return run.code, latest_file_id(url, path.name)


def stored_problems(url: str, file_id: int) -> list[tuple]:
    """The problems as the warehouse holds them, as the Problems sheet must list them."""
    kind = KINDS[query(url, "select kind from ingest.files where file_id = %s", (file_id,))[0][0]]
    rows = query(
        url,
        "select row_no, column_name, value, rule, message_zh, message_en, severity"
        " from ingest.problems where file_id = %s",
        (file_id,),
    )
    return [
        (
            row,
            kind.column(column).label() if column else None,
            value,
            rule,
            zh,
            en,
            SEVERITY[severity],
        )
        for row, column, value, rule, zh, en, severity in rows
    ]


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return list(book[sheet].iter_rows(values_only=True))


def no_formulas(path: Path) -> None:
    """No cell of any sheet is a formula: the XML holds no <f> element."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_rejected_file_report_lists_every_stored_problem(
    units_loaded, monkeypatch, capsys, tmp_path
):
    path = write_csv(tmp_path / "督办事项-坏.csv", SUPERVISION_HEADER, BAD_SUPERVISION)
    code, file_id = ingest(monkeypatch, capsys, units_loaded, path, "--as-of", "2006-06-30")
    assert code == 1
    out = write_report_xlsx(units_loaded, file_id, tmp_path / "report" / "report.xlsx")
    assert out.exists()
    no_formulas(out)

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [SUMMARY_SHEET, PROBLEMS_SHEET, EXPECTATIONS_SHEET]

    rows = list(book[PROBLEMS_SHEET].iter_rows(values_only=True))
    assert rows[0] == PROBLEM_HEADERS
    listed = rows[1:]
    expected = stored_problems(units_loaded, file_id)
    assert sorted(listed, key=repr) == sorted(expected, key=repr)
    assert len(listed) == len(expected) >= 6
    row_numbers = [row[0] for row in listed]
    assert row_numbers == sorted(row_numbers)  # sorted by row (these all have one)
    rules = {(row[0], row[1], row[3]) for row in listed}
    assert (2, "承办单位 (unit_code)", "unknown-unit") in rules
    assert (2, "办理时限 (due_on)", "due-on-ge-registered-on") in rules
    assert (3, "事项来源 (source)", "enum") in rules
    assert (3, "事项编号 (item_code)", "unique") in rules
    assert (4, "办结日期 (closed_on)", "closed-on-le-as-of") in rules
    assert (5, "办结日期 (closed_on)", "closed-on-ge-registered-on") in rules

    # Values that look like formulas come back as the very text the unit typed.
    sheet = book[PROBLEMS_SHEET]
    by_value = {cell.value: cell for row in sheet.iter_rows(min_col=3, max_col=3) for cell in row}
    for text in (HYPERLINK, "-5", "@SUM(A1)"):
        cell = by_value[text]
        assert cell.data_type == "s"
        assert cell.quotePrefix

    summary = {row[0]: row[2] for row in book[SUMMARY_SHEET].iter_rows(values_only=True) if row[0]}
    errors, warnings, row_count = query(
        units_loaded,
        "select error_count, warning_count, row_count from ingest.files where file_id = %s",
        (file_id,),
    )[0]
    assert summary["文件名"] == path.name
    assert summary["文件编号"] == str(file_id)
    assert summary["报表类型"] == "督办事项 (supervision)"
    assert summary["结果"] == "已拒收 / rejected"
    assert summary["错误"] == str(errors) and summary["警告"] == str(warnings)
    assert summary["数据行数"] == str(row_count) == "4"
    assert summary["截止日期"] == "2006-06-30"
    assert summary["接收时间"].startswith(str(query(units_loaded, "select current_date")[0][0]))

    expectations = list(book[EXPECTATIONS_SHEET].iter_rows(values_only=True))
    assert expectations[0] == EXPECTATION_HEADERS
    stored = query(
        units_loaded,
        "select expectation_type, success, unexpected_count from ingest.expectation_results"
        " where file_id = %s order by result_id",
        (file_id,),
    )
    assert [(row[1], row[4] == "通过 passed", row[6]) for row in expectations[1:]] == stored
    assert any(not success for _, success, _ in stored)
    by_rule = {(row[0], row[2]): row[4] for row in expectations[1:]}
    assert by_rule["enum", "事项来源 (source)"] == "未通过 failed"
    assert by_rule["enum", "反馈意见 (satisfaction)"] == "通过 passed"
    assert all(row[0] for row in expectations[1:])  # each result names its suite rule


def test_hyperlink_value_stays_text(units_loaded, monkeypatch, capsys, tmp_path):
    path = write_csv(tmp_path / "s.csv", SUPERVISION_HEADER, BAD_SUPERVISION[:1])
    _, file_id = ingest(monkeypatch, capsys, units_loaded, path)
    out = write_report_xlsx(units_loaded, file_id, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(out)[PROBLEMS_SHEET]
    cells = [row[2] for row in sheet.iter_rows(min_row=2) if row[2].value == HYPERLINK]
    assert cells and all(cell.data_type == "s" for cell in cells)
    no_formulas(out)


def test_file_rejected_while_reading(units_loaded, monkeypatch, capsys, tmp_path):
    # A missing required column and a cell that is no date: the suites never run.
    header = [h for h in SUPERVISION_HEADER if h != "承办单位"]
    rows = [["S-1", "city", "标题", "2006-13-45", "2006-06-30", "", ""]]
    path = write_csv(tmp_path / "missing.csv", header, rows)
    code, file_id = ingest(monkeypatch, capsys, units_loaded, path)
    assert code == 1
    out = write_report_xlsx(units_loaded, file_id, tmp_path / "r.xlsx")
    listed = sheet_rows(out, PROBLEMS_SHEET)[1:]
    assert sorted(listed, key=repr) == sorted(stored_problems(units_loaded, file_id), key=repr)
    assert listed[0][0] is None and listed[0][3] == "missing-column"  # file-level first
    expectations = sheet_rows(out, EXPECTATIONS_SHEET)
    assert len(expectations) == 2 and "did not run" in expectations[1][0]


def test_accepted_with_warnings(units_loaded, monkeypatch, capsys, tmp_path):
    header = [
        "发放月份",
        "单位代码",
        "救助项目",
        "户数",
        "人次",
        "发放标准(元/人次)",
        "发放金额(元)",
        "备注",
    ]
    rows = [["2006-05", "JD-SY", "特困生活补助", 40, 42, 100, 4300, "=1+1"]]
    path = write_csv(tmp_path / "aid.csv", header, rows)
    code, file_id = ingest(monkeypatch, capsys, units_loaded, path)
    assert code == 0
    out = write_report_xlsx(units_loaded, file_id, tmp_path / "r.xlsx")
    listed = sheet_rows(out, PROBLEMS_SHEET)[1:]
    assert sorted(listed, key=repr) == sorted(stored_problems(units_loaded, file_id), key=repr)
    assert {(row[3], row[6]) for row in listed} == {
        ("extra-column", "警告 warning"),
        ("amount-mismatch", "警告 warning"),
    }
    summary = {row[0]: row[2] for row in sheet_rows(out, SUMMARY_SHEET) if row[0]}
    assert summary["结果"] == "已接收（有警告） / accepted with warnings"
    assert summary["审核"] == "已批准 / approved"
    assert summary["报表类型"] == "残疾人救助发放 (disability_aid)"


def test_unknown_file(warehouse, tmp_path):
    with pytest.raises(FileNotFound):
        write_report_xlsx(warehouse, 12345, tmp_path / "r.xlsx")
    with pytest.raises(TypeError):
        read_stored(warehouse, "1")  # type: ignore[arg-type]
    assert not (tmp_path / "r.xlsx").exists()
