"""ducha db upgrade: creates the schema, records what it applied, changes nothing twice."""

import psycopg
import pytest

from etl import db
from tests.helpers import apply_first_migrations, insert_unit_row


def test_upgrade_creates_layers_and_records_migrations(blank_database):
    with psycopg.connect(blank_database) as conn:
        applied = db.upgrade(conn)
        assert applied[0] == "0001_init.sql"
        schemas = {
            r[0] for r in conn.execute("select schema_name from information_schema.schemata")
        }
        assert {"ingest", "staging", "core", "mart"} <= schemas
        recorded = [r[0] for r in conn.execute("select name from public.ducha_migrations")]
        assert recorded == [m.path.name for m in db.migrations()]
        assert db.is_current(conn)


def test_upgrade_twice_changes_nothing(blank_database):
    with psycopg.connect(blank_database) as conn:
        db.upgrade(conn)
        oids_before = conn.execute(
            "select c.relname, c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname in ('ingest','staging','core','mart') order by 1"
        ).fetchall()
        assert db.upgrade(conn) == []
        oids_after = conn.execute(
            "select c.relname, c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname in ('ingest','staging','core','mart') order by 1"
        ).fetchall()
        assert oids_before == oids_after


def test_every_contract_view_exists(warehouse):
    expected = {
        "target_completion": "year, period, unit_code, unit_name, unit_type, target_code,"
        " target_name, source, planned_value, actual_value, completion_rate",
        "employment": "year, period, unit_code, area_name, labor_force, employed,"
        " employment_rate, aid_referrals, aid_placements, placement_rate,"
        " zero_employment_households",
        "disability_aid": "year, period, unit_code, program, households, person_times, amount_yuan",
        "supervision_items": "item_code, source, title, unit_code, registered_on, due_on,"
        " closed_on, satisfaction, status",
        "supervision_closure": "year, source, registered, closed, open_not_due, overdue,"
        " closure_rate, on_time_rate, satisfaction_rate",
    }
    with psycopg.connect(warehouse) as conn:
        for view, columns in expected.items():
            found = {
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'mart' and table_name = %s",
                    (view,),
                )
            }
            wanted = {c.strip() for c in columns.split(",")}
            assert wanted <= found, (view, wanted - found)
            year_type = conn.execute(
                "select data_type from information_schema.columns"
                " where table_schema = 'mart' and table_name = %s and column_name = 'year'",
                (view,),
            ).fetchone()
            if year_type:
                assert year_type[0] == "integer", view


@pytest.mark.parametrize("count", range(1, len(db.migrations())))
def test_upgrade_from_every_earlier_version(blank_database, count):
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, count)
        applied = db.upgrade(conn)
        assert applied[: len(db.migrations()) - count] == [
            m.path.name for m in db.migrations()[count:]
        ]
        assert db.is_current(conn)


def test_upgrade_keeps_the_rows_of_the_first_version(blank_database):
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, 1)
        insert_unit_row(conn)
        conn.commit()
        db.upgrade(conn)
        assert conn.execute(
            "select unit_code, unit_name from core.units where is_current"
        ).fetchall() == [("JD-SY", "石羊街道")]


def test_upgrade_to_kept_files_keeps_earlier_files_and_keeps_none_of_their_bytes(blank_database):
    # 0020 (files as sent): files received before it stay as they were, unkept.
    before = [m.version for m in db.migrations()].index("0020")
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, before)
        conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome)"
            " values ('old.csv', repeat('a', 64), 'units', 5, '2006-12-31', 'rejected')"
        )
        conn.commit()
        assert "0020_kept_files.sql" in db.upgrade(conn)
        assert conn.execute("select file_name from ingest.files").fetchall() == [("old.csv",)]
        assert conn.execute(
            "select (select count(*) from ingest.kept_files), (select count(*) from"
            " ingest.kept_chunks), (select count(*) from ingest.receipts)"
        ).fetchone() == (0, 0, 0)


def test_a_run_left_running_before_0009_is_closed_by_the_first_run_after(blank_database, tmp_path):
    from etl.run import run_inbox

    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, 8)
        conn.execute("insert into ingest.runs (inbox, host, pid) values ('/inbox', 'old', 1)")
        conn.commit()
        assert "0009_run_files.sql" in db.upgrade(conn)
    result = run_inbox(blank_database, tmp_path)
    assert (result.busy, result.reports, result.skipped) == (False, [], [])
    with psycopg.connect(blank_database) as conn:
        runs = conn.execute(
            "select run_id, status, files_skipped, finished_at is not null from ingest.runs"
            " order by 1"
        ).fetchall()
        assert runs == [(1, "interrupted", 0, True), (2, "succeeded", 0, True)]
        assert conn.execute("select count(*) from ingest.run_files").fetchone() == (0,)


def test_bulletins_and_warnings_migration(warehouse):
    """0030: the office's settings row with the default rule, the ledgers, the units' e-mail."""
    with psycopg.connect(warehouse) as conn:
        assert conn.execute(
            "select near_due_days, behind_share::text from ingest.office_settings"
        ).fetchall() == [(7, "0.5")]
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("update ingest.office_settings set behind_share = 1")
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("insert into ingest.office_settings (singleton) values (false)")
        conn.rollback()
        for table in ("staging.units", "core.units", "mart.units"):
            schema, name = table.split(".")
            assert conn.execute(
                "select data_type from information_schema.columns"
                " where table_schema = %s and table_name = %s and column_name = 'email'",
                (schema, name),
            ).fetchall() == [("text",)], table
        for table in ("ingest.bulletins", "ingest.bulletin_drafts", "ingest.reminders"):
            assert conn.execute("select to_regclass(%s)", (table,)).fetchone()[0] is not None
        assert conn.execute("select to_regclass('mart.supervision_warnings')").fetchone()[0]


def test_decisions_typed_before_sign_in_are_marked_as_typed(blank_database):
    """0012: approvals, locks and rules changes recorded before accounts keep their typed
    names, marked so; none of them claims an account."""
    before_accounts = [m.version for m in db.migrations()].index("0010")
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, before_accounts)
        file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome,"
            " approval) values ('e.csv', repeat('0', 64), 'employment', 10, '2006-12-31',"
            " 'accepted', 'approved') returning file_id"
        ).fetchone()[0]
        conn.execute(
            "insert into ingest.decisions (file_id, action, decided_by) values (%s, 'approve',"
            " '张三')",
            (file_id,),
        )
        conn.execute(
            "insert into ingest.period_locks (kind, unit_code, period, locked_by, released_by,"
            " released_at) values ('employment', 'JD-SY', '2006-Q4', '李四', '王五', now())"
        )
        conn.execute(
            "insert into ingest.kind_settings_changes (kind, old_deadline_days, new_deadline_days,"
            " old_requires_approval, new_requires_approval, changed_by)"
            " values ('employment', 15, 20, false, true, '赵六')"
        )
        conn.commit()
        db.upgrade(conn)
        assert conn.execute(
            "select decided_by, signed_by, typed_name from ingest.decisions"
        ).fetchall() == [("张三", None, True)]
        assert conn.execute(
            "select locked_by, released_by, signed_by, released_signed_by, typed_name"
            " from ingest.period_locks"
        ).fetchall() == [("李四", "王五", None, None, True)]
        assert conn.execute(
            "select changed_by, signed_by, typed_name from ingest.kind_settings_changes"
        ).fetchall() == [("赵六", None, True)]
        # A decision made after the upgrade is not marked typed.
        conn.execute(
            "insert into ingest.decisions (file_id, action, decided_by, signed_by)"
            " values (%s, 'reject', '王科长', 'wang')",
            (file_id,),
        )
        assert conn.execute(
            "select typed_name from ingest.decisions where signed_by = 'wang'"
        ).fetchall() == [(False,)]
