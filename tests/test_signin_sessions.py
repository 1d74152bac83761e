"""Sessions that survive a reload, lock-out settings, the warehouse's own upload check, and
sign-in by e-mail (OIDC): each tried against the real warehouse, as the dashboard role
where the dashboard would be, and read back through the owner's connection."""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import psycopg
import pytest

from dashboard import queries
from etl import accounts
from etl.accounts import Person, dashboard_url
from etl.demo import write_demo_returns
from etl.kinds import KINDS
from etl.load import ingest_files
from tests.apptest import access
from tests.conftest import create_database, drop_database
from tests.helpers import query, run_cli, snapshot, write_csv

PASSWORD = "correct horse 电池"
TOKEN = "t" * 10 + uuid.uuid4().hex + "x" * 10  # 52 characters, as random as a test needs
EIGHT_HOURS = 8 * 3600


def as_dashboard(url: str) -> psycopg.Connection:
    return psycopg.connect(dashboard_url(url, environ={}))


@pytest.fixture
def ann(warehouse) -> str:
    """A warehouse with one reporter, ann, of JD-SY, password PASSWORD."""
    accounts.add_account(
        warehouse,
        "ann",
        ["reporter"],
        ["JD-SY"],
        display_name="安安",
        password=PASSWORD,
        email="Ann@Example.gov.cn",
    )
    return warehouse


def signed_in(url: str, token: str = TOKEN, password: str = PASSWORD) -> accounts.SignIn:
    with as_dashboard(url) as conn:
        return accounts.sign_in(conn, "ann", password, "10.0.0.7", session=(token, EIGHT_HOURS))


def resume(url: str, token: str = TOKEN) -> accounts.Resumed:
    with as_dashboard(url) as conn:
        return accounts.resume_session(conn, token, "10.0.0.8")


def last_audit(url: str) -> tuple:
    return query(
        url,
        "select account, action, address, detail->>'reason' from auth.audit"
        " order by audit_id desc limit 1",
    )[0]


ANN = Person("ann", "安安", ("reporter",), ("JD-SY",))

# ------------------------------------------------------------ sessions --


def test_a_session_opened_at_sign_in_resumes_the_person(ann):
    assert signed_in(ann).person == ANN
    assert resume(ann) == accounts.Resumed(ANN)
    assert last_audit(ann) == ("ann", "sign_in", "10.0.0.8", None)


def test_the_warehouse_keeps_only_the_tokens_hash_and_the_dashboard_cannot_read_it(ann):
    signed_in(ann)
    stored = query(ann, "select token_sha256, account from auth.sessions")
    assert stored == [(hashlib.sha256(TOKEN.encode()).digest(), "ann")]
    with as_dashboard(ann) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select * from auth.sessions")
    with as_dashboard(ann) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "insert into auth.sessions (token_sha256, account, idle_for, expires_at)"
            " values (sha256('forged'), 'ann', '8 hours', now() + interval '8 hours')"
        )


def test_a_wrong_password_opens_no_session(ann):
    assert signed_in(ann, password="not it").person is None
    assert query(ann, "select count(*) from auth.sessions") == [(0,)]
    assert resume(ann).refusal == "unknown"


def test_a_forged_token_is_refused_and_audited(ann):
    signed_in(ann)
    before = query(ann, "select count(*) from auth.audit")[0][0]
    for forged in ("", "forged", TOKEN[:-1] + "y", "' or 1=1 --" * 10):
        got = resume(ann, forged)
        assert got == accounts.Resumed(None, "unknown"), forged
        assert last_audit(ann) == (None, "session.refused", "10.0.0.8", "unknown")
    assert query(ann, "select count(*) from auth.audit")[0][0] == before + 4


def test_an_idle_session_expires_in_the_warehouse(ann):
    signed_in(ann)
    expires = query(ann, "select expires_at - created_at from auth.sessions")[0][0]
    assert expires == timedelta(hours=8)
    with psycopg.connect(ann) as conn:
        conn.execute("update auth.sessions set expires_at = now() - interval '1 second'")
    assert resume(ann) == accounts.Resumed(None, "expired")
    assert last_audit(ann) == ("ann", "session.refused", "10.0.0.8", "expired")


def test_using_a_session_moves_its_expiry_on(ann):
    signed_in(ann)
    with psycopg.connect(ann) as conn:
        conn.execute("update auth.sessions set expires_at = now() + interval '1 minute'")
    with as_dashboard(ann) as conn:
        assert accounts.touch_session(conn, TOKEN) is True
        assert accounts.touch_session(conn, "forged") is False
    left = query(ann, "select expires_at - now() from auth.sessions")[0][0]
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)


@pytest.mark.parametrize("how", ["sign_out", "disabled", "password"])
def test_sign_out_disabling_or_a_new_password_revokes_the_session(ann, how):
    signed_in(ann)
    if how == "sign_out":
        with as_dashboard(ann) as conn:
            accounts.close_session(conn, TOKEN, "10.0.0.7")
        assert last_audit(ann) == ("ann", "sign_out", "10.0.0.7", None)
    elif how == "disabled":
        accounts.disable_account(ann, "ann")
    else:
        accounts.set_password(ann, "ann", "another password")
    assert query(ann, "select revoked_why from auth.sessions") == [(how,)]
    with as_dashboard(ann) as conn:
        assert accounts.touch_session(conn, TOKEN) is False
    assert resume(ann) == accounts.Resumed(None, "revoked")
    assert last_audit(ann) == ("ann", "session.refused", "10.0.0.8", "revoked")


def test_a_session_needs_a_long_token(ann):
    with as_dashboard(ann) as conn, pytest.raises(psycopg.errors.InvalidParameterValue):
        accounts.sign_in(conn, "ann", PASSWORD, "", session=("short", EIGHT_HOURS))
    assert query(ann, "select count(*) from auth.sessions") == [(0,)]


def test_new_tokens_are_long_and_different():
    tokens = {accounts.new_session_token() for _ in range(100)}
    assert len(tokens) == 100 and {len(t) for t in tokens} == {43}


# ------------------------------------------------------------ lock-out --


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {}),
        ({"DUCHA_LOCKOUT_ATTEMPTS": "3"}, {"lockout_failures": 3}),
        ({"DUCHA_LOCKOUT_MINUTES": " 30 "}, {"lockout_minutes": 30}),
        (
            {"DUCHA_LOCKOUT_ATTEMPTS": "10", "DUCHA_LOCKOUT_MINUTES": "60"},
            {"lockout_failures": 10, "lockout_minutes": 60},
        ),
    ],
)
def test_lockout_settings_from_the_environment(environ, expected):
    assert accounts.lockout_from_env(environ) == expected


@pytest.mark.parametrize("value", ["0", "-1", "five", "1.5", "9999999", "5 minutes"])
def test_a_bad_lockout_setting_is_refused(value):
    with pytest.raises(accounts.AccountError) as refused:
        accounts.lockout_from_env({"DUCHA_LOCKOUT_MINUTES": value})
    assert "须为不小于 1 的整数" in str(refused.value) and "at least 1" in str(refused.value)


def test_db_upgrade_applies_the_lockout_settings_and_the_message_says_when(
    ann, monkeypatch, capsys
):
    monkeypatch.setenv("DUCHA_LOCKOUT_ATTEMPTS", "2")
    monkeypatch.setenv("DUCHA_LOCKOUT_MINUTES", "30")
    run = run_cli(monkeypatch, capsys, ann, "db", "upgrade")
    assert run.code == 0, run.err
    assert query(ann, "select lockout_failures, lockout_minutes from auth.policy") == [(2, 30)]
    assert last_audit(ann)[:2] == ("cli", "policy.lockout")
    for _ in range(2):
        assert signed_in(ann, password="nope").person is None
    locked = signed_in(ann)
    first = query(ann, "select min(attempted_at) from auth.sign_in_attempts")[0][0]
    assert locked.person is None and locked.retry_at == first + timedelta(minutes=30)
    when = locked.retry_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"请于 {when} 后再试" in locked.message and f"try again after {when}" in locked.message
    assert query(ann, "select count(*) from auth.sessions") == [(0,)]


def test_db_upgrade_refuses_a_bad_lockout_setting_and_changes_nothing(ann, monkeypatch, capsys):
    monkeypatch.setenv("DUCHA_LOCKOUT_ATTEMPTS", "many")
    run = run_cli(monkeypatch, capsys, ann, "db", "upgrade")
    assert run.code == 2
    assert "DUCHA_LOCKOUT_ATTEMPTS='many'" in run.err and "at least 1" in run.err
    assert query(ann, "select lockout_failures, lockout_minutes from auth.policy") == [(5, 15)]


# ---------------------------------------------- uploads, refused by the warehouse --

UNIT_A = "JD-SY"
UNIT_B = "JD-GX"


@pytest.fixture
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_up_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


EMPLOYMENT = [
    "period",
    "unit_code",
    "area_name",
    "labor_force",
    "employed",
    "zero_employment_households",
    "aid_referrals",
    "aid_placements",
]


def employment_file(tmp_path, units: list[str]):
    rows = [["2006-12", unit, f"测试社区{i}", 100, 90, 0, 10, 5] for i, unit in enumerate(units)]
    return write_csv(tmp_path / "employment_test.csv", EMPLOYMENT, rows)


def unchanged(url: str) -> tuple:
    return snapshot(url), query(
        url, "select count(*) from ingest.files where outcome <> 'rejected'"
    )


def test_the_warehouse_refuses_another_units_rows_even_without_the_pages_check(
    demo, tmp_path, monkeypatch
):
    """The attacker's side: the upload's check in Python skipped, the warehouse still says no."""
    monkeypatch.setattr(queries, "units_outside_scope", lambda *args: None)
    reporter = access(demo, Person("li", "李填报", ("reporter",), (UNIT_A,)))
    path = employment_file(tmp_path, [UNIT_A, UNIT_B])
    before = unchanged(demo)
    [report] = queries.ingest_uploads(reporter, [(path.name, path.read_bytes())])
    assert report.outcome == "rejected"
    messages = " ".join(p.message_zh + " " + p.message_en for p in report.problems)
    assert "不能报送其他单位的数据：JD-GX" in messages
    assert "not one of the uploader's units: JD-GX" in messages
    # The warehouse's refusal is the file's problem with its row, column and value (the
    # second data row is row 3: the header is row 1), not an unexpected error.
    assert [(p.flat(), p.value, p.source) for p in report.problems] == [
        ((3, "unit_code", "unit-not-yours"), "JD-GX", "warehouse")
    ]
    assert unchanged(demo) == before


def test_an_upload_connection_cannot_retire_another_units_version(demo, tmp_path):
    """A supervision item of another unit, re-sent under the reporter's own unit: the new
    row is theirs, but the version it would retire is not."""
    [(item, owner)] = query(
        demo,
        "select item_code, unit_code from mart.supervision_items where unit_code <> %s"
        " order by item_code limit 1",
        (UNIT_A,),
    )
    path = write_csv(
        tmp_path / "supervision_take.csv",
        ["item_code", "source", "title", "unit_code", "registered_on", "due_on"],
        [[item, "city", "改到本单位名下", UNIT_A, "2006-03-01", "2006-12-31"]],
    )
    before = unchanged(demo)
    [report] = ingest_files(accounts.upload_url(demo, [UNIT_A]), [path])
    assert report.outcome == "rejected"
    assert f"不能改动其他单位的数据：{owner}" in " ".join(p.message_zh for p in report.problems)
    assert unchanged(demo) == before


OFFICE_KINDS = sorted(name for name, kind in KINDS.items() if not kind.units_report)


def test_the_office_kinds_are_master_data_and_the_assessments_scores():
    assert OFFICE_KINDS == [
        "assessment_evaluations", "assessment_items", "indicators", "targets", "units",
    ]  # fmt: skip


def demo_rows_of(tmp_path, kind: str) -> tuple[Path, str]:
    """The demo's return of ``kind`` cut to the rows of its first row's unit, written as a
    new CSV (so it is no duplicate of the demo's file and its rows reach core), and that unit."""
    [written] = [p for p in write_demo_returns(tmp_path / "demo") if p.stem.startswith(kind)][:1]
    if written.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(written, read_only=True).worksheets[0]
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    else:
        with written.open(encoding="utf-8-sig", newline="") as handle:
            header, *rows = list(csv.reader(handle))
    position = KINDS[kind].column_names.index("unit_code")  # the demo writes every column
    unit = rows[0][position]
    mine = [row for row in rows if row[position] == unit][:3]
    return write_csv(tmp_path / f"{kind}_{unit}.csv", header, mine), unit


@pytest.mark.parametrize("kind", OFFICE_KINDS)
def test_an_upload_connection_cannot_load_the_offices_kinds(demo, tmp_path, kind):
    """Master data and the assessment's scores, even of the reporter's own unit: the warehouse
    refuses them from an upload of some units (sql/views/66_auth_upload_scope.sql)."""
    path, unit = demo_rows_of(tmp_path, kind)
    before = unchanged(demo)
    [report] = ingest_files(accounts.upload_url(demo, [unit]), [path])
    assert report.outcome == "rejected"
    assert [(p.flat(), p.message_zh) for p in report.problems] == [
        ((None, None, "not-your-kind"), f"{KINDS[kind].zh}只能由负责全部单位的数据管理员载入")
    ]
    assert unchanged(demo) == before


def test_every_kinds_core_table_checks_an_upload(demo):
    tables = query(
        demo,
        "select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'core' and t.tgname = 'upload_scope' and not c.relispartition"
        " order by 1",
    )
    assert [name for (name,) in tables] == sorted(KINDS)


def test_an_upload_connection_refuses_another_units_indicator_figures(demo, tmp_path):
    """A kind added after migration 0046 (对标 figures, compiled by a unit) is checked too."""
    [(unit,)] = query(demo, "select distinct unit_code from core.indicator_figures")
    other = UNIT_A if unit != UNIT_A else UNIT_B
    path = write_csv(
        tmp_path / "figures.csv",
        ["period", "district_code", "indicator_code", "value", "source", "unit_code"],
        [["2006-12", *query(demo, "select district_code, indicator_code, value::text, 'x'"
          " from core.indicator_figures where period = '2006-12' limit 1")[0], unit]],
    )  # fmt: skip
    before = unchanged(demo)
    [report] = ingest_files(accounts.upload_url(demo, [other]), [path])
    assert report.outcome == "rejected"
    # The figure's earlier version is the other unit's: retiring it is refused first.
    [problem] = report.problems
    assert problem.message_zh == f"不能改动其他单位的数据：{unit} （上传者的单位 {other}）"
    assert (problem.flat(), problem.value) == ((None, "unit_code", "unit-not-yours"), unit)
    assert unchanged(demo) == before
    [report] = ingest_files(accounts.upload_url(demo, [unit]), [path])
    assert report.outcome == "accepted", report.problems


def test_an_upload_of_the_reporters_own_unit_loads(demo, tmp_path):
    path = employment_file(tmp_path, [UNIT_A, UNIT_A])
    [report] = ingest_files(accounts.upload_url(demo, [UNIT_A, "JD-ZH"]), [path])
    assert report.outcome == "accepted", report.problems
    assert query(
        demo,
        "select unit_code, area_name from mart.employment where area_name like '测试社区%%'"
        " order by 2",
    ) == [(UNIT_A, "测试社区0"), (UNIT_A, "测试社区1")]


def test_the_upload_url_keeps_the_warehouse_url_and_adds_the_units():
    url = accounts.upload_url("postgresql://ducha@db:5432/ducha?sslmode=require", ["JD-SY"])
    assert url.startswith("postgresql://ducha@db:5432/ducha?")
    assert "sslmode=require" in url and "options=-c%20ducha.upload_units%3DJD-SY" in url
    with pytest.raises(accounts.AccountError):
        accounts.upload_url("postgresql://ducha@db/ducha", ["JD-SY -c x=1"])


# ------------------------------------------------------ sign-in by e-mail --


def test_a_known_email_gets_the_accounts_roles_and_units(ann):
    with as_dashboard(ann) as conn:
        assert accounts.person_by_email(conn, "ann@example.GOV.cn", "10.0.0.9") == ANN
    assert query(
        ann, "select account, action, detail->>'via' from auth.audit order by audit_id desc limit 1"
    ) == [("ann", "sign_in", "oidc")]


@pytest.mark.parametrize("email", ["nobody@example.gov.cn", "", "x' or '1'='1", "a" * 10_000])
def test_an_unknown_email_is_refused_and_audited(ann, email):
    before = query(ann, "select * from auth.accounts")
    with as_dashboard(ann) as conn:
        assert accounts.person_by_email(conn, email, "10.0.0.9") is None
    assert last_audit(ann) == (email[:200], "sign_in.failed", "10.0.0.9", "oidc_unknown")
    assert query(ann, "select * from auth.accounts") == before


def test_a_disabled_accounts_email_is_refused_and_audited(ann):
    accounts.disable_account(ann, "ann")
    with as_dashboard(ann) as conn:
        assert accounts.person_by_email(conn, "ann@example.gov.cn", "10.0.0.9") is None
    assert last_audit(ann)[1:] == ("sign_in.failed", "10.0.0.9", "oidc_unknown")
