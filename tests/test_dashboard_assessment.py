"""目标考核 page under AppTest, and its two workbooks opened and checked cell by cell.

The seed gives the 2005 grades (23 先进, 8 合格, the units it names) and the
fourth place; every other expected figure is read from the mart views of the
same warehouse, never restated from the page's code.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import openpyxl
import pandas as pd
import pytest
import streamlit as st

from dashboard import assessment_export, queries
from etl.accounts import Person
from tests.apptest import CJK, access, metric, start_app, table
from tests.conftest import create_database, drop_database
from tests.helpers import query
from tests.test_assessment import assessed  # noqa: F401  (the worked example's warehouse)

PAGE = "screens/assessment.py"


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_assesspage_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def open_page(monkeypatch, url, params=None, person=None):
    # A generous timeout: the first run imports and caches everything, slow on a busy machine.
    kwargs = {} if person is None else {"person": person}
    at = start_app(monkeypatch, url, params, timeout=120, **kwargs)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_shows_grades_rankings_and_the_external_rank(monkeypatch, demo):
    at = open_page(monkeypatch, demo)
    assert at.title[0].value == "目标考核"
    assert metric(at, "考核单位").value == "31"
    assert metric(at, "先进").value == "23"
    assert metric(at, "合格").value == "8"
    assert metric(at, "不合格").value == "0"
    assert any("示例数据" in i.value for i in at.info)
    assert any(
        "第 4 名" in s.value and "完成2005年度工作目标任务先进单位" in s.value for s in at.success
    )
    # One ranking table per class, rows as in mart.assessment_results.
    for class_code in ("subdistrict", "department"):
        shown = table(at, f"assess_{class_code}")
        expected = query(
            demo,
            "select rank_in_class, unit_name, total, grade from mart.assessment_results"
            " where year = 2005 and class_code = %s order by rank_in_class, unit_code",
            (class_code,),
        )
        grades = {"advanced": "先进", "pass": "合格", "fail": "不合格"}
        assert list(
            zip(shown["类内排名"], shown["单位名称"], shown["总分"], shown["等次"], strict=True)
        ) == [(r, n, pytest.approx(float(total)), grades[g]) for r, n, total, g in expected]


def test_scorecard_of_one_unit(monkeypatch, demo):
    at = open_page(monkeypatch, demo)
    at.selectbox(key="assess_unit").set_value("BM-JM").run()
    parts = table(at, "assess_parts")
    expected = query(
        demo,
        "select part, weighted from mart.assessment_scores where year = 2005 and unit_code = 'BM-JM'",
    )
    labels = {
        "targets": "目标完成",
        "leaders": "领导评估",
        "satisfaction": "政务服务满意度评估",
        "integrity": "党风廉政建设评估",
        "bonus": "加分",
        "deduction": "扣分",
    }
    assert dict(zip(parts["考核内容"], parts["加权得分"], strict=True)) == {
        labels[p]: pytest.approx(float(w)) for p, w in expected
    }
    targets = table(at, "assess_targets")
    assert list(targets["目标编号"]) == ["K05-BM-JM-1", "K05-BM-JM-2"]
    items = table(at, "assess_items")
    assert list(items["事项编号"]) == ["2005-JF-01"]
    total = query(demo, "select total from mart.assessment_results where unit_code = 'BM-JM'")[0][0]
    assert any(f"总分 {float(total):,.2f}" in m.value for m in at.markdown), [
        m.value for m in at.markdown
    ]


def test_english_changes_every_label(monkeypatch, demo):
    at = open_page(monkeypatch, demo, params={"lang": "en"})
    texts = [e.value for e in (*at.title, *at.subheader, *at.caption, *at.markdown)]
    texts += [m.label for m in at.metric] + [w.label for w in at.selectbox]
    texts += [str(name) for frame in at.dataframe for name in frame.value.columns]
    texts += [b.label for b in at.get("download_button")]
    # Unit and class names are data; the captions name the scheme's title (data too).
    chinese = [
        text
        for text in texts
        if CJK.search(text) and not text.startswith("Scheme:") and ": ranking" not in text
    ]
    assert chinese == []


def test_empty_warehouse_says_how_to_start(monkeypatch, warehouse):
    at = open_page(monkeypatch, warehouse)
    # The leaders' pages stop at the shared empty-warehouse guidance first.
    assert any("ducha demo" in i.value for i in at.info)
    assert len(at.dataframe) == 0


def test_a_reporter_sees_only_their_units(monkeypatch, demo):
    reporter = Person("reporter-sy", "石羊", ("reporter",), ("JD-SY",))
    at = open_page(monkeypatch, demo, person=reporter)
    assert metric(at, "考核单位").value == "1"
    shown = table(at, "assess_subdistrict")
    assert list(shown["单位代码"]) == ["JD-SY"]
    # The rank shown is the one published for the whole class, not one worked out
    # from the single unit the reporter sees; and nothing is flagged as changed.
    assert list(shown["类内排名"]) == [
        query(
            demo,
            "select rank_in_class from mart.assessment_published_results where unit_code = 'JD-SY'",
        )[0][0]
    ]
    assert not any("发布后数据有变化" in w.value for w in at.warning)


def _sheet_rows(data: bytes, sheet: str | None = None) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    worksheet = book[sheet] if sheet else book.active
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def test_results_workbook_cell_by_cell(demo):
    url = access(demo)
    results = queries.assessment_results(url, 2005)
    scores = queries.assessment_scores(url, 2005)
    rows = _sheet_rows(assessment_export.summary_workbook(2005, results, scores, "zh"))
    assert rows[0] == [
        "排名",
        "单位代码",
        "单位名称",
        "考核类别",
        "目标完成",
        "领导评估",
        "政务服务满意度评估",
        "党风廉政建设评估",
        "加分",
        "扣分",
        "总分",
        "类内排名",
        "等次",
        "一票否决",
    ]
    assert len(rows) == 32
    expected = query(
        demo,
        "select r.unit_code, r.unit_name, r.class_zh, r.total, r.rank_in_class, r.grade,"
        " max(s.weighted) filter (where s.part = 'targets'),"
        " max(s.weighted) filter (where s.part = 'leaders'),"
        " max(s.weighted) filter (where s.part = 'satisfaction'),"
        " max(s.weighted) filter (where s.part = 'integrity'),"
        " max(s.weighted) filter (where s.part = 'bonus'),"
        " max(s.weighted) filter (where s.part = 'deduction')"
        " from mart.assessment_results as r join mart.assessment_scores as s"
        " on s.year = r.year and s.unit_code = r.unit_code"
        " where r.year = 2005 group by 1, 2, 3, 4, 5, 6, r.sort_order"
        " order by r.sort_order, r.rank_in_class, r.unit_code",
    )
    grades = {"advanced": "先进", "pass": "合格", "fail": "不合格"}
    for number, (row, want) in enumerate(zip(rows[1:], expected, strict=True), start=1):
        code, name, class_zh, total, rank, grade, *parts = want
        assert row[:4] == [number, code, name, class_zh]
        assert row[4:10] == [pytest.approx(float(p)) for p in parts]
        assert row[10] == pytest.approx(float(total))
        assert row[11:] == [rank, grades[grade], "否"]


def test_scorecard_workbook_cell_by_cell(demo):
    url = access(demo)
    scores = queries.assessment_scores(url, 2005, "BM-JM")
    targets = queries.assessment_targets(url, 2005, "BM-JM")
    evaluations = queries.assessment_evaluations(url, 2005, "BM-JM")
    items = queries.assessment_items(url, 2005, "BM-JM")
    data = assessment_export.scorecard_workbook(scores, targets, evaluations, items)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "得分构成",
        "目标计分（累进计分）",
        "评估得分",
        "加减分及一票否决事项",
    ]
    target_rows = _sheet_rows(data, "目标计分（累进计分）")
    expected = query(
        demo,
        "select target_code, planned_value, actual_value, completion_rate, weight, points"
        " from mart.assessment_target_points where year = 2005 and unit_code = 'BM-JM'"
        " order by target_code",
    )
    assert target_rows[0][:2] == ["目标编号", "目标名称"]
    for row, (code, planned, actual, rate, weight, points) in zip(
        target_rows[1:], expected, strict=True
    ):
        assert row[0] == code
        assert row[4:8] == [
            pytest.approx(float(planned)),
            pytest.approx(float(actual)),
            pytest.approx(float(rate)),
            pytest.approx(float(weight)),
        ]
        assert row[11] == pytest.approx(float(points))
    item_rows = _sheet_rows(data, "加减分及一票否决事项")
    assert item_rows == [
        ["事项编号", "事项类型", "分值", "理由", "文件依据"],
        ["2005-JF-01", "加分", 2, "获省级表彰（示例）", "示例文件〔2005〕1号"],
    ]


@pytest.fixture
def demo_copy(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_assessdraft_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def test_a_draft_beside_the_published_scheme_then_published(monkeypatch, demo_copy):
    import psycopg

    from etl import assessment

    with psycopg.connect(demo_copy) as conn:
        published = conn.execute(
            "select scheme_id from assess.schemes where year = 2005 and status = 'published'"
        ).fetchone()[0]
        draft = assessment.draft_from(
            conn,
            published,
            "steward-x",
            class_rules={"subdistrict": {"advanced_share": 0.5}},
        )
    changed = query(
        demo_copy,
        "select count(*) from mart.assessment_results_by_scheme as p"
        " join mart.assessment_results_by_scheme as d on d.unit_code = p.unit_code"
        " where p.scheme_id = %s and d.scheme_id = %s"
        " and (p.grade <> d.grade or p.rank_in_class <> d.rank_in_class)",
        (published, draft),
    )[0][0]
    assert changed >= 1  # floor(0.5 × 5) = 2 of the four 先进 subdistricts stay
    at = open_page(monkeypatch, demo_copy)
    assert any(f"{changed} 个单位" in c.value for c in at.caption), [c.value for c in at.caption]
    compared = table(at, "assess_draft_compare")
    assert len(compared) == 31
    assert list(compared["草案等次"]).count("先进") == 23 - changed
    at.button(key="assess_publish").click().run()
    assert not at.exception
    assert query(
        demo_copy, "select status, published_by from assess.schemes where scheme_id = %s", (draft,)
    ) == [("published", "tester")]
    assert metric(at, "先进").value == str(23 - changed)


def test_a_leader_cannot_publish(demo_copy):
    import psycopg

    from etl import assessment

    with psycopg.connect(demo_copy) as conn:
        published = conn.execute(
            "select scheme_id from assess.schemes where status = 'published'"
        ).fetchone()[0]
        draft = assessment.draft_from(conn, published, "steward-x")
    leader = access(demo_copy, Person("boss", "领导", ("leader",), ()))
    # Row-level security hides the scheme from a leader's update: nothing to publish.
    with pytest.raises((psycopg.Error, assessment.SchemeError)):
        queries.publish_assessment_scheme(leader, draft)
    with pytest.raises(psycopg.Error):
        queries.draft_assessment_scheme(leader, published, {}, {}, None)
    assert query(demo_copy, "select count(*) from assess.schemes where status = 'published'") == [
        (1,)
    ]


# ------------------------------------------------- published, then changed --


def test_data_changed_since_publication_is_flagged(
    monkeypatch,
    capsys,
    tmp_path,
    assessed,  # noqa: F811 (the imported fixture)
):
    # The worked example of tests/test_assessment.py, published on all its returns.
    import psycopg

    from etl import assessment
    from tests.helpers import run_cli, write_csv
    from tests.test_assessment import EVALUATION_HEADER

    with psycopg.connect(assessed) as conn:
        assessment.republish(conn, 2005, "steward-c")
    at = open_page(monkeypatch, assessed)
    assert not any("发布后数据有变化" in w.value for w in at.warning)
    assert any("已发布结果：steward" in c.value for c in at.caption), [c.value for c in at.caption]

    # D4's leaders' evaluation re-loaded at 80 (was 90): D4 98.10 → 96.10 and 2nd → 3rd;
    # D3 3rd → 2nd (worked out in tests/test_assessment.py).
    path = write_csv(
        tmp_path / "evaluations2.csv", EVALUATION_HEADER, [[2005, "D4", "领导评估", "80", 25, ""]]
    )
    assert run_cli(monkeypatch, capsys, assessed, "ingest", path).code == 0
    st.cache_data.clear()  # a load from the command line reaches the page within the TTL
    at = open_page(monkeypatch, assessed)
    flags = [w.value for w in at.warning if "发布后数据有变化" in w.value]
    assert len(flags) == 1
    assert "2 个单位" in flags[0] and "三局（D3）" in flags[0] and "四局（D4）" in flags[0]
    assert "一局" not in flags[0] and "二局" not in flags[0]
    changed = table(at, "assess_changed_since")
    assert list(
        zip(
            changed["单位代码"],
            changed["已发布总分"],
            changed["当前数据总分"],
            changed["已发布排名"],
            changed["当前数据排名"],
            strict=True,
        )
    ) == [("D4", 98.1, 96.1, 2, 3), ("D3", 97.8, 97.8, 3, 2)]  # by published rank
    # The ranking still shows the published results, not today's.
    departments = table(at, "assess_department")
    assert list(zip(departments["单位代码"], departments["总分"], strict=True)) == [
        ("D1", 99.6),
        ("D4", 98.1),
        ("D3", 97.8),
        ("D2", 73.0),
    ]

    # A steward publishes again on today's data: a new frozen set, the flag gone.
    at.button(key="assess_republish").click().run()
    assert not at.exception
    assert not any("发布后数据有变化" in w.value for w in at.warning)
    departments = table(at, "assess_department")
    assert list(zip(departments["单位代码"], departments["总分"], strict=True)) == [
        ("D1", 99.6),
        ("D3", 97.8),
        ("D4", 96.1),
        ("D2", 73.0),
    ]
    assert query(
        assessed, "select published_by from assess.publications order by publication_id"
    ) == [("steward-a",), ("steward-c",), ("tester",)]


# ------------------------------------------------------ external rankings --


def test_a_steward_records_a_ranking_on_the_page_and_the_overview_shows_it(monkeypatch, demo_copy):
    at = open_page(monkeypatch, demo_copy)
    at.number_input(key="assess_ranking_year").set_value(2006)
    at.text_input(key="assess_ranking_body").set_value("成都市委、市政府")
    at.text_input(key="assess_ranking_assessment").set_value("2006年度市级部门目标考核")
    at.number_input(key="assess_ranking_rank").set_value(3)
    at.number_input(key="assess_ranking_out_of").set_value(20)
    at.text_input(key="assess_ranking_title").set_value("目标管理先进单位")
    at.button(key="assess_ranking_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "已登记。" for s in at.success)
    assert query(
        demo_copy,
        "select year, assessing_body, assessment, rank, out_of, title, recorded_by"
        " from assess.external_rankings where year = 2006",
    ) == [
        (2006, "成都市委、市政府", "2006年度市级部门目标考核", 3, 20, "目标管理先进单位", "tester")
    ]

    # An out-of below the rank is refused on the page, nothing written.
    at.number_input(key="assess_ranking_rank").set_value(5)
    at.number_input(key="assess_ranking_out_of").set_value(4)
    at.button(key="assess_ranking_save").click().run()
    assert any("参评单位数不得小于名次" in e.value for e in at.error)
    assert query(demo_copy, "select rank from assess.external_rankings where year = 2006") == [(3,)]

    at.switch_page("screens/overview.py").run()
    assert not at.exception
    shown = table(at, "overview_external_rankings")
    assert list(zip(shown["年度"], shown["考核机关"], shown["排名"], strict=True)) == [
        (2006, "成都市委、市政府", 3),
        (2005, "成都市委、市政府", 4),
    ]
    assert shown["参评单位数"].iloc[0] == 20 and pd.isna(shown["参评单位数"].iloc[1])


def test_a_reporter_gets_no_ranking_form(monkeypatch, demo):
    reporter = Person("reporter-sy", "石羊", ("reporter",), ("JD-SY",))
    at = open_page(monkeypatch, demo, person=reporter)
    assert "assess_ranking_save" not in [b.key for b in at.button]
