"""A real PostgreSQL for the whole session, and a fresh migrated database per test.

The server is the embedded one (started under a temporary DUCHA_HOME) unless
``TEST_DATABASE_URL`` names another; each test gets its own database cloned
from a migrated template, so tests never see each other's rows. The demo returns
are loaded once per worker into a template of their own (``demo_template``), for
the dashboard tests to clone, through the ``make_demo(**overrides)`` factory.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from etl import db
from etl.settings import embedded_url, stop_embedded
from tests.helpers import query, run_cli

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():  # a clone placed elsewhere: ../shared beside the project
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLES = SHARED / "examples"


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (empty, or a copy of ``template``) and return its URL."""
    statement = sql.SQL("create database {}").format(sql.Identifier(name))
    if template is not None:
        statement += sql.SQL(" template {}").format(sql.Identifier(template))
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(statement)
    return _with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, closing whatever is still connected to it."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


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
    url = create_database(server_url, name)
    with psycopg.connect(url) as conn:
        db.upgrade(conn)
    yield name
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def demo_template(
    server_url: str, template_db: str, worker_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database holding the 2006 demo returns, loaded once through the real pipeline.

    Never opened by the tests or the app, only cloned: each module (or test) that
    uses the demo gets a copy of its own.
    """
    from etl.demo import (
        DEMO_AS_OF,
        publish_demo_assessment,
        record_demo_assessment,
        write_demo_returns,
    )
    from etl.load import ingest_files

    name = f"ducha_demo_{worker_id}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name, template=template_db)
    record_demo_assessment(url)
    paths = write_demo_returns(tmp_path_factory.mktemp("demo"))
    reports = ingest_files(url, paths, as_of=DEMO_AS_OF)
    assert [r.file_name for r in reports if r.outcome == "rejected"] == []
    publish_demo_assessment(url)
    yield name
    drop_database(server_url, name)


@pytest.fixture
def blank_database(server_url: str, worker_id: str) -> Iterator[str]:
    """URL of a fresh, empty (unmigrated) database."""
    name = f"ducha_t_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name)
    drop_database(server_url, name)


@pytest.fixture
def warehouse(server_url: str, template_db: str, worker_id: str) -> Iterator[str]:
    """URL of a fresh migrated warehouse for one test."""
    name = f"ducha_t_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=template_db)
    drop_database(server_url, name)


@pytest.fixture
def units_loaded(warehouse: str, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """A warehouse holding the shared examples' units."""
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv")
    assert run.code == 0, run.err
    return warehouse


@pytest.fixture
def loaded(warehouse: str, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """A warehouse holding the shared examples' units and targets."""
    run = run_cli(
        monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv", EXAMPLES / "targets.csv"
    )
    assert run.code == 0, run.err
    return warehouse


@dataclass(frozen=True)
class Demo:
    """A test's own copy of the 2006 demo warehouse; its files are found by name, never by a
    number written into the test."""

    url: str
    demo_files: int  # how many files the demo loaded: later files come after them

    def file_id(self, file_name: str) -> int:
        """The latest file of that name (``employment_2006-Q1.xlsx``)."""
        found = query(
            self.url, "select max(file_id) from ingest.files where file_name = %s", (file_name,)
        )[0][0]
        assert found is not None, f"no file named {file_name!r} in the demo"
        return found

    def later_files(self) -> list[tuple[str, str]]:
        """(file_name, outcome) of the files received after the demo's, in order."""
        return query(
            self.url,
            "select file_name, outcome from ingest.files order by file_id offset %s",
            (self.demo_files,),
        )


@pytest.fixture
def make_demo(server_url: str, demo_template: str, worker_id: str) -> Iterator[Callable[..., Demo]]:
    """``make_demo(**overrides)``: a fresh copy of the demo warehouse for this test alone.

    Overrides: ``requires_approval`` (kinds that need a steward's approval from now on),
    ``returns`` (return files loaded after the demo's) and ``as_of`` (their as-of date,
    the demo's by default). Every copy is dropped when the test ends, and the dashboard's
    cached reads with it.
    """
    from etl.demo import DEMO_AS_OF

    made: list[str] = []

    def make(
        requires_approval: Iterable[str] = (),
        returns: Sequence[Path] = (),
        as_of: date = DEMO_AS_OF,
    ) -> Demo:
        name = f"ducha_demo_{worker_id}_{uuid.uuid4().hex[:10]}"
        url = create_database(server_url, name, template=demo_template)
        made.append(name)
        demo_files = query(url, "select count(*) from ingest.files")[0][0]
        kinds = list(requires_approval)
        if kinds:
            with psycopg.connect(url) as conn:
                conn.execute(
                    "update ingest.kind_settings set requires_approval = true where kind = any(%s)",
                    (kinds,),
                )
        if returns:
            from etl.load import ingest_files

            ingest_files(url, list(returns), as_of=as_of)
        return Demo(url, demo_files)

    yield make
    for name in made:
        drop_database(server_url, name)
    if made:
        import streamlit as st

        st.cache_data.clear()
