"""ducha backup and ducha restore (issue 16): whole, consistent, across PostgreSQL versions.

A backup of the demo is taken while a run is part-way through loading a file,
restored on the other major version (the embedded PostgreSQL 18 and the
PostgreSQL 15 service), and compared with the warehouse as it was when the
backup was taken: every mart view, every ingest and core table, row for row.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from etl import backup, db
from etl.demo import DEMO_AS_OF
from etl.kinds import KINDS
from etl.loading.locks import PROMOTE_LOCK_SPACE, kind_lock
from etl.run import run_inbox
from etl.settings import embedded_url, stop_embedded
from tests.conftest import EXAMPLES, create_database, drop_database
from tests.helpers import apply_first_migrations, insert_unit_row, query, run_cli
from tests.test_dashboard_steward import employment_return

PG15_URL = os.environ.get("PG15_URL", "postgresql://postgres@127.0.0.1:5432/test")


def contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every ingest and core table and mart view, the migrations and the sequences."""
    found: dict[str, list[tuple]] = {}
    with psycopg.connect(url) as conn:
        relations = conn.execute(
            "select format('%I.%I', n.nspname, c.relname) from pg_class as c"
            " join pg_namespace as n on n.oid = c.relnamespace"
            " where (n.nspname in ('ingest', 'core') and c.relkind in ('r', 'p')"
            "        and not c.relispartition)"
            "    or (n.nspname = 'mart' and c.relkind in ('v', 'm'))"
            "    or (n.nspname = 'public' and c.relname in ('ducha_migrations', 'ducha_views'))"
            " order by 1"
        ).fetchall()
        for (relation,) in relations:
            rows = conn.execute(f"select * from {relation}").fetchall()
            found[relation] = sorted(rows, key=repr)
        found["sequences"] = conn.execute(
            "select schemaname, sequencename, last_value from pg_sequences"
            " where schemaname in ('ingest', 'core') order by 1, 2"
        ).fetchall()
    return found


def execute(url: str, statement: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement)


def major(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.info.server_version // 10000


@pytest.fixture(scope="module")
def other_server(server_url, tmp_path_factory) -> Iterator[str]:
    """A server of the other major version: the PostgreSQL 15 service, or an embedded 18."""
    if major(server_url) >= 16:
        try:
            found = major(PG15_URL)
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL 15 is not reachable at {PG15_URL}: {str(exc).strip()}")
        if found != 15:
            pytest.skip(f"{PG15_URL} is PostgreSQL {found}, not 15")
        yield PG15_URL
        return
    home = tmp_path_factory.mktemp("pg18")
    url = embedded_url(home)
    yield url
    stop_embedded(home)


def new_database(server: str, prefix: str) -> tuple[str, str]:
    name = f"ducha_{prefix}_{uuid.uuid4().hex[:10]}"
    return name, create_database(server, name)


@pytest.fixture
def databases(server_url) -> Iterator[list[tuple[str, str]]]:
    """Databases a test makes (server, name), dropped after it."""
    made: list[tuple[str, str]] = []
    yield made
    for server, name in made:
        drop_database(server, name)


def make(databases, server: str, prefix: str) -> str:
    name, url = new_database(server, prefix)
    databases.append((server, name))
    return url


@pytest.fixture
def demo(make_demo):
    return make_demo()


@pytest.fixture
def demo_copy(demo) -> str:
    return demo.url


def waiting_advisory_locks(url: str) -> int:
    return query(
        url,
        "select count(*) from pg_locks as l join pg_database as d on d.oid = l.database"
        " where l.locktype = 'advisory' and not l.granted and d.datname = current_database()",
    )[0][0]


def test_a_backup_taken_while_a_run_loads_moves_between_versions_identically(
    demo, other_server, server_url, databases, monkeypatch, capsys, tmp_path
):
    demo_copy, demo_files = demo.url, demo.demo_files
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    employment_return(inbox / "employment_2006-Q4_更正.csv", employed_change=7)
    # Hold the employment promotion lock: the run stages its file, commits it as
    # 'validating', and waits there, part-way, while the backup is taken.
    hold = psycopg.connect(demo_copy, autocommit=True)
    hold.execute(
        "select pg_advisory_lock(%s::int, %s::int)",
        (PROMOTE_LOCK_SPACE, kind_lock(KINDS["employment"])),
    )
    results = []
    loader = threading.Thread(
        target=lambda: results.append(run_inbox(demo_copy, inbox, as_of=DEMO_AS_OF)), daemon=True
    )
    loader.start()
    try:
        deadline = time.monotonic() + 180
        while waiting_advisory_locks(demo_copy) == 0:
            assert time.monotonic() < deadline, "the run never reached its promotion"
            time.sleep(0.2)
        at_backup = contents(demo_copy)
        assert [outcome for _name, outcome in demo.later_files()] == ["validating"]
        dump = tmp_path / "demo.dump"
        run = run_cli(monkeypatch, capsys, demo_copy, "backup", "-o", dump)
        assert run.code == 0, run.err
        assert "备份完成 / backup written" in run.err
    finally:
        hold.close()  # the run goes on
    loader.join(timeout=300)
    assert [r.rejected for r in results] == [0]
    assert contents(demo_copy) != at_backup  # the run finished after the backup

    there = make(databases, other_server, "there")
    run = run_cli(monkeypatch, capsys, there, "restore", dump)
    assert run.code == 0, run.err
    assert major(there) != major(demo_copy)
    assert contents(there) == at_backup

    # And back again: a backup of the other version restored on this one.
    dump_back = tmp_path / "back.dump"
    assert run_cli(monkeypatch, capsys, there, "backup", "-o", dump_back).code == 0
    back = make(databases, server_url, "back")
    run = run_cli(monkeypatch, capsys, back, "restore", dump_back)
    assert run.code == 0, run.err
    assert contents(back) == at_backup

    # The restored warehouse is current and loads on: the interrupted file is
    # marked so, and the same return loads again with the next file number.
    assert run_cli(monkeypatch, capsys, back, "db", "upgrade").code == 0
    again = employment_return(tmp_path / "employment_2006-Q4_更正.csv", employed_change=7)
    run = run_cli(monkeypatch, capsys, back, "ingest", again, "--as-of", "2006-12-31")
    assert run.code == 0, run.err
    assert query(
        back, "select file_id, outcome from ingest.files where file_id > %s", (demo_files,)
    ) == [(demo_files + 1, "interrupted"), (demo_files + 2, "accepted")]


def test_a_truncated_or_foreign_file_is_refused_and_changes_nothing(
    demo_copy, server_url, databases, monkeypatch, capsys, tmp_path
):
    dump = tmp_path / "demo.dump"
    assert run_cli(monkeypatch, capsys, demo_copy, "backup", "-o", dump).code == 0
    data = dump.read_bytes()
    empty = make(databases, server_url, "empty")
    before = contents(demo_copy)
    cases = {
        "half.dump": (data[: len(data) // 2], "damaged or truncated"),
        "short.dump": (data[:-100], "damaged or truncated"),
        "notes.dump": ("不是备份 not a backup\n".encode(), "not a pg_dump custom-format archive"),
        "empty.dump": (b"", "not a pg_dump custom-format archive"),
    }
    foreign_db = make(databases, server_url, "foreign")
    execute(foreign_db, "create table public.ledger (n int); insert into public.ledger values (1)")
    backup.backup(foreign_db, tmp_path / "foreign.dump")
    cases["foreign.dump"] = (
        (tmp_path / "foreign.dump").read_bytes(),
        "a pg_dump archive, but not of a ducha warehouse",
    )
    for name, (content, message) in cases.items():
        bad = tmp_path / name
        bad.write_bytes(content)
        run = run_cli(monkeypatch, capsys, empty, "restore", bad)
        assert run.code == 1, (name, run.err)
        assert message in run.err, (name, run.err)
        assert "Traceback" not in run.err
        assert backup.ducha_objects(empty) == [], name
        run = run_cli(monkeypatch, capsys, demo_copy, "restore", "--replace", bad)
        assert run.code == 1, (name, run.err)
        assert contents(demo_copy) == before, name


def test_a_non_empty_warehouse_is_refused_unless_replaced(
    demo_copy, loaded, monkeypatch, capsys, tmp_path
):
    dump = tmp_path / "demo.dump"
    assert run_cli(monkeypatch, capsys, demo_copy, "backup", "-o", dump).code == 0
    before = contents(loaded)
    run = run_cli(monkeypatch, capsys, loaded, "restore", dump)
    assert run.code == 1
    assert "数据仓库不是空的" in run.err and "--replace" in run.err
    assert contents(loaded) == before
    run = run_cli(monkeypatch, capsys, loaded, "restore", "--replace", dump)
    assert run.code == 0, run.err
    assert contents(loaded) == contents(demo_copy)


def test_a_restore_that_fails_part_way_changes_nothing(
    demo_copy, server_url, databases, monkeypatch, capsys, tmp_path
):
    dump = tmp_path / "demo.dump"
    assert run_cli(monkeypatch, capsys, demo_copy, "backup", "-o", dump).code == 0
    target = make(databases, server_url, "nopublic")
    # No public schema: the restore's schemas are made, then public.ducha_migrations fails.
    execute(target, "drop schema public cascade")
    run = run_cli(monkeypatch, capsys, target, "restore", dump)
    assert run.code == 3
    assert "the restore failed and changed nothing" in run.err
    assert backup.ducha_objects(target) == []


def test_an_older_backup_is_brought_up_to_date_by_db_upgrade(
    blank_database, server_url, databases, monkeypatch, capsys, tmp_path
):
    earlier = [m for m in db.migrations() if m.version < "0020"]
    with psycopg.connect(blank_database) as conn:
        apply_first_migrations(conn, len(earlier))
        insert_unit_row(conn)
    dump = tmp_path / "old.dump"
    assert run_cli(monkeypatch, capsys, blank_database, "backup", "-o", dump).code == 0
    target = make(databases, server_url, "old")
    run = run_cli(monkeypatch, capsys, target, "restore", dump)
    assert run.code == 0, run.err
    assert "ducha db upgrade" in run.err and "0020" in run.err
    run = run_cli(monkeypatch, capsys, target, "db", "upgrade")
    assert run.code == 0, run.err
    assert "0020_kept_files.sql" in run.err
    with psycopg.connect(target) as conn:
        assert db.is_current(conn)
    assert query(target, "select unit_code, unit_name from core.units where is_current") == [
        ("JD-SY", "石羊街道")
    ]


def test_a_newer_backup_is_refused(
    blank_database, server_url, databases, monkeypatch, capsys, tmp_path
):
    with psycopg.connect(blank_database) as conn:
        db.upgrade(conn)
        conn.execute(
            "insert into public.ducha_migrations (version, name) values ('9999', '9999_future.sql')"
        )
    dump = tmp_path / "future.dump"
    assert run_cli(monkeypatch, capsys, blank_database, "backup", "-o", dump).code == 0
    target = make(databases, server_url, "future")
    run = run_cli(monkeypatch, capsys, target, "restore", dump)
    assert run.code == 1 and "newer ducha (migrations 9999)" in run.err
    assert backup.ducha_objects(target) == []


def test_rotation_keeps_the_newest_and_nothing_else(warehouse, monkeypatch, capsys, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    (folder / "ducha-manual.dump").write_bytes(b"keep me too")
    times = [datetime(2026, 11, d, 2, 0, tzinfo=UTC) for d in (1, 2, 3)]
    made = [backup.backup_rotating(warehouse, folder, 2, now).path.name for now in times]
    assert made == [
        "ducha-20261101T020000Z.dump",
        "ducha-20261102T020000Z.dump",
        "ducha-20261103T020000Z.dump",
    ]
    # The same second twice: a suffix, and it counts as the newer.
    again = backup.backup_rotating(warehouse, folder, 2, times[-1])
    assert again.path.name == "ducha-20261103T020000Z-1.dump"
    assert [p.name for p in again.removed] == ["ducha-20261102T020000Z.dump"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "ducha-20261103T020000Z-1.dump",
        "ducha-20261103T020000Z.dump",
        "ducha-manual.dump",
        "notes.txt",
    ]
    run = run_cli(monkeypatch, capsys, warehouse, "backup", "--keep", "1", folder)
    assert run.code == 0, run.err
    assert run.err.count("rotated out") == 2
    rotated = [p.name for p in folder.iterdir() if backup.ROTATED.match(p.name)]
    assert len(rotated) == 1 and rotated[0] > "ducha-20261103T020000Z-1.dump"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backup"], "give either -o FILE or --keep N DIR"),
        (["backup", "-o", "x.dump", "--keep", "2", "d"], "give either -o FILE or --keep N DIR"),
        (["backup", "--keep", "2"], "--keep N needs a folder DIR"),
        (["backup", "--keep", "0", "d"], "--keep must be at least 1"),
        (["restore", "no-such.dump"], "no such backup file"),
    ],
)
def test_usage_errors(warehouse, monkeypatch, capsys, tmp_path, argv, message):
    monkeypatch.chdir(tmp_path)
    run = run_cli(monkeypatch, capsys, warehouse, *argv)
    assert run.code == 2 and message in run.err
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_warehouse_exits_3_and_writes_no_file(monkeypatch, capsys, tmp_path):
    out = tmp_path / "x.dump"
    run = run_cli(
        monkeypatch, capsys, "postgresql://postgres@127.0.0.1:1/nothing", "backup", "-o", out
    )
    assert run.code == 3 and "pg_dump failed" in run.err
    assert list(tmp_path.iterdir()) == []


def test_examples_survive_a_round_trip_on_the_same_server(
    loaded, server_url, databases, monkeypatch, capsys, tmp_path
):
    assert run_cli(monkeypatch, capsys, loaded, "ingest", EXAMPLES).code == 0
    dump = tmp_path / "x.dump"
    assert run_cli(monkeypatch, capsys, loaded, "backup", "-o", dump).code == 0
    target = make(databases, server_url, "same")
    assert run_cli(monkeypatch, capsys, target, "restore", dump).code == 0
    assert contents(target) == contents(loaded)
    # The dashboard's role reads the restored warehouse as before (its grants
    # come back with the backup), within a person's scope, and nothing without one.
    from etl.accounts import dashboard_url

    scoped = (
        "select set_config('ducha.account', 'x', true), set_config('ducha.roles', 'leader',"
        " true), set_config('ducha.units', %s, true)"
    )
    expected = query(loaded, "select unit_code from mart.units order by 1")
    with psycopg.connect(dashboard_url(target)) as conn:
        conn.execute(scoped, ("*",))
        assert conn.execute("select unit_code from mart.units order by 1").fetchall() == expected
        conn.rollback()
        assert conn.execute("select count(*) from mart.units").fetchone() == (0,)


def test_the_settings_and_commands_are_documented():
    from etl import cli, keep

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for variable in (keep.LIMIT_VARIABLE, backup.BIN_VARIABLE):
        assert f"`{variable}`" in readme and variable in cli.EPILOG
    for command in ("ducha backup -o FILE", "ducha backup --keep N DIR", "ducha restore FILE"):
        assert command in readme
    assert "ducha original FILE_ID -o FILE" in readme
    helps = cli.build_parser().format_help()
    assert all(name in helps for name in ("backup", "restore", "original"))


def test_every_schema_the_migrations_create_is_a_ducha_schema():
    """A restore --replace drops, and the emptiness check looks at, every schema of ours."""
    import re

    from etl.backup import DUCHA_SCHEMAS
    from etl.db import MIGRATIONS_DIR

    created = set()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        created |= set(
            re.findall(
                r"create schema (?:if not exists )?(\w+)", path.read_text(encoding="utf-8"), re.I
            )
        )
    assert created == set(DUCHA_SCHEMAS)
