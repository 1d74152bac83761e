"""对标分析 (issue 14): the indicator kinds, their load promises and the benchmark marts.

The hand-made example below is small enough to rank by eye; every expected
figure is worked out in the comments beside it, not by the views under test.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from etl.accounts import Person, dashboard_url, set_scope
from etl.load import decide
from tests.helpers import problems, query, run_cli, write_csv

INDICATOR_HEADER = ["指标代码", "指标名称", "计量单位", "指标方向", "领导关注", "责任单位"]
FIGURE_HEADER = [
    "period",
    "district_code",
    "indicator_code",
    "value",
    "basis",
    "yoy_growth",
    "source",
    "unit_code",
]


def _figure(period, district, code, value, growth="", basis="cumulative", unit="BM-CZ"):
    return [period, district, code, value, basis, growth, f"{district} 统计月报 {period}", unit]


# Districts (sql/migrations/0070): GXQ is this zone; peers in sort order JJQ,
# QYQ, JNQ, WHQ, CHQ. H1: higher is better; L1: lower is better.
FIGURES_A = [
    # 2006-01 H1: zone 100. Better: JJQ 120, QYQ 120 -> rank 3 (WHQ ties at 100 and
    # is not better). Best peer: JJQ and QYQ tie; JJQ comes first in sort order.
    # gap = 120 - 100 = 20; gap_rate = 20 / 120 = 0.1667.
    # Growth: better than 0.10: JJQ 0.12, WHQ 0.12 -> rank 3 of 5 (JNQ gave none);
    # best JJQ (tie with WHQ, sort order); growth_gap = 0.12 - 0.10 = 0.02.
    _figure("2006-01", "GXQ", "H1", "100", "10%"),
    _figure("2006-01", "JJQ", "H1", "120", "12%"),
    _figure("2006-01", "QYQ", "H1", "120", "8%"),
    _figure("2006-01", "JNQ", "H1", "90"),
    _figure("2006-01", "WHQ", "H1", "100", "12%"),
    _figure("2006-01", "CHQ", "H1", "80", "5%"),
    # 2006-01 L1 (lower): zone 2.0. Better (lower): QYQ 1.5 -> rank 2 (WHQ ties).
    # CHQ is missing: 5 districts ranked, 1 peer missing. Best QYQ 1.5;
    # gap = 2.0 - 1.5 = 0.5; gap_rate = 0.5 / 1.5 = 0.3333.
    # Growth (lower better): zone -0.05; QYQ -0.08 better -> rank 2;
    # growth_gap = -0.05 - (-0.08) = 0.03.
    _figure("2006-01", "GXQ", "L1", "2.0", "-5%", "monthly"),
    _figure("2006-01", "JJQ", "L1", "2.5", "-2%", "monthly"),
    _figure("2006-01", "QYQ", "L1", "1.5", "-8%", "monthly"),
    _figure("2006-01", "JNQ", "L1", "3.0", "1%", "monthly"),
    _figure("2006-01", "WHQ", "L1", "2.0", "-5%", "monthly"),
    # 2006-02 H1: zone 130; only JJQ 125 and QYQ 110 reported (3 peers missing).
    # Rank 1 of 3; best JJQ 125; gap = 125 - 130 = -5; gap_rate = -5/125 = -0.04,
    # below January's 0.1667: narrowed. Growth: zone 0.15, JJQ 0.11, QYQ 0.09 ->
    # rank 1 of 3, growth_gap = 0.11 - 0.15 = -0.04 < 0.02: narrowed.
    _figure("2006-02", "GXQ", "H1", "130", "15%"),
    _figure("2006-02", "JJQ", "H1", "125", "11%"),
    _figure("2006-02", "QYQ", "H1", "110", "9%"),
    # 2006-02 L1 as first published: QYQ 1.6 better than the zone's 1.8 -> rank 2.
    # FIGURES_B revises QYQ to 1.9 (see below).
    _figure("2006-02", "GXQ", "L1", "1.8", "", "monthly"),
    _figure("2006-02", "JJQ", "L1", "1.8", "", "monthly"),
    _figure("2006-02", "QYQ", "L1", "1.6", "", "monthly"),
    _figure("2006-02", "JNQ", "L1", "2.9", "", "monthly"),
    _figure("2006-02", "WHQ", "L1", "2.1", "", "monthly"),
    _figure("2006-02", "CHQ", "L1", "2.2", "", "monthly"),
]
# QYQ revises its February L1 to 1.9. Then nobody is lower than the zone's 1.8:
# rank 1 of 6 (JJQ ties); best peer JJQ 1.8 (lowest of JJQ 1.8, QYQ 1.9, WHQ 2.1,
# CHQ 2.2, JNQ 2.9); gap 0, gap_rate 0 < January's 0.3333: narrowed. The other
# February figures stay as they were: a revision supersedes that figure alone.
FIGURES_B = [_figure("2006-02", "QYQ", "L1", "1.9", "", "monthly")]

EXPECTED = [
    # period, code, zone, rank, ranked, missing, best, best value, gap, gap_rate,
    # narrowed, growth rank, best growth peer, growth gap, growth narrowed
    ("2006-01", "H1", Decimal("100"), 3, 6, 0, "JJQ", Decimal("120"), Decimal("20"),
     Decimal("0.1667"), None, 3, "JJQ", Decimal("0.02"), None),
    ("2006-01", "L1", Decimal("2.0"), 2, 5, 1, "QYQ", Decimal("1.5"), Decimal("0.5"),
     Decimal("0.3333"), None, 2, "QYQ", Decimal("0.03"), None),
    ("2006-02", "H1", Decimal("130"), 1, 3, 3, "JJQ", Decimal("125"), Decimal("-5"),
     Decimal("-0.0400"), True, 1, "JJQ", Decimal("-0.04"), True),
    ("2006-02", "L1", Decimal("1.8"), 1, 6, 0, "JJQ", Decimal("1.8"), Decimal("0.0"),
     Decimal("0.0000"), True, None, None, None, None),
]  # fmt: skip


@pytest.fixture
def benchmark(units_loaded, monkeypatch, capsys, tmp_path) -> str:
    """The hand-made example loaded through the CLI: register, figures, revision."""
    url = units_loaded
    register = write_csv(
        tmp_path / "indicators.csv",
        INDICATOR_HEADER,
        [
            ["H1", "收入指标", "亿元", "越高越好", "是", "BM-CZ"],
            ["L1", "失业率", "%", "越低越好", "", "BM-CZ"],
        ],
    )
    first = write_csv(tmp_path / "figures_a.csv", FIGURE_HEADER, FIGURES_A)
    revision = write_csv(tmp_path / "figures_b.csv", FIGURE_HEADER, FIGURES_B)
    for path in (register, first, revision):
        run = run_cli(monkeypatch, capsys, url, "ingest", path)
        assert run.code == 0, run.err
    return url


def test_rank_best_peer_and_gap_on_the_hand_made_example(benchmark):
    rows = query(
        benchmark,
        "select period, indicator_code, zone_value, rank::int, districts_ranked::int,"
        " peers_missing::int, best_peer_code, best_peer_value, gap, round(gap_rate, 4),"
        " gap_narrowed, growth_rank::int, best_growth_peer_code, growth_gap,"
        " growth_gap_narrowed"
        " from mart.peer_benchmark order by period, indicator_code",
    )
    assert rows == EXPECTED


# ------------------------------------------------- the stored standings --
# core.peer_standings (sql/migrations/0071) is kept by the load; leaders read it
# through mart.peer_benchmark, a reporter gets the standings computed from what
# they may see. Both must say what EXPECTED says, and the stored rows must be
# what a rebuild from core makes, after every change.

STANDINGS = (
    "select period, indicator_code, zone_value, rank::int, districts_ranked::int,"
    " peers_missing::int, best_peer_code, best_peer_value, gap, round(gap_rate, 4),"
    " gap_narrowed, growth_rank::int, best_growth_peer_code, growth_gap,"
    " growth_gap_narrowed from mart.peer_benchmark order by period, indicator_code"
)
KEPT = "select * from core.peer_standings order by year, indicator_code, period"


def kept_and_rebuilt(url: str) -> tuple[list[tuple], list[tuple]]:
    """The stored standings, and what core.rebuild_peer_standings() makes (not kept)."""
    with psycopg.connect(url) as conn:
        kept = conn.execute(KEPT).fetchall()
        conn.execute("select core.rebuild_peer_standings()")
        rebuilt = conn.execute(KEPT).fetchall()
        conn.rollback()
    return kept, rebuilt


def test_leaders_read_the_stored_standings_reporters_the_computed(benchmark):
    kept, rebuilt = kept_and_rebuilt(benchmark)
    assert len(kept) == 4 and kept == rebuilt
    assert _as(benchmark, LEADER, STANDINGS) == EXPECTED  # core.peer_standings
    assert _as(benchmark, COMPILER, STANDINGS) == EXPECTED  # computed from their unit's


def _row(url: str, period: str, code: str) -> tuple:
    return next(row for row in _as(url, LEADER, STANDINGS) if row[:2] == (period, code))


def test_the_stored_standings_follow_revisions_withdrawals_and_the_register(
    benchmark, monkeypatch, capsys, tmp_path
):
    # JJQ and QYQ revise January's H1 to 104 and 105: still both above the zone's
    # 100 (rank 3), the best now QYQ 105; gap 5, gap_rate 5/105 = 0.0476. Growth
    # unchanged. February's gap_rate -0.04 is compared with January's new 0.0476.
    revised = write_csv(
        tmp_path / "figures_c.csv",
        FIGURE_HEADER,
        [
            _figure("2006-01", "JJQ", "H1", "104", "12%"),
            _figure("2006-01", "QYQ", "H1", "105", "8%"),
        ],
    )
    assert run_cli(monkeypatch, capsys, benchmark, "ingest", revised).code == 0
    assert _row(benchmark, "2006-01", "H1") == (
        "2006-01", "H1", Decimal("100"), 3, 6, 0, "QYQ", Decimal("105"), Decimal("5"),
        Decimal("0.0476"), None, 3, "JJQ", Decimal("0.02"), None,
    )  # fmt: skip
    assert _as(
        benchmark,
        LEADER,
        "select round(previous_gap_rate, 4), gap_narrowed from mart.peer_benchmark"
        " where period = '2006-02' and indicator_code = 'H1'",
    ) == [(Decimal("0.0476"), True)]
    kept, rebuilt = kept_and_rebuilt(benchmark)
    assert kept == rebuilt

    # A steward on the dashboard (its role, their scope) withdraws QYQ's February L1
    # revision (figures_b): 1.6 is current again, lower than the zone's 1.8: rank 2
    # of 6, best QYQ 1.6; gap 0.2, gap_rate 0.2/1.6 = 0.125 < January's 0.3333:
    # narrowed.
    file_b = query(benchmark, "select file_id from ingest.files where file_name = 'figures_b.csv'")
    decide(
        dashboard_url(benchmark, environ={}),
        file_b[0][0],
        "reject",
        "王督查",
        "撤回修订",
        scope=STEWARD.scope,
    )
    assert _row(benchmark, "2006-02", "L1") == (
        "2006-02", "L1", Decimal("1.8"), 2, 6, 0, "QYQ", Decimal("1.6"), Decimal("0.2"),
        Decimal("0.1250"), True, None, None, None, None,
    )  # fmt: skip
    kept, rebuilt = kept_and_rebuilt(benchmark)
    assert kept == rebuilt

    # The register turns L1 round: higher is better. January: zone 2.0; JNQ 3.0
    # and JJQ 2.5 are better (WHQ ties) -> rank 3 of 5, best JNQ 3.0, gap 1.0,
    # gap_rate 1/3. Growth: zone -0.05; JJQ -0.02 and JNQ 0.01 better -> rank 3,
    # best JNQ, growth_gap 0.06. February: zone 1.8; JNQ 2.9, CHQ 2.2, WHQ 2.1
    # better -> rank 4 of 6, best JNQ 2.9, gap 1.1, gap_rate 1.1/2.9 = 0.3793,
    # above January's 0.3333: not narrowed.
    register = write_csv(
        tmp_path / "indicators_v2.csv",
        INDICATOR_HEADER,
        [["L1", "失业率", "%", "越高越好", "", "BM-CZ"]],
    )
    assert run_cli(monkeypatch, capsys, benchmark, "ingest", register).code == 0
    assert _row(benchmark, "2006-01", "L1") == (
        "2006-01", "L1", Decimal("2.0"), 3, 5, 1, "JNQ", Decimal("3.0"), Decimal("1.0"),
        Decimal("0.3333"), None, 3, "JNQ", Decimal("0.06"), None,
    )  # fmt: skip
    assert _row(benchmark, "2006-02", "L1") == (
        "2006-02", "L1", Decimal("1.8"), 4, 6, 0, "JNQ", Decimal("2.9"), Decimal("1.1"),
        Decimal("0.3793"), False, None, None, None, None,
    )  # fmt: skip
    assert _as(
        benchmark,
        LEADER,
        "select distinct direction from mart.peer_benchmark where indicator_code = 'L1'",
    ) == [("higher",)]
    kept, rebuilt = kept_and_rebuilt(benchmark)
    assert kept == rebuilt


def test_a_rejected_file_leaves_the_stored_standings_as_they_were(
    benchmark, monkeypatch, capsys, tmp_path
):
    kept = query(benchmark, KEPT)
    # Row 2 would make the zone first in January's H1; row 3 names no indicator of
    # the register, which no key of core refuses: the rows are promoted (and the
    # standings re-derived) beside validation, which then rejects the file, and
    # the whole transaction is rolled back.
    bad = write_csv(
        tmp_path / "bad_standings.csv",
        FIGURE_HEADER,
        [_figure("2006-01", "GXQ", "H1", "200", "10%"), _figure("2006-01", "JJQ", "NOPE", "1")],
    )
    run = run_cli(monkeypatch, capsys, benchmark, "ingest", bad)
    assert run.code == 1
    assert problems(benchmark, "bad_standings.csv") == [
        (3, "indicator_code", "unknown-indicator", "error")
    ]
    assert query(benchmark, KEPT) == kept
    assert _as(benchmark, LEADER, STANDINGS) == EXPECTED


def test_the_register_reads_chinese_labels_and_defaults(benchmark):
    assert query(
        benchmark,
        "select indicator_code, indicator_name, measure, direction, followed, unit_code"
        " from mart.indicators order by indicator_code",
    ) == [
        ("H1", "收入指标", "亿元", "higher", True, "BM-CZ"),
        ("L1", "失业率", "%", "lower", False, "BM-CZ"),  # 领导关注 empty: 否 by default
    ]


def test_a_revision_supersedes_that_figure_alone_and_history_stays(benchmark):
    assert query(
        benchmark,
        "select district_code, value, file_name from mart.indicator_figures"
        " where period = '2006-02' and indicator_code = 'L1' order by district_code",
    ) == [
        ("CHQ", Decimal("2.2"), "figures_a.csv"),
        ("GXQ", Decimal("1.8"), "figures_a.csv"),
        ("JJQ", Decimal("1.8"), "figures_a.csv"),
        ("JNQ", Decimal("2.9"), "figures_a.csv"),
        ("QYQ", Decimal("1.9"), "figures_b.csv"),
        ("WHQ", Decimal("2.1"), "figures_a.csv"),
    ]
    assert query(
        benchmark,
        "select (figures->>'value')::numeric, version_status from mart.return_rows"
        " where kind = 'indicator_figures' and period = '2006-02' and item_key = 'L1'"
        " and figures->>'district_code' = 'QYQ' order by file_id",
    ) == [(Decimal("1.6"), "superseded"), (Decimal("1.9"), "current")]


def test_the_same_bytes_again_change_nothing(benchmark, monkeypatch, capsys, tmp_path):
    before = query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4")
    again = write_csv(tmp_path / "again.csv", FIGURE_HEADER, FIGURES_B)
    assert run_cli(monkeypatch, capsys, benchmark, "ingest", again).code == 0
    assert query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4") == before


# ------------------------------------------------------------- bad input --


def test_bad_figures_reject_the_file_whole_naming_row_column_and_rule(
    benchmark, monkeypatch, capsys, tmp_path
):
    before = query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4")
    bad = write_csv(
        tmp_path / "bad.csv",
        FIGURE_HEADER,
        [
            _figure("2006-03", "GXQ", "H1", "140"),  # row 2: fine
            _figure("2006-03", "XXQ", "H1", "150"),  # row 3: no such district
            _figure("2006-03", "JJQ", "NOPE", "150"),  # row 4: no such indicator
            _figure("2006-Q1", "WHQ", "H1", "150"),  # row 5: a quarter, not a month
            _figure("2006-03", "CHQ", "H1", "150", unit="XX-NONE"),  # row 6: no such unit
            _figure("2006-03", "JNQ", "H1", "150", basis="weekly"),  # row 7: no such basis
        ],
    )
    run = run_cli(monkeypatch, capsys, benchmark, "ingest", bad)
    assert run.code == 1
    assert problems(benchmark, "bad.csv") == [
        (3, "district_code", "unknown-district", "error"),
        (4, "indicator_code", "unknown-indicator", "error"),
        (5, "period", "period-month", "error"),
        (6, "unit_code", "unknown-unit", "error"),
        (7, "basis", "enum", "error"),
    ]
    assert "XXQ" in run.err and "区县代码不在对标区县名录中" in run.err
    assert "district code is not in the register of districts" in run.err
    assert query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4") == before


def test_a_month_outside_the_year_is_rejected_by_the_reader(
    benchmark, monkeypatch, capsys, tmp_path
):
    before = query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4")
    bad = write_csv(
        tmp_path / "month13.csv",
        FIGURE_HEADER,
        [_figure("2006-03", "GXQ", "H1", "140"), _figure("2006-13", "QYQ", "H1", "150")],
    )
    run = run_cli(monkeypatch, capsys, benchmark, "ingest", bad)
    assert run.code == 1
    assert problems(benchmark, "month13.csv") == [(3, "period", "type-period", "error")]
    assert "月份应为 1–12" in run.err and "the month must be 1–12" in run.err
    assert query(benchmark, "select * from core.indicator_figures order by 1, 2, 3, 4") == before


def test_growth_that_disagrees_with_last_year_is_a_warning(
    benchmark, monkeypatch, capsys, tmp_path
):
    last_year = write_csv(
        tmp_path / "last_year.csv", FIGURE_HEADER, [_figure("2005-01", "GXQ", "H1", "80")]
    )
    assert run_cli(monkeypatch, capsys, benchmark, "ingest", last_year).code == 0
    figures = write_csv(
        tmp_path / "growth.csv",
        FIGURE_HEADER,
        [
            # 2006-01 GXQ H1 revised to 100 over 2005's 80: growth 0.25; 30% is 5 points off.
            _figure("2006-01", "GXQ", "H1", "100", "30%"),
            # 2005-03 and 2006-03 in one file: 120 / 100 - 1 = 0.20; 20.4% is within 0.5 points.
            _figure("2005-03", "JJQ", "H1", "100"),
            _figure("2006-03", "JJQ", "H1", "120", "20.4%"),
            # 110 / 100 - 1 = 0.10; 11% is 1 point off.
            _figure("2005-03", "QYQ", "H1", "100"),
            _figure("2006-03", "QYQ", "H1", "110", "11%"),
            # No 2005 figure for WHQ: nothing to check against.
            _figure("2006-03", "WHQ", "H1", "110", "90%"),
        ],
    )
    run = run_cli(monkeypatch, capsys, benchmark, "ingest", figures)
    assert run.code == 0, run.err
    assert problems(benchmark, "growth.csv") == [
        (2, "yoy_growth", "growth-mismatch", "warning"),
        (6, "yoy_growth", "growth-mismatch", "warning"),
    ]
    assert query(
        benchmark,
        "select value from ingest.problems where rule = 'growth-mismatch' order by row_no",
    ) == [("0.30",), ("0.11",)]
    assert query(
        benchmark,
        "select value from mart.indicator_figures"
        " where period = '2006-01' and district_code = 'GXQ' and indicator_code = 'H1'",
    ) == [(Decimal("100"),)]


# ---------------------------------------------------------------- access --

LEADER = Person("boss", "Boss", ("leader",), ())
STEWARD = Person("keeper", "Keeper", ("steward",), ())
COMPILER = Person("stat", "统计员", ("reporter",), ("BM-CZ",))  # the unit that sent the figures
OTHER_REPORTER = Person("rep", "填报员", ("reporter",), ("JD-SY",))


def _as(url: str, person: Person, statement: str) -> list[tuple]:
    with psycopg.connect(dashboard_url(url, environ={})) as conn, conn.transaction():
        set_scope(conn, person)
        return conn.execute(statement).fetchall()


@pytest.mark.parametrize(
    ("person", "figures", "standings"),
    [(LEADER, 20, 4), (STEWARD, 20, 4), (COMPILER, 20, 4), (OTHER_REPORTER, 0, 0)],
)
def test_who_reads_peer_figures(benchmark, person, figures, standings):
    # The stored standings compare every district's figures: leaders and stewards
    # only (a reporter's come from the figures they may read).
    stored = standings if person in (LEADER, STEWARD) else 0
    assert _as(benchmark, person, "select count(*) from core.peer_standings") == [(stored,)]
    # 20 current figures: 21 rows loaded (6 + 5 + 3 + 6, and the revision), QYQ's February L1 superseded.
    assert _as(benchmark, person, "select count(*) from mart.indicator_figures") == [(figures,)]
    assert _as(
        benchmark, person, "select count(*) from core.indicator_figures where is_current"
    ) == [(figures,)]
    assert _as(benchmark, person, "select count(*) from mart.peer_benchmark") == [(standings,)]
    # The registers are no unit's data: everyone signed in reads them.
    assert _as(benchmark, person, "select count(*) from mart.indicators") == [(2,)]
    assert _as(benchmark, person, "select count(*) from mart.districts") == [(6,)]


@pytest.mark.parametrize("person", [LEADER, COMPILER, OTHER_REPORTER])
def test_only_a_steward_moves_a_figure_version(benchmark, person):
    with psycopg.connect(dashboard_url(benchmark, environ={})) as conn, conn.transaction():
        set_scope(conn, person)
        changed = conn.execute(
            "update core.indicator_figures set is_current = false where is_current"
        ).rowcount
        assert changed == 0
    assert query(benchmark, "select count(*) from core.indicator_figures where is_current") == [
        (20,)
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "insert into core.districts values ('ZZQ', '某区', 'Some', false, 9)",
        "update core.indicator_figures set value = 0",
        "delete from core.indicator_figures",
        "insert into core.indicators (file_id, row_no, indicator_code, indicator_name, measure,"
        " direction, followed, unit_code) values (1, 1, 'X', 'X', 'X', 'higher', 'no', 'BM-CZ')",
        "delete from core.peer_standings",
        "update core.peer_standings set rank = 1",
        "insert into core.peer_standings (year, period, indicator_code, indicator_name, measure,"
        " direction, followed, basis, zone_value, rank, districts_ranked, peers_missing)"
        " values (2006, '2006-03', 'H1', 'x', 'x', 'higher', true, 'monthly', 1, 1, 1, 0)",
        "select core.rebuild_peer_standings()",
    ],
)
def test_the_dashboard_role_writes_no_figures_or_registers(benchmark, statement):
    with psycopg.connect(dashboard_url(benchmark, environ={})) as conn:
        set_scope(conn, STEWARD)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
