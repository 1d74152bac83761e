"""The load's per-kind statements, read from sql/load/<kind>.sql (written by etl/sqlgen.py)."""

from __future__ import annotations

import functools
import re
from typing import Any

from etl.db import LOAD_DIR
from etl.kinds import Kind
from etl.warehouse import Connection

_NAME = re.compile(r"^-- name: ([a-z_]+)$", re.MULTILINE)


@functools.cache
def statements(kind_name: str) -> dict[str, str]:
    """Each ``-- name: x`` section of sql/load/<kind>.sql, by name."""
    text = (LOAD_DIR / f"{kind_name}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    # parts: [header, name, body, name, body, …]
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def run(conn: Connection, kind: Kind, name: str, **params: Any) -> list[tuple[Any, ...]]:
    """Execute the kind's statement ``name`` with its parameters bound; the rows it returns."""
    cursor = conn.execute(statements(kind.name)[name], params)
    return cursor.fetchall() if cursor.description is not None else []
