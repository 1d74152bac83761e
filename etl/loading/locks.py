"""The advisory locks of a load, below every step that takes one."""

from __future__ import annotations

import zlib

from etl.kinds import Kind
from etl.warehouse import Connection

# Files being loaded hold a session advisory lock in this namespace, keyed by
# file_id; a 'validating' file whose lock is free was left by a dead process.
FILE_LOCK_SPACE = 0x6475
# Promotions of one kind are serialised, so "which version is current" is
# always decided over committed rows.
PROMOTE_LOCK_SPACE = 0x6476

_FILE_KEY = "%s::int, (%s::bigint %% 2147483647)::int"


def kind_lock(kind: Kind) -> int:
    """The kind's key in PROMOTE_LOCK_SPACE."""
    return zlib.crc32(kind.name.encode()) & 0x7FFFFFFF  # advisory keys are int4


def lock_file(conn: Connection, file_id: int) -> None:
    """Hold the file's session lock: it is being loaded."""
    conn.execute(f"select pg_advisory_lock({_FILE_KEY})", (FILE_LOCK_SPACE, file_id))


def try_lock_file(conn: Connection, file_id: int) -> bool:
    """Take the file's session lock if no one holds it."""
    row = conn.execute(
        f"select pg_try_advisory_lock({_FILE_KEY})", (FILE_LOCK_SPACE, file_id)
    ).fetchone()
    return bool(row and row[0])


def unlock_file(conn: Connection, file_id: int) -> None:
    conn.execute(f"select pg_advisory_unlock({_FILE_KEY})", (FILE_LOCK_SPACE, file_id))


def lock_promotions(conn: Connection, kind: Kind) -> None:
    """Serialise, until the transaction ends, every change of the kind's current versions."""
    conn.execute(
        "select pg_advisory_xact_lock(%s::int, %s::int)", (PROMOTE_LOCK_SPACE, kind_lock(kind))
    )
