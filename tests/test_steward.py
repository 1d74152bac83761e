"""Stewards: period locks hold later returns back; the reporting calendar counts returns."""

from __future__ import annotations

import pytest

from etl.load import decide
from etl.steward import StewardError, lock_period, release_period
from tests.helpers import query, run_cli, write_csv

HEADER = [
    "period", "unit_code", "area_name", "labor_force", "employed",
    "zero_employment_households", "aid_referrals", "aid_placements",
]  # fmt: skip


def test_a_locked_period_holds_a_later_return_until_released(loaded, monkeypatch, capsys, tmp_path):
    v1 = write_csv(tmp_path / "v1.csv", HEADER, [["2006-Q2", "JD-SY", "甲", 100, 90, 0, 5, 4]])
    v2 = write_csv(tmp_path / "v2.csv", HEADER, [["2006-Q2", "JD-SY", "甲", 100, 99, 0, 5, 4]])
    assert run_cli(monkeypatch, capsys, loaded, "ingest", v1).code == 0

    with pytest.raises(StewardError):
        lock_period(loaded, "employment", "JD-SY", "2006-Q2", " ")
    with pytest.raises(StewardError):
        lock_period(loaded, "employment", "JD-SY", "2006-Q3", "李管理")  # nothing approved
    with pytest.raises(StewardError):
        lock_period(loaded, "supervision", "JD-SY", "2006", "李管理")
    lock_period(loaded, "employment", "JD-SY", "2006-Q2", "李管理", "已通报")
    with pytest.raises(StewardError):
        lock_period(loaded, "employment", "JD-SY", "2006-Q2", "李管理")

    run = run_cli(monkeypatch, capsys, loaded, "ingest", v2)
    assert run.code == 0
    assert "locked" in run.err and "awaiting" in run.err
    assert query(loaded, "select employed from mart.employment") == [(90,)]
    state = query(loaded, "select approval, outcome from ingest.files where file_name = 'v2.csv'")
    assert state == [("pending", "accepted_with_warnings")]

    # The explicit release of that return is the steward's approval of it.
    v2_id = query(loaded, "select file_id from ingest.files where file_name = 'v2.csv'")[0][0]
    decide(loaded, v2_id, "approve", "李管理", "更正后的数字")
    assert query(loaded, "select employed from mart.employment") == [(99,)]

    release_period(loaded, "employment", "JD-SY", "2006-Q2", "李管理")
    with pytest.raises(StewardError):
        release_period(loaded, "employment", "JD-SY", "2006-Q2", "李管理")
    v3 = write_csv(tmp_path / "v3.csv", HEADER, [["2006-Q2", "JD-SY", "甲", 100, 95, 0, 5, 4]])
    assert run_cli(monkeypatch, capsys, loaded, "ingest", v3).code == 0
    assert query(loaded, "select employed from mart.employment") == [(95,)]


def test_reporting_calendar_counts_expected_received_on_time_and_approved(
    loaded, monkeypatch, capsys, tmp_path
):
    # JD-SY is the only subdistrict: employment is expected from it quarterly,
    # 15 days after each quarter ends.
    on_time = write_csv(tmp_path / "q1.csv", HEADER, [["2006-Q1", "JD-SY", "甲", 100, 90, 0, 5, 4]])
    assert run_cli(monkeypatch, capsys, loaded, "ingest", on_time).code == 0
    query(loaded, "update ingest.files set received_at = '2006-04-10' where file_name = 'q1.csv'"
                  " returning 1")  # fmt: skip
    late = write_csv(tmp_path / "q2.csv", HEADER, [["2006-06", "JD-SY", "甲", 100, 92, 0, 5, 4]])
    assert run_cli(monkeypatch, capsys, loaded, "ingest", late).code == 0

    calendar = query(
        loaded,
        "select period, unit_code, received, on_time, approved, status"
        " from ingest.reporting_calendar where kind = 'employment' order by period",
    )
    assert calendar == [
        ("2006-Q1", "JD-SY", True, True, True, "approved"),
        ("2006-Q2", "JD-SY", True, False, True, "approved"),  # '2006-06' answers for Q2, late
        ("2006-Q3", "JD-SY", False, None, False, "missing"),
        ("2006-Q4", "JD-SY", False, None, False, "missing"),
    ]
    # Target progress is expected only from units responsible for a target.
    units = query(
        loaded,
        "select distinct unit_code from ingest.reporting_calendar where kind = 'target_progress'"
        " order by 1",
    )
    assert units == [("BM-CZ",), ("JD-SY",)]
