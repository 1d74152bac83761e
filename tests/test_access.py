"""Sign-in, roles and unit scope, tried from the attacker's side against the real warehouse.

Every check here connects as the dashboard's login role (ducha_dashboard), sets
a scope as the dashboard would, and asks PostgreSQL directly, so what is
refused is refused by the warehouse, not by a page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from etl import accounts
from etl.accounts import Person, dashboard_url, set_scope
from tests.conftest import create_database, drop_database
from tests.helpers import query

UNIT_A = "JD-SY"  # 石羊街道 in the demo
UNIT_B = "JD-GX"  # 桂溪街道

# Every relation the dashboard may read that carries a unit_code.
UNIT_RELATIONS = (
    "mart.target_completion",
    "mart.target_progress",
    "mart.employment",
    "mart.disability_aid",
    "mart.supervision_items",
    "mart.units",
    "mart.return_rows",
    "ingest.reporting_calendar",
    "ingest.slices",
    "ingest.period_locks",
    "core.units",
    "core.targets",
    "core.target_progress",
    "core.employment",
    "core.disability_aid",
    "core.supervision",
)

READER_A = Person("rep-a", "A", ("reporter",), (UNIT_A,))
LEADER = Person("boss", "Boss", ("leader",), ())
STEWARD = Person("keeper", "Keeper", ("steward",), ())


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_acc_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def as_dashboard(url: str) -> psycopg.Connection:
    return psycopg.connect(dashboard_url(url, environ={}))


def scoped(url: str, person: Person | None, statement: str, params: tuple = ()) -> list[tuple]:
    with as_dashboard(url) as conn, conn.transaction():
        set_scope(conn, person)
        return conn.execute(statement, params).fetchall()


# ------------------------------------------------------------ the role --


def test_dashboard_role_is_neither_superuser_nor_owner_nor_bypassrls(warehouse):
    rows = query(
        warehouse,
        "select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles"
        " where rolname = 'ducha_dashboard'",
    )
    assert rows == [(False, False, False, False)]
    owned = query(
        warehouse,
        "select count(*) from pg_class c join pg_roles r on r.oid = c.relowner"
        " where r.rolname = 'ducha_dashboard'",
    )
    assert owned == [(0,)]


def test_every_mart_view_reads_with_the_callers_rights(warehouse):
    rows = query(
        warehouse,
        "select c.relname, coalesce(c.reloptions, '{}') from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind = 'v' and n.nspname in ('mart', 'ingest') order by 1",
    )
    assert rows and all("security_invoker=true" in options for _, options in rows), rows


# -------------------------------------------------------------- scope --


@pytest.mark.parametrize("relation", UNIT_RELATIONS)
def test_a_reporter_of_a_sees_no_row_of_b(demo, relation):
    by_unit = dict(scoped(demo, READER_A, f"select unit_code, count(*) from {relation} group by 1"))
    assert set(by_unit) <= {UNIT_A}, by_unit
    # What the owner sees of unit A, counted without any policy in the way.
    owner_a = query(demo, f"select count(*) from {relation} where unit_code = %s", (UNIT_A,))
    assert by_unit.get(UNIT_A, 0) == owner_a[0][0]
    # Even when the query asks for B by name.
    assert scoped(
        demo, READER_A, f"select count(*) from {relation} where unit_code = %s", (UNIT_B,)
    ) == [(0,)]


def test_the_demo_gives_both_units_rows_to_hide(demo):
    """The scope test above means something: the owner sees rows of both units."""
    for relation in ("mart.employment", "mart.return_rows", "ingest.slices"):
        counts = dict(
            query(
                demo,
                f"select unit_code, count(*) from {relation}"
                " where unit_code in (%s, %s) group by 1",
                (UNIT_A, UNIT_B),
            )
        )
        assert counts.get(UNIT_A, 0) > 0 and counts.get(UNIT_B, 0) > 0, (relation, counts)


def test_supervision_closure_counts_only_the_units_items(demo):
    got = scoped(
        demo, READER_A, "select coalesce(sum(registered), 0) from mart.supervision_closure"
    )
    owner = query(
        demo, "select count(*) from mart.supervision_items where unit_code = %s", (UNIT_A,)
    )
    assert got == owner


def test_files_and_their_details_follow_the_units(demo):
    visible = {r[0] for r in scoped(demo, READER_A, "select file_id from ingest.files")}
    # Files holding rows of A (what the owner says independently, from core).
    expected = {
        r[0]
        for r in query(
            demo,
            "select file_id from mart.return_rows where unit_code = %s"
            " union select file_id from core.units where unit_code = %s",
            (UNIT_A, UNIT_A),
        )
    }
    assert visible == expected
    # Problems quote cells of any unit: none of a file that also holds B's rows.
    mixed = {
        r[0]
        for r in query(
            demo, "select file_id from ingest.file_coverage where not unit_codes <@ %s", ([UNIT_A],)
        )
    }
    assert mixed & visible
    with psycopg.connect(demo) as conn:  # a warning quoting a cell of B, in a mixed file
        conn.execute(
            "insert into ingest.problems (file_id, severity, source, row_no, column_name, value,"
            " rule, message_zh, message_en) values (%s, 'warning', 'warehouse', 3, 'unit_code',"
            " %s, 'test', '测试', 'test')",
            (min(mixed & visible), UNIT_B),
        )
    assert scoped(demo, READER_A, "select count(*) from ingest.problems") == [(0,)]
    assert scoped(demo, LEADER, "select count(*) from ingest.problems") == query(
        demo, "select count(*) from ingest.problems"
    )
    assert scoped(demo, READER_A, "select count(*) from ingest.runs") == [(0,)]


def test_no_scope_set_means_no_rows(demo):
    for relation in UNIT_RELATIONS:
        assert scoped(demo, None, f"select count(*) from {relation}") == [(0,)], relation


def test_a_leader_sees_every_unit(demo):
    for relation in ("mart.target_completion", "mart.return_rows", "ingest.files"):
        assert scoped(demo, LEADER, f"select count(*) from {relation}") == query(
            demo, f"select count(*) from {relation}"
        )


def test_the_scope_does_not_outlive_its_transaction(demo):
    with as_dashboard(demo) as conn:
        with conn.transaction():
            set_scope(conn, LEADER)
            assert conn.execute("select count(*) from core.units").fetchone()[0] > 0
        assert conn.execute("select count(*) from core.units").fetchone()[0] == 0


# ------------------------------------------------------------ writes --


def _accepted_file(url: str) -> int:
    return query(url, "select min(file_id) from ingest.files where kind = 'employment'")[0][0]


def test_a_leader_cannot_approve_lock_or_change_rules(demo):
    file_id = _accepted_file(demo)
    before = query(demo, "select file_id, approval from ingest.files order by 1")
    with as_dashboard(demo) as conn:
        with conn.transaction():
            set_scope(conn, LEADER)
            updated = conn.execute(
                "update ingest.files set approval = 'rejected' where file_id = %s", (file_id,)
            ).rowcount
            assert updated == 0
            assert (
                conn.execute("update ingest.kind_settings set requires_approval = true").rowcount
                == 0
            )
            assert conn.execute("update core.employment set is_current = false").rowcount == 0
        for statement, params in (
            (
                "insert into ingest.decisions (file_id, action, decided_by, signed_by)"
                " values (%s, 'reject', 'Boss', 'boss')",
                (file_id,),
            ),
            (
                "insert into ingest.period_locks (kind, unit_code, period, locked_by, signed_by)"
                " values ('employment', 'JD-SY', '2006-Q4', 'Boss', 'boss')",
                (),
            ),
            (
                "insert into ingest.kind_settings_changes (kind, old_deadline_days,"
                " new_deadline_days, old_requires_approval, new_requires_approval, changed_by,"
                " signed_by) values ('employment', 15, 1, false, true, 'Boss', 'boss')",
                (),
            ),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                set_scope(conn, LEADER)
                conn.execute(statement, params)
    assert query(demo, "select file_id, approval from ingest.files order by 1") == before


def test_a_steward_decision_must_carry_their_own_account(demo):
    file_id = _accepted_file(demo)
    with as_dashboard(demo) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            set_scope(conn, STEWARD)
            conn.execute(
                "insert into ingest.decisions (file_id, action, decided_by, signed_by)"
                " values (%s, 'approve', 'Someone', 'someone-else')",
                (file_id,),
            )
        with conn.transaction():
            set_scope(conn, STEWARD)
            conn.execute(
                "insert into ingest.decisions (file_id, action, decided_by, signed_by)"
                " values (%s, 'approve', 'Keeper', 'keeper')",
                (file_id,),
            )
            conn.execute("rollback")  # leave the module's warehouse as it was


@pytest.mark.parametrize(
    "statement",
    [
        "update auth.audit set action = 'x'",
        "delete from auth.audit",
        "truncate auth.audit",
        "drop table core.units cascade",
        "alter table core.units add column x int",
        "alter table core.units disable row level security",
        "select password_hash from auth.accounts",
        "select * from auth.accounts",
        "select * from auth.sign_in_attempts",
        "select count(*) from staging.units",
        "insert into core.units (file_id, row_no, unit_code, unit_name, unit_type)"
        " values (1, 2, 'JD-SY', 'x', 'subdistrict')",
        "delete from ingest.files",
        "set role postgres",
    ],
)
def test_the_dashboard_role_cannot(demo, statement):
    accounts.add_account(demo, f"adm{uuid.uuid4().hex[:6]}", ["admin"], password="secret-one")
    before = query(demo, "select count(*) from auth.audit")
    with (
        as_dashboard(demo) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        conn.transaction(),
    ):
        set_scope(conn, Person("adm", "Adm", ("admin", "steward"), ()))
        conn.execute(statement)
    assert query(demo, "select count(*) from auth.audit") == before


def test_the_owner_cannot_edit_the_audit_either(warehouse):
    accounts.add_account(warehouse, "ann", ["admin"])
    with psycopg.connect(warehouse) as conn:
        for statement in ("update auth.audit set action = 'x'", "delete from auth.audit"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)
    assert query(warehouse, "select account, action, target from auth.audit") == [
        ("cli", "account.add", "ann")
    ]
