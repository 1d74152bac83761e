"""督查通报 issues: drafts, numbering per (kind, year) and the archive of what was issued.

A published issue is kept as its bytes with their SHA-256 (``ingest.bulletins``);
asking for it again serves those bytes, never a new render, so a bulletin reads
as it was sent whatever the data says later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from etl import documents
from etl.documents import BULLETIN_KINDS, DocumentError, Period
from etl.warehouse import first_value

# Publishing takes this lock (with the kind) so two stewards never get one number.
PUBLISH_LOCK = 0x62756C6C  # "bull"


@dataclass(frozen=True)
class Issue:
    """One rendered issue: a draft, or what the archive holds."""

    kind: str
    period: str
    year: int
    issue_no: int
    files: dict[str, bytes]
    published: bool
    published_by: str | None = None
    published_at: datetime | None = None

    def sha256(self, fmt: str) -> str:
        return hashlib.sha256(self.files[fmt]).hexdigest()


def check_kind(kind: str) -> None:
    if kind not in BULLETIN_KINDS:
        raise DocumentError(documents.unknown_kind_message(kind))


def published(conn: psycopg.Connection, kind: str, period: str) -> Issue | None:
    """The archived issue of (kind, period), if one was published."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "select year, issue_no, pdf, docx, published_by, published_at"
            " from ingest.bulletins where kind = %s and period = %s",
            (kind, period),
        ).fetchone()
    if row is None:
        return None
    return Issue(
        kind=kind,
        period=period,
        year=row["year"],
        issue_no=row["issue_no"],
        files={"pdf": bytes(row["pdf"]), "docx": bytes(row["docx"])},
        published=True,
        published_by=row["published_by"],
        published_at=row["published_at"],
    )


def next_issue_no(conn: psycopg.Connection, kind: str, year: int) -> int:
    issue_no: int = first_value(
        conn.execute(
            "select coalesce(max(issue_no), 0) + 1 from ingest.bulletins where kind = %s and year = %s",
            (kind, year),
        )
    )
    return issue_no


def draft_requirements(conn: psycopg.Connection, kind: str, period: str) -> str:
    """The steward's 工作要求 saved for an unpublished issue ('' when none)."""
    row = conn.execute(
        "select requirements from ingest.bulletin_drafts where kind = %s and period = %s",
        (kind, period),
    ).fetchone()
    return row[0] if row else ""


def save_requirements(
    conn: psycopg.Connection, kind: str, period_text: str, text: str, by: str
) -> None:
    """Keep the steward's 工作要求 for the issue of (kind, period)."""
    check_kind(kind)
    period = Period.parse(period_text)
    if not by.strip():
        raise DocumentError("请填写修改人 / say who changed the requirements")
    with conn.transaction():
        conn.execute(
            "insert into ingest.bulletin_drafts (kind, period, requirements, changed_by)"
            " values (%s, %s, %s, %s) on conflict (kind, period) do update set"
            " requirements = excluded.requirements, changed_by = excluded.changed_by,"
            " changed_at = now()",
            (kind, period.text, text, by.strip()),
        )
    conn.commit()


def gather_draft(
    conn: psycopg.Connection,
    kind: str,
    period_text: str,
    *,
    requirements: str | None = None,
    issued_on: date | None = None,
) -> documents.Bulletin:
    """The next issue of (kind, period) as it would read if published now."""
    check_kind(kind)
    period = Period.parse(period_text)
    text = draft_requirements(conn, kind, period.text) if requirements is None else requirements
    return documents.gather(
        conn,
        kind,
        period,
        issue_no=next_issue_no(conn, kind, period.year),
        requirements=text,
        issued_on=issued_on or date.today(),
        draft=True,
    )


def issue(
    conn: psycopg.Connection,
    kind: str,
    period_text: str,
    formats: tuple[str, ...] = ("pdf", "docx"),
    *,
    requirements: str | None = None,
) -> Issue:
    """The published issue's archived bytes, else a draft rendered now."""
    check_kind(kind)
    period = Period.parse(period_text)
    archived = published(conn, kind, period.text)
    if archived is not None:
        return archived
    bulletin = gather_draft(conn, kind, period.text, requirements=requirements)
    return Issue(
        kind=kind,
        period=period.text,
        year=period.year,
        issue_no=bulletin.issue_no,
        files=documents.render(bulletin, formats),
        published=False,
    )


def publish(
    conn: psycopg.Connection,
    kind: str,
    period_text: str,
    by: str,
    *,
    requirements: str | None = None,
) -> Issue:
    """Number, render and archive the issue of (kind, period); once only."""
    check_kind(kind)
    period = Period.parse(period_text)
    if not by.strip():
        raise DocumentError("请填写发布人 / say who publishes the bulletin")
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (PUBLISH_LOCK, kind))
        if published(conn, kind, period.text) is not None:
            raise DocumentError(
                f"{period.text} 的{BULLETIN_KINDS[kind]}已发布，不能重复发布 / the {kind} bulletin"
                f" of {period.text} is already published: download the archived issue"
            )
        text = draft_requirements(conn, kind, period.text) if requirements is None else requirements
        bulletin = documents.gather(
            conn,
            kind,
            period,
            issue_no=next_issue_no(conn, kind, period.year),
            requirements=text,
            issued_on=date.today(),
            draft=False,
        )
        files = documents.render(bulletin)
        conn.execute(
            "insert into ingest.bulletins (kind, year, issue_no, period, requirements, pdf,"
            " pdf_sha256, docx, docx_sha256, published_by) values (%s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s)",
            (
                kind,
                period.year,
                bulletin.issue_no,
                period.text,
                bulletin.requirements,
                files["pdf"],
                hashlib.sha256(files["pdf"]).hexdigest(),
                files["docx"],
                hashlib.sha256(files["docx"]).hexdigest(),
                by.strip(),
            ),
        )
    conn.commit()
    archived = published(conn, kind, period.text)
    assert archived is not None
    return archived


def archive(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every published issue, newest first, without its bytes."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "select bulletin_id, kind, year, issue_no, period, published_by, published_at,"
            " pdf_sha256, docx_sha256, length(pdf) as pdf_bytes, length(docx) as docx_bytes"
            " from ingest.bulletins order by published_at desc, bulletin_id desc"
        ).fetchall()
