"""Loads a dead process left behind: 'validating' files whose lock nobody holds."""

from __future__ import annotations

from etl.kinds import KINDS
from etl.loading.locks import try_lock_file, unlock_file
from etl.loading.stage import drop_staged
from etl.warehouse import connect


def recover_interrupted(url: str) -> int:
    """Mark files left 'validating' by a dead process as interrupted; drop their staging rows."""
    recovered = 0
    with connect(url, autocommit=True) as conn:
        stale = conn.execute(
            "select file_id, kind from ingest.files where outcome = 'validating'"
        ).fetchall()
        for file_id, kind_name in stale:
            if not try_lock_file(conn, file_id):
                continue  # another process is loading it right now
            try:
                with conn.transaction():
                    drop_staged(conn, KINDS.get(kind_name or ""), file_id)
                    conn.execute(
                        "update ingest.files set outcome = 'interrupted', finished_at = now()"
                        " where file_id = %s and outcome = 'validating'",
                        (file_id,),
                    )
                recovered += 1
            finally:
                unlock_file(conn, file_id)
    return recovered
