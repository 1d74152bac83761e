"""Accounts, sign-in and the signed-in person's scope (issue 10).

Accounts live in the warehouse (``auth`` schema, sql/migrations/0010-0012).
The command line manages them through the owner's connection; the dashboard
signs people in through its own role, which never reads a password hash: it
gets the salt and cost of the stored argon2id hash, hashes the typed password
with them, and PostgreSQL compares (``auth.sign_in``), applies the lock-out and
writes the audit row.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.low_level import hash_secret
from psycopg.types.json import Jsonb

from etl.warehouse import connect, first_value

ROLES = {
    "leader": ("领导", "leader"),
    "steward": ("数据管理员", "data steward"),
    "reporter": ("填报员", "unit reporter"),
    "admin": ("管理员", "administrator"),
}
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
UNIT_CODE = re.compile(r"^[A-Z0-9-]{2,20}$")
MAX_PASSWORD = 1024
MIN_PASSWORD = 8

_HASHER = PasswordHasher()  # argon2id with the library's recommended costs
# One argon2id hash with those costs holds 64 MB and about 0.3 s of CPU on its four
# lanes. Twenty people signing in at once could hold twenty of those (the dashboard
# server peaked at 589 MB in bench/leaders.py, 397 MB with this limit); two at a
# time keep both cores busy, and the rest wait their turn.
_HASHING = threading.BoundedSemaphore(2)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the user (zh / en)."""


@dataclass(frozen=True)
class Person:
    """The signed-in person: who, what they may do, and which units they see."""

    account: str
    display_name: str
    roles: tuple[str, ...]
    units: tuple[str, ...]

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def all_units(self) -> bool:
        """Leaders and admins see every unit; so does a steward given no units."""
        if self.has("leader") or self.has("admin"):
            return True
        return self.has("steward") and not self.units

    @property
    def scope(self) -> tuple[str, str, str]:
        """(account, roles, units) as the warehouse's ``ducha.*`` settings hold them."""
        units = "*" if self.all_units else ",".join(self.units)
        return (self.account, ",".join(self.roles), units)


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: a person, or why not (message zh / en)."""

    person: Person | None
    message: str = ""
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Account:
    account: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    units: tuple[str, ...]
    disabled: bool
    is_demo: bool


def set_scope(conn: psycopg.Connection, person: Person | None) -> None:
    """Set the person's scope for the current transaction only (never the session)."""
    account, roles, units = person.scope if person else ("", "", "")
    conn.execute(
        "select set_config('ducha.account', %s, true), set_config('ducha.roles', %s, true),"
        " set_config('ducha.units', %s, true)",
        (account, roles, units),
    )


def apply_scope(conn: psycopg.Connection, scope: tuple[str, str, str] | None) -> None:
    """Set (account, roles, units) for the current transaction; None: the owner's own work."""
    if scope is None:
        return
    conn.execute(
        "select set_config('ducha.account', %s, true), set_config('ducha.roles', %s, true),"
        " set_config('ducha.units', %s, true)",
        scope,
    )


def audit_decision(
    conn: psycopg.Connection,
    scope: tuple[str, str, str] | None,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append a signed-in person's decision to the audit (nothing for the owner's own work)."""
    if scope is None:
        return
    _audit(conn, scope[0], action, target, detail or {})


# ------------------------------------------------------------- checks --


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not ACCOUNT_NAME.match(name):
        raise AccountError(
            "账号名须为 1-64 个字母、数字或 _ . @ -，以字母或数字开头 / an account name is 1-64"
            f" letters, digits or _ . @ -, starting with a letter or digit: {name[:80]!r}"
        )
    return name


def check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise AccountError(
            f"密码至少 {MIN_PASSWORD} 个字符 / a password has at least {MIN_PASSWORD} characters"
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(
            f"密码至多 {MAX_PASSWORD} 个字符 / a password has at most {MAX_PASSWORD} characters"
        )
    return password


def _check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise AccountError("至少指定一个角色 / give at least one --role")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise AccountError(
            f"未知角色 / unknown role {unknown[0]!r}; 可选 / one of: {', '.join(ROLES)}"
        )
    return sorted(set(roles))


def _check_units(units: list[str]) -> list[str]:
    bad = [u for u in units if not UNIT_CODE.match(u)]
    if bad:
        raise AccountError(f"单位代码格式不对 / not a unit code: {bad[0][:40]!r}")
    return sorted(set(units))


def hash_password(password: str) -> str:
    password = check_password(password)
    with _HASHING:
        return _HASHER.hash(password)


def _audit(
    conn: psycopg.Connection[Any],
    actor: str | None,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        "insert into auth.audit (account, action, target, detail) values (%s, %s, %s, %s)",
        (actor, action, target, Jsonb(detail)),
    )


# ------------------------------------------------- the owner's commands --


def add_account(
    url: str,
    name: str,
    roles: list[str],
    units: list[str] | None = None,
    email: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
    is_demo: bool = False,
    actor: str = "cli",
) -> Account:
    """Create an account (no password unless given: set one with ``ducha user password``)."""
    name = check_name(name)
    roles = _check_roles(roles)
    units = _check_units(units or [])
    if units and not ({"steward", "reporter"} & set(roles)):
        raise AccountError(
            "只有数据管理员和填报员按单位授权 / --unit applies to stewards and reporters only"
        )
    if "reporter" in roles and not units:
        raise AccountError("填报员须指定 --unit / a reporter needs at least one --unit")
    email = (email or "").strip() or None
    if email is not None and not re.match(r"^[^@\s]+@[^@\s]+$", email):
        raise AccountError(f"电子邮箱格式不对 / not an e-mail address: {email[:80]!r}")
    display = (display_name or "").strip() or name
    hashed = hash_password(password) if password is not None else None
    with connect(url) as conn, conn.transaction():
        exists = conn.execute("select 1 from auth.accounts where account = %s", (name,)).fetchone()
        if exists:
            raise AccountError(f"账号已存在 / the account already exists: {name}")
        if (
            email
            and conn.execute(
                "select 1 from auth.accounts where lower(email) = lower(%s)", (email,)
            ).fetchone()
        ):
            raise AccountError(f"电子邮箱已被使用 / the e-mail is taken: {email}")
        conn.execute(
            "insert into auth.accounts (account, display_name, email, password_hash, is_demo)"
            " values (%s, %s, %s, %s, %s)",
            (name, display[:100], email, hashed, is_demo),
        )
        conn.cursor().executemany(
            "insert into auth.account_roles (account, role) values (%s, %s)",
            [(name, r) for r in roles],
        )
        conn.cursor().executemany(
            "insert into auth.account_units (account, unit_code) values (%s, %s)",
            [(name, u) for u in units],
        )
        _audit(conn, actor, "account.add", name, {"roles": roles, "units": units})
    return Account(name, display[:100], email, tuple(roles), tuple(units), False, is_demo)


def list_accounts(url: str) -> list[Account]:
    with connect(url) as conn:
        rows = conn.execute(
            "select a.account, a.display_name, a.email,"
            " coalesce((select array_agg(role order by role) from auth.account_roles r"
            "           where r.account = a.account), '{}'),"
            " coalesce((select array_agg(unit_code order by unit_code) from auth.account_units u"
            "           where u.account = a.account), '{}'),"
            " a.disabled, a.is_demo"
            " from auth.accounts a order by a.account"
        ).fetchall()
    return [Account(r[0], r[1], r[2], tuple(r[3]), tuple(r[4]), r[5], r[6]) for r in rows]


def disable_account(url: str, name: str, actor: str = "cli") -> None:
    with connect(url) as conn, conn.transaction():
        changed = conn.execute(
            "update auth.accounts set disabled = true, updated_at = now()"
            " where account = %s and not disabled returning account",
            (name,),
        ).fetchone()
        if changed is None:
            known = conn.execute("select 1 from auth.accounts where account = %s", (name,))
            if known.fetchone() is None:
                raise AccountError(f"没有这个账号 / no such account: {name[:80]}")
            raise AccountError(f"账号已停用 / the account is already disabled: {name}")
        _audit(conn, actor, "account.disable", name, {})


def set_password(url: str, name: str, password: str, actor: str = "cli") -> None:
    hashed = hash_password(password)
    with connect(url) as conn, conn.transaction():
        changed = conn.execute(
            "update auth.accounts set password_hash = %s, updated_at = now()"
            " where account = %s returning account",
            (hashed, name),
        ).fetchone()
        if changed is None:
            raise AccountError(f"没有这个账号 / no such account: {name[:80]}")
        _audit(conn, actor, "account.password", name, {})


# --------------------------------------------------------- signing in --


def _proof(salted_prefix: str, password: str) -> str:
    """The argon2id hash of ``password`` with the salt and costs of a stored hash."""
    params = extract_parameters(salted_prefix + "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    salt_b64 = salted_prefix.rsplit("$", 1)[1]
    salt = base64.b64decode(salt_b64 + "=" * (-len(salt_b64) % 4))
    with _HASHING:
        return hash_secret(
            password.encode("utf-8"),
            salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            hash_len=params.hash_len,
            type=Type.ID,
            version=params.version,
        ).decode("ascii")


_FAILED = "账号或密码不正确 / wrong account name or password"


def sign_in(
    conn: psycopg.Connection,
    name: str,
    password: str,
    address: str = "",
    session: tuple[str, float] | None = None,
) -> SignIn:
    """Check a name and password as the connection's role; every attempt is audited.

    ``session`` (token, idle seconds): open a session for the token when it succeeds.
    """
    name = name or ""
    password = password or ""
    if len(password) > MAX_PASSWORD:
        password = password[: MAX_PASSWORD + 1]  # wrong anyway; not worth hashing 10 MB
    with conn.transaction():
        prefix = first_value(conn.execute("select auth.password_salt(%s)", (name,)))
        proof = _proof(prefix, password)
        if session is None:
            answer = conn.execute("select * from auth.sign_in(%s, %s, %s)", (name, proof, address))
        else:
            token, idle = session
            answer = conn.execute(
                "select * from auth.sign_in(%s, %s, %s, %s, %s)",
                (name, proof, address, token, max(1, round(idle))),
            )
        signed = answer.fetchone()
        assert signed is not None, "auth.sign_in returns one row"
        status, retry_at, display, roles, units = signed
    if status == "ok":
        return SignIn(Person(name, display, tuple(roles), tuple(units)))
    if status == "locked":
        when = retry_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return SignIn(
            None,
            f"失败次数过多，账号已暂时锁定，请于 {when} 后再试 / too many failed attempts:"
            f" the account is locked, try again after {when}",
            retry_at,
        )
    if status == "disabled":
        return SignIn(None, "账号已停用，请联系管理员 / the account is disabled: ask an admin")
    return SignIn(None, _FAILED)


def new_session_token() -> str:
    """A random session token: 256 bits, URL-safe (43 characters)."""
    import secrets

    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Resumed:
    """What a session token came to: the person, or why not (``unknown`` for a forged one,
    ``expired``, ``revoked``, ``disabled``)."""

    person: Person | None
    refusal: str = ""


def resume_session(conn: psycopg.Connection, token: str, address: str = "") -> Resumed:
    """The person whose session ``token`` names, checked by the warehouse (audited)."""
    with conn.transaction():
        resumed = conn.execute(
            "select * from auth.resume_session(%s, %s)", (token[:200], address)
        ).fetchone()
    assert resumed is not None, "auth.resume_session returns one row"
    status, account, display, roles, units = resumed
    if status != "ok":
        return Resumed(None, status)
    return Resumed(Person(account, display, tuple(roles), tuple(units)))


def touch_session(conn: psycopg.Connection, token: str) -> bool:
    """Move the session's idle expiry on; False when it has ended (revoked, expired)."""
    with conn.transaction():
        return bool(first_value(conn.execute("select auth.touch_session(%s)", (token[:200],))))


def close_session(conn: psycopg.Connection, token: str, address: str = "") -> None:
    """Sign out: the session's token is refused from now on."""
    with conn.transaction():
        conn.execute("select auth.close_session(%s, %s)", (token[:200], address))


def person_by_email(conn: psycopg.Connection, email: str, address: str = "") -> Person | None:
    """The enabled account with this e-mail, for a person the OIDC provider signed in."""
    with conn.transaction():
        row = conn.execute(
            "select * from auth.person_by_email(%s, %s)", (email or "", address)
        ).fetchone()
    if row is None:
        return None
    return Person(row[0], row[1], tuple(row[2]), tuple(row[3]))


def change_password(conn: psycopg.Connection, person: Person, old: str, new: str) -> None:
    """A signed-in person changes their own password (the old one must be right)."""
    hashed = hash_password(new)
    with conn.transaction():
        set_scope(conn, person)
        prefix = first_value(conn.execute("select auth.password_salt(%s)", (person.account,)))
        ok = first_value(
            conn.execute(
                "select auth.change_password(%s, %s, %s)",
                (person.account, _proof(prefix, old[: MAX_PASSWORD + 1]), hashed),
            )
        )
    if not ok:
        raise AccountError("原密码不正确 / the current password is wrong")


def audit(
    conn: psycopg.Connection[Any], person: Person, action: str, target: str, detail: dict[str, Any]
) -> None:
    """Record a decision in the audit, signed by the person (inside the caller's transaction)."""
    _audit(conn, person.account, action, target, detail)


# ------------------------------------------------------------ lock-out --

LOCKOUT_ATTEMPTS_ENV = "DUCHA_LOCKOUT_ATTEMPTS"
LOCKOUT_MINUTES_ENV = "DUCHA_LOCKOUT_MINUTES"


def lockout_from_env(environ: dict[str, str] | None = None) -> dict[str, int]:
    """The lock-out settings the environment gives (failures, minutes), each a whole
    number ≥ 1; the ones not set are left out. A bad value raises AccountError."""
    import os

    env = os.environ if environ is None else environ
    found = {}
    for variable, column in (
        (LOCKOUT_ATTEMPTS_ENV, "lockout_failures"),
        (LOCKOUT_MINUTES_ENV, "lockout_minutes"),
    ):
        raw = env.get(variable, "").strip()
        if not raw:
            continue
        value = int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) else 0
        if value < 1:
            raise AccountError(
                f"{variable}={raw[:40]!r} 无效：须为不小于 1 的整数 / is not valid: a whole"
                " number, at least 1"
            )
        found[column] = value
    return found


def apply_lockout_settings(url: str, environ: dict[str, str] | None = None) -> dict[str, int]:
    """Write ``DUCHA_LOCKOUT_ATTEMPTS`` / ``DUCHA_LOCKOUT_MINUTES`` into ``auth.policy`` (the
    owner's connection; the dashboard role cannot change them). Returns what was set."""
    wanted = lockout_from_env(environ)
    if not wanted:
        return wanted
    with connect(url) as conn, conn.transaction():
        changed = conn.execute(
            "update auth.policy set"
            " lockout_failures = coalesce(%(lockout_failures)s, lockout_failures),"
            " lockout_minutes = coalesce(%(lockout_minutes)s, lockout_minutes)"
            " where (lockout_failures, lockout_minutes) is distinct from"
            " (coalesce(%(lockout_failures)s, lockout_failures),"
            "  coalesce(%(lockout_minutes)s, lockout_minutes))"
            " returning lockout_failures, lockout_minutes",
            {"lockout_failures": None, "lockout_minutes": None, **wanted},
        ).fetchone()
        if changed is not None:
            _audit(
                conn,
                "cli",
                "policy.lockout",
                "auth.policy",
                {"failures": changed[0], "minutes": changed[1]},
            )
    return wanted


# ------------------------------------------------------------- uploads --


def upload_url(owner_url: str, units: list[str] | tuple[str, ...]) -> str:
    """The ETL's URL for one upload by a person of some units only: the connection carries
    ``ducha.upload_units`` and the warehouse refuses rows of any other unit (migration 0046)."""
    from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

    # No unit at all: a value no unit code can equal (codes are upper case), so every
    # row is refused rather than the setting left empty (which would check nothing).
    codes = _check_units(list(units)) or ["none"]
    parts = urlsplit(owner_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(value for key, value in query if key == "options")
    options = f"{options} -c ducha.upload_units={','.join(codes)}".strip()
    query = [(key, value) for key, value in query if key != "options"] + [("options", options)]
    # %20 for a space: libpq reads "+" as a plus sign.
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


# --------------------------------------------------- the dashboard's role --

DASHBOARD_ROLE = "ducha_dashboard"


def dashboard_url(warehouse_url: str, environ: dict[str, str] | None = None) -> str:
    """The URL the dashboard reads and decides with: ``DASHBOARD_DATABASE_URL``, else the
    warehouse's URL with the user replaced by the dashboard role and no password (the
    embedded server and a trust-configured server accept it)."""
    import os

    from sqlalchemy.engine import make_url

    env = os.environ if environ is None else environ
    explicit = env.get("DASHBOARD_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    # URL.set ignores password=None; the URL is a named tuple underneath.
    url = make_url(warehouse_url).set(username=DASHBOARD_ROLE)._replace(password=None)
    return url.render_as_string(hide_password=False)


def set_dashboard_password(url: str, password: str) -> None:
    """Give the dashboard role a password (a server that does not trust local users)."""
    from psycopg import sql

    with connect(url) as conn:
        conn.execute(
            sql.SQL("alter role {} password {}").format(
                sql.Identifier(DASHBOARD_ROLE), sql.Literal(password)
            )
        )
