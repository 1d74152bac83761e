"""The core tables of a year, partitioned by year (sql/migrations/0090; issue 15 item 4).

An existing warehouse is converted in place with its rows; a return for a year
with no partition yet makes that year's partition; `ducha archive YEAR`
detaches a year and leaves every other year's marts as they were; and the
partitions give the dashboard's role nothing the parent's row-level security
would not.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from etl import db
from etl.accounts import Person, dashboard_url, set_scope
from tests.helpers import apply_first_migrations, latest_file_id, query, run_cli, write_csv

PARTITIONED = ("targets", "target_progress", "employment", "disability_aid", "supervision")


def _partitions(url: str) -> list[tuple[str, str]]:
    """(parent, partition) of every attached partition in core, sorted."""
    return query(
        url,
        "select i.inhparent::regclass::text, i.inhrelid::regclass::text"
        " from pg_inherits as i join pg_class as c on c.oid = i.inhrelid"
        " where c.relnamespace = 'core'::regnamespace and c.relkind = 'r' order by 1, 2",
    )


# ------------------------------------------------------- upgrade in place --

_BEFORE_0090 = [m.version for m in db.migrations()].index("0090")

_OLD_ROWS = """
insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome, approval)
select name, repeat('0', 63) || n, kind, 1, '2006-12-31', 'accepted', 'approved'
from (values (1, 'units.csv', 'units'), (2, 'targets.csv', 'targets'),
             (3, 'progress.csv', 'target_progress'), (4, 'employment.csv', 'employment'),
             (5, 'aid.csv', 'disability_aid'), (6, 'supervision.csv', 'supervision'))
     as f (n, name, kind)
order by n;
insert into core.units (file_id, row_no, unit_code, unit_name, unit_type, is_current)
values (1, 2, 'JD-SY', '石羊街道', 'subdistrict', true);
insert into core.targets (file_id, row_no, year, target_code, target_name, source, unit_code,
                          measure, planned_value, direction, is_current)
values (2, 2, 2005, 'T1', '招商引资', 'city', 'JD-SY', '万元', 100, 'higher', true),
       (2, 3, 2006, 'T1', '招商引资', 'city', 'JD-SY', '万元', 200, 'higher', true);
insert into core.target_progress (file_id, row_no, period, year, period_end, unit_code,
                                  target_code, actual_value, is_current)
values (3, 2, '2005-Q4', 2005, '2005-12-31', 'JD-SY', 'T1', 90, true),
       (3, 3, '2006-Q4', 2006, '2006-12-31', 'JD-SY', 'T1', 150, true);
insert into core.employment (file_id, row_no, period, year, period_end, unit_code, area_name,
                             labor_force, employed, zero_employment_households, aid_referrals,
                             aid_placements, is_current)
values (4, 2, '2005-Q4', 2005, '2005-12-31', 'JD-SY', '一社区', 100, 80, 1, 10, 5, true),
       (4, 3, '2006-Q4', 2006, '2006-12-31', 'JD-SY', '一社区', 100, 90, 0, 10, 8, true);
insert into core.disability_aid (file_id, row_no, period, year, period_end, unit_code, program,
                                 households, person_times, amount_yuan, is_current)
values (5, 2, '2006-12', 2006, '2006-12-31', 'JD-SY', '助学金', 2, 3, 300.00, true);
insert into core.supervision (file_id, row_no, item_code, source, title, unit_code,
                              registered_on, due_on, closed_on, satisfaction, as_of, is_current)
values (6, 2, 'DB-1', 'city', '修路', 'JD-SY', '2005-11-01', '2006-01-31', '2006-01-20',
        'satisfied', '2006-12-31', true),
       (6, 3, 'DB-2', 'leader', '修桥', 'JD-SY', '2006-03-01', '2006-06-30', null, null,
        '2006-12-31', true);
"""


def test_upgrade_partitions_a_warehouse_that_holds_rows(blank_database):
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, _BEFORE_0090)
        conn.execute(_OLD_ROWS)
        conn.commit()
        before = {
            table: conn.execute(f"select * from core.{table} order by file_id, row_no").fetchall()
            for table in PARTITIONED
        }
        assert db.upgrade(conn)[0] == "0090_year_partitions.sql"

    # Every row, unchanged; supervision gains the year of registered_on.
    for table in PARTITIONED:
        after = query(blank_database, f"select * from core.{table} order by file_id, row_no")
        if table == "supervision":
            assert [row[-1] for row in after] == [2005, 2006]
            after = [row[:-1] for row in after]
        assert after == before[table], table
    # A partition per year held, named after it, holding that year's rows.
    assert _partitions(blank_database) == sorted(
        [
            ("core.disability_aid", "core.disability_aid_y2006"),
            ("core.employment", "core.employment_y2005"),
            ("core.employment", "core.employment_y2006"),
            ("core.supervision", "core.supervision_y2005"),
            ("core.supervision", "core.supervision_y2006"),
            ("core.target_progress", "core.target_progress_y2005"),
            ("core.target_progress", "core.target_progress_y2006"),
            ("core.targets", "core.targets_y2005"),
            ("core.targets", "core.targets_y2006"),
        ]
    )
    assert query(blank_database, "select item_code from core.supervision_y2005") == [("DB-1",)]
    # The parents keep their keys (with the year), triggers, policies and grants.
    assert query(
        blank_database,
        "select conrelid::regclass::text, pg_get_constraintdef(oid) from pg_constraint"
        " where contype = 'p' and conrelid = any(%s::regclass[]) order by 1",
        ([f"core.{t}" for t in PARTITIONED],),
    ) == [
        ("core.disability_aid", "PRIMARY KEY (unit_code, period, program, file_id, year)"),
        ("core.employment", "PRIMARY KEY (unit_code, period, area_name, file_id, year)"),
        ("core.supervision", "PRIMARY KEY (item_code, file_id, year)"),
        ("core.target_progress", "PRIMARY KEY (unit_code, period, target_code, file_id, year)"),
        ("core.targets", "PRIMARY KEY (year, target_code, file_id)"),
    ]
    for table in PARTITIONED:
        assert query(
            blank_database,
            "select tgname from pg_trigger where tgrelid = %s::regclass and not tgisinternal"
            " order by 1",
            (f"core.{table}",),
        ) == [(f"{table}_file_ids",), ("upload_scope",)]
        assert query(
            blank_database,
            "select policyname, permissive, roles::text, cmd from pg_policies"
            " where schemaname = 'core' and tablename = %s order by 1",
            (table,),
        ) == [
            ("dashboard_units", "RESTRICTIVE", "{ducha_dashboard}", "ALL"),
            ("everyone", "PERMISSIVE", "{public}", "ALL"),
            ("steward_updates", "RESTRICTIVE", "{ducha_dashboard}", "UPDATE"),
        ]
        assert query(
            blank_database,
            "select relrowsecurity, relforcerowsecurity,"
            " has_table_privilege('ducha_dashboard', oid, 'select'),"
            " has_column_privilege('ducha_dashboard', oid, 'is_current', 'update'),"
            " has_column_privilege('ducha_dashboard', oid, 'unit_code', 'update')"
            " from pg_class where oid = %s::regclass",
            (f"core.{table}",),
        ) == [(True, True, True, True, False)]
    # The marts read the converted tables (recreated by the upgrade).
    assert query(
        blank_database,
        "select year, source, registered, closed from mart.supervision_closure order by 1",
    ) == [(2005, "city", 1, 1), (2006, "leader", 1, 0)]
    assert query(
        blank_database, "select year, actual_value from mart.target_completion order by 1"
    ) == [(2005, 90), (2006, 150)]


# --------------------------------------------------------- a new year --


def _returns(folder: Path, year: int, kinds: tuple[str, ...] = PARTITIONED) -> list[Path]:
    """One small return of each kind for ``year`` (unit JD-A), written by hand."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {
        "targets": (
            ["year", "target_code", "target_name", "source", "unit_code", "measure",
             "planned_value"],
            [[year, "T1", "招商引资", "city", "JD-A", "万元", 100]],
        ),
        "target_progress": (
            ["period", "unit_code", "target_code", "actual_value"],
            [[f"{year}-Q1", "JD-A", "T1", 30]],
        ),
        "employment": (
            ["period", "unit_code", "area_name", "labor_force", "employed",
             "zero_employment_households", "aid_referrals", "aid_placements"],
            [[f"{year}-03", "JD-A", "一社区", 100, 90, 1, 5, 4],
             [f"{year}-03", "JD-A", "二社区", 50, 45, 0, 2, 2]],
        ),
        "disability_aid": (
            ["period", "unit_code", "program", "households", "person_times", "amount_yuan"],
            [[f"{year}-01", "JD-A", "助学金", 2, 3, 300]],
        ),
        "supervision": (
            ["item_code", "source", "title", "unit_code", "registered_on", "due_on"],
            [[f"DB-{year}-1", "city", "修路", "JD-A", f"{year}-02-01", f"{year}-03-01"]],
        ),
    }  # fmt: skip
    return [write_csv(folder / f"{kind}_{year}.csv", *rows[kind]) for kind in rows if kind in kinds]


@pytest.fixture
def unit_a(warehouse, tmp_path, monkeypatch, capsys) -> str:
    units = write_csv(
        tmp_path / "units.csv", ["unit_code", "unit_name", "unit_type"],
        [["JD-A", "甲街道", "subdistrict"]],
    )  # fmt: skip
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", units).code == 0
    return warehouse


def _ingest(monkeypatch, capsys, url: str, paths: list[Path], as_of: str):
    return run_cli(monkeypatch, capsys, url, "ingest", *map(str, paths), "--as-of", as_of)


def test_a_return_for_a_year_without_a_partition_makes_it(unit_a, tmp_path, monkeypatch, capsys):
    assert _partitions(unit_a) == []
    run = _ingest(monkeypatch, capsys, unit_a, _returns(tmp_path / "y2031", 2031), "2031-12-31")
    assert run.code == 0, run.err
    assert _partitions(unit_a) == sorted((f"core.{t}", f"core.{t}_y2031") for t in PARTITIONED)
    for table, rows in (("targets", 1), ("target_progress", 1), ("employment", 2),
                        ("disability_aid", 1), ("supervision", 1)):  # fmt: skip
        assert query(unit_a, f"select count(*) from core.{table}_y2031") == [(rows,)], table
    # A partition made by a load is protected as the migration's are.
    assert query(
        unit_a,
        "select relrowsecurity, relforcerowsecurity,"
        " has_table_privilege('ducha_dashboard', oid, 'select') from pg_class"
        " where oid = 'core.employment_y2031'::regclass",
    ) == [(True, True, False)]
    assert query(
        unit_a, "select year, period, employed from mart.employment order by employed"
    ) == [(2031, "2031-03", 45), (2031, "2031-03", 90)]
    assert query(unit_a, "select year, status from mart.supervision_items") == [(2031, "overdue")]

    # The next year: only the kinds it reports get a partition of it.
    run = _ingest(
        monkeypatch, capsys, unit_a, _returns(tmp_path / "y2032", 2032, ("employment",)),
        "2032-12-31",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert [p for _, p in _partitions(unit_a) if p.endswith("_y2032")] == ["core.employment_y2032"]
    assert query(unit_a, "select year, count(*) from mart.employment group by 1 order by 1") == [
        (2031, 2),
        (2032, 2),
    ]


def test_a_rejected_return_leaves_no_partition_behind(unit_a, tmp_path, monkeypatch, capsys):
    bad = write_csv(
        tmp_path / "employment_2033.csv",
        ["period", "unit_code", "area_name", "labor_force", "employed",
         "zero_employment_households", "aid_referrals", "aid_placements"],
        [["2033-03", "JD-A", "一社区", 100, 120, 1, 5, 4]],  # employed > labor_force
    )  # fmt: skip
    run = _ingest(monkeypatch, capsys, unit_a, [bad], "2033-12-31")
    assert run.code == 1
    assert _partitions(unit_a) == []
    assert query(unit_a, "select to_regclass('core.employment_y2033')") == [(None,)]


# ------------------------------------------------------------- archiving --

_MARTS = {
    "mart.target_completion": "target_code",
    "mart.target_progress": "target_code, period",
    "mart.employment": "area_name, period",
    "mart.disability_aid": "program, period",
    "mart.supervision_items": "item_code",
    "mart.supervision_closure": "source",
    "mart.return_rows": "kind, item_key, file_id, row_no",
}


def _marts_of(url: str, year: int) -> dict[str, list[tuple]]:
    return {
        view: query(url, f"select * from {view} where year = %s order by {order}", (year,))
        for view, order in _MARTS.items()
    }


def test_archiving_a_year_leaves_the_other_years_intact(unit_a, tmp_path, monkeypatch, capsys):
    for year in (2031, 2032):
        run = _ingest(
            monkeypatch, capsys, unit_a, _returns(tmp_path / str(year), year), f"{year}-12-31"
        )
        assert run.code == 0, run.err
    kept, archived = _marts_of(unit_a, 2032), _marts_of(unit_a, 2031)
    assert all(kept.values()) and all(archived.values())

    run = run_cli(monkeypatch, capsys, unit_a, "archive", "2031")
    assert run.code == 0, run.err
    for table, rows in (("disability_aid", 1), ("employment", 2), ("supervision", 1),
                        ("target_progress", 1), ("targets", 1)):  # fmt: skip
        assert f"core.{table}_y2031 ({rows} 行 / rows)" in run.err
    assert _marts_of(unit_a, 2032) == kept
    assert all(rows == [] for rows in _marts_of(unit_a, 2031).values())
    assert query(unit_a, "select year from mart.years") == [(2032,)]
    # The year's tables stay in the warehouse, detached, with their rows.
    assert [p for _, p in _partitions(unit_a)] == sorted(f"core.{t}_y2032" for t in PARTITIONED)
    assert query(
        unit_a,
        "select count(*), relispartition from pg_class where relname like '%%_y2031'"
        " and relkind = 'r' group by 2",
    ) == [(5, False)]
    assert query(unit_a, "select employed from core.employment_y2031 order by 1") == [(45,), (90,)]

    # Nothing to archive twice; a return for the archived year is rejected whole.
    assert run_cli(monkeypatch, capsys, unit_a, "archive", "2031").code == 1
    late = write_csv(
        tmp_path / "employment_2031.csv",
        ["period", "unit_code", "area_name", "labor_force", "employed",
         "zero_employment_households", "aid_referrals", "aid_placements"],
        [["2031-06", "JD-A", "一社区", 100, 95, 0, 5, 5]],
    )  # fmt: skip
    run = _ingest(monkeypatch, capsys, unit_a, [late], "2031-12-31")
    assert run.code == 1
    [(rule, message)] = query(
        unit_a,
        "select rule, message_en from ingest.problems where file_id = %s and severity = 'error'",
        (latest_file_id(unit_a, "employment_2031.csv"),),
    )
    assert rule == "integrity"
    assert "year 2031 of core.employment is archived as core.employment_y2031" in message
    assert _marts_of(unit_a, 2032) == kept

    # Attached again: the year's marts are back as they were.
    run = run_cli(monkeypatch, capsys, unit_a, "archive", "2031", "--attach")
    assert run.code == 0, run.err
    assert _marts_of(unit_a, 2031) == archived
    assert _marts_of(unit_a, 2032) == kept


# ------------------------------------------------ the attacker's side --


def test_the_dashboard_role_cannot_read_a_partition_directly(unit_a, tmp_path, monkeypatch, capsys):
    run = _ingest(monkeypatch, capsys, unit_a, _returns(tmp_path / "y", 2031), "2031-12-31")
    assert run.code == 0, run.err
    assert run_cli(monkeypatch, capsys, unit_a, "archive", "2031").code == 0
    run = _ingest(monkeypatch, capsys, unit_a, _returns(tmp_path / "z", 2032), "2032-12-31")
    assert run.code == 0, run.err
    outsider = Person("rep-b", "B", ("reporter",), ("JD-B",))
    everyone = Person("boss", "Boss", ("leader", "steward"), ())
    dashboard = dashboard_url(unit_a, environ={})
    for table in PARTITIONED:
        for part in (f"core.{table}_y2031", f"core.{table}_y2032"):  # archived, attached
            with (
                psycopg.connect(dashboard) as conn,
                pytest.raises(psycopg.errors.InsufficientPrivilege),
                conn.transaction(),
            ):
                set_scope(conn, everyone)
                conn.execute(f"select * from {part}")
        # Through the parent: the parent's policies, as before.
        with psycopg.connect(dashboard) as conn, conn.transaction():
            set_scope(conn, outsider)
            assert conn.execute(f"select count(*) from core.{table}").fetchone() == (0,)
            set_scope(conn, everyone)
            assert conn.execute(f"select count(*) from core.{table}").fetchone() >= (1,)
    # Nor make, detach or attach a partition.
    for statement in (
        "select core.add_year_partitions('core.employment', array[2050])",
        "select * from core.archive_year(2032)",
        "select * from core.attach_year(2031)",
        "alter table core.employment detach partition core.employment_y2032",
    ):
        with (
            psycopg.connect(dashboard) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            conn.transaction(),
        ):
            set_scope(conn, everyone)
            conn.execute(statement)
    assert len(_partitions(unit_a)) == 5
    # Even a grant given by mistake shows no row: the partition's own row-level
    # security is on, with no policy.
    with psycopg.connect(unit_a) as conn:
        conn.execute("grant select on core.employment_y2032 to ducha_dashboard")
    with psycopg.connect(dashboard) as conn, conn.transaction():
        set_scope(conn, everyone)
        assert conn.execute("select count(*) from core.employment_y2032").fetchone() == (0,)
        assert conn.execute("select count(*) from core.employment").fetchone() == (2,)


# ------------------------------------------------------------ concurrency --


def test_a_new_partition_blocks_no_reader_and_is_made_once(warehouse):
    """Two transactions making the same year: the second waits, then finds it made."""
    import threading

    with psycopg.connect(warehouse) as first, psycopg.connect(warehouse) as reader:
        first.execute("select core.add_year_partitions('core.employment', array[2040, 2041])")
        # Uncommitted: the parent is held in SHARE UPDATE EXCLUSIVE mode only,
        # so a reader is not kept waiting (lock_timeout would raise).
        reader.execute("set lock_timeout = '2s'")
        assert reader.execute("select count(*) from core.employment").fetchone() == (0,)
        reader.rollback()
        errors: list[BaseException] = []

        def second() -> None:
            try:
                with psycopg.connect(warehouse) as conn:
                    conn.execute("select core.add_year_partitions('core.employment', array[2040])")
            except BaseException as exc:  # reported below
                errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting for the first to commit
        first.commit()
        thread.join(30)
        assert not thread.is_alive() and errors == []
    assert [p for _, p in _partitions(warehouse)] == [
        "core.employment_y2040",
        "core.employment_y2041",
    ]


# ---------------------------------------------------------------- backups --


def test_a_backup_restores_the_partitions_and_an_archived_year(
    unit_a, warehouse_pair, tmp_path, monkeypatch, capsys
):
    """ducha backup of a warehouse with an archived year, restored with --replace."""
    from etl import backup

    for year in (2031, 2032):
        run = _ingest(
            monkeypatch, capsys, unit_a, _returns(tmp_path / str(year), year), f"{year}-12-31"
        )
        assert run.code == 0, run.err
    archived = _marts_of(unit_a, 2031)
    assert run_cli(monkeypatch, capsys, unit_a, "archive", "2031").code == 0
    kept = _marts_of(unit_a, 2032)
    backup.backup(unit_a, tmp_path / "ducha.dump")
    target = warehouse_pair
    backup.restore(target, tmp_path / "ducha.dump", replace=True)
    assert _partitions(target) == _partitions(unit_a)
    assert _marts_of(target, 2032) == kept
    assert query(target, "select employed from core.employment_y2031 order by 1") == [
        (45,),
        (90,),
    ]
    assert query(
        target,
        "select relname, relispartition, relrowsecurity, relforcerowsecurity from pg_class"
        " where relname in ('employment_y2031', 'employment_y2032') order by 1",
    ) == [("employment_y2031", False, True, True), ("employment_y2032", True, True, True)]
    # The archived year comes back on the restored warehouse, and loads go on.
    assert run_cli(monkeypatch, capsys, target, "archive", "2031", "--attach").code == 0
    assert _marts_of(target, 2031) == archived
    run = _ingest(monkeypatch, capsys, target, _returns(tmp_path / "y2033", 2033), "2033-12-31")
    assert run.code == 0, run.err


@pytest.fixture
def warehouse_pair(server_url, template_db, worker_id):
    """A second migrated warehouse (restore --replace replaces its schemas)."""
    import uuid

    from tests.conftest import create_database, drop_database

    name = f"ducha_t_{worker_id}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name, template=template_db)
    yield url
    drop_database(server_url, name)
