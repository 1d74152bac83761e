"""The summaries the load keeps (ingest.slices, ingest.file_coverage) equal a rebuild from core."""

from __future__ import annotations

import psycopg

from etl.load import decide
from tests.conftest import EXAMPLES
from tests.helpers import query, run_cli, write_csv

EMPLOYMENT_HEADER = [
    "period", "unit_code", "area_name", "labor_force", "employed",
    "zero_employment_households", "aid_referrals", "aid_placements",
]  # fmt: skip
SUPERVISION_HEADER = [
    "item_code", "source", "title", "unit_code", "registered_on", "due_on", "closed_on",
    "satisfaction",
]  # fmt: skip

SUMMARIES = (
    "select kind, file_id, unit_code, period, period_end, year, row_count, current_rows"
    " from ingest.slices order by file_id, unit_code, period",
    "select file_id, kind, unit_codes, periods, row_count, current_rows"
    " from ingest.file_coverage order by file_id",
)


def summaries(url: str) -> list[list[tuple]]:
    return [query(url, statement) for statement in SUMMARIES]


def rebuilt(url: str) -> list[list[tuple]]:
    """What ingest.rebuild_summaries() makes of core, without keeping it."""
    with psycopg.connect(url) as conn:
        conn.execute("select ingest.rebuild_summaries()")
        found = [conn.execute(statement).fetchall() for statement in SUMMARIES]
        conn.rollback()
    return found


def test_kept_in_step_through_versions_approvals_and_withdrawals(
    warehouse, monkeypatch, capsys, tmp_path
):
    def ingest(*paths):
        run = run_cli(monkeypatch, capsys, warehouse, "ingest", *paths, "--as-of", "2006-12-31")
        assert run.code == 0, run.err

    ingest(EXAMPLES)  # every kind, units and targets first
    ingest(
        write_csv(
            tmp_path / "emp_v2.csv",
            EMPLOYMENT_HEADER,
            [["2006-Q2", "JD-SY", "石羊场社区", 620, 600, 0, 9, 9]],
        ),
        write_csv(
            tmp_path / "sup_v2.csv",
            SUPERVISION_HEADER,
            [
                ["S-2006-001", "city", "天府软件园整改", "BM-CZ", "2006-03-02", "2006-04-30",
                 "2006-04-12", "satisfied"],
                ["S-2006-900", "leader", "新事项", "JD-SY", "2006-09-01", "2006-10-01", "", ""],
            ],
        ),
    )  # fmt: skip
    assert summaries(warehouse) == rebuilt(warehouse)

    query(
        warehouse,
        "update ingest.kind_settings set requires_approval = true"
        " where kind = 'employment' returning kind",
    )
    ingest(
        write_csv(
            tmp_path / "emp_v3.csv",
            EMPLOYMENT_HEADER,
            [["2006-Q2", "JD-SY", "石羊场社区", 620, 610, 0, 9, 9]],
        )
    )
    assert summaries(warehouse) == rebuilt(warehouse)  # held back: not current
    v3 = query(warehouse, "select file_id from ingest.files where file_name = 'emp_v3.csv'")[0][0]
    decide(warehouse, v3, "approve", "王督查")
    assert summaries(warehouse) == rebuilt(warehouse)
    decide(warehouse, v3, "reject", "王督查", "数字有误")
    assert summaries(warehouse) == rebuilt(warehouse)
    coverage = query(
        warehouse,
        "select current_rows > 0 from ingest.file_coverage join ingest.files using (file_id)"
        " where file_name in ('emp_v2.csv', 'emp_v3.csv') order by file_name",
    )
    assert coverage == [(True,), (False,)]  # the withdrawn version is not current


def test_rebuild_covers_every_kind_the_demo_loads(make_demo):
    """The demo loads every kind (tests/test_demo_returns.py); a rebuild from core gives the
    summaries the load kept, file by file, so no kind is missing from the rebuild."""
    from etl.kinds import KINDS

    demo = make_demo()
    covered = query(demo.url, "select distinct kind from ingest.file_coverage order by kind")
    assert [kind for (kind,) in covered] == sorted(KINDS)
    assert summaries(demo.url) == rebuilt(demo.url)
