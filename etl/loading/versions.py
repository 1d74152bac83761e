"""Which version of each key is current, with the summaries' counts kept in step.

The current version of a key is the latest approved file that holds it; for
periodic kinds the key is (unit_code, period) and the whole slice of that file
is current together (contract §2: a return is the unit's whole report). The
statements are in sql/load/<kind>.sql.
"""

from __future__ import annotations

from psycopg import sql

from etl.kinds import Kind
from etl.loading.statements import run
from etl.warehouse import Connection


def retire_current(conn: Connection, kind: Kind, file_id: int) -> None:
    """Mark not current the current rows of every version key the staged file reports on."""
    run(conn, kind, "retire_current", file_id=file_id)


def refresh_current(conn: Connection, kind: Kind, file_id: int) -> None:
    """Re-decide is_current for every version key that the file touches."""
    # Two statements, the retirements first: "one current version per key" is
    # a unique index for master data, checked row by row as an UPDATE goes.
    run(conn, kind, "refresh_retire", file_id=file_id)
    run(conn, kind, "refresh_make_current", file_id=file_id)
    refresh_derived(conn, kind, file_id)


def refresh_derived(conn: Connection, kind: Kind, file_id: int) -> None:
    """Re-derive the kind's own summaries (``Kind.derived``) where the file's rows changed."""
    for function in kind.derived:
        schema, name = function.split(".")
        conn.execute(sql.SQL("select {}(%s)").format(sql.Identifier(schema, name)), (file_id,))
