"""ducha db upgrade: creates the schema, records what it applied, changes nothing twice."""

import psycopg

from etl import db


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
