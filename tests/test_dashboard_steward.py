"""The data stewards' pages (数据管理) under Streamlit's AppTest, on the real demo returns.

The demo is loaded once through the real pipeline into a template database; a test
that changes the warehouse (decisions, locks, uploads, runs) gets its own copy.
Expected figures are read back from the warehouse, never restated here.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import psycopg
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import format as fmt
from dashboard import queries, steward, uploads
from dashboard.signin import PERSON_KEY
from etl.accounts import Person
from etl.demo import DEMO_AS_OF, employment_rows
from etl.kinds import KINDS
from etl.load import ingest_files
from etl.run import run_inbox
from tests import apptest
from tests.apptest import CJK, STEWARD, access, start_app, table, texts
from tests.conftest import EXAMPLES
from tests.helpers import latest_file_id, query, write_csv

LI = Person("li", "李管理", ("steward",), ())
WANG = Person("wang", "王审核", ("steward",), ())

STEWARD_PAGES = ("inbox", "report", "approval", "versions", "calendar", "upload", "runs")
EMPLOYMENT_HEADER = list(KINDS["employment"].column_names)
UNIT, PERIOD = "JD-SY", "2006-Q4"


# ---------------------------------------------------------------- fixtures --


@pytest.fixture
def demo_read(make_demo) -> str:
    """A copy of the demo for a test that only reads."""
    return make_demo().url


@pytest.fixture
def demo_files(make_demo):
    """A copy of the demo of this test's own, to change, with its files found by name."""
    return make_demo()


@pytest.fixture
def demo(demo_files) -> str:
    """A copy of the demo of this test's own, to change."""
    return demo_files.url


def open_page(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    page: str,
    params: dict[str, str] | None = None,
    timeout: float = 30,
    person: Person = STEWARD,
) -> AppTest:
    """Run the app on ``url`` signed in as ``person`` and switch to a steward page; fail on
    any exception shown."""
    at = start_app(monkeypatch, url, params, timeout, person=person)
    # The leaders' default page keeps only its filters in the URL: give the link again.
    at.query_params.update(params or {})
    at.switch_page(f"screens/steward_{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return apptest.metric(at, label).value


def changed() -> None:
    """The warehouse was changed behind the app's back: drop its cached reads."""
    st.cache_data.clear()


def employment_return(path: Path, employed_change: int = 0, unit: str = UNIT) -> Path:
    """The demo's 2006-Q4 employment return of one unit, its first area's employed changed."""
    rows = [row for row in employment_rows(4) if row["unit_code"] == unit]
    rows[0] = rows[0] | {"employed": int(rows[0]["employed"]) + employed_change}
    return write_csv(path, EMPLOYMENT_HEADER, [[row[c] for c in EMPLOYMENT_HEADER] for row in rows])


def bad_employment_return(path: Path) -> Path:
    """Row 3 employs more people than its labour force; row 4 names an unknown unit."""
    good = next(row for row in employment_rows(4) if row["unit_code"] == UNIT)
    rows = [
        [good[c] for c in EMPLOYMENT_HEADER],
        [good[c] for c in EMPLOYMENT_HEADER],
        [good[c] for c in EMPLOYMENT_HEADER],
    ]
    rows[1][EMPLOYMENT_HEADER.index("area_name")] = "乙"
    rows[1][EMPLOYMENT_HEADER.index("employed")] = int(good["labor_force"]) + 5
    rows[2][EMPLOYMENT_HEADER.index("area_name")] = "丙"
    rows[2][EMPLOYMENT_HEADER.index("unit_code")] = "JD-XX"
    return write_csv(path, EMPLOYMENT_HEADER, rows)


def first_area_employed(url: str) -> int:
    area = next(row for row in employment_rows(4) if row["unit_code"] == UNIT)["area_name"]
    return query(
        url,
        "select employed from mart.employment where unit_code = %s and period = %s"
        " and area_name = %s",
        (UNIT, PERIOD, area),
    )[0][0]


# ------------------------------------------------------------------- inbox --


def test_inbox_lists_the_demo_files_with_their_outcomes(monkeypatch, demo_read, tmp_path):
    from etl.demo import write_demo_returns

    # Every file the demo writes, counted from the files themselves.
    sent = len(write_demo_returns(tmp_path / "demo"))
    at = open_page(monkeypatch, demo_read, "inbox")
    assert at.title[0].value == "报表收件箱"
    inbox = table(at, "steward_inbox")
    received = query(demo_read, "select file_id, file_name from ingest.files order by file_id")
    assert len(inbox) == len(received) == sent
    assert set(inbox["文件名"]) == {name for _, name in received}
    assert set(inbox["处理结果"]) == {"已接收"}
    assert metric(at, "收到文件") == str(sent) and metric(at, "已拒收") == "0"
    employment = inbox[inbox["报表类别"] == "就业情况"].set_index("文件名")
    assert employment.loc["employment_2006-Q4.xlsx", "报告期"] == "2006年第4季度"
    units = query(
        demo_read,
        "select count(distinct unit_code) from mart.return_rows where file_name = 'units.csv'",
    )[0][0]
    assert inbox.set_index("文件名").loc["units.csv", "单位"].endswith(f"等 {units} 个")

    at.selectbox(key="inbox_kind").set_value("employment").run()
    assert len(table(at, "steward_inbox")) == 4
    at.text_input(key="inbox_search").input("q4").run()
    assert list(table(at, "steward_inbox")["文件名"]) == ["employment_2006-Q4.xlsx"]

    at.selectbox(key="inbox_kind").set_value(None).run()
    at.text_input(key="inbox_search").input("").run()
    at.selectbox(key="inbox_unit").set_value("ZS-CL").run()
    with_unit = query(
        demo_read,
        "select count(distinct file_id) from mart.return_rows where unit_code = 'ZS-CL'",
    )[0][0]
    assert len(table(at, "steward_inbox")) == with_unit
    at.multiselect(key="inbox_status").set_value(["rejected"]).run()
    assert any("没有符合筛选条件的文件" in i.value for i in at.info)


# ------------------------------------------------------- validation report --


def test_a_rejected_file_shows_its_problems_by_row_and_column(monkeypatch, demo, tmp_path):
    bad = bad_employment_return(tmp_path / "就业_坏.csv")
    assert ingest_files(demo, [bad], as_of=DEMO_AS_OF)[0].outcome == "rejected"
    bad_id = latest_file_id(demo, "就业_坏.csv")

    at = open_page(monkeypatch, demo, "report", params={"file": str(bad_id)})
    assert at.selectbox(key="report_file").value == bad_id
    assert at.query_params["file"] == str(bad_id)
    assert metric(at, "处理结果") == "已拒收"
    stored = query(
        demo,
        "select row_no, column_name, rule, severity from ingest.problems where file_id = %s",
        (bad_id,),
    )
    problems = table(at, "report_problems")
    assert len(problems) == len(stored) > 0
    assert metric(at, "错误") == str(sum(s == "error" for *_, s in stored))
    shown = set(zip(problems["行号"].astype("Int64"), problems["规则"], strict=True))
    assert shown == {(row, rule) for row, _, rule, _ in stored}
    # The row as the unit sees it in the spreadsheet, the column in both languages.
    employed = problems[problems["列"] == "已就业人数 (employed)"]
    assert list(employed["行号"]) == [3]
    assert (problems.loc[problems["行号"] == 4, "列"] == "单位代码 (unit_code)").any()
    assert problems["说明（中文）"].str.len().min() > 0
    assert problems["说明（英文）"].str.len().min() > 0
    assert any("不能审核" in i.value for i in at.info)  # nothing to approve

    labels = [b.label for b in at.get("download_button")]
    assert "下载校验报告（Excel，发回单位）" in labels and "下载离线校验页面（HTML）" in labels
    frames = at.get("iframe")
    assert len(frames) == 1 and "就业_坏.csv" in frames[0].proto.srcdoc

    # A page of many problems is offered for download only.
    monkeypatch.setattr(steward, "INLINE_PROBLEMS", 1)
    at.run()
    assert "页面过大" in texts(at.info) and len(at.get("iframe")) == 0

    # The inbox lists it as rejected; an unknown id in a link falls back, with a warning.
    at.switch_page("screens/steward_inbox.py").run()
    inbox = table(at, "steward_inbox").set_index("文件名")
    assert inbox.loc["就业_坏.csv", "处理结果"] == "已拒收"
    assert metric(at, "已拒收") == "1"
    at = open_page(monkeypatch, demo, "report", params={"file": "999999"})
    assert any("没有编号为 999999 的文件" in w.value for w in at.warning)


def test_report_downloads_are_the_stored_report(demo_read):
    file_id = latest_file_id(demo_read, "employment_2006-Q1.xlsx")
    stored = queries.stored_file(access(demo_read), file_id)
    book = openpyxl.load_workbook(io.BytesIO(steward.report_workbook(stored)))
    assert book.sheetnames[0] == "摘要 Summary"
    assert "employment_2006-Q1.xlsx" in steward.report_html(stored)
    assert queries.stored_file(access(demo_read), 999_999) is None


# ---------------------------------------------------------------- approval --


def test_withdrawing_and_approving_change_the_figures(monkeypatch, demo, tmp_path):
    before = first_area_employed(demo)
    v2 = employment_return(tmp_path / "employment_2006-Q4_更正.csv", employed_change=-7)
    assert ingest_files(demo, [v2], as_of=DEMO_AS_OF)[0].outcome == "accepted"
    v2_id = latest_file_id(demo, v2.name)
    assert first_area_employed(demo) == before - 7  # approved on load by default

    at = open_page(monkeypatch, demo, "report", params={"file": str(v2_id)}, person=LI)
    assert "签名：李管理（账号 li）" in texts(at.caption)
    assert not [w for w in at.text_input if w.key == "decide_name"]  # signed, never typed
    at.text_input(key="decide_reason").input("第4季度数字有误，退回重报")
    at.button(key="decide_reject").click().run()
    assert not at.exception
    assert f"已撤回文件 #{v2_id}" in texts(at.success)
    assert first_area_employed(demo) == before  # the earlier version counts again
    assert query(demo, "select approval from ingest.files where file_id = %s", (v2_id,)) == [
        ("rejected",)
    ]
    history = table(at, "report_decisions")
    assert list(history["决定"]) == ["撤回"] and list(history["审核人"]) == ["李管理"]
    assert list(history["理由"]) == ["第4季度数字有误，退回重报"]
    at.switch_page("screens/steward_inbox.py").run()
    assert table(at, "steward_inbox").set_index("文件名").loc[v2.name, "处理结果"] == "已撤回"

    # Approved again on the approval page, by another steward.
    at.session_state[PERSON_KEY] = WANG
    at.query_params["file"] = str(v2_id)
    at.switch_page("screens/steward_approval.py").run()
    assert at.selectbox(key="approval_file").value == v2_id
    at.button(key="decide_approve").click().run()
    assert not at.exception
    assert f"已批准文件 #{v2_id}" in texts(at.success)
    assert first_area_employed(demo) == before - 7
    history = table(at, "approval_history")
    assert list(history["决定"]) == ["批准", "撤回"]
    assert list(history["审核人"]) == ["王审核", "李管理"]
    assert query(
        demo, "select decided_by, signed_by, typed_name from ingest.decisions order by 1"
    ) == [("李管理", "li", False), ("王审核", "wang", False)]
    assert query(demo, "select account, action, target from auth.audit order by audit_id") == [
        ("li", "decision.reject", f"file {v2_id}"),
        ("wang", "decision.approve", f"file {v2_id}"),
    ]


def test_a_leader_has_no_approve_button_and_no_stewards_page(monkeypatch, demo_files):
    demo_read = demo_files.url
    leader = Person("boss", "领导", ("leader",), ())
    file_id = demo_files.file_id("employment_2006-Q4.xlsx")
    at = start_app(monkeypatch, demo_read, {"file": str(file_id)}, person=leader)
    assert not at.exception
    with pytest.raises(Exception):  # noqa: B017 - the page is not in a leader's navigation
        at.switch_page("screens/steward_report.py").run()
    assert not [b for b in at.button if b.key in ("decide_approve", "decide_reject")]
    assert query(demo_read, "select count(*) from ingest.decisions") == [(0,)]


def test_a_locked_period_holds_a_later_return_as_pending(monkeypatch, demo, tmp_path):
    before = first_area_employed(demo)
    at = open_page(monkeypatch, demo, "approval", person=LI)
    assert "没有待审核的报表" in texts(at.success)
    at.selectbox(key="lock_kind").set_value("employment").run()
    at.selectbox(key="lock_unit").set_value(UNIT).run()
    at.selectbox(key="lock_period").set_value(PERIOD)
    at.text_input(key="lock_reason").input("已通报")
    at.button(key="lock_submit").click().run()
    assert not at.exception
    assert "已锁定" in texts(at.success)
    assert query(demo, "select kind, unit_code, period, locked_by from ingest.period_locks") == [
        ("employment", UNIT, PERIOD, "李管理")
    ]
    assert list(table(at, "locks_active")["锁定人"]) == ["李管理"]

    v2 = employment_return(tmp_path / "employment_2006-Q4_v2.csv", employed_change=3)
    report = ingest_files(demo, [v2], as_of=DEMO_AS_OF)[0]
    assert report.approval == "pending"
    assert first_area_employed(demo) == before
    changed()
    at.run()
    queue = table(at, "approval_queue")
    assert list(queue["文件名"]) == [v2.name] and list(queue["处理结果"]) == ["待审核"]
    # Approving the held return is its release.
    options = at.selectbox(key="approval_file").options
    assert options[0].startswith(f"#{report.file_id} ")
    at.selectbox(key="approval_file").set_value(report.file_id).run()
    at.button(key="decide_approve").click().run()
    assert first_area_employed(demo) == before + 3

    at.button(key="release_submit").click().run()
    assert not at.exception
    assert "已解除锁定" in texts(at.success)
    assert query(
        demo, "select released_by, signed_by, released_signed_by from ingest.period_locks"
    ) == [("李管理", "li", "li")]
    assert any("没有生效中的锁定" in c.value for c in at.caption)


def test_the_warehouse_refuses_a_leaders_decisions_made_through_the_dashboards_door(demo):
    """Not only hidden: the dashboard's own write functions, called with a leader's scope,
    are refused by PostgreSQL and change nothing."""
    leader = access(demo, Person("boss", "领导", ("leader",), ()))
    before = apptest_snapshot(demo)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        queries.lock_period(leader, "employment", UNIT, PERIOD, "领导", None)
    with pytest.raises(ValueError, match="not an accepted file"):  # the row is not theirs to lock
        queries.decide(leader, 18, "reject", "领导", None)
    # The rules' rows are not a leader's to update: the change finds nothing to change.
    assert queries.update_kind_settings(leader, "employment", 30, True, "领导") is False
    assert apptest_snapshot(demo) == before


def apptest_snapshot(url: str) -> list:
    return [
        query(url, "select file_id, approval from ingest.files order by 1"),
        query(url, "select count(*) from ingest.decisions"),
        query(url, "select count(*) from ingest.period_locks"),
        query(url, "select * from ingest.kind_settings order by kind"),
        query(url, "select count(*) from core.employment where is_current"),
    ]


# ---------------------------------------------------------------- versions --


def test_resubmission_history_shows_changed_figures(monkeypatch, demo, tmp_path):
    before = first_area_employed(demo)
    v2 = employment_return(tmp_path / "employment_2006-Q4_更正.csv", employed_change=12)
    assert ingest_files(demo, [v2], as_of=DEMO_AS_OF)[0].outcome == "accepted"

    at = open_page(monkeypatch, demo, "versions")
    resubmitted = table(at, "versions_resubmitted")
    assert list(resubmitted["单位代码"]) == [UNIT] and list(resubmitted["版本数"]) == [2]
    assert at.selectbox(key="versions_kind").value == "employment"
    assert at.selectbox(key="versions_unit").value == UNIT
    assert at.selectbox(key="versions_period").value == PERIOD
    versions = table(at, "versions_list")
    assert list(versions["文件名"]) == ["employment_2006-Q4.xlsx", v2.name]
    assert list(versions["版本"]) == ["已被替代", "当前"]
    changes = table(at, "versions_changes")
    area = next(row for row in employment_rows(4) if row["unit_code"] == UNIT)["area_name"]
    assert changes[["行键", "变化", "指标", "原值", "新值"]].values.tolist() == [
        [area, "修改", "已就业人数", fmt.number(before), fmt.number(before + 12)]
    ]


def test_resubmissions_are_listed_latest_first_up_to_a_limit(monkeypatch, demo, tmp_path):
    units = sorted({row["unit_code"] for row in employment_rows(4)})[:2]
    for unit in units:
        path = employment_return(tmp_path / f"employment_2006-Q4_{unit}.csv", 1, unit)
        assert ingest_files(demo, [path], as_of=DEMO_AS_OF)[0].outcome == "accepted"

    at = open_page(monkeypatch, demo, "versions")
    assert list(table(at, "versions_resubmitted")["单位代码"]) == units[::-1]
    assert "只列出最近" not in texts(at.caption)

    monkeypatch.setattr(queries, "RESUBMITTED_LIMIT", 1)
    changed()
    at = open_page(monkeypatch, demo, "versions")
    assert list(table(at, "versions_resubmitted")["单位代码"]) == [units[1]]
    assert "只列出最近重新报送的 1 份" in texts(at.caption)
    # An earlier resubmission is still found by its unit and period.
    at.selectbox(key="versions_unit").set_value(units[0]).run()
    at.selectbox(key="versions_period").set_value(PERIOD).run()
    assert len(table(at, "versions_list")) == 2


def test_version_changes_name_rows_added_removed_and_changed():
    rows = pd.DataFrame(
        [
            (1, "v1.csv", "甲", {"labor_force": 100, "employed": 90, "unit_code": "JD-SY"}),
            (1, "v1.csv", "乙", {"labor_force": 50, "employed": 40, "unit_code": "JD-SY"}),
            (2, "v2.csv", "甲", {"labor_force": 100, "employed": 95, "unit_code": "JD-SY"}),
            (2, "v2.csv", "丙", {"labor_force": 10, "employed": 10, "unit_code": "JD-SY"}),
        ],
        columns=["file_id", "file_name", "item_key", "figures"],
    )
    changes = steward.version_changes(rows, "employment")
    flat = changes[["item_key", "change", "figure", "old_value", "new_value"]].astype(object)
    flat = flat.where(flat.notna(), None)
    assert flat.values.tolist() == [
        ["丙", "added", "labor_force", None, "10"],
        ["丙", "added", "employed", None, "10"],
        ["乙", "removed", "labor_force", "50", None],
        ["乙", "removed", "employed", "40", None],
        ["甲", "changed", "employed", "90", "95"],
    ]
    assert set(changes["from_file"]) == {"#1 v1.csv"} and set(changes["to_file"]) == {"#2 v2.csv"}


# ---------------------------------------------------------------- calendar --


def _calendar_counts(url: str, kind: str) -> tuple[int, int, int]:
    return query(
        url,
        "select count(*), count(*) filter (where received), count(*) filter (where on_time)"
        " from ingest.reporting_calendar where kind = %s and year = 2006",
        (kind,),
    )[0]


def test_calendar_rates_come_from_the_returns(monkeypatch, demo):
    at = open_page(monkeypatch, demo, "calendar")
    at.selectbox(key="cal_kind").set_value("employment").run()
    expected, received, on_time = _calendar_counts(demo, "employment")
    assert metric(at, "报送率") == fmt.percent(received / expected)
    assert metric(at, "及时报送率") == fmt.percent(on_time / expected)
    by_period = table(at, "calendar_rates")
    sql = query(
        demo,
        "select period, count(*), count(*) filter (where received) from ingest.reporting_calendar"
        " where kind = 'employment' and year = 2006 group by period order by period",
    )
    assert list(zip(by_period["应报"], by_period["已报"], strict=True)) == [
        (e, r) for _, e, r in sql
    ]
    details = table(at, "calendar_details")
    assert len(details) == expected
    assert (details["报送状态"] == "未报").sum() == expected - received
    assert len(at.get("plotly_chart")) == 2

    # A return received before its due date counts as on time.
    query(
        demo,
        "update ingest.files set received_at = '2006-04-10'"
        " where file_name = 'employment_2006-Q1.xlsx' returning 1",
    )
    changed()
    at.run()
    expected, received, on_time = _calendar_counts(demo, "employment")
    assert on_time > 0
    assert metric(at, "及时报送率") == fmt.percent(on_time / expected)
    details = table(at, "calendar_details")
    assert (details["报送状态"] == "按时报送").sum() == on_time


def test_a_kinds_deadline_and_approval_policy_can_be_changed(monkeypatch, demo):
    at = open_page(monkeypatch, demo, "calendar", person=Person("min", "王敏", ("steward",), ()))
    at.selectbox(key="settings_kind").set_value("employment").run()
    at.number_input(key="settings_deadline_employment").set_value(30)
    at.checkbox(key="settings_approval_employment").check()
    at.text_input(key="settings_reason").input("区政府办通知")
    at.button(key="settings_save").click().run()
    assert not at.exception
    assert "已保存“就业情况”的报送要求" in texts(at.success)
    assert query(
        demo,
        "select deadline_days, requires_approval from ingest.kind_settings"
        " where kind = 'employment'",
    ) == [(30, True)]
    assert query(
        demo,
        "select kind, old_deadline_days, new_deadline_days, old_requires_approval,"
        " new_requires_approval, changed_by, reason from ingest.kind_settings_changes",
    ) == [("employment", 15, 30, False, True, "王敏", "区政府办通知")]
    assert query(demo, "select signed_by from ingest.kind_settings_changes") == [("min",)]
    rules = table(at, "calendar_settings").set_index("报表类别")
    assert rules.loc["就业情况", "报送期限(天)"] == 30
    assert rules.loc["就业情况", "须经审核"] == "是"
    assert rules.loc["就业情况", "修改人"] == "王敏"
    assert list(table(at, "calendar_settings_changes")["修改人"]) == ["王敏"]
    due = query(
        demo,
        "select min(due_on) from ingest.reporting_calendar where kind = 'employment'"
        " and period = '2006-Q1'",
    )[0][0]
    assert due.isoformat() == "2006-04-30"
    at.switch_page("screens/steward_approval.py").run()
    assert any("须经审核才生效的报表类别：就业情况" in c.value for c in at.caption)


def test_a_rules_change_needs_a_name_and_a_change(monkeypatch, demo):
    before = query(demo, "select * from ingest.kind_settings order by kind")
    at = open_page(monkeypatch, demo, "calendar")
    at.selectbox(key="settings_kind").set_value("employment").run()
    with pytest.raises(ValueError, match="name is required"):
        queries.update_kind_settings(access(demo), "employment", 30, False, "  ")
    with pytest.raises(ValueError, match="unknown kind"):
        queries.update_kind_settings(access(demo), "payroll", 30, False, "王敏")
    assert query(demo, "select * from ingest.kind_settings order by kind") == before

    # Saving the values it already has changes and records nothing.
    at.number_input(key="settings_deadline_employment").set_value(15)
    at.button(key="settings_save").click().run()
    assert "报送要求没有改动" in texts(at.info)
    assert query(demo, "select count(*) from ingest.kind_settings_changes") == [(0,)]
    assert query(demo, "select * from ingest.kind_settings order by kind") == before


# ------------------------------------------------------------------ upload --


def test_upload_loads_files_and_reports_each(monkeypatch, demo_files, tmp_path):
    demo = demo_files.url
    good = employment_return(tmp_path / "就业情况_石羊.csv", employed_change=1)
    bad = bad_employment_return(tmp_path / "bad.csv")
    before = first_area_employed(demo)
    at = open_page(monkeypatch, demo, "upload", timeout=180)
    assert [b.label for b in at.get("download_button")] == [kind.zh for kind in KINDS.values()]
    at.button(key="upload_submit").click().run()
    assert "请先选择要上传的文件" in texts(at.warning)

    at.file_uploader[0].set_value(
        [(good.name, good.read_bytes(), "text/csv"), (bad.name, bad.read_bytes(), "text/csv")]
    )
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    rows = len([row for row in employment_rows(4) if row["unit_code"] == UNIT])
    assert f"就业情况_石羊.csv：已接收，{rows} 行。" in texts(at.success)
    assert "bad.csv：已拒收" in texts(at.error)
    problems = table(at, "upload_problems_0")  # bad.csv sorts first
    stored = query(
        demo,
        "select count(*) from ingest.problems where file_id = %s",
        (latest_file_id(demo, "bad.csv"),),
    )[0][0]
    assert len(problems) == stored and 3 in set(problems["行号"])
    links = at.get("page_link")
    assert len(links) == 2
    assert sorted(demo_files.later_files()) == [
        ("bad.csv", "rejected"),
        ("就业情况_石羊.csv", "accepted"),
    ]
    assert first_area_employed(demo) == before + 1
    # The uploader starts empty again; the same bytes once more change nothing.
    assert at.file_uploader[0].value == []
    at.file_uploader[0].set_value((good.name, good.read_bytes(), "text/csv"))
    at.button(key="upload_submit").click().run()
    assert "相同内容的文件已经载入" in texts(at.info)


def test_upload_names_and_templates():
    assert uploads.upload_name("C:\\Users\\李\\就业情况.xlsx") == "就业情况.xlsx"
    assert uploads.upload_name("../../etc/passwd") == "passwd"
    assert uploads.upload_name("..") == "upload"
    for name, kind in KINDS.items():
        book = openpyxl.load_workbook(io.BytesIO(steward.template_workbook(name, ["JD-SY"])))
        assert book.sheetnames[0] == kind.zh


# ---------------------------------------------------------------- ETL runs --


def test_etl_runs_page_after_a_run(monkeypatch, demo, tmp_path):
    at = open_page(monkeypatch, demo, "runs")
    assert any("ducha run --inbox" in i.value for i in at.info)

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    employment_return(inbox / "employment_2006-Q4_更正.csv", employed_change=2)
    bad_employment_return(inbox / "bad.csv")
    result = run_inbox(demo, inbox, as_of=DEMO_AS_OF)
    assert result.rejected == 1
    changed()
    at.run()
    runs = table(at, "runs")
    assert list(runs["运行编号"]) == [result.run_id]
    assert list(runs["运行状态"]) == ["有拒收文件"]
    assert list(runs["接收"]) == [1] and list(runs["拒收"]) == [1]
    assert "有 1 次运行含被拒收的文件" in texts(at.warning)
    files = table(at, "runs_files")
    assert sorted(files["文件名"]) == ["bad.csv", "employment_2006-Q4_更正.csv"]

    query(
        demo,
        "insert into ingest.runs (inbox, host, pid, status, message, finished_at)"
        " values ('/srv/inbox', 'host', 1, 'failed', 'OperationalError: server closed', now())"
        " returning 1",
    )
    changed()
    at.run()
    assert "有 1 次运行失败或中断" in texts(at.error)
    assert metric(at, "最近一次") == "失败"
    assert "OperationalError: server closed" in set(table(at, "runs")["信息"])


# ------------------------------------------------- empty warehouse, language --


@pytest.mark.parametrize("page", STEWARD_PAGES)
def test_an_empty_warehouse_explains_what_to_do(monkeypatch, warehouse, page):
    at = open_page(monkeypatch, warehouse, page)
    shown = texts(at.info) + texts(at.success) + texts(at.caption)
    expected = {
        "inbox": "ducha ingest",
        "report": "ducha ingest",
        "approval": "没有待审核的报表",
        "versions": "还没有按期报送的报表",
        "calendar": "单位名录",
        "upload": "ducha ingest",
        "runs": "ducha run --inbox",
    }
    assert expected[page] in shown
    if page == "upload":
        assert len(at.file_uploader) == 1


@pytest.mark.parametrize("page", STEWARD_PAGES)
def test_english_changes_every_steward_label(monkeypatch, demo_files, page):
    file_id = demo_files.file_id("employment_2006-Q1.xlsx")
    at = open_page(monkeypatch, demo_files.url, page, params={"lang": "en", "file": str(file_id)})
    found = [e.value for e in (*at.title, *at.header, *at.subheader, *at.info, *at.success)]
    # Captions may quote data (units' names): only the labels around them are checked.
    found += [c.value for c in at.caption if not c.value.startswith("Units:")]
    found += [m.label for m in at.metric] + [m.value for m in at.metric]
    widgets = (*at.selectbox, *at.text_input, *at.multiselect, *at.number_input, *at.checkbox)
    found += [w.label for w in widgets] + [b.label for b in at.button]
    found += [b.label for b in at.get("download_button")]
    found += [str(name) for frame in at.dataframe for name in frame.value.columns]
    assert [text for text in found if CJK.search(text)] == []
    assert at.query_params["lang"] == "en"


def test_every_steward_table_has_csv_and_excel_downloads(monkeypatch, demo_read):
    for page in STEWARD_PAGES:
        at = open_page(monkeypatch, demo_read, page)
        labels = [b.label for b in at.get("download_button")]
        assert labels.count("下载 CSV") == len(at.dataframe) == labels.count("下载 Excel"), page


# ------------------------------------------------------ a reporter's upload --


def test_a_reporters_return_naming_another_unit_is_rejected_whole(demo, tmp_path):
    reporter = access(demo, Person("li", "李填报", ("reporter",), (UNIT,)))
    rows = [row for row in employment_rows(4) if row["unit_code"] in (UNIT, "JD-GX")]
    path = write_csv(
        tmp_path / "employment_mixed.csv",
        EMPLOYMENT_HEADER,
        [[row[c] for c in EMPLOYMENT_HEADER] for row in rows],
    )
    # Rows as the user sees them (header = row 1) that name JD-GX, read from the file written.
    expected = [
        (index + 2, "unit_code", "JD-GX", "unit-not-yours")
        for index, row in enumerate(rows)
        if row["unit_code"] == "JD-GX"
    ]
    assert len(expected) == 2
    before = apptest_snapshot(demo), query(demo, "select count(*) from ingest.files")
    [report] = queries.ingest_uploads(reporter, [(path.name, path.read_bytes())])
    assert report.outcome == "rejected" and report.file_id is None
    assert [(p.row, p.column, p.value, p.rule) for p in report.problems] == expected
    assert "不能报送其他单位的数据：JD-GX" in report.problems[0].message_zh
    assert "not one of your units: JD-GX" in report.problems[0].message_en
    assert (apptest_snapshot(demo), query(demo, "select count(*) from ingest.files")) == before


def test_a_reporter_uploads_their_own_units_return(demo, tmp_path):
    reporter = access(demo, Person("li", "李填报", ("reporter",), (UNIT,)))
    path = employment_return(tmp_path / "employment_石羊_更正.csv", employed_change=2)
    [report] = queries.ingest_uploads(reporter, [(path.name, path.read_bytes())])
    assert report.outcome == "accepted", report.problems
    assert query(
        demo, "select submitted_by from ingest.files where file_id = %s", (report.file_id,)
    ) == [("li",)]
    assert query(
        demo,
        "select account, action from auth.audit where target = %s",
        (f"file {report.file_id}",),
    ) == [("li", "upload")]


def test_a_reporter_cannot_load_master_data(demo):
    reporter = access(demo, Person("li", "李填报", ("reporter",), (UNIT,)))
    units = (EXAMPLES / "units.csv").read_bytes()
    before = query(demo, "select count(*) from ingest.files")
    [report] = queries.ingest_uploads(reporter, [("units.csv", units)])
    assert report.outcome == "rejected"
    assert [p.rule for p in report.problems] == ["not-your-kind"]
    assert query(demo, "select count(*) from ingest.files") == before


def test_the_upload_page_offers_a_reporter_only_the_kinds_units_report(monkeypatch, demo):
    reporter = Person("li", "李填报", ("reporter",), (UNIT,))
    at = open_page(monkeypatch, demo, "upload", person=reporter)
    offered = at.selectbox(key="upload_kind").options
    templates = sorted(b.key for b in at.get("download_button") if b.key.startswith("template_"))
    reported = [name for name in KINDS if name not in OFFICE_KINDS]
    assert offered == ["按表头自动识别", *(KIND_LABELS[name] for name in reported)]
    assert templates == sorted(f"template_{name}" for name in reported)
    at = open_page(monkeypatch, demo, "upload")  # a steward of every unit: every kind
    assert at.selectbox(key="upload_kind").options == [
        "按表头自动识别",
        *(KIND_LABELS[name] for name in KINDS),
    ]


# Written out here, not read from the code: what units report and what the office loads.
OFFICE_KINDS = {"units", "targets", "indicators", "assessment_evaluations", "assessment_items"}
KIND_LABELS = {name: kind.zh for name, kind in KINDS.items()}
