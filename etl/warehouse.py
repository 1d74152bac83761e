"""The ETL's one door to the warehouse: every connection the ETL opens, it opens here.

Built from the settings (``Warehouse.from_settings``: ``DATABASE_URL``, or the
embedded server under ``DUCHA_HOME``) or from a URL already resolved. The
dashboard has a door of its own for its reads (dashboard/queries.py). Nothing
connects at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from etl.settings import Settings, WarehouseUnavailable
from etl.settings import connect as _connect

Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Warehouse:
    """The warehouse at ``url``: connections to it, and whether an error is its failing."""

    url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Warehouse:
        return cls(settings.url())

    def connect(self, *, autocommit: bool = False) -> Connection:
        """A new connection; WarehouseUnavailable (a one-line message) when there is none."""
        return _connect(self.url, autocommit=autocommit)

    def fault(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the warehouse failing (not a file): then the whole command stops."""
        if isinstance(
            exc, (psycopg.OperationalError, psycopg.InterfaceError, WarehouseUnavailable)
        ):
            return True
        # Great Expectations and SQLAlchemy wrap a vanished server in errors of their own.
        try:
            self.connect().close()
        except (WarehouseUnavailable, psycopg.Error):
            return True
        return False


def first_value(cursor: psycopg.Cursor[tuple[Any, ...]]) -> Any:
    """The first column of a statement's first row; the statement must return a row."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row[0]


def connect(url: str, *, autocommit: bool = False) -> Connection:
    """A new connection to the warehouse at ``url`` (see Warehouse.connect)."""
    return Warehouse(url).connect(autocommit=autocommit)


def warehouse_fault(url: str, exc: BaseException) -> bool:
    """Whether ``exc`` is the warehouse at ``url`` failing (see Warehouse.fault)."""
    return Warehouse(url).fault(exc)
