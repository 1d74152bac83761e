"""The dashboard's pure parts: number formats, exports, headline figures, periods."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard import export, figures
from dashboard import format as fmt
from dashboard.queries import Scope, period_end, previous_period

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (0.956, "zh", "95.6%"),
        (0.9134615, "en", "91.3%"),
        (None, "zh", "—"),
        (float("nan"), "zh", "—"),
    ],
)
def test_percent(value, lang, expected):
    assert fmt.percent(value) == expected


@pytest.mark.parametrize(
    ("amount", "lang", "short", "full"),
    [
        (324400, "zh", "32.44万元", "324,400 元"),
        (324400, "en", "324.4k yuan", "324,400 yuan"),
        (4200, "zh", "4,200元", "4,200 元"),
        (1080275.5, "zh", "108.03万元", "1,080,275.50 元"),
        (2_500_000, "en", "2.50m yuan", "2,500,000 yuan"),
    ],
)
def test_yuan(amount, lang, short, full):
    assert fmt.yuan_short(amount, lang) == short
    assert fmt.yuan(amount, lang) == full


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        ("2006-12", "2006年12月", "Dec 2006"),
        ("2006-Q4", "2006年第4季度", "Q4 2006"),
        ("2006", "2006年", "2006"),
    ],
)
def test_period_label(period, zh, en):
    assert fmt.period_label(period, "zh") == zh
    assert fmt.period_label(period, "en") == en


def test_dates_counts_and_changes():
    assert fmt.date_label(date(2006, 3, 2), "zh") == "2006年3月2日"
    assert fmt.date_label(date(2006, 3, 2), "en") == "2 Mar 2006"
    assert fmt.count(3244) == "3,244"
    assert fmt.number(95.60) == "95.6" and fmt.number(180) == "180"
    assert fmt.points(0.012, "zh") == "+1.2个百分点"
    assert fmt.points(-0.012, "en") == "-1.2 pp"
    assert fmt.points(None, "zh") is None
    assert fmt.signed(-2, "zh") == "-2"
    assert fmt.signed_yuan(27000, "zh") == "+2.70万元"


@pytest.mark.parametrize(
    ("period", "end", "before"),
    [
        ("2006", date(2006, 12, 31), "2005"),
        ("2006-Q1", date(2006, 3, 31), "2005-Q4"),
        ("2006-Q3", date(2006, 9, 30), "2006-Q2"),
        ("2006-02", date(2006, 2, 28), "2006-01"),
        ("2006-01", date(2006, 1, 31), "2005-12"),
    ],
)
def test_periods(period, end, before):
    assert period_end(period) == end
    assert previous_period(period) == before


def test_scope_previous_and_as_at():
    whole = Scope(year=2006, unit="JD-SY")
    assert whole.as_at == date(2006, 12, 31)
    assert whole.previous() == Scope(year=2005, unit="JD-SY")
    assert Scope(year=2006, period="2006-Q1").previous() == Scope(year=2005, period="2005-Q4")
    assert whole.params()["period_as_at"] is None  # contract statuses for a whole year


HOSTILE = pd.DataFrame(
    {
        "事项名称": [
            '=HYPERLINK("http://example.invalid","x")',
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tcmd",
            "<script>alert(1)</script>",
            "正常标题",
        ],
        "金额": [-5, 1, 2, 3, 4, 5, 6],
        "办结率": [0.956, None, 1.0, 0.5, 0.0, 0.25, 1 / 3],
        "立项日期": [date(2006, 3, 2)] * 7,
    }
)


def test_csv_export_makes_formulas_inert():
    data = export.to_csv(HOSTILE, rate_columns=["办结率"])
    assert data.startswith("\ufeff".encode())  # Excel on Chinese Windows reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["事项名称", "金额", "办结率", "立项日期"]
    titles = [row[0] for row in rows[1:]]
    assert titles[:5] == [
        '\'=HYPERLINK("http://example.invalid","x")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tcmd",
    ]
    assert titles[5:] == ["<script>alert(1)</script>", "正常标题"]
    assert rows[1][1] == "-5"  # numbers are numbers, negative ones included
    assert [row[2] for row in rows[1:3]] == ["95.6%", ""]
    assert rows[1][3] == "2006-03-02"


def test_xlsx_export_keeps_text_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(export.to_xlsx(HOSTILE, "督办/事项:2006", rate_columns=["办结率"]))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "督办事项2006"
    cells = [sheet.cell(row=r, column=1) for r in range(2, 9)]
    assert [c.value for c in cells] == list(HOSTILE["事项名称"])
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False] * 2
    assert sheet.cell(row=2, column=2).value == -5
    assert sheet.cell(row=2, column=3).value == pytest.approx(0.956)
    assert sheet.cell(row=2, column=3).number_format == "0.0%"
    assert sheet.cell(row=2, column=4).value == datetime(2006, 3, 2)


def test_supervision_figures_follow_the_contract():
    items = pd.DataFrame(
        {
            "item_code": ["a", "b", "c", "d"],
            "source": ["city", "city", "city", "deputy"],
            "status": ["closed", "closed", "open", "overdue"],
            "due_on": [date(2006, 5, 1)] * 4,
            "closed_on": [date(2006, 4, 1), date(2006, 6, 1), None, None],
            "satisfaction": [None, "basically", None, "unsatisfied"],
        }
    )
    summary = figures.supervision_summary(items)
    assert (summary["registered"], summary["closed"]) == (4, 2)
    assert (summary["open_not_due"], summary["overdue"]) == (1, 1)
    assert summary["closure_rate"] == 0.5
    assert summary["on_time_rate"] == 0.5
    assert summary["satisfaction_rate"] == 0.5
    by_source = figures.supervision_by(items, ["source"]).set_index("source")
    assert by_source.loc["deputy", "on_time_rate"] != by_source.loc["deputy", "on_time_rate"]  # NaN
    assert figures.supervision_summary(items.iloc[0:0])["closure_rate"] is None


def test_rag_status_against_time_progress():
    rates = pd.Series([1.2, 0.5, 0.46, 0.3, None])
    pace = figures.time_progress(date(2006, 6, 30))
    assert round(pace, 3) == 0.496
    assert list(figures.rag_status(rates, pace, 0.9)) == ["green", "green", "amber", "red", "grey"]


def test_aid_households_are_the_busiest_month_not_a_sum():
    rows = pd.DataFrame(
        {
            "period": ["2006-01", "2006-02", "2006-02"],
            "program": ["特困生活补助"] * 3,
            "unit_code": ["A", "A", "B"],
            "households": [250, 260, 29],
            "person_times": [250, 260, 29],
            "amount_yuan": [25000.0, 26000.0, 2900.0],
        }
    )
    summary = figures.aid_summary(rows)
    assert summary["households"] == 289
    assert summary["person_times"] == 539
    assert summary["amount_per_person_time"] == 100


def test_importing_the_dashboard_loads_nothing_heavy_and_connects_nowhere():
    """The ETL's readers, loader and Great Expectations load on first use (an upload, a
    decision), not with the dashboard; nothing connects at import (the URL answers no one).
    How long the import takes is bench/dashboard_import.py's to say, not a test's."""
    code = (
        "import sys;"
        "import dashboard.queries, dashboard.tables, dashboard.charts, dashboard.filters,"
        " dashboard.frame, dashboard.steward;"
        "print(sorted(m for m in sys.modules if m.startswith(('great_expectations',"
        " 'etl.validate', 'etl.load', 'etl.readers', 'weasyprint'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/x"},
    )
    assert out.stdout.strip() == "[]"
    assert "Traceback" not in out.stderr


def test_streamlit_config_keeps_everything_local():
    text = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "gatherUsageStats = false" in text
    assert "headless = true" in text
    for path in (ROOT / "dashboard").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert ":material/" not in source, path  # icon font comes from a CDN
        assert "mapbox" not in source.lower(), path
        assert "http://" not in source and "https://" not in source, path


@pytest.mark.parametrize(
    ("codes", "count", "expected"),
    [
        (("JD-FC",), None, "芳草街道 (JD-FC)"),
        (("JD-FC", "BM-CZ"), None, "芳草街道、财政局"),
        (("JD-FC", "BM-CZ", "ZS-CL"), 3, "芳草街道、财政局、ZS-CL"),
        # queries.files gives a file's first three units and how many it covers
        (("JD-FC", "BM-CZ", "ZS-CL"), 18, "芳草街道、财政局 等 18 个"),
        ((), 0, ""),
    ],
)
def test_a_files_units_in_words(codes, count, expected):
    from dashboard.steward import units_text

    names = {"JD-FC": "芳草街道", "BM-CZ": "财政局"}
    assert units_text(codes, names, count) == expected
