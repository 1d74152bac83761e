"""The dashboard under Streamlit's AppTest, against the real 2006 demo returns and empty warehouses.

Seed figures (95.6%, 43 of 45, 104 / 95, 3,244 person-times, 324,400 元 …) are
asserted as the yearbook gives them; every other expected figure is read back
from the mart views of the same warehouse, never restated here.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import format as fmt
from dashboard.i18n import enum
from etl.demo import DEMO_AS_OF
from etl.kinds import SUPERVISION_SOURCES
from etl.load import ingest_files
from tests.apptest import CJK, captions, metric, start_app, table
from tests.conftest import EXAMPLES
from tests.helpers import query, write_csv

PAGES = {
    "overview": "screens/overview.py",
    "targets": "screens/targets.py",
    "employment": "screens/employment.py",
    "disability_aid": "screens/disability_aid.py",
    "supervision": "screens/supervision.py",
}


# ---------------------------------------------------------------- fixtures --


@pytest.fixture
def demo(make_demo) -> str:
    """This test's own copy of the warehouse holding the 2006 demo returns."""
    return make_demo().url


def open_app(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    page: str = "overview",
    params: dict[str, str] | None = None,
) -> AppTest:
    """Run the app on ``url`` and switch to ``page``; fail on any exception shown."""
    at = start_app(monkeypatch, url, params)
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- overview --


def test_overview_headline_figures(monkeypatch, demo):
    at = open_app(monkeypatch, demo)
    assert at.title[0].value == "总览"

    targets, completed = query(
        demo,
        "select count(*), count(*) filter (where completion_rate >= 1)"
        " from mart.target_completion where year = 2006",
    )[0]
    assert metric(at, "目标完成率").value == fmt.percent(completed / targets)
    assert metric(at, "就业率").value == "95.6%"
    assert metric(at, "援助成功上岗率").value == "91.3%"
    amount = query(demo, "select sum(amount_yuan) from mart.disability_aid where year = 2006")[0][0]
    assert metric(at, "残疾人救助发放").value == fmt.yuan_short(amount, "zh")
    registered, closed, overdue = query(
        demo,
        "select sum(registered), sum(closed), sum(overdue)"
        " from mart.supervision_closure where year = 2006",
    )[0]
    assert metric(at, "督办办结率").value == fmt.percent(closed / registered)
    assert metric(at, "超期未办结").value == str(overdue)

    text = captions(at)
    assert f"{completed} / {targets} 项目标已完成" in text
    assert "成功上岗 95 / 推荐 104 人" in text
    assert "其中市委市政府督办办结 43 / 45 件（95.6%）" in text
    # 2005 has only the targets of its assessment (目标考核): the target card alone
    # claims a change; the others say the previous year has no returns.
    assert "上期（2005年）无数据" in text
    assert [m.label for m in at.metric if m.delta not in (None, "")] == ["目标完成率"]
    # Those 2005 targets are the demo's illustrative ones (目标名称 "……(示例)"): the
    # change drawn from them is marked as illustrative, on the card and under it.
    assert query(
        demo,
        "select count(*) from mart.target_completion where year = 2005"
        " and target_name not like '%%示例%%'",
    ) == [(0,)]
    target_card = metric(at, "目标完成率")
    assert str(target_card.proto.delta_description) == "较2005年（示例数据）"
    assert "2005年为示例数据，变化仅作演示" in text


def test_overview_targets_by_source(monkeypatch, demo):
    at = open_app(monkeypatch, demo)
    shown = table(at, "overview_sources").set_index("来源")["目标数"].to_dict()
    expected = dict(
        query(
            demo,
            "select source, count(*) from mart.target_completion where year = 2006 group by source",
        )
    )
    labels = {
        "city": "市委市政府目标",
        "characteristic": "特色指标",
        "livelihood": "为民办实事",
        "special": "网络专项目标",
        "provincial": "省委省政府目标",
    }
    assert shown == {labels[code]: count for code, count in expected.items()}
    assert shown["为民办实事"] == 10  # "为民办实事目标10项"


def test_overview_change_against_previous_month(monkeypatch, demo):
    at = open_app(monkeypatch, demo, params={"year": "2006", "period": "2006-12"})
    december = query(
        demo, "select sum(amount_yuan) from mart.disability_aid where period = '2006-12'"
    )[0][0]
    card = metric(at, "残疾人救助发放")
    assert card.delta == fmt.signed_yuan(december, "zh")
    assert str(card.proto.delta_description) == "较2006年11月"  # real returns: no mark
    assert "示例数据" not in str(metric(at, "目标完成率").proto.delta_description)


# ----------------------------------------------------------------- targets --


def test_targets_status_ranking_and_drill_down(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "targets")
    targets = query(demo, "select count(*) from mart.target_completion where year = 2006")[0][0]
    assert metric(at, "绿").value == str(targets)  # "各项目标均完成或超额完成"
    assert metric(at, "红").value == "0"
    assert "序时进度 100.0%" in captions(at)

    ranking = table(at, "targets_units")
    assert list(ranking["排名"]) == list(range(1, len(ranking) + 1))
    assert ranking["目标数"].sum() == targets

    at.selectbox(key="targets_pick_unit").set_value("BM-RL").run()
    unit_targets = table(at, "targets_unit_targets")
    assert "农民集中居住区就业率" in set(unit_targets["目标名称"])
    at.selectbox(key="targets_pick_target").set_value("SS-01").run()
    history = table(at, "targets_history")
    expected = query(
        demo,
        "select period, completion_rate from mart.target_progress"
        " where target_code = 'SS-01' order by period_end",
    )
    assert list(history["报告期"]) == [fmt.period_label(p, "zh") for p, _ in expected]
    assert list(history["完成率"].round(6)) == [round(float(r) * 100, 6) for _, r in expected]
    assert history["累计完成值"].iloc[-1] == 95.6


def test_targets_at_mid_year_use_time_progress(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "targets", params={"year": "2006", "period": "2006-06"})
    assert "序时进度 49.6%" in captions(at)  # 181 of 365 days
    counts = {s: int(metric(at, s).value) for s in ("绿", "黄", "红", "未报送")}
    assert (
        sum(counts.values())
        == query(demo, "select count(*) from mart.target_completion where year = 2006")[0][0]
    )
    assert counts["未报送"] == 0


def test_targets_drill_through_to_the_returns(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "targets")
    at.selectbox(key="targets_pick_unit").set_value("BM-RL").run()
    at.toggle(key="drill_targets_unit_targets").set_value(True).run()
    returns = table(at, "targets_unit_targets_returns")
    assert set(returns["文件名"]) == {"target_progress_2006-06.csv", "target_progress_2006-12.csv"}
    assert set(returns["版本"]) == {"当前"}
    assert returns["行号"].min() >= 2  # rows as the user sees them (header is row 1)
    at.selectbox(key="drill_row_targets_unit_targets").set_value("SS-01").run()
    one = table(at, "targets_unit_targets_returns")
    assert list(one["报告期"]) == ["2006年6月", "2006年12月"]
    assert list(one["累计完成值"].astype(float)) == [93.3, 95.6]


# -------------------------------------------------------------- employment --


def test_employment_figures(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "employment")
    assert metric(at, "就业率").value == "95.6%"
    assert metric(at, "援助成功上岗率").value == "91.3%"
    assert metric(at, "零就业家庭").value == "0"  # "全面动态消除'零就业'家庭"
    assert metric(at, "接收高校毕业生").value == "1,802"
    assert metric(at, "培训人数").value == "11,314"  # 5,702 引导性 + 5,612 职业技能
    assert metric(at, "转移就业人数").value == "3,861"
    assert "成功上岗 95 / 推荐 104 人" in captions(at)
    # "5个建成入住的农民集中居住区……全部实现充分就业"
    assert "5 / 5 个社区/居住区达到充分就业" in captions(at)
    areas = table(at, "employment_areas")
    assert len(areas) == 5 and set(areas["达到充分就业"]) == {"是"}
    assert len(table(at, "employment_trend")) == 4  # four quarterly returns


def test_employment_trend_drills_through_to_each_periods_returns(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "employment")
    at.toggle(key="drill_employment_trend").set_value(True).run()
    returns = table(at, "employment_trend_returns")
    received = query(
        demo,
        "select distinct file_name from mart.return_rows where kind = 'employment'",
    )
    assert set(returns["文件名"]) == {name for (name,) in received}
    assert len(received) == 4
    at.selectbox(key="drill_row_employment_trend").set_value("2006-Q1").run()
    first = table(at, "employment_trend_returns")
    assert set(first["文件名"]) == {"employment_2006-Q1.xlsx"}
    assert set(first["报告期"]) == {"2006年第1季度"}
    areas = query(
        demo,
        "select count(*) from mart.employment where period = '2006-Q1'",
    )[0][0]
    assert len(first) == areas


def test_a_drill_through_says_when_it_lists_only_the_first_versions(monkeypatch, demo):
    from dashboard import queries

    monkeypatch.setattr(queries, "RETURN_ROWS_LIMIT", 3)
    at = open_app(monkeypatch, demo, "employment")
    at.toggle(key="drill_employment_trend").set_value(True).run()
    returns = table(at, "employment_trend_returns")
    assert len(returns) == 3
    assert "只列出按单位、行排列的前 3 个版本" in captions(at)
    first = query(
        demo,
        "select unit_code, item_key from mart.return_rows where kind = 'employment'"
        " order by unit_code, item_key, period_end limit 3",
    )
    assert list(zip(returns["单位代码"], returns["行键"], strict=True)) == first


def test_employment_line_is_configurable(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "employment")
    at.number_input(key="full_line").set_value(96.0).run()
    rates = query(
        demo,
        "select employment_rate from mart.employment where period = '2006-Q4'",
    )
    met = sum(float(rate) >= 0.96 for (rate,) in rates)
    assert f"{met} / 5 个社区/居住区达到充分就业" in captions(at)
    assert met < 5


# ---------------------------------------------------------- disability aid --


def test_disability_aid_hardship_subsidy(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "disability_aid")
    at.selectbox(key="aid_program").set_value("特困生活补助").run()
    # "为3244人次（289户）特困残疾人发放专项生活补助金324400元"; 100元/月
    assert metric(at, "发放金额").value == "32.44万元"
    assert "324,400 元" in captions(at)
    assert metric(at, "救助人次").value == "3,244"
    assert metric(at, "户数（单月最多）").value == "289"
    assert metric(at, "人均每次金额").value == "100 元"
    months = table(at, "aid_months")
    assert list(months["报告期"]) == [f"2006年{m}月" for m in range(1, 13)]
    assert months["发放金额(元)"].sum() == 324400

    programs = table(at, "aid_programs").set_index("救助项目")
    assert programs.loc["特困生活补助", "人次"] == 3244
    assert programs.loc["医疗爱心卡", "发放金额(元)"] == 144500  # 289 × 500 元
    standard = table(at, "aid_standard")
    hardship = standard[standard["救助项目"] == "特困生活补助"]
    assert len(hardship) == 12 and set(hardship["发放标准(元/人次)"]) == {100}


# ------------------------------------------------------------- supervision --


def test_supervision_closure_by_source(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "supervision")
    by_source = table(at, "supervision_sources").set_index("来源")
    city = by_source.loc["市委市政府督办"]
    # "立项督办件45件，实际办结43件，未到期待复2件"
    assert (city["立项"], city["办结"], city["未到期待复"], city["超期"]) == (45, 43, 2, 0)
    assert round(city["办结率"], 1) == 95.6
    # The page agrees with the public view, source by source and figure by figure
    # (the page shows rates in percent).
    view = query(
        demo,
        "select source, registered, closed, open_not_due, overdue, closure_rate, on_time_rate,"
        " satisfaction_rate from mart.supervision_closure where year = 2006",
    )
    labels = {code: enum("supervision_source", code) for code in SUPERVISION_SOURCES}

    def percent(rate):
        return None if rate is None else pytest.approx(float(rate) * 100)

    def nothing_as_none(value):
        return None if pd.isna(value) else value

    expected = {
        labels[source]: (registered, closed, open_not_due, overdue, *map(percent, rates))
        for source, registered, closed, open_not_due, overdue, *rates in view
    }
    shown = {
        label: tuple(
            nothing_as_none(row[name])
            for name in ("立项", "办结", "未到期待复", "超期", "办结率", "按期办结率", "满意率")
        )
        for label, row in by_source.iterrows()
    }
    assert shown == expected

    at.selectbox(key="sup_source").set_value("city").run()
    assert metric(at, "立项督办").value == "45"
    assert metric(at, "已办结").value == "43"
    assert metric(at, "未到期待复").value == "2"
    assert metric(at, "办结率").value == "95.6%"
    assert "办结 43 / 立项 45 件" in captions(at)
    at.selectbox(key="sup_source").set_value("deputy").run()
    assert metric(at, "满意率（含基本满意）").value == "100.0%"  # 基本满意率达100%


def test_supervision_search_and_overdue(monkeypatch, demo):
    at = open_app(monkeypatch, demo, "supervision")
    assert any("没有超期" in s.value for s in at.success)
    at.text_input(key="sup_search").input("天府软件园").run()
    found = table(at, "supervision_items")
    titles_or_units = found["事项名称"] + found["单位名称"]
    assert len(found) > 0 and titles_or_units.str.contains("天府软件园").all()
    at.multiselect(key="sup_status").set_value(["open"]).run()
    assert set(table(at, "supervision_items")["状态"]) <= {"未到期待复"}


# ------------------------------------------------ filters, URL and language --


def test_filters_come_from_and_go_to_the_url(monkeypatch, demo):
    params = {"year": "2006", "period": "2006-06", "unit_type": "subdistrict", "unit": "JD-SY"}
    at = open_app(monkeypatch, demo, "employment", params=params)
    for key, value in params.items():
        assert str(at.selectbox(key=key).value) == value
    assert at.query_params == params
    assert "数据截至2006年6月30日 · 石羊街道 (JD-SY)" in captions(at)
    q2 = query(
        demo,
        "select sum(employed)::numeric / sum(labor_force) from mart.employment"
        " where period = '2006-Q2' and unit_code = 'JD-SY'",
    )[0][0]
    assert metric(at, "就业率").value == fmt.percent(q2)

    at.selectbox(key="unit").set_value("JD-GX").run()
    assert at.query_params["unit"] == "JD-GX"
    at.switch_page(PAGES["supervision"]).run()  # filters survive a page switch
    assert at.query_params["unit"] == "JD-GX" and at.query_params["period"] == "2006-06"


@pytest.mark.parametrize("page", list(PAGES))
def test_english_changes_every_label(monkeypatch, demo, page):
    at = open_app(monkeypatch, demo, page, params={"lang": "en"})
    texts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.caption, *at.info)]
    texts += [e.value for e in at.markdown]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    widgets = (*at.selectbox, *at.number_input, *at.text_input, *at.multiselect, *at.toggle)
    texts += [w.label for w in widgets]
    texts += [str(name) for frame in at.dataframe for name in frame.value.columns]
    chinese = [text for text in texts if CJK.search(text)]
    assert chinese == []
    assert at.query_params["lang"] == "en"
    # Enum cells are translated too (names of units and places are data).
    if page == "supervision":
        assert "City supervision" in set(table(at, "supervision_sources")["Source"])


def test_every_table_has_csv_and_excel_downloads(monkeypatch, demo):
    for page in PAGES:
        at = open_app(monkeypatch, demo, page)
        labels = [b.label for b in at.get("download_button")]
        assert labels.count("下载 CSV") == len(at.dataframe) == labels.count("下载 Excel")


# --------------------------------------------------- empty and partial data --


def test_empty_warehouse_shows_guidance_on_every_page(monkeypatch, warehouse):
    for page in PAGES:
        at = open_app(monkeypatch, warehouse, page)
        assert any("ducha demo" in i.value and "ducha ingest" in i.value for i in at.info), page
        assert len(at.dataframe) == 0


def test_unmigrated_warehouse_asks_for_upgrade(monkeypatch, blank_database):
    at = open_app(monkeypatch, blank_database)
    assert any("ducha db upgrade" in w.value for w in at.warning)


def test_unreachable_warehouse_is_explained(monkeypatch):
    at = open_app(monkeypatch, "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert any("DATABASE_URL" in e.value for e in at.error)


def test_partial_warehouse_says_what_to_load(monkeypatch, warehouse):
    names = ("units.csv", "targets.csv", "supervision_2006.csv")
    reports = ingest_files(warehouse, [EXAMPLES / n for n in names], as_of=DEMO_AS_OF)
    assert {r.outcome for r in reports} <= {"accepted", "accepted_with_warnings"}

    at = open_app(monkeypatch, warehouse)
    assert any("尚未装载的报表" in i.value and "就业情况" in i.value for i in at.info)
    at.switch_page(PAGES["employment"]).run()
    assert any("--kind employment" in i.value for i in at.info)
    at.switch_page(PAGES["disability_aid"]).run()
    assert any("--kind disability_aid" in i.value for i in at.info)
    at.switch_page(PAGES["targets"]).run()
    assert not at.exception
    assert metric(at, "未报送").value == "2"
    assert any("--kind target_progress" in i.value for i in at.info)


# ----------------------------------------------- versions and hostile titles --


def test_superseded_versions_and_titles_shown_as_text(monkeypatch, warehouse, tmp_path):
    ingest_files(warehouse, [EXAMPLES / "units.csv", EXAMPLES / "supervision_2006.csv"])
    hostile = [
        "<script>alert('督查')</script>",
        '=HYPERLINK("http://example.invalid","x")',
        "@SUM(1+1)",
    ]
    later = write_csv(
        tmp_path / "supervision_2006_later.csv",
        ["item_code", "source", "title", "unit_code", "registered_on", "due_on", "closed_on"],
        [
            [
                "S-2006-002",
                "cppcc",
                "关于改善园区交通的提案",
                "JD-SY",
                "2006-05-08",
                "2006-08-08",
                "2006-07-30",
            ],
            *[
                [f"S-2006-1{n}", "leader", title, "BM-CZ", "2006-06-01", "2006-06-30", "2006-06-20"]
                for n, title in enumerate(hostile)
            ],
        ],
    )
    reports = ingest_files(warehouse, [later], as_of=DEMO_AS_OF)
    assert reports[0].outcome in ("accepted", "accepted_with_warnings"), reports[0]

    at = open_app(monkeypatch, warehouse, "supervision")
    items = table(at, "supervision_items")
    assert set(hostile) <= set(items["事项名称"])  # verbatim, not rendered
    assert not any("<script>" in m.value for m in at.markdown)

    at.text_input(key="sup_search").input("S-2006-002").run()
    at.toggle(key="drill_supervision_items").set_value(True).run()
    returns = table(at, "supervision_items_returns")
    versions = dict(zip(returns["文件名"], returns["版本"], strict=True))
    assert versions == {"supervision_2006_later.csv": "当前", "supervision_2006.csv": "已被替代"}
