"""Shared test helpers: run the CLI in-process, snapshot the warehouse, write returns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import psycopg

from etl import cli, db

CORE_TABLES = (
    "units",
    "targets",
    "target_progress",
    "employment",
    "disability_aid",
    "supervision",
    "indicators",
    "indicator_figures",
)
MART_VIEWS = (
    "target_completion",
    "employment",
    "disability_aid",
    "supervision_items",
    "supervision_closure",
    "peer_benchmark",
)


@dataclass
class Run:
    code: int
    err: str


def run_cli(monkeypatch, capsys, url: str, *argv: str) -> Run:
    """Run ``ducha ARGV`` against the warehouse at ``url``; return exit code and stderr."""
    monkeypatch.setenv("DATABASE_URL", url)
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return Run(code=code, err=captured.err)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every core row and every mart row: equal snapshots mean nothing changed."""
    found: dict[str, list[tuple]] = {}
    with psycopg.connect(url) as conn:
        for table in CORE_TABLES:
            found[f"core.{table}"] = conn.execute(
                f"select * from core.{table} order by 1, 2"
            ).fetchall()
        for view in MART_VIEWS:
            found[f"mart.{view}"] = sorted(
                conn.execute(f"select * from mart.{view}").fetchall(), key=repr
            )
    return found


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def problems(url: str, file_name: str) -> list[tuple]:
    """(row, column, rule, severity) of the latest file of that name, as stored."""
    return query(
        url,
        "select p.row_no, p.column_name, p.rule, p.severity from ingest.problems p"
        " where p.file_id = (select max(file_id) from ingest.files where file_name = %s)"
        " order by p.row_no nulls first, p.column_name, p.rule",
        (file_name,),
    )


def latest_file_id(url: str, name: str) -> int:
    """The file_id of the latest file of that name."""
    return query(url, "select max(file_id) from ingest.files where file_name = %s", (name,))[0][0]


def apply_first_migrations(conn: psycopg.Connection, count: int) -> None:
    """Make the warehouse an earlier version would have made: the first ``count`` migrations."""
    conn.execute(
        "create table public.ducha_migrations (version text primary key, name text not null,"
        " applied_at timestamptz not null default now())"
    )
    for migration in db.migrations()[:count]:
        conn.execute(migration.path.read_text(encoding="utf-8"))
        conn.execute(
            "insert into public.ducha_migrations (version, name) values (%s, %s)",
            (migration.version, migration.path.name),
        )
    conn.commit()


def insert_unit_row(conn: psycopg.Connection) -> None:
    """One accepted units file holding JD-SY 石羊街道, written as the first schema allows."""
    file_id = conn.execute(
        "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome,"
        " approval) values ('units.csv', repeat('0', 64), 'units', 10, '2006-12-31',"
        " 'accepted', 'approved') returning file_id"
    ).fetchone()[0]
    conn.execute(
        "insert into core.units (file_id, row_no, unit_code, unit_name, unit_type, is_current)"
        " values (%s, 2, 'JD-SY', '石羊街道', 'subdistrict', true)",
        (file_id,),
    )
