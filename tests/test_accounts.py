"""Accounts: the command line, signing in (lock-out, bad input), password change, demo accounts.

Sign-ins go through the dashboard's role, as the dashboard does them; every
expectation about the warehouse is read back through the owner's connection.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import psycopg
import pytest

from etl import accounts
from etl.accounts import Person, dashboard_url
from tests.helpers import query, run_cli

PASSWORD = "correct horse 电池"


def as_dashboard(url: str) -> psycopg.Connection:
    return psycopg.connect(dashboard_url(url, environ={}))


def sign_in(url: str, name: str, password: str) -> accounts.SignIn:
    with as_dashboard(url) as conn:
        return accounts.sign_in(conn, name, password, address="10.0.0.7")


def audit(url: str) -> list[tuple]:
    return query(
        url, "select account, action, address, detail->>'reason' from auth.audit order by audit_id"
    )


def accounts_table(url: str) -> list[tuple]:
    return query(url, "select * from auth.accounts order by account")


@pytest.fixture
def ann(warehouse) -> str:
    """A warehouse with one reporter, ann, of JD-SY, password PASSWORD."""
    accounts.add_account(
        warehouse, "ann", ["reporter"], ["JD-SY"], display_name="安安", password=PASSWORD
    )
    return warehouse


# ------------------------------------------------------------ sign-in --


def test_a_new_warehouse_has_no_account(warehouse):
    assert query(warehouse, "select count(*) from auth.accounts") == [(0,)]


def test_the_right_password_signs_in_with_roles_and_units(ann):
    got = sign_in(ann, "ann", PASSWORD)
    assert got.person == Person("ann", "安安", ("reporter",), ("JD-SY",))
    assert got.person.scope == ("ann", "reporter", "JD-SY")
    assert audit(ann)[-1] == ("ann", "sign_in", "10.0.0.7", None)


def test_the_stored_hash_is_argon2id_and_never_reaches_the_dashboard(ann):
    stored = query(ann, "select password_hash from auth.accounts where account = 'ann'")[0][0]
    assert stored.startswith("$argon2id$")
    with as_dashboard(ann) as conn:
        salt = conn.execute("select auth.password_salt('ann')").fetchone()[0]
    # Only the salt and costs: the hash itself (the last field) is not in the answer.
    assert stored.startswith(salt + "$") and stored.rsplit("$", 1)[1] not in salt


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("ann", "wrong password", "password"),
        ("ann", "", "password"),
        ("ann", "x" * 10_000, "password"),
        ("nobody", PASSWORD, "unknown"),
        ("", PASSWORD, "unknown"),
        ("", "", "unknown"),
        ("a" * 10_000, PASSWORD, "unknown"),
        ("ann' or '1'='1", PASSWORD, "unknown"),
        ("ann'; drop table auth.accounts; --", PASSWORD, "unknown"),
        ("<script>alert(1)</script>", PASSWORD, "unknown"),
    ],
)
def test_a_failed_sign_in_says_so_changes_nothing_and_is_audited(ann, name, password, reason):
    before = accounts_table(ann)
    got = sign_in(ann, name, password)
    assert got.person is None
    assert got.message == "账号或密码不正确 / wrong account name or password"
    assert accounts_table(ann) == before
    assert audit(ann)[1:] == [(name[:200], "sign_in.failed", "10.0.0.7", reason)]


def test_a_disabled_account_cannot_sign_in(ann):
    accounts.disable_account(ann, "ann")
    got = sign_in(ann, "ann", PASSWORD)
    assert got.person is None
    assert got.message == "账号已停用，请联系管理员 / the account is disabled: ask an admin"
    assert audit(ann)[-1] == ("ann", "sign_in.failed", "10.0.0.7", "disabled")


def test_five_failures_in_fifteen_minutes_lock_the_account_until_the_window_passes(ann):
    for _ in range(5):
        assert sign_in(ann, "ann", "nope").person is None
    failures = query(
        ann, "select attempted_at from auth.sign_in_attempts where account = 'ann' order by 1"
    )
    locked = sign_in(ann, "ann", PASSWORD)  # the right password, too late
    assert locked.person is None
    assert locked.retry_at == failures[0][0] + timedelta(minutes=15)
    when = locked.retry_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert when in locked.message and "锁定" in locked.message and "locked" in locked.message
    assert audit(ann)[-1][:2] == ("ann", "sign_in.locked")
    # Sixteen minutes later (the attempts moved back in time by the owner).
    with psycopg.connect(ann) as conn:
        conn.execute(
            "update auth.sign_in_attempts set attempted_at = attempted_at - interval '16 minutes'"
        )
    assert sign_in(ann, "ann", PASSWORD).person is not None


def test_four_failures_then_a_success_start_the_count_again(ann):
    for _ in range(4):
        sign_in(ann, "ann", "nope")
    assert sign_in(ann, "ann", PASSWORD).person is not None
    for _ in range(4):
        sign_in(ann, "ann", "nope")
    assert sign_in(ann, "ann", PASSWORD).person is not None


def test_the_lock_out_is_configurable(ann):
    with psycopg.connect(ann) as conn:
        conn.execute("update auth.policy set lockout_failures = 2, lockout_minutes = 60")
    sign_in(ann, "ann", "nope")
    sign_in(ann, "ann", "nope")
    locked = sign_in(ann, "ann", PASSWORD)
    first = query(ann, "select min(attempted_at) from auth.sign_in_attempts")[0][0]
    assert locked.person is None and locked.retry_at == first + timedelta(minutes=60)


def test_the_dashboard_role_cannot_loosen_the_lock_out(ann):
    with as_dashboard(ann) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("update auth.policy set lockout_failures = 1000")


# --------------------------------------------------- password change --


def test_a_person_changes_their_own_password(ann):
    person = sign_in(ann, "ann", PASSWORD).person
    with as_dashboard(ann) as conn:
        with pytest.raises(accounts.AccountError, match="the current password is wrong"):
            accounts.change_password(conn, person, "not it", "a new password")
        accounts.change_password(conn, person, PASSWORD, "a new password")
    assert sign_in(ann, "ann", PASSWORD).person is None
    assert sign_in(ann, "ann", "a new password").person == person
    actions = [row[1] for row in audit(ann)]
    assert actions[-4:] == [
        "account.password_failed",
        "account.password",
        "sign_in.failed",
        "sign_in",
    ]


def test_nobody_changes_another_persons_password(ann):
    accounts.add_account(ann, "bob", ["leader"], password="bobs password")
    bob = sign_in(ann, "bob", "bobs password").person
    before = accounts_table(ann)
    with as_dashboard(ann) as conn, conn.transaction():
        accounts.set_scope(conn, bob)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "select auth.change_password('ann', 'x', %s)", (accounts.hash_password("pwned!!!"),)
            )
    assert accounts_table(ann) == before


def test_a_short_new_password_is_refused(ann):
    person = sign_in(ann, "ann", PASSWORD).person
    with as_dashboard(ann) as conn, pytest.raises(accounts.AccountError, match="at least 8"):
        accounts.change_password(conn, person, PASSWORD, "short")


# ------------------------------------------------------- command line --


def test_user_add_password_list_disable(warehouse, monkeypatch, capsys):
    run = run_cli(
        monkeypatch,
        capsys,
        warehouse,
        "user",
        "add",
        "wang",
        "--role",
        "steward",
        "--role",
        "leader",
        "--unit",
        "JD-SY",
        "--email",
        "wang@example.gov.cn",
        "--display-name",
        "王科长",
    )
    assert run.code == 0, run.err
    assert "ducha user password wang" in run.err
    # No password yet: nobody signs in as wang.
    assert query(warehouse, "select password_hash from auth.accounts") == [(None,)]

    monkeypatch.setattr("sys.stdin", io.StringIO("a good password\n"))
    run = run_cli(monkeypatch, capsys, warehouse, "user", "password", "wang")
    assert run.code == 0, run.err
    assert sign_in(warehouse, "wang", "a good password").person == Person(
        "wang", "王科长", ("leader", "steward"), ("JD-SY",)
    )

    monkeypatch.setenv("DATABASE_URL", warehouse)
    capsys.readouterr()
    from etl import cli

    assert cli.main(["user", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed == "wang\t王科长\tleader,steward\tJD-SY\twang@example.gov.cn\t启用 enabled\n"

    run = run_cli(monkeypatch, capsys, warehouse, "user", "disable", "wang")
    assert run.code == 0, run.err
    assert sign_in(warehouse, "wang", "a good password").person is None
    assert [r[:2] for r in audit(warehouse)] == [
        ("cli", "account.add"),
        ("cli", "account.password"),
        ("wang", "sign_in"),
        ("cli", "account.disable"),
        ("wang", "sign_in.failed"),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "ann", "--role", "reporter"], "a reporter needs at least one --unit"),
        (["add", "ann", "--role", "leader", "--unit", "JD-SY"], "--unit applies to stewards"),
        (["add", "ann", "--role", "steward", "--unit", "jd sy"], "not a unit code"),
        (["add", "'; drop table x", "--role", "leader"], "an account name is 1-64"),
        (["add", "a" * 10_000, "--role", "leader"], "an account name is 1-64"),
        (["add", "ann", "--role", "leader", "--email", "nope"], "not an e-mail address"),
        (["disable", "ghost"], "no such account"),
        (["password", "ghost"], "no such account"),
    ],
)
def test_user_commands_refuse_bad_input_and_change_nothing(
    warehouse, monkeypatch, capsys, argv, message
):
    monkeypatch.setattr("sys.stdin", io.StringIO("a good password\n"))
    run = run_cli(monkeypatch, capsys, warehouse, "user", *argv)
    assert run.code == 1
    assert message in run.err and re.search(r"[\u4e00-\u9fff]", run.err)
    assert "Traceback" not in run.err
    assert query(warehouse, "select count(*) from auth.accounts") == [(0,)]


def test_user_password_refuses_a_short_one(ann, monkeypatch, capsys):
    before = accounts_table(ann)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    run = run_cli(monkeypatch, capsys, ann, "user", "password", "ann")
    assert run.code == 1 and "at least 8" in run.err
    assert accounts_table(ann) == before


def test_user_add_twice_is_refused(ann, monkeypatch, capsys):
    run = run_cli(monkeypatch, capsys, ann, "user", "add", "ann", "--role", "leader")
    assert run.code == 1 and "already exists" in run.err


def test_an_unknown_role_is_a_usage_error(warehouse, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(monkeypatch, capsys, warehouse, "user", "add", "x", "--role", "king")
    assert exited.value.code == 2


def test_user_help_is_bilingual(capsys):
    from etl import cli

    with pytest.raises(SystemExit):
        cli.main(["user", "--help"])
    out = capsys.readouterr().out
    for words in ("账号管理", "manage sign-in accounts", "填报员", "no default password"):
        assert words in out


# --------------------------------------------------------------- demo --


def test_demo_accounts_are_made_once_and_sign_in(warehouse):
    from etl.demo import DEMO_ACCOUNTS, make_demo_accounts

    made = make_demo_accounts(warehouse)
    assert [m[0] for m in made] == [a[0] for a in DEMO_ACCOUNTS]
    assert make_demo_accounts(warehouse) == []  # not again, and no password reset
    for (account, display, roles, units), (_, _, password) in zip(DEMO_ACCOUNTS, made, strict=True):
        assert sign_in(warehouse, account, password).person == Person(
            account, display, roles, units
        )
    assert query(warehouse, "select bool_and(is_demo) from auth.accounts") == [(True,)]


# ------------------------------------------------------ dashboard URL --


def test_the_dashboard_url_is_the_warehouse_as_the_dashboard_role():
    got = dashboard_url("postgresql://ducha:s3cret@db:5432/ducha", environ={})
    assert got == "postgresql://ducha_dashboard@db:5432/ducha"
    explicit = "postgresql://ducha_dashboard:pw@db/ducha"
    assert dashboard_url("postgresql://x@y/z", {"DASHBOARD_DATABASE_URL": explicit}) == explicit
