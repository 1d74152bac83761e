"""`ducha demo` loads the seed's 2006 figures, and the marts show what the yearbook says."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import query, run_cli, snapshot


def test_demo_reproduces_the_yearbook(warehouse, monkeypatch, capsys):
    run = run_cli(monkeypatch, capsys, warehouse, "demo")
    assert run.code == 0, run.err

    # 立项督办件45件，实际办结43件，未到期待复2件
    city = query(
        warehouse,
        "select registered, closed, open_not_due, overdue, round(closure_rate, 3)"
        " from mart.supervision_closure where year = 2006 and source = 'city'",
    )
    assert city == [(45, 43, 2, 0, Decimal("0.956"))]

    # 农民集中居住区就业率达95.6%
    rate = query(
        warehouse,
        "select round(sum(employed)::numeric / sum(labor_force), 3) from mart.employment"
        " where period_end = (select max(period_end) from mart.employment where year = 2006)",
    )
    assert rate == [(Decimal("0.956"),)]

    # 总计为104人推荐就业，其中95人成功上岗
    aid = query(
        warehouse,
        "select sum(aid_referrals), sum(aid_placements) from mart.employment where year = 2006",
    )
    assert aid == [(104, 95)]

    # 为3244人次（289户）特困残疾人发放专项生活补助金324400元
    hardship = query(
        warehouse,
        "select sum(person_times), sum(amount_yuan) from mart.disability_aid"
        " where year = 2006 and program = '特困生活补助'",
    )
    assert hardship == [(3244, Decimal("324400.00"))]

    # Targets with completion, every source represented.
    targets = query(
        warehouse,
        "select source, count(*), count(completion_rate), min(completion_rate) >= 1"
        " from mart.target_completion where year = 2006 group by source order by source",
    )
    assert {row[0] for row in targets} == {
        "city",
        "characteristic",
        "livelihood",
        "special",
        "provincial",
    }
    for source, count, with_rate, all_met in targets:
        assert count == with_rate, f"{source}: every target has progress"
        assert all_met, f"{source}: 各项目标均完成或超额完成"


def test_demo_twice_changes_nothing(warehouse, monkeypatch, capsys):
    assert run_cli(monkeypatch, capsys, warehouse, "demo").code == 0
    before = snapshot(warehouse)
    assert run_cli(monkeypatch, capsys, warehouse, "demo").code == 0
    assert snapshot(warehouse) == before


def test_demo_publishes_its_2005_assessment_after_loading_it(warehouse, monkeypatch, capsys):
    # Published once the returns are in, so the frozen results are the seed's
    # 23 先进 and 8 合格 and nothing is flagged as changed since; a second
    # `ducha demo` publishes nothing again.
    for _ in range(2):
        assert run_cli(monkeypatch, capsys, warehouse, "demo").code == 0
        assert query(
            warehouse,
            "select year, published_by, unit_count from assess.publications",
        ) == [(2005, "ducha-demo", 31)]
        assert query(
            warehouse,
            "select grade, count(*) from mart.assessment_published_results group by 1 order by 1",
        ) == [("advanced", 23), ("pass", 8)]
        assert query(warehouse, "select count(*) from mart.assessment_publication_changes") == [
            (0,)
        ]
