"""A real PostgreSQL for the whole session, and a fresh migrated database per test.

The server is the embedded one (started under a temporary DUCHA_HOME) unless
``TEST_DATABASE_URL`` names another; each test gets its own database cloned
from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from etl import db
from etl.settings import embedded_url, stop_embedded

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():  # a clone placed elsewhere: ../shared beside the project
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLES = SHARED / "examples"


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a maintenance database on the test server."""
    external = os.environ.get("TEST_DATABASE_URL", "").strip()
    if external:
        yield external
        return
    # One embedded server per xdist worker, each in its own folder.
    home = tmp_path_factory.mktemp("pg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        url = embedded_url(home)
    yield _with_database(url, "postgres")
    stop_embedded(home)


@pytest.fixture(scope="session")
def template_db(server_url: str, worker_id: str) -> Iterator[str]:
    """A migrated database that each test's database is cloned from."""
    name = f"ducha_tpl_{worker_id}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    with psycopg.connect(_with_database(server_url, name)) as conn:
        db.upgrade(conn)
    yield name
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture
def blank_database(server_url: str, worker_id: str) -> Iterator[str]:
    """URL of a fresh, empty (unmigrated) database."""
    name = f"ducha_t_{worker_id}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield _with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture
def warehouse(server_url: str, template_db: str, worker_id: str) -> Iterator[str]:
    """URL of a fresh migrated warehouse for one test."""
    name = f"ducha_t_{worker_id}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template_db)
            )
        )
    yield _with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
