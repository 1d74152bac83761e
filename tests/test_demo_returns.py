"""The demo returns (etl.demo) carry the seed's 2006 figures, read back from the files.

No database: the files are read with csv and openpyxl, not ducha's reader, and
every total is computed from what was written.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from etl.demo import DEMO_AS_OF, write_demo_returns
from etl.kinds import KINDS, SATISFACTION, SUPERVISION_SOURCES, TARGET_SOURCES, Kind

CODE = re.compile(r"^[A-Z0-9-]{2,20}$")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Return:
    """One written file: its kind, header language and rows keyed by English column name."""

    path: Path
    kind: Kind
    chinese: bool
    rows: list[dict[str, str]]


def _cells(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        return [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _read(path: Path) -> Return:
    header, *body = _cells(path)
    for kind in KINDS.values():
        for chinese in (True, False):
            names = [column.zh if chinese else column.name for column in kind.columns]
            if header == names:
                rows = [dict(zip(kind.column_names, row, strict=True)) for row in body]
                return Return(path, kind, chinese, rows)
    raise AssertionError(f"{path.name}: header of no kind: {header}")


def _code(kind: Kind, column: str, cell: str) -> str:
    """An enum cell as its English code, whichever language the file used."""
    enum = kind.column(column).enum or {}
    by_label = {label: code for code, label in enum.items()}
    return by_label.get(cell, cell)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> list[Return]:
    return [_read(path) for path in write_demo_returns(tmp_path_factory.mktemp("demo"))]


def _rows(returns: list[Return], kind: str) -> Iterator[dict[str, str]]:
    for written in returns:
        if written.kind.name == kind:
            yield from (
                {name: _code(written.kind, name, cell) for name, cell in row.items()}
                for row in written.rows
            )


def _date(cell: str) -> date | None:
    return date.fromisoformat(cell) if cell else None


def test_files_come_in_load_order_with_mixed_headers_and_formats(returns: list[Return]) -> None:
    kinds = [written.kind.name for written in returns]
    assert kinds[:3] == ["units", "targets", "indicators"]
    rest = [written.path.name for written in returns[3:]]
    assert rest == sorted(rest)
    assert set(kinds) == set(KINDS)
    assert {written.chinese for written in returns} == {True, False}
    assert any(written.path.suffix == ".xlsx" for written in returns)
    for written in returns:
        if written.path.suffix == ".csv":
            assert written.path.read_bytes().startswith(BOM), written.path.name


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = write_demo_returns(tmp_path / "first")
    second = write_demo_returns(tmp_path / "second")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_units_codes_and_references(returns: list[Return]) -> None:
    units = list(_rows(returns, "units"))
    codes = [unit["unit_code"] for unit in units]
    assert 15 <= len(codes) <= 31
    assert len(set(codes)) == len(codes)
    assert len({unit["unit_name"] for unit in units}) == len(units)
    assert {unit["unit_type"] for unit in units} == {"subdistrict", "department", "affiliated"}
    referenced = {
        row["unit_code"]
        for written in returns
        if written.kind.name != "units"
        for row in written.rows
    }
    assert referenced <= set(codes)
    all_codes = set(codes) | {t["target_code"] for t in _rows(returns, "targets")}
    all_codes |= {item["item_code"] for item in _rows(returns, "supervision")}
    assert all(CODE.match(code) for code in all_codes), sorted(
        c for c in all_codes if not CODE.match(c)
    )


def test_city_supervision_45_registered_43_closed_2_not_due(returns: list[Return]) -> None:
    city = [item for item in _rows(returns, "supervision") if item["source"] == "city"]
    registered_2006 = [item for item in city if _date(item["registered_on"]).year == 2006]
    closed = [item for item in registered_2006 if item["closed_on"]]
    still_open = [item for item in registered_2006 if not item["closed_on"]]
    not_due = [item for item in still_open if _date(item["due_on"]) >= DEMO_AS_OF]
    assert (len(registered_2006), len(closed), len(not_due)) == (45, 43, 2)
    assert len(still_open) == len(not_due)  # none overdue
    late = [item for item in closed if item["closed_on"] > item["due_on"]]
    assert 1 <= len(late) <= 5  # most on time, a few late


def test_other_supervision_sources(returns: list[Return]) -> None:
    items = list(_rows(returns, "supervision"))
    per_source = Counter(item["source"] for item in items)
    assert set(per_source) == set(SUPERVISION_SOURCES)
    assert per_source["deputy"] == 4
    assert per_source["cppcc"] == 6
    assert per_source["meeting"] == 27
    assert 80 < per_source["leader"] < 90  # "80余件"
    for item in items:
        if item["source"] in ("deputy", "cppcc"):
            assert item["closed_on"]
            assert item["satisfaction"] in ("satisfied", "basically")
        else:
            assert item["satisfaction"] in ("", *SATISFACTION)


def test_supervision_dates_are_consistent(returns: list[Return]) -> None:
    items = list(_rows(returns, "supervision"))
    assert len({item["item_code"] for item in items}) == len(items)
    for item in items:
        registered, due, closed = (
            _date(item[name]) for name in ("registered_on", "due_on", "closed_on")
        )
        assert registered <= due, item
        assert registered.year == 2006
        if closed is None:
            assert due > DEMO_AS_OF, item  # open but not overdue
        else:
            assert registered <= closed <= DEMO_AS_OF, item
        assert 0 < len(item["title"]) <= 500


def test_employment_year_end_rate_and_year_flows(returns: list[Return]) -> None:
    rows = list(_rows(returns, "employment"))
    year_end = [row for row in rows if row["period"] == "2006-Q4"]
    assert len(year_end) == 5  # "5个建成入住的农民集中居住区"
    employed = sum(int(row["employed"]) for row in year_end)
    labor_force = sum(int(row["labor_force"]) for row in year_end)
    assert Fraction(employed, labor_force) == Fraction("0.956")
    assert sum(int(row["zero_employment_households"]) for row in year_end) == 0

    def year_total(column: str) -> int:
        return sum(int(row[column]) for row in rows if row["period"].startswith("2006"))

    assert year_total("aid_referrals") == 104
    assert year_total("aid_placements") == 95
    assert round(Fraction(95, 104) * 1000) == 913  # 成功上岗率91.3%
    assert year_total("graduates_hired") == 1802
    assert year_total("trainees") == 5702 + 5612
    assert year_total("labor_transferred") == 3861
    assert {row["period"] for row in rows} == {f"2006-Q{q}" for q in range(1, 5)}
    for row in rows:
        assert int(row["employed"]) <= int(row["labor_force"])
        assert int(row["aid_placements"]) <= int(row["aid_referrals"])


def test_disability_hardship_subsidy_totals(returns: list[Return]) -> None:
    rows = list(_rows(returns, "disability_aid"))
    assert {row["period"] for row in rows} == {f"2006-{m:02d}" for m in range(1, 13)}
    hardship = [row for row in rows if row["program"] == "特困生活补助"]
    assert sum(int(row["person_times"]) for row in hardship) == 3244
    assert sum(Decimal(row["amount_yuan"]) for row in hardship) == Decimal("324400.00")
    december = [row for row in hardship if row["period"] == "2006-12"]
    assert sum(int(row["households"]) for row in december) == 289  # "（289户）"
    for row in rows:
        assert int(row["households"]) <= int(row["person_times"])
        if row["standard_yuan"]:
            amount = int(row["person_times"]) * Decimal(row["standard_yuan"])
            assert Decimal(row["amount_yuan"]) == amount, row
    programs = {row["program"] for row in rows}
    assert {"医疗爱心卡", "康复药箱", "辅助器具", "复明手术", "参保资助", "助学金"} <= programs


def test_targets_cover_every_source_and_all_are_met(returns: list[Return]) -> None:
    # The 2006 register (the file also holds the 2005 assessment's targets).
    targets = {
        row["target_code"]: row for row in _rows(returns, "targets") if row["year"] == "2006"
    }
    per_source = Counter(target["source"] for target in targets.values())
    assert set(per_source) == set(TARGET_SOURCES)
    assert per_source["livelihood"] == 10  # "为民办实事目标10项"
    assert per_source["characteristic"] == 11  # "特色指标11项"
    # "主要工作目标69项（含11项特色指标）…网络、专项目标30项，四川省委、省政府目标43项"
    assert per_source["city"] + per_source["characteristic"] == 69
    assert (per_source["special"], per_source["provincial"]) == (30, 43)
    assert "lower" in {target["direction"] for target in targets.values()}
    progress = list(_rows(returns, "target_progress"))
    for period in ("2006-06", "2006-12"):
        reported = {row["target_code"]: row for row in progress if row["period"] == period}
        assert set(reported) == set(targets)
        for code, row in reported.items():
            assert row["unit_code"] == targets[code]["unit_code"]
    for row in progress:
        if row["period"] != "2006-12":
            continue  # (2005-12: the 2005 assessment's, some under plan by design)
        target = targets[row["target_code"]]
        planned, actual = Decimal(target["planned_value"]), Decimal(row["actual_value"])
        met = actual <= planned if target["direction"] == "lower" else actual >= planned
        assert met, (target, row)  # "各项目标均完成或超额完成"


def test_targets_agree_with_the_other_returns(returns: list[Return]) -> None:
    year_end = {
        row["target_code"]: Decimal(row["actual_value"])
        for row in _rows(returns, "target_progress")
        if row["period"] == "2006-12"
    }
    employment = [row for row in _rows(returns, "employment") if row["period"] == "2006-Q4"]
    rate = Fraction(
        sum(int(row["employed"]) for row in employment),
        sum(int(row["labor_force"]) for row in employment),
    )
    assert year_end["SS-01"] == Decimal(round(float(rate) * 100, 1)).quantize(Decimal("0.1"))
    transferred = sum(int(row["labor_transferred"]) for row in _rows(returns, "employment"))
    assert year_end["SS-07"] == transferred
    city = [item for item in _rows(returns, "supervision") if item["source"] == "city"]
    closure = Fraction(sum(1 for item in city if item["closed_on"]), len(city))
    assert year_end["ZX-07"] == Decimal(round(float(closure) * 100, 1)).quantize(Decimal("0.1"))
