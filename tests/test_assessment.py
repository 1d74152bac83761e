"""目标绩效考核 (issue 12): the two assessment kinds and the scoring, against a hand-worked example.

Every expected figure below is worked out by hand in the comments from the
default scheme (etl/assessment.py, README "目标绩效考核"), not copied from a run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from etl import assessment
from tests.helpers import problems, query, run_cli, write_csv

D = Decimal

UNITS = [
    ["S1", "一街道", "subdistrict"],
    ["S2", "二街道", "subdistrict"],
    ["S3", "三街道", "subdistrict"],
    ["D1", "一局", "department"],
    ["D2", "二局", "department"],
    ["D3", "三局", "department"],
    ["D4", "四局", "affiliated"],
    ["OUT", "未参加考核的单位", "affiliated"],
]
ASSESSED = {"S1": "subdistrict", "S2": "subdistrict", "S3": "subdistrict"} | {
    code: "department" for code in ("D1", "D2", "D3", "D4")
}

# year, code, name, source, unit, measure, planned, direction, 分值
TARGETS = [
    [2005, "T1", "招商引资", "city", "D1", "亿元", "100", "higher", "10"],
    [2005, "T2", "安全事故", "city", "D1", "起", "40", "lower", "4"],
    [2005, "T3", "信访件数", "city", "D1", "件", "52.5", "lower", "6"],
    [2005, "T4", "税收", "city", "D2", "万元", "200", "higher", "10"],
    [2005, "T5", "案件办结", "city", "D3", "件", "100", "higher", "8"],
    [2005, "T6", "企业数", "city", "D4", "家", "10", "higher", "2"],
    [2005, "T7", "就业率", "city", "S1", "%", "100", "higher", "5"],
    [2005, "T8", "绿化", "city", "S2", "处", "20", "higher", "5"],
    [2005, "T9", "培训", "city", "S3", "人", "100", "higher", "5"],
]
# period, unit, target, actual (T9: nothing reported)
PROGRESS = [
    ["2005-12", "D1", "T1", "115"],
    ["2005-12", "D1", "T2", "50"],
    ["2005-12", "D1", "T3", "50"],
    ["2005-12", "D2", "T4", "170"],
    ["2005-12", "D3", "T5", "100"],
    ["2005-12", "D4", "T6", "10.5"],
    ["2005-12", "S1", "T7", "100"],
    ["2005-12", "S2", "T8", "19"],
]
EVALUATION_HEADER = ["考核年度", "单位代码", "评估类型", "得分", "评估人数", "备注"]
# unit: (leaders, satisfaction, integrity)
SCORES = {
    "D1": (92, 88, 95),
    "D2": (90, 90, 90),
    "D3": (95, 92, 96),
    "D4": (90, 85, 86),
    "S1": (90, 90, 80),
    "S2": (95, 90, 80),
    "S3": (80, 80, 80),
}
ITEM_HEADER = ["考核年度", "事项编号", "单位代码", "事项类型", "分值", "事由", "文件依据"]
ITEMS = [
    [2005, "JF-1", "D1", "加分", "3", "获省级表彰", "川府〔2005〕1号"],
    [2005, "JF-2", "D1", "bonus", "4", "获国家级表彰", "国发〔2005〕2号"],
    [2005, "KF-1", "D2", "扣分", "2", "报送迟延", ""],
    [2005, "FJ-1", "D3", "一票否决", "0", "发生重大安全责任事故", "成高管〔2005〕9号"],
    [2005, "JF-3", "S2", "加分", "4", "创新工作", ""],
    [2005, "JF-4", "S2", "加分", "3", "经验推广", ""],
]


def _evaluation_rows() -> list[list]:
    types = ("领导评估", "政务服务满意度评估", "党风廉政建设评估")
    return [
        [2005, unit, kind, score, 25, ""]
        for unit, scores in SCORES.items()
        for kind, score in zip(types, scores, strict=True)
    ]


@pytest.fixture
def assessed(warehouse: str, monkeypatch, capsys, tmp_path: Path) -> str:
    """The worked example's warehouse: units, 2005 targets and progress, scheme, returns."""
    files = [
        write_csv(tmp_path / "units.csv", ["unit_code", "unit_name", "unit_type"], UNITS),
        write_csv(
            tmp_path / "targets.csv",
            [
                "year",
                "target_code",
                "target_name",
                "source",
                "unit_code",
                "measure",
                "planned_value",
                "direction",
                "weight",
            ],
            TARGETS,
        ),
        write_csv(
            tmp_path / "progress.csv",
            ["period", "unit_code", "target_code", "actual_value"],
            PROGRESS,
        ),
    ]
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", *files)
    assert run.code == 0, run.err
    with psycopg.connect(warehouse) as conn:
        scheme = assessment.create_scheme(conn, 2005, "steward-a", members=ASSESSED)
        assessment.publish(conn, scheme, "steward-a")
    files = [
        write_csv(tmp_path / "evaluations.csv", EVALUATION_HEADER, _evaluation_rows()),
        write_csv(tmp_path / "items.csv", ITEM_HEADER, ITEMS),
    ]
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", *files)
    assert run.code == 0, run.err
    return warehouse


def test_target_points_follow_the_progressive_tiers(assessed):
    # Default tiers: over plan 1 % of 分值 a point to 110 %, 0.5 % beyond, at
    # most 10 % in all; under plan 2 % a point from 90 % to 100 %, 3 % below 90 %.
    # T1 higher, 115/100 = 1.15: 10×1 % + 5×0.5 % = 12.5 % > cap 10 % → 10 + 1.0
    # T2 lower, 40/50 = 0.8: 10×2 % + 10×3 % = 50 % short → 4 − 2.0
    # T3 lower, 52.5/50 = 1.05: 5×1 % = 5 % → 6 + 0.3
    # T4 higher, 170/200 = 0.85: 10×2 % + 5×3 % = 35 % → 10 − 3.5
    # T5 at plan → 8; T6 10.5/10 = 1.05 → 2 + 0.1; T7 at plan → 5
    # T8 19/20 = 0.95: 5×2 % = 10 % → 5 − 0.5; T9 unreported (rate 0): 290 % → floor 0
    rows = query(
        assessed,
        "select target_code, completion_rate, capped, extra_points, deducted_points, points"
        " from mart.assessment_target_points order by target_code",
    )
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("T1", True, D("1.0"), D("0"), D("11.0")),
        ("T2", False, D("0"), D("2.0"), D("2.0")),
        ("T3", False, D("0.3"), D("0"), D("6.3")),
        ("T4", False, D("0"), D("3.5"), D("6.5")),
        ("T5", False, D("0"), D("0"), D("8")),
        ("T6", False, D("0.1"), D("0"), D("2.1")),
        ("T7", False, D("0"), D("0"), D("5")),
        ("T8", False, D("0"), D("0.5"), D("4.5")),
        ("T9", False, D("0"), D("5"), D("0")),
    ]
    rates = {r[0]: r[1] for r in rows}
    assert rates["T2"] == D("0.8") and rates["T3"] == D("1.05")  # lower is better: plan / actual


def test_parts_are_weighted_and_capped(assessed):
    # D1: targets 100 × (11 + 2 + 6.3) / (10 + 4 + 6) = 96.5, × 0.6 = 57.9;
    # leaders 92 × 0.2 = 18.4; satisfaction 88 × 0.1 = 8.8; integrity 95 × 0.1 = 9.5;
    # bonus 3 + 4 = 7, capped at 5; no deduction.
    rows = query(
        assessed,
        "select part, raw, weighted from mart.assessment_scores where unit_code = 'D1'"
        " order by part",
    )
    assert {(p, raw, w) for p, raw, w in rows} == {
        ("bonus", D("5.00"), D("5.00")),
        ("deduction", D("0.00"), D("0.00")),
        ("integrity", D("95.00"), D("9.50")),
        ("leaders", D("92.00"), D("18.40")),
        ("satisfaction", D("88.00"), D("8.80")),
        ("targets", D("96.50"), D("57.90")),
    }
    # D2's deduction item counts against it.
    assert query(
        assessed,
        "select raw, weighted from mart.assessment_scores"
        " where unit_code = 'D2' and part = 'deduction'",
    ) == [(D("-2.00"), D("-2.00"))]


def test_totals_ranks_and_grades(assessed):
    # Departments (quota floor(0.8 × 4) = 3):
    #   D1 57.9 + 18.4 + 8.8 + 9.5 + 5 = 99.6              → 1st, 先进
    #   D4 100 × 2.1 / 2 = 105 × 0.6 = 63 + 18 + 8.5 + 8.6 = 98.1 → 2nd, 先进
    #   D3 60 + 19 + 9.2 + 9.6 = 97.8, but vetoed (一票否决) → 3rd, 合格
    #   D2 100 × 6.5 / 10 = 65 × 0.6 = 39 + 18 + 9 + 9 − 2 = 73 → 4th, 合格
    # Subdistricts (quota floor(0.8 × 3) = 2):
    #   S1 60 + 18 + 9 + 8 = 95; S2 100 × 4.5 / 5 = 90 × 0.6 = 54 + 19 + 9 + 8 + 5 = 95
    #   → tied 1st, both 先进 (two at or above 95, quota 2)
    #   S3 0 + 16 + 8 + 8 = 32 → 3rd, 不合格 (below 60)
    rows = query(
        assessed,
        "select unit_code, class_code, total, rank_in_class, grade, vetoed"
        " from mart.assessment_results order by class_code, rank_in_class, unit_code",
    )
    assert rows == [
        ("D1", "department", D("99.60"), 1, "advanced", False),
        ("D4", "department", D("98.10"), 2, "advanced", False),
        ("D3", "department", D("97.80"), 3, "pass", True),
        ("D2", "department", D("73.00"), 4, "pass", False),
        ("S1", "subdistrict", D("95.00"), 1, "advanced", False),
        ("S2", "subdistrict", D("95.00"), 1, "advanced", False),
        ("S3", "subdistrict", D("32.00"), 3, "fail", False),
    ]
    # A total is exactly the sum of its parts.
    assert query(
        assessed,
        "select count(*) from mart.assessment_results as r where r.total <> ("
        " select sum(s.weighted) from mart.assessment_scores as s"
        " where s.year = r.year and s.unit_code = r.unit_code)",
    ) == [(0,)]


def test_a_draft_is_scored_beside_the_published_scheme(assessed):
    # With only half the subdistricts 先进 (quota floor(0.5 × 3) = 1), S1 and S2,
    # tied across the boundary, both drop to 合格: the share is never exceeded.
    with psycopg.connect(assessed) as conn:
        published = conn.execute(
            "select scheme_id from assess.schemes where year = 2005 and status = 'published'"
        ).fetchone()[0]
        draft = assessment.draft_from(
            conn,
            published,
            "steward-b",
            class_rules={"subdistrict": {"advanced_share": D("0.5")}},
        )
    rows = query(
        assessed,
        "select unit_code, grade from mart.assessment_results_by_scheme"
        " where scheme_id = %s and class_code = 'subdistrict' order by unit_code",
        (draft,),
    )
    assert rows == [("S1", "pass"), ("S2", "pass"), ("S3", "fail")]
    # The year's results still follow the published scheme until the draft is published.
    assert query(
        assessed,
        "select grade from mart.assessment_results where unit_code = 'S1'",
    ) == [("advanced",)]
    with psycopg.connect(assessed) as conn:
        assessment.publish(conn, draft, "steward-b")
    assert query(assessed, "select grade from mart.assessment_results where unit_code = 'S1'") == [
        ("pass",)
    ]
    assert query(
        assessed,
        "select scheme_id, status, created_by, published_by from assess.schemes order by 1",
    ) == [
        (published, "superseded", "steward-a", "steward-a"),
        (draft, "published", "steward-b", "steward-b"),
    ]


def test_every_part_drills_to_the_returns_rows(assessed):
    # The evaluation behind D1's leaders part, and the row of the file it came from.
    rows = query(
        assessed,
        "select e.score, r.file_name, r.row_no, r.version_status"
        " from mart.assessment_evaluations as e"
        " join mart.return_rows as r on r.kind = 'assessment_evaluations'"
        "  and r.file_id = e.file_id and r.row_no = e.row_no"
        " where e.unit_code = 'D1' and e.evaluation_type = 'leaders'",
    )
    # Row 2 of the file: D1 is the first unit, leaders its first row (header = row 1).
    assert rows == [(D("92.00"), "evaluations.csv", 2, "current")]
    items = query(
        assessed,
        "select r.item_key, r.row_no from mart.return_rows as r"
        " where r.kind = 'assessment_items' and r.unit_code = 'D1' order by r.row_no",
    )
    assert items == [("JF-1", 2), ("JF-2", 3)]


def _bad_file(tmp_path: Path, name: str, header: list[str], rows: list[list]) -> Path:
    return write_csv(tmp_path / name, header, rows)


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (EVALUATION_HEADER, [2005, "D1", "领导评估", "100.5", 20, ""], (2, "score", "maximum")),
        (EVALUATION_HEADER, [2005, "D1", "同行评议", "90", 20, ""], (2, "evaluation_type", "enum")),
        (EVALUATION_HEADER, [2005, "D1", "领导评估", "90", 0, ""], (2, "raters", "minimum")),
        (
            EVALUATION_HEADER,
            [2005, "OUT", "领导评估", "90", 20, ""],
            (2, "unit_code", "not-assessed-unit"),
        ),
        (
            EVALUATION_HEADER,
            [2004, "D1", "领导评估", "90", 20, ""],
            (2, "unit_code", "not-assessed-unit"),
        ),
        (ITEM_HEADER, [2005, "KF-9", "D1", "扣分", "2", "", ""], (2, "reason", "required")),
        (ITEM_HEADER, [2005, "KF-9", "D1", "罚分", "2", "迟报", ""], (2, "item_type", "enum")),
        (
            ITEM_HEADER,
            [2005, "KF-9", "OUT", "扣分", "2", "迟报", ""],
            (2, "unit_code", "not-assessed-unit"),
        ),
    ],
    ids=[
        "score-over-100",
        "unknown-type",
        "no-raters",
        "unit-not-assessed",
        "year-not-assessed",
        "deduction-without-reason",
        "unknown-item-type",
        "item-unit-not-assessed",
    ],
)
def test_bad_assessment_returns_are_rejected_whole(
    assessed, monkeypatch, capsys, tmp_path, header, row, expected
):
    good = (
        [2005, "D2", "领导评估", "91", 20, ""]
        if header is EVALUATION_HEADER
        else [2005, "JF-9", "D2", "加分", "1", "表彰", ""]
    )
    before = query(
        assessed,
        "select (select count(*) from core.assessment_evaluations),"
        " (select count(*) from core.assessment_items)",
    )
    path = _bad_file(tmp_path, "bad.csv", header, [row, good])
    run = run_cli(monkeypatch, capsys, assessed, "ingest", path)
    assert run.code == 1
    line_row, column, rule = expected
    found = [(r, c, ru) for r, c, ru, severity in problems(assessed, "bad.csv")]
    assert found == [(line_row, column, rule)]
    # The message names the file, the row, the column, the value and the rule.
    assert "bad.csv" in run.err and f"第 {line_row} 行 row {line_row}" in run.err
    assert f"({column})" in run.err and f"规则 rule {rule}" in run.err
    # Rejected whole: not even the good row is loaded.
    assert (
        query(
            assessed,
            "select (select count(*) from core.assessment_evaluations),"
            " (select count(*) from core.assessment_items)",
        )
        == before
    )


# ------------------------------------------------- publishing freezes --

# The worked example's results as test_totals_ranks_and_grades works them out by hand.
RESULTS_BY_HAND = [
    ("D1", "department", D("99.60"), 1, "advanced", False),
    ("D4", "department", D("98.10"), 2, "advanced", False),
    ("D3", "department", D("97.80"), 3, "pass", True),
    ("D2", "department", D("73.00"), 4, "pass", False),
    ("S1", "subdistrict", D("95.00"), 1, "advanced", False),
    ("S2", "subdistrict", D("95.00"), 1, "advanced", False),
    ("S3", "subdistrict", D("32.00"), 3, "fail", False),
]
PUBLISHED_RESULTS = (
    "select unit_code, class_code, total, rank_in_class, grade, vetoed"
    " from mart.assessment_published_results order by class_code, rank_in_class, unit_code"
)
CHANGES = (
    "select unit_code, published_total, current_total, published_rank, current_rank,"
    " published_grade, current_grade from mart.assessment_publication_changes"
    " order by unit_code"
)


def _republished(url: str, account: str = "steward-c") -> int:
    with psycopg.connect(url) as conn:
        return assessment.republish(conn, 2005, account)


@pytest.mark.parametrize(
    "changed_file, expected_changes",
    [
        # D4's leaders' evaluation re-loaded at 80 instead of 90: 98.1 − 2 = 96.1,
        # now below D3's 97.8 → D4 3rd (still 先进: D1 and D4 are the two eligible,
        # quota 3), D3 2nd (合格, vetoed). D1 and D2 keep total and rank.
        (
            ("evaluations2.csv", EVALUATION_HEADER, [[2005, "D4", "领导评估", "80", 25, ""]]),
            [
                ("D3", D("97.80"), D("97.80"), 3, 2, "pass", "pass"),
                ("D4", D("98.10"), D("96.10"), 2, 3, "advanced", "advanced"),
            ],
        ),
        # S2's progress re-reported: T8 at plan (20/20) → targets 100, × 0.6 = 60 +
        # 19 + 9 + 8 + 5 = 101 → S2 alone 1st, S1 (95) 2nd; both still 先进.
        (
            (
                "progress2.csv",
                ["period", "unit_code", "target_code", "actual_value"],
                [["2005-12", "S2", "T8", "20"]],
            ),
            [
                ("S1", D("95.00"), D("95.00"), 1, 2, "advanced", "advanced"),
                ("S2", D("95.00"), D("101.00"), 1, 1, "advanced", "advanced"),
            ],
        ),
    ],
    ids=["evaluation-reloaded", "progress-reloaded"],
)
def test_publishing_freezes_the_results_and_flags_later_changes(
    assessed, monkeypatch, capsys, tmp_path, changed_file, expected_changes
):
    publication = _republished(assessed)
    assert query(assessed, PUBLISHED_RESULTS) == RESULTS_BY_HAND
    assert query(assessed, CHANGES) == []
    assert query(
        assessed,
        "select published_by, unit_count, is_current from mart.assessment_publications"
        " where publication_id = %s",
        (publication,),
    ) == [("steward-c", 7, True)]
    frozen_scores = query(
        assessed,
        "select unit_code, part, raw, weighted from mart.assessment_published_scores"
        " where unit_code = 'D4' order by part",
    )
    # D4 by hand: targets 105 × 0.6 = 63; leaders 90 × 0.2 = 18; satisfaction 85 ×
    # 0.1 = 8.5; integrity 86 × 0.1 = 8.6; no items.
    assert frozen_scores == [
        ("D4", "bonus", D("0.00"), D("0.00")),
        ("D4", "deduction", D("0.00"), D("0.00")),
        ("D4", "integrity", D("86.00"), D("8.60")),
        ("D4", "leaders", D("90.00"), D("18.00")),
        ("D4", "satisfaction", D("85.00"), D("8.50")),
        ("D4", "targets", D("105.00"), D("63.00")),
    ]

    name, header, rows = changed_file
    run = run_cli(monkeypatch, capsys, assessed, "ingest", write_csv(tmp_path / name, header, rows))
    assert run.code == 0, run.err

    # The published results stay as they were; the changes are flagged, unit by unit.
    assert query(assessed, PUBLISHED_RESULTS) == RESULTS_BY_HAND
    assert query(assessed, CHANGES) == expected_changes
    assert (
        query(
            assessed,
            "select unit_code, part, raw, weighted from mart.assessment_published_scores"
            " where unit_code = 'D4' order by part",
        )
        == frozen_scores
    )
    with psycopg.connect(assessed) as conn:
        assert assessment.verify_publication(conn, publication)


def test_publishing_again_makes_a_new_frozen_set_and_keeps_the_old(
    assessed, monkeypatch, capsys, tmp_path
):
    # The fixture published the scheme before the evaluations and items were
    # loaded: that publication froze the targets part alone.
    first = query(assessed, "select min(publication_id) from assess.publications")[0][0]
    first_rows = query(
        assessed,
        "select unit_code, total from assess.frozen_results where publication_id = %s"
        " order by unit_code",
        (first,),
    )
    # Targets only (× 0.6): D1 96.5 → 57.9; D2 65 → 39; D3 100 → 60; D4 105 → 63;
    # S1 100 → 60; S2 90 → 54; S3 0 → 0.
    assert first_rows == [
        ("D1", D("57.90")),
        ("D2", D("39.00")),
        ("D3", D("60.00")),
        ("D4", D("63.00")),
        ("S1", D("60.00")),
        ("S2", D("54.00")),
        ("S3", D("0.00")),
    ]
    # Today's data changes every unit's total: all seven are flagged.
    assert [r[0] for r in query(assessed, CHANGES)] == ["D1", "D2", "D3", "D4", "S1", "S2", "S3"]
    second = _republished(assessed, "steward-d")
    assert second != first
    assert query(assessed, CHANGES) == []
    assert query(assessed, PUBLISHED_RESULTS) == RESULTS_BY_HAND
    assert query(
        assessed,
        "select publication_id, published_by, is_current from mart.assessment_publications"
        " order by publication_id",
    ) == [(first, "steward-a", False), (second, "steward-d", True)]
    # The first set is kept as it was.
    assert (
        query(
            assessed,
            "select unit_code, total from assess.frozen_results where publication_id = %s"
            " order by unit_code",
            (first,),
        )
        == first_rows
    )
    with psycopg.connect(assessed) as conn:
        assert assessment.verify_publication(conn, first)
        assert assessment.verify_publication(conn, second)


@pytest.mark.parametrize(
    "statement",
    [
        "update assess.frozen_results set grade = 'advanced'",
        "update assess.frozen_scores set weighted = 100",
        "update assess.publications set published_by = 'someone'",
        "delete from assess.frozen_results",
        "delete from assess.frozen_scores",
        "delete from assess.publications",
        "truncate assess.frozen_results cascade",
        # Adding rows to a publication made in another transaction, even one's own.
        "insert into assess.frozen_results (publication_id, unit_code, class_code, class_zh,"
        " class_en, sort_order, total, rank_in_class, class_size, vetoed, grade)"
        " select max(publication_id), 'S9', 'subdistrict', 'x', 'x', 0, 100, 1, 1, false,"
        " 'advanced' from assess.publications",
        "insert into assess.frozen_scores (publication_id, unit_code, part, raw, weight, weighted)"
        " select max(publication_id), 'S3', 'extra', 50, 1, 50 from assess.publications",
        # A publication under another name, or for a scheme not published by the account.
        "insert into assess.publications (scheme_id, year, published_by, unit_count, digest)"
        " select max(scheme_id), 2005, 'steward-a', 0, repeat('0', 64) from assess.schemes",
    ],
)
def test_the_dashboard_cannot_alter_frozen_results(assessed, statement):
    from etl.accounts import Person, dashboard_url, set_scope

    before = query(
        assessed,
        "select (select count(*) from assess.publications),"
        " (select string_agg(unit_code || total || grade, ',' order by unit_code)"
        "  from assess.frozen_results),"
        " (select sum(weighted) from assess.frozen_scores)",
    )
    steward = Person("keeper", "Keeper", ("steward", "admin"), ())
    with (
        psycopg.connect(dashboard_url(assessed, environ={})) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        conn.transaction(),
    ):
        set_scope(conn, steward)
        conn.execute(statement)
    assert (
        query(
            assessed,
            "select (select count(*) from assess.publications),"
            " (select string_agg(unit_code || total || grade, ',' order by unit_code)"
            "  from assess.frozen_results),"
            " (select sum(weighted) from assess.frozen_scores)",
        )
        == before
    )


def test_the_owner_cannot_alter_frozen_results_either(assessed):
    with psycopg.connect(assessed) as conn:
        for statement in (
            "update assess.frozen_results set grade = 'fail'",
            "delete from assess.frozen_scores",
            "truncate assess.publications cascade",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)


def test_a_steward_publishes_from_the_dashboard_under_their_own_name(assessed):
    from dashboard import queries
    from etl.accounts import Person
    from tests.apptest import access

    steward = access(assessed, Person("keeper", "Keeper", ("steward",), ()))
    publication = queries.republish_assessment(steward, 2005)
    assert query(
        assessed,
        "select published_by, unit_count from assess.publications where publication_id = %s",
        (publication,),
    ) == [("keeper", 7)]
    assert query(assessed, PUBLISHED_RESULTS) == RESULTS_BY_HAND


# ---------------------------------------------------- external rankings --

RANKINGS = (
    "select year, assessing_body, assessment, rank, out_of, title, illustrative, recorded_by"
    " from assess.external_rankings order by year, assessing_body"
)


def test_a_steward_records_an_external_ranking_from_the_command_line(
    warehouse, monkeypatch, capsys
):
    run = run_cli(
        monkeypatch,
        capsys,
        warehouse,
        "assessment",
        "ranking",
        "add",
        "--year",
        "2006",
        "--body",
        "成都市委、市政府",
        "--rank",
        "3",
        "--out-of",
        "20",
        "--title",
        "目标管理先进单位",
        "--by",
        "keeper",
    )
    assert run.code == 0, run.err
    assert "已登记 / recorded" in run.err and "第 3 名" in run.err
    assert query(warehouse, RANKINGS) == [
        (
            2006,
            "成都市委、市政府",
            "2006年度目标综合考核",
            3,
            20,
            "目标管理先进单位",
            False,
            "keeper",
        )
    ]
    # Recorded again: a correction, signed; the replaced row is kept.
    run = run_cli(
        monkeypatch,
        capsys,
        warehouse,
        "assessment",
        "ranking",
        "add",
        "--year=2006",
        "--body=成都市委、市政府",
        "--rank=2",
        "--out-of=20",
        "--by=keeper-2",
    )
    assert run.code == 0, run.err
    assert "已更正" in run.err
    assert query(warehouse, RANKINGS) == [
        (2006, "成都市委、市政府", "2006年度目标综合考核", 2, 20, None, False, "keeper-2")
    ]
    assert query(
        warehouse,
        "select rank, title, recorded_by, replaced_by from assess.external_ranking_history",
    ) == [(3, "目标管理先进单位", "keeper", "keeper-2")]
    capsys.readouterr()
    from etl import cli

    monkeypatch.setenv("DATABASE_URL", warehouse)
    assert cli.main(["assessment", "ranking", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split("\t")[:6] == [
        "2006",
        "成都市委、市政府",
        "2006年度目标综合考核",
        "2",
        "20",
        "",
    ]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--rank", "0"], "名次须 ≥ 1 / the rank must be at least 1: 0"),
        (["--rank", "5", "--out-of", "4"], "out of must be at least the rank: 4 < 5"),
        (["--rank", "1", "--body", " "], "the assessing body is required"),
        (["--rank", "1", "--by", " "], "a ranking must be signed"),
        (["--rank", "1", "--year", "1999"], "the year must be 2000-2100: 1999"),
    ],
    ids=["rank-0", "out-of-below-rank", "no-body", "unsigned", "year"],
)
def test_a_bad_external_ranking_is_refused_with_a_reason(
    warehouse, monkeypatch, capsys, arguments, message
):
    defaults = {"--year": "2006", "--body": "成都市委", "--by": "keeper"}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    argv = [part for name, value in (defaults | given).items() for part in (name, value)]
    run = run_cli(monkeypatch, capsys, warehouse, "assessment", "ranking", "add", *argv)
    assert run.code == 2
    assert message in run.err and "Traceback" not in run.err
    assert query(warehouse, "select count(*) from assess.external_rankings") == [(0,)]


@pytest.mark.parametrize(
    "person_roles, statement",
    [
        # A correction under someone else's name.
        (("steward",), "update assess.external_rankings set rank = 1, recorded_by = 'someone'"),
        # A leader may read, never write.
        (("leader",), "update assess.external_rankings set rank = 1, recorded_by = 'keeper'"),
        (
            ("leader",),
            "insert into assess.external_rankings (year, assessing_body, assessment, rank,"
            " recorded_by) values (2007, 'x', 'y', 1, 'keeper')",
        ),
        # The history is written by the trigger alone, and never edited.
        (
            ("steward",),
            "insert into assess.external_ranking_history (ranking_id, year, assessing_body,"
            " assessment, rank, illustrative, recorded_by, recorded_at, replaced_by)"
            " values (1, 2005, 'x', 'y', 1, false, 'keeper', now(), 'keeper')",
        ),
        (("steward",), "update assess.external_ranking_history set rank = 1"),
        (("steward",), "delete from assess.external_ranking_history"),
        (("steward",), "delete from assess.external_rankings"),
    ],
)
def test_the_dashboard_cannot_forge_a_ranking(warehouse, person_roles, statement):
    from etl.accounts import Person, dashboard_url, set_scope

    with psycopg.connect(warehouse) as conn:
        assessment.record_external_ranking(
            conn, assessment.ExternalRanking(2005, "成都市委", "考核", 4, None, None), "cli"
        )
        conn.execute(
            "update assess.external_rankings set rank = 5, recorded_by = 'keeper-0'"
        )  # one history row to attack
    before = (
        query(warehouse, RANKINGS),
        query(warehouse, "select * from assess.external_ranking_history"),
    )
    person = Person("keeper", "Keeper", person_roles, ())
    with psycopg.connect(dashboard_url(warehouse, environ={})) as conn:
        try:
            with conn.transaction():
                set_scope(conn, person)
                # Refused outright, or (a leader's update) row-level security shows
                # the statement no row to change.
                assert conn.execute(statement).rowcount == 0
        except psycopg.errors.InsufficientPrivilege:
            pass
    after = (
        query(warehouse, RANKINGS),
        query(warehouse, "select * from assess.external_ranking_history"),
    )
    assert after == before


# ------------------------------------------------------------------ demo --


@pytest.fixture(scope="module")
def demo(server_url: str, demo_template: str) -> Iterator[str]:
    from tests.conftest import create_database, drop_database

    name = f"ducha_assess_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def test_demo_tells_the_seeds_2005_assessment(demo):
    # "对区内31家目标单位……进行考核，经贸发展局、投资服务局、人事劳动和社会保障局等23个
    # 单位被评为……先进单位；投资集团公司、法院、检察院等8个单位被评为……合格单位"
    grades = dict(
        query(
            demo,
            "select grade, count(*) from mart.assessment_results where year = 2005 group by 1",
        )
    )
    assert grades == {"advanced": 23, "pass": 8}
    named = dict(
        query(
            demo,
            "select unit_name, grade from mart.assessment_results where year = 2005"
            " and unit_name in ('经贸发展局', '投资服务局', '人事劳动和社会保障局',"
            " '投资集团公司', '法院', '检察院')",
        )
    )
    assert named == {
        "经贸发展局": "advanced",
        "投资服务局": "advanced",
        "人事劳动和社会保障局": "advanced",
        "投资集团公司": "pass",
        "法院": "pass",
        "检察院": "pass",
    }
    # "在2005年度市级政府部门目标综合考核中排名第四，并被评为'完成2005年度工作目标任务先进单位'"
    assert query(demo, "select year, rank, title from assess.external_rankings") == [
        (2005, 4, "完成2005年度工作目标任务先进单位")
    ]


def test_demo_register_has_the_seeds_2006_counts(demo):
    # "主要工作目标69项（含11项特色指标），为民办实事目标10项，网络、专项目标30项，
    # 四川省委、省政府目标43项"
    counts = dict(
        query(
            demo,
            "select source, count(*) from mart.target_completion where year = 2006 group by 1",
        )
    )
    assert counts == {
        "city": 58,
        "characteristic": 11,
        "livelihood": 10,
        "special": 30,
        "provincial": 43,
    }
    assert counts["city"] + counts["characteristic"] == 69
