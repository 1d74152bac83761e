"""Where the dashboard reads: the primary, or a streaming standby named by ``DATABASE_READ_URL``.

Reads (``queries._read``) go to the standby while it is up, is a standby, and has
replayed the primary's WAL to within ``DUCHA_REPLICA_MAX_LAG_SECONDS`` (default
30); otherwise to the primary, and the page says so (``notice``). Writes never
come here: every write (uploads, decisions, rules, bulletins, sign-in and its
audit) goes to the primary as before. After a person's write, their reads go to
the primary until the standby has replayed past the write's WAL position
(``pg_current_wal_insert_lsn()`` on the primary, ``pg_last_wal_replay_lsn()``
on the standby), so they see it at once.

The state is per server process (every session of the Streamlit server shares
it, as they share ``st.cache_data``): the standby's health, probed at most once
a second, and each account's last write position. This module asks the servers
where to read; the rows themselves are read by ``dashboard.queries`` alone.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_MAX_LAG_SECONDS = 30.0
PROBE_SECONDS = 1.0  # the standby's health is asked again after this long
CONNECT_TIMEOUT = 2  # seconds: a standby that does not answer by then counts as down


class Where(Protocol):
    """What routing needs of ``queries.Access``."""

    url: str
    read_url: str
    account: str


def max_lag_seconds(environ: dict[str, str] | None = None) -> float:
    """How far behind the standby may be and still serve reads (``DUCHA_REPLICA_MAX_LAG_SECONDS``)."""
    env = os.environ if environ is None else environ
    raw = env.get("DUCHA_REPLICA_MAX_LAG_SECONDS", "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_MAX_LAG_SECONDS
    except ValueError:
        seconds = DEFAULT_MAX_LAG_SECONDS
    return seconds if seconds >= 0 and math.isfinite(seconds) else DEFAULT_MAX_LAG_SECONDS


def read_url(dashboard_url: str, environ: dict[str, str] | None = None) -> str:
    """The dashboard role's URL on the standby ("" when ``DATABASE_READ_URL`` is unset).

    The standby's server and database from ``DATABASE_READ_URL``, the dashboard
    role and its password from ``dashboard_url``: a streaming standby is a copy
    of the primary, roles and passwords included.
    """
    env = os.environ if environ is None else environ
    standby = env.get("DATABASE_READ_URL", "").strip()
    if not standby:
        return ""
    role = make_url(dashboard_url)
    # URL.set ignores password=None; the URL is a named tuple underneath.
    url = make_url(standby).set(username=role.username)._replace(password=role.password)
    return url.render_as_string(hide_password=False)


def lsn(text: str | None) -> int | None:
    """A WAL position ('16/B374D848') as a number, for comparing."""
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class Health:
    state: str  # "ok", "down" (unreachable or not a standby) or "lagging"
    replayed: int | None = None  # the standby's last replayed WAL position
    lag_seconds: float | None = None
    checked_at: float = 0.0


@dataclass
class _Pair:
    """What is known of one primary and its standby."""

    health: Health = field(default_factory=lambda: Health("down"))
    # (time, primary's WAL position) of recent probes: the standby is as current
    # as the latest probe whose position it has replayed.
    samples: deque = field(default_factory=lambda: deque(maxlen=600))
    probing: threading.Lock = field(default_factory=threading.Lock)


_lock = threading.Lock()
_pairs: dict[tuple[str, str], _Pair] = {}
_written: dict[tuple[str, str], int] = {}  # (primary, account) -> WAL position of the write


def _pair(where: Where) -> _Pair:
    key = (where.url, where.read_url)
    with _lock:
        found = _pairs.get(key)
        if found is None:
            found = _pairs[key] = _Pair()
        return found


def health(where: Where, now: float | None = None) -> Health:
    """The standby's health, probed at most once a second (one probe at a time)."""
    pair = _pair(where)
    now = time.monotonic() if now is None else now
    if now - pair.health.checked_at < PROBE_SECONDS:
        return pair.health
    # One session probes; the others meanwhile take the last answer.
    if not pair.probing.acquire(blocking=pair.health.checked_at == 0.0):
        return pair.health
    try:
        if time.monotonic() - pair.health.checked_at >= PROBE_SECONDS:
            pair.health = _probe(where, pair)
        return pair.health
    finally:
        pair.probing.release()


def _probe(where: Where, pair: _Pair) -> Health:
    started = time.monotonic()
    try:
        # The primary first: whatever it had written by now, a caught-up standby
        # has replayed when asked next.
        with psycopg.connect(where.url, connect_timeout=10, autocommit=True) as conn:
            primary_at = lsn(conn.execute("select pg_current_wal_lsn()::text").fetchone()[0])
    except psycopg.Error:
        return Health("down", checked_at=time.monotonic())  # the reads fail there anyway
    pair.samples.append((started, primary_at))
    try:
        with psycopg.connect(
            where.read_url, connect_timeout=CONNECT_TIMEOUT, autocommit=True
        ) as conn:
            in_recovery, replayed_text, replayed_at_age = conn.execute(
                "select pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " extract(epoch from now() - pg_last_xact_replay_timestamp())::float8"
            ).fetchone()
            # A standby a few milliseconds behind (the primary's last record still
            # on its way) is current: give it a moment before judging it by older
            # probes or, on the first, by the age of its last replayed commit.
            for _ in range(5):
                if not in_recovery or (lsn(replayed_text) or 0) >= primary_at:
                    break
                time.sleep(0.02)
                replayed_text = conn.execute("select pg_last_wal_replay_lsn()::text").fetchone()[0]
    except psycopg.Error:
        return Health("down", checked_at=time.monotonic())
    replayed = lsn(replayed_text)
    if not in_recovery or replayed is None:
        # Promoted, or not a standby at all: its rows may have parted from the primary's.
        return Health("down", checked_at=time.monotonic())
    current_since = [at for at, position in pair.samples if position <= replayed]
    if current_since:
        lag = max(0.0, started - max(current_since))
    else:  # behind every probe so far: the age of its last replayed transaction
        lag = replayed_at_age if replayed_at_age is not None else math.inf
    state = "ok" if lag <= max_lag_seconds() else "lagging"
    return Health(state, replayed, lag, time.monotonic())


def route(where: Where) -> str:
    """The URL this read goes to: the standby when healthy and past the person's last write."""
    if not where.read_url:
        return where.url
    found = health(where)
    if found.state != "ok":
        return where.url
    key = (where.url, where.account)
    with _lock:
        pending = _written.get(key)
        if pending is not None:
            if found.replayed is None or found.replayed < pending:
                return where.url
            del _written[key]
    return where.read_url


def failed(where: Where) -> None:
    """A read on the standby failed (it went away, or recovery cancelled it): down until probed."""
    _pair(where).health = Health("down", checked_at=time.monotonic())


def wrote(where: Where) -> None:
    """Record where the primary's WAL stands after this person's write (their reads follow it)."""
    if not where.read_url:
        return
    try:
        with psycopg.connect(where.url, connect_timeout=10, autocommit=True) as conn:
            position = lsn(conn.execute("select pg_current_wal_insert_lsn()::text").fetchone()[0])
    except psycopg.Error:
        return  # the primary is gone: so are the reads
    with _lock:
        key = (where.url, where.account)
        _written[key] = max(position, _written.get(key, 0))


def notice(where: Where) -> str | None:
    """Why this page reads from the primary though a standby is configured ("down",
    "lagging"), or None."""
    if not where.read_url:
        return None
    found = health(where)
    return None if found.state == "ok" else found.state


def notice_text(state: str) -> str:
    """The page's notice for ``state``, in the reader's language (dashboard/i18n.py)."""
    from dashboard.i18n import t

    return t(f"replica.{state}")


def forget() -> None:
    """Drop what is known of every standby and write (tests)."""
    with _lock:
        _pairs.clear()
        _written.clear()
