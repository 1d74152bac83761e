"""`ducha ingest` end to end against a real PostgreSQL: contract §1–§4 promises."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from tests.conftest import EXAMPLES
from tests.helpers import problems, query, run_cli, snapshot, write_csv

UNITS_HEADER = ["unit_code", "unit_name", "unit_type"]
SUPERVISION_HEADER = [
    "事项编号", "事项来源", "事项名称", "承办单位", "立项日期", "办理时限", "办结日期", "反馈意见",
]  # fmt: skip
EMPLOYMENT_HEADER = [
    "period", "unit_code", "area_name", "labor_force", "employed",
    "zero_employment_households", "aid_referrals", "aid_placements",
]  # fmt: skip


def ingest(monkeypatch, capsys, url, *args):
    return run_cli(monkeypatch, capsys, url, "ingest", *args)


def test_every_example_loads_and_every_view_has_rows(warehouse, monkeypatch, capsys, tmp_path):
    # A folder: units and targets go first even though 'targets.csv' sorts after others.
    folder = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, folder)
    run = ingest(monkeypatch, capsys, warehouse, folder, "--as-of", "2006-06-30")
    assert run.code == 0, run.err
    assert "6 accepted, 0 rejected" in run.err
    order = [r[0] for r in query(warehouse, "select kind from ingest.files order by file_id")]
    assert order[:2] == ["units", "targets"]

    completion = dict(
        query(
            warehouse,
            "select target_code, completion_rate from mart.target_completion where year = 2006",
        )
    )
    assert float(completion["T-001"]) == pytest.approx(95.5 / 180)
    assert completion["T-002"] == 3  # lower is better: planned 3 / actual 1
    employment = query(
        warehouse, "select unit_code, employment_rate, placement_rate from mart.employment"
    )
    assert [(u, float(e), float(p)) for u, e, p in employment] == [
        ("JD-SY", pytest.approx(588 / 620), pytest.approx(8 / 9))
    ]
    assert query(
        warehouse,
        "select program, households, person_times, amount_yuan from mart.disability_aid"
        " order by program",
    ) == [("特困生活补助", 40, 42, Decimal("4200.00")), ("辅助器具", 6, 6, Decimal("3150.00"))]
    items = query(
        warehouse, "select item_code, source, status from mart.supervision_items order by 1"
    )
    assert items == [("S-2006-001", "city", "closed"), ("S-2006-002", "cppcc", "open")]
    closure = query(
        warehouse,
        "select year, source, registered, closed, open_not_due, overdue, closure_rate,"
        " on_time_rate, satisfaction_rate from mart.supervision_closure order by source",
    )
    assert closure == [
        (2006, "city", 1, 1, 0, 0, Decimal(1), Decimal(1), None),
        (2006, "cppcc", 1, 0, 1, 0, Decimal(0), None, None),
    ]


def test_each_file_is_recorded_with_hash_outcome_and_expectations(loaded):
    files = query(
        loaded,
        "select file_name, kind, length(sha256), size_bytes > 0, outcome, approval, row_count"
        " from ingest.files order by file_id",
    )
    assert files == [
        ("units.csv", "units", 64, True, "accepted", "approved", 3),
        ("targets.csv", "targets", 64, True, "accepted", "approved", 2),
    ]
    results = query(
        loaded,
        "select count(*), bool_and(success) from ingest.expectation_results r"
        " join ingest.files f using (file_id) where f.kind = 'targets'",
    )
    assert results[0][0] >= 5 and results[0][1] is True


def test_same_bytes_again_change_nothing(loaded, monkeypatch, capsys):
    before = snapshot(loaded)
    files_before = query(loaded, "select count(*) from ingest.files")
    run = ingest(monkeypatch, capsys, loaded, EXAMPLES / "units.csv")
    assert run.code == 0
    assert "nothing changed" in run.err
    assert snapshot(loaded) == before
    assert query(loaded, "select count(*) from ingest.files") == files_before


def test_later_return_supersedes_the_whole_slice_and_history_stays(
    loaded, monkeypatch, capsys, tmp_path
):
    first = write_csv(
        tmp_path / "emp_v1.csv",
        EMPLOYMENT_HEADER,
        [
            ["2006-Q2", "JD-SY", "石羊场社区", 620, 588, 1, 9, 8],
            ["2006-Q2", "JD-SY", "府河社区", 300, 280, 0, 4, 4],
        ],
    )
    second = write_csv(
        tmp_path / "emp_v2.csv",
        EMPLOYMENT_HEADER,
        [["2006-Q2", "JD-SY", "石羊场社区", 620, 600, 0, 9, 9]],
    )
    assert ingest(monkeypatch, capsys, loaded, first).code == 0
    assert ingest(monkeypatch, capsys, loaded, second).code == 0
    # The unit's whole report for the period is the new one: 府河社区 is gone from the mart.
    assert query(loaded, "select area_name, employed from mart.employment") == [("石羊场社区", 600)]
    history = query(
        loaded,
        "select f.file_name, e.area_name, e.employed, e.is_current from core.employment e"
        " join ingest.files f using (file_id) order by e.file_id, e.area_name",
    )
    assert history == [
        ("emp_v1.csv", "府河社区", 280, False),
        ("emp_v1.csv", "石羊场社区", 588, False),
        ("emp_v2.csv", "石羊场社区", 600, True),
    ]


def test_supervision_versions_by_item_code_and_status_uses_as_of(
    loaded, monkeypatch, capsys, tmp_path
):
    header = SUPERVISION_HEADER
    first = write_csv(
        tmp_path / "sup_a.csv",
        header,
        [
            ["S-1", "市委市政府督办", "西芯大道改造", "BM-CZ", "2006-03-01", "2006-06-30", "", ""],
            ["S-2", "人大代表建议", "园区交通", "JD-SY", "2006-03-01", "2006-12-31", "", ""],
        ],
    )
    assert ingest(monkeypatch, capsys, loaded, first, "--as-of", "2006-07-01").code == 0
    status = dict(query(loaded, "select item_code, status from mart.supervision_items"))
    assert status == {"S-1": "overdue", "S-2": "open"}
    days = query(loaded, "select days_overdue from mart.supervision_items where item_code='S-1'")
    assert days == [(1,)]

    second = write_csv(
        tmp_path / "sup_b.csv",
        header,
        [["S-1", "city", "西芯大道改造", "BM-CZ", "2006/3/1", "2006/6/30", "2006年7月5日", "满意"]],
    )
    assert ingest(monkeypatch, capsys, loaded, second, "--as-of", "2006-07-31").code == 0
    rows = query(
        loaded,
        "select item_code, status, satisfaction from mart.supervision_items order by 1",
    )
    # S-2 keeps the as-of of the return that last reported it.
    assert rows == [("S-1", "closed", "satisfied"), ("S-2", "open", None)]
    closure = query(
        loaded,
        "select source, closed, on_time_rate, satisfaction_rate from mart.supervision_closure"
        " where source = 'city'",
    )
    assert closure == [("city", 1, Decimal(0), Decimal(1))]
    versions = query(loaded, "select count(*) from core.supervision where item_code = 'S-1'")
    assert versions == [(2,)]


def test_gb18030_and_english_codes_load(loaded, monkeypatch, capsys, tmp_path):
    path = write_csv(
        tmp_path / "sup_gbk.csv",
        SUPERVISION_HEADER,
        [["S-9", "deputy", "关于改善园区交通的建议", "JD-SY", "2006年5月8日", "2006年8月8日",
          "2006年8月1日", "基本满意"]],
        encoding="gb18030",
    )  # fmt: skip
    assert ingest(monkeypatch, capsys, loaded, path, "--as-of", "2006-12-31").code == 0
    assert query(loaded, "select title, source, satisfaction from mart.supervision_items") == [
        ("关于改善园区交通的建议", "deputy", "basically")
    ]


def test_title_is_stored_verbatim(loaded, monkeypatch, capsys, tmp_path):
    title = '<script>alert("x")</script> =1+2 ＂引号＂'
    path = write_csv(
        tmp_path / "sup_title.csv",
        SUPERVISION_HEADER,
        [["S-7", "city", title, "JD-SY", "2006-05-08", "2006-08-08", "", ""]],
    )
    assert ingest(monkeypatch, capsys, loaded, path).code == 0
    assert query(loaded, "select title from mart.supervision_items") == [(title,)]


def test_steward_approval_holds_back_and_rejection_withdraws(loaded, monkeypatch, capsys, tmp_path):
    from etl.load import decide

    query_emp = "select employed from mart.employment"
    v1 = write_csv(tmp_path / "a1.csv", EMPLOYMENT_HEADER,
                   [["2006-Q2", "JD-SY", "石羊场社区", 620, 588, 1, 9, 8]])  # fmt: skip
    v2 = write_csv(tmp_path / "a2.csv", EMPLOYMENT_HEADER,
                   [["2006-Q2", "JD-SY", "石羊场社区", 620, 610, 1, 9, 8]])  # fmt: skip
    assert ingest(monkeypatch, capsys, loaded, v1).code == 0
    query(loaded, "update ingest.kind_settings set requires_approval = true"
                  " where kind = 'employment' returning kind")  # fmt: skip
    run = ingest(monkeypatch, capsys, loaded, v2)
    assert run.code == 0 and "awaiting" in run.err
    assert query(loaded, query_emp) == [(588,)]  # the last approved version
    v2_id = query(loaded, "select file_id from ingest.files where file_name = 'a2.csv'")[0][0]
    assert decide(loaded, v2_id, "approve", "王督查") == "approved"
    assert query(loaded, query_emp) == [(610,)]
    assert decide(loaded, v2_id, "reject", "王督查", "数字有误") == "rejected"
    assert query(loaded, query_emp) == [(588,)]  # the version before it is current again
    decisions = query(loaded, "select action, decided_by, reason from ingest.decisions"
                              " order by decision_id")  # fmt: skip
    assert decisions == [("approve", "王督查", None), ("reject", "王督查", "数字有误")]
    with pytest.raises(ValueError):
        decide(loaded, v2_id, "approve", "  ")


# ------------------------------------------------------------ bad input --
# Each case: the file's rows and every error it must get, as (row, column, rule
# slug), in the report's order (row, column, rule). A cell the reader cannot type
# gets type-<type>, and later rules do not echo it; an enum value the reader does
# not know passes through to the suite's in-set rule, "enum" (etl/readers.py's
# docstring, etl/suites.py). The warehouse must be unchanged afterwards.

BAD_SUPERVISION = [
    pytest.param(
        [["S-1", "city", "标题", "XX-NONE", "2006-03-01", "2006-06-30", "", ""]],
        [(2, "unit_code", "unknown-unit")], id="unknown-unit",
    ),
    pytest.param(
        [["S-1", "city", "标题", "JD-SY", "2006-02-30", "2006-06-30", "", ""]],
        [(2, "registered_on", "type-date")], id="bad-date",
    ),
    pytest.param(
        [["S-1", "城市", "标题", "JD-SY", "2006-03-01", "2006-06-30", "", ""]],
        [(2, "source", "enum")], id="bad-enum",
    ),
    pytest.param(
        [["S-1", "city", "标题", "JD-SY", "2006-03-01", "2006-02-01", "", ""]],
        [(2, "due_on", "due-on-ge-registered-on")], id="due-before-registered",
    ),
    pytest.param(
        [["S-1", "city", "标题", "JD-SY", "2006-03-01", "2006-06-30", "", ""],
         ["S-1", "city", "标题二", "JD-SY", "2006-03-01", "2006-06-30", "", ""]],
        [(2, "item_code", "unique"), (3, "item_code", "unique")], id="duplicate-key",
    ),
    pytest.param(
        [["S-1", "city", "", "JD-SY", "2006-03-01", "2006-06-30", "", ""]],
        [(2, "title", "required")], id="missing-required-value",
    ),
    pytest.param(
        [["S-1", "city", "长" * 501, "JD-SY", "2006-03-01", "2006-06-30", "", ""]],
        [(2, "title", "max-length")], id="title-too-long",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "errors"), BAD_SUPERVISION)
def test_bad_supervision_rows_reject_the_file_and_change_nothing(
    loaded, monkeypatch, capsys, tmp_path, rows, errors
):
    before = snapshot(loaded)
    path = write_csv(tmp_path / "bad.csv", SUPERVISION_HEADER, rows)
    run = ingest(monkeypatch, capsys, loaded, path, "--as-of", "2006-12-31")
    assert run.code == 1
    assert snapshot(loaded) == before
    found = problems(loaded, "bad.csv")
    assert [(r, c, rule) for r, c, rule, sev in found if sev == "error"] == errors
    # The report names file, row, column (both headers), value and rule on stderr.
    first_row, first_column, first_rule = errors[0]
    assert "bad.csv" in run.err and f"row {first_row}" in run.err
    assert f"({first_column})" in run.err
    assert f"rule {first_rule}" in run.err
    assert "Traceback" not in run.err
    assert query(loaded, "select outcome from ingest.files where file_name = 'bad.csv'") == [
        ("rejected",)
    ]


BAD_EMPLOYMENT = [
    pytest.param([["2006-Q2", "JD-SY", "甲", 620, -5, 0, 9, 8]],
                 [(2, "employed", "minimum")], id="negative"),
    # The required rule and the pair rule leave a cell the reader could not type to it.
    pytest.param([["2006-Q2", "JD-SY", "甲", "六百", 5, 0, 9, 8]],
                 [(2, "labor_force", "type-int")], id="non-numeric"),
    pytest.param([["2006-Q2", "JD-SY", "甲", 620, 700, 0, 9, 8]],
                 [(2, "employed", "employed-le-labor-force")], id="stock-inconsistent"),
    pytest.param([["2006-Q2", "JD-SY", "甲", 620, 500, 0, 9, 10]],
                 [(2, "aid_placements", "placements-le-referrals")], id="flow-inconsistent"),
    pytest.param([["2006-Q5", "JD-SY", "甲", 620, 500, 0, 9, 8]],
                 [(2, "period", "type-period")], id="bad-period"),
    pytest.param([["2006-Q2", "JD-SY", "甲", 620, 500, 0, 9, 8],
                  ["2006-Q2", "JD-SY", "甲", 620, 500, 0, 9, 8]],
                 [(2, "area_name", "unique-together"), (3, "area_name", "unique-together")],
                 id="duplicate-area"),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "errors"), BAD_EMPLOYMENT)
def test_bad_employment_rows_reject_the_file(loaded, monkeypatch, capsys, tmp_path, rows, errors):
    before = snapshot(loaded)
    path = write_csv(tmp_path / "bad_emp.csv", EMPLOYMENT_HEADER, rows)
    run = ingest(monkeypatch, capsys, loaded, path)
    assert run.code == 1, run.err
    assert snapshot(loaded) == before
    found = problems(loaded, "bad_emp.csv")
    assert [(r, c, rule) for r, c, rule, sev in found if sev == "error"] == errors


def test_unknown_target_and_wrong_unit_reject_progress(loaded, monkeypatch, capsys, tmp_path):
    before = snapshot(loaded)
    path = write_csv(
        tmp_path / "progress.csv",
        ["报告期", "单位代码", "目标编号", "累计完成值"],
        [["2006-06", "BM-CZ", "T-999", 1], ["2006-06", "BM-CZ", "T-002", 1],
         ["2007-06", "BM-CZ", "T-001", 1]],
    )  # fmt: skip
    run = ingest(monkeypatch, capsys, loaded, path)
    assert run.code == 1
    assert snapshot(loaded) == before
    rules = {(r, rule) for r, _, rule, _ in problems(loaded, "progress.csv")}
    assert (2, "unknown-target") in rules
    assert (3, "not-responsible-unit") in rules
    assert (4, "unknown-target") in rules  # T-001 is a 2006 target, not 2007


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.csv", b"", "empty-file"),
        ("random.xlsx", bytes(range(256)) * 8, "not-a-spreadsheet"),
        ("missing.csv", "事项编号,事项名称\nS-1,x\n".encode(), None),
        ("header_only.csv", ",".join(SUPERVISION_HEADER).encode() + b"\n", "no-rows"),
    ],
)
def test_unreadable_files_are_rejected_whole(loaded, monkeypatch, capsys, tmp_path, name,
                                             content, rule):  # fmt: skip
    before = snapshot(loaded)
    path = tmp_path / name
    path.write_bytes(content)
    run = ingest(monkeypatch, capsys, loaded, path)
    assert run.code == 1
    assert "Traceback" not in run.err and name in run.err
    assert snapshot(loaded) == before
    found = problems(loaded, name)
    assert found, "a rejected file's problems are stored"
    if rule:
        assert rule in {r[2] for r in found}


def test_missing_column_is_named_in_both_languages(loaded, monkeypatch, capsys, tmp_path):
    path = write_csv(
        tmp_path / "no_due.csv",
        [h for h in SUPERVISION_HEADER if h != "办理时限"],
        [["S-1", "city", "标题", "JD-SY", "2006-03-01", "", ""]],
    )
    run = ingest(monkeypatch, capsys, loaded, path, "--kind", "supervision")
    assert run.code == 1
    assert "办理时限" in run.err and "due_on" in run.err
    assert "missing-column" in {r[2] for r in problems(loaded, "no_due.csv")}


def test_one_bad_row_among_thousands(loaded, monkeypatch, capsys, tmp_path):
    before = snapshot(loaded)
    rows = [
        [
            f"S-{i:05d}",
            "city",
            f"事项{i}",
            "JD-SY",
            "2006-03-01",
            "2006-06-30",
            "2006-05-01",
            "满意",
        ]
        for i in range(5000)
    ]
    rows[3120][6] = "2006-02-01"  # closed before it was registered
    path = write_csv(tmp_path / "many.csv", SUPERVISION_HEADER, rows)
    run = ingest(monkeypatch, capsys, loaded, path, "--as-of", "2006-12-31")
    assert run.code == 1
    assert snapshot(loaded) == before
    assert problems(loaded, "many.csv") == [(3122, "closed_on", "closed-on-ge-registered-on",
                                             "error")]  # fmt: skip
    rows[3120][6] = "2006-05-01"
    write_csv(path, SUPERVISION_HEADER, rows)
    assert ingest(monkeypatch, capsys, loaded, path, "--as-of", "2006-12-31").code == 0
    assert query(loaded, "select count(*) from mart.supervision_items") == [(5000,)]


def test_extra_column_and_amount_mismatch_are_warnings(loaded, monkeypatch, capsys, tmp_path):
    path = write_csv(
        tmp_path / "aid.csv",
        ["发放月份", "单位代码", "救助项目", "户数", "人次", "发放标准(元/人次)", "发放金额(元)", "备注"],
        [["2006-05", "JD-SY", "特困生活补助", 40, 42, 100, "4,300.00", "x"]],
    )  # fmt: skip
    run = ingest(monkeypatch, capsys, loaded, path)
    assert run.code == 0, run.err
    assert "warning" in run.err
    assert query(loaded, "select outcome from ingest.files where file_name = 'aid.csv'") == [
        ("accepted_with_warnings",)
    ]
    severities = {(c, sev) for _, c, _, sev in problems(loaded, "aid.csv")}
    assert ("amount_yuan", "warning") in severities
    assert query(loaded, "select amount_yuan from mart.disability_aid") == [(Decimal("4300.00"),)]


def test_unreachable_warehouse_is_one_clear_line(monkeypatch, capsys):
    run = run_cli(
        monkeypatch, capsys, "postgresql://nobody@127.0.0.1:1/none", "ingest",
        EXAMPLES / "units.csv",
    )  # fmt: skip
    assert run.code == 3
    assert "cannot connect to the warehouse" in run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [["ingest"], ["ingest", "/no/such/file.csv"], ["ingest", "x.csv", "--kind", "nonsense"],
     ["ingest", "x.csv", "--as-of", "31/12/2006"], ["frobnicate"]],
)  # fmt: skip
def test_usage_errors_exit_2(warehouse, monkeypatch, capsys, argv):
    monkeypatch.setenv("DATABASE_URL", warehouse)
    with pytest.raises(SystemExit) as exit_info:
        from etl import cli

        raise SystemExit(cli.main(argv))
    assert exit_info.value.code == 2
