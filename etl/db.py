"""Schema migrations: ``sql/migrations/NNNN_name.sql`` in order, then ``sql/views/``."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from etl.warehouse import first_value

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
VIEWS_DIR = SQL_DIR / "views"
# The load's per-kind statements (etl/sqlgen.py writes them, etl/loading runs them).
LOAD_DIR = SQL_DIR / "load"

# Any constant will do; it only has to be the same for every ducha process.
UPGRADE_LOCK = 0x6475636861  # "ducha"

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path


def migrations() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"badly named migration: {path.name}")
        found.append(Migration(version=match.group(1), path=path))
    return found


def applied_versions(conn: psycopg.Connection) -> set[str]:
    exists = first_value(conn.execute("select to_regclass('public.ducha_migrations')"))
    if exists is None:
        return set()
    return {row[0] for row in conn.execute("select version from public.ducha_migrations")}


def upgrade(conn: psycopg.Connection) -> list[str]:
    """Apply every migration not yet applied, recreate the views; return what was applied.

    One transaction, under an advisory lock so two upgrades never interleave.
    """
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        conn.execute(
            """
            create table if not exists public.ducha_migrations (
                version    text primary key,
                name       text not null,
                applied_at timestamptz not null default now()
            )
            """
        )
        done = applied_versions(conn)
        applied = []
        for migration in migrations():
            if migration.version in done:
                continue
            conn.execute(migration.path.read_text(encoding="utf-8"))
            conn.execute(
                "insert into public.ducha_migrations (version, name) values (%s, %s)",
                (migration.version, migration.path.name),
            )
            applied.append(migration.path.name)
        # Views are recreated only when their text changed, so an upgrade with
        # nothing to do leaves every object (and its OID) as it was.
        views = sorted(VIEWS_DIR.glob("*.sql"))
        digest = views_digest(views)
        conn.execute("create table if not exists public.ducha_views (sha256 text not null)")
        stored = conn.execute("select sha256 from public.ducha_views").fetchone()
        if applied or stored is None or stored[0] != digest:
            for view in views:
                conn.execute(view.read_text(encoding="utf-8"))
            conn.execute("delete from public.ducha_views")
            conn.execute("insert into public.ducha_views (sha256) values (%s)", (digest,))
            applied.append("views")
    return applied


def views_digest(views: list[Path] | None = None) -> str:
    """The SHA-256 of the view files' text (``views``, or those in VIEWS_DIR, sorted)."""
    if views is None:
        views = sorted(VIEWS_DIR.glob("*.sql"))
    return hashlib.sha256(b"".join(v.read_bytes() for v in views)).hexdigest()


def is_current(conn: psycopg.Connection) -> bool:
    """Whether every migration has been applied and the views are this version's."""
    if not {m.version for m in migrations()} <= applied_versions(conn):
        return False
    stored = first_value(conn.execute("select to_regclass('public.ducha_views')"))
    if stored is None:
        return False
    row = conn.execute("select sha256 from public.ducha_views").fetchone()
    return row is not None and row[0] == views_digest()
