"""``ducha remind``: one e-mail digest per responsible unit of its blue, yellow and red items.

What was sent is recorded in ``ingest.reminders`` (one row per item and colour),
so an item is reminded once per colour: a rerun sends nothing new. A unit's rows
are recorded in the same transaction as its message is handed to the server, so
a failed send records nothing. Without ``SMTP_URL`` the digests are written to a
folder as .eml files instead, and nothing is recorded.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg.rows import dict_row

COLOUR_ZH = {
    "red": "红色预警（已超期）",
    "yellow": "黄色预警（进度滞后）",
    "blue": "蓝色预警（临近到期）",
}
COLOUR_ORDER = ("red", "yellow", "blue")
DEFAULT_SENDER = "ducha@localhost"


class MailUnavailable(Exception):
    """The mail server refused or failed; the message is for the user (zh / en)."""


class BadSmtpUrl(ValueError):
    """SMTP_URL cannot be understood; the message is for the user (zh / en)."""


@dataclass(frozen=True)
class SmtpSettings:
    """smtp://user:pass@host:587?starttls=1&from=addr  (smtps:// for TLS from the start)."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    tls: bool
    sender: str

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise BadSmtpUrl(
                "SMTP_URL 应形如 smtp://用户:密码@主机:587?starttls=1 / SMTP_URL must look like"
                " smtp://user:pass@host:587?starttls=1 (or smtps://…)"
            )
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError as exc:
            raise BadSmtpUrl(f"SMTP_URL 端口无效 / SMTP_URL has a bad port: {exc}") from exc
        flag = (query.get("starttls") or ["0"])[0].lower()
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=flag in ("1", "true", "yes"),
            tls=parts.scheme == "smtps",
            sender=(query.get("from") or [DEFAULT_SENDER])[0],
        )


@dataclass
class Digest:
    """One unit's reminder: the (item, colour) pairs not yet reminded."""

    unit_code: str
    unit_name: str
    email: str | None
    items: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {c: sum(i["warning"] == c for i in self.items) for c in COLOUR_ORDER}


# Every warned open item not yet reminded in its present colour, with its unit's contact.
PENDING_SQL = """
select
    warning.item_code,
    warning.title,
    warning.unit_code,
    coalesce(warning.unit_name, warning.unit_code) as unit_name,
    units.email,
    warning.registered_on,
    warning.due_on,
    warning.as_of,
    warning.days_to_due,
    warning.warning
from mart.supervision_warnings as warning
left join mart.units as units on units.unit_code = warning.unit_code
where warning.warning is not null
  and not exists (
      select 1 from ingest.reminders as sent
      where sent.item_code = warning.item_code and sent.colour = warning.warning
  )
order by warning.unit_code, warning.due_on, warning.item_code
"""


def pending_digests(conn: psycopg.Connection) -> list[Digest]:
    digests: dict[str, Digest] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        for row in cur.execute(PENDING_SQL):
            digest = digests.setdefault(
                row["unit_code"], Digest(row["unit_code"], row["unit_name"], row["email"])
            )
            digest.items.append(row)
    return list(digests.values())


def message(digest: Digest, sender: str) -> EmailMessage:
    """The digest as a plain-text e-mail (titles written as they were given)."""
    counts = digest.counts()
    summary = "，".join(f"{COLOUR_ZH[c][:4]}{counts[c]}件" for c in COLOUR_ORDER if counts[c])
    mail = EmailMessage()
    # A name from a file is one line in a header, whatever it held.
    unit_name = " ".join(digest.unit_name.split())
    mail["Subject"] = f"督办事项预警提醒：{unit_name}（{summary}）"
    mail["From"] = sender
    mail["To"] = digest.email or ""
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="ducha")
    lines = [f"{digest.unit_name}：", "", "以下督办事项请抓紧办理并及时反馈办理情况："]
    for colour in COLOUR_ORDER:
        items = [i for i in digest.items if i["warning"] == colour]
        if not items:
            continue
        lines += ["", f"【{COLOUR_ZH[colour]}】{len(items)}件"]
        for item in items:
            if colour == "red":
                when = f"已超期{-item['days_to_due']}天"
            else:
                when = f"距到期{item['days_to_due']}天"
            lines.append(
                f"  {item['item_code']}  {item['title']}  办理时限 {item['due_on']:%Y-%m-%d}（{when}）"
            )
    lines += [
        "",
        "—— 督查 ducha 自动提醒，请勿直接回复。",
        "(ducha: reminders of supervision items)",
    ]
    mail.set_content("\n".join(lines))
    return mail


@dataclass
class RemindResult:
    sent: list[Digest] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    no_address: list[Digest] = field(default_factory=list)


def _record(conn: psycopg.Connection, digest: Digest) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "insert into ingest.reminders (item_code, colour, unit_code, recipient, as_of)"
            " values (%s, %s, %s, %s, %s) on conflict (item_code, colour) do nothing",
            [
                (i["item_code"], i["warning"], digest.unit_code, digest.email, i["as_of"])
                for i in digest.items
            ],
        )


def open_smtp(settings: SmtpSettings, timeout: float = 20) -> smtplib.SMTP:
    """Connect (TLS or STARTTLS) and log in; MailUnavailable on any refusal."""
    try:
        if settings.tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        if settings.starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.username:
            server.login(settings.username, settings.password or "")
    except (OSError, smtplib.SMTPException) as exc:
        raise MailUnavailable(
            f"无法连接邮件服务器 / cannot reach the mail server {settings.host}:{settings.port}:"
            f" {type(exc).__name__}: {exc}"
        ) from exc
    return server


def remind(
    conn: psycopg.Connection,
    smtp: SmtpSettings | None,
    outbox: Path,
    *,
    on_digest: Callable[[str], None] = lambda line: None,
) -> RemindResult:
    """Send (or, without SMTP, write) each unit's digest of what is not yet reminded."""
    result = RemindResult()
    digests = pending_digests(conn)
    conn.commit()
    if smtp is None:
        outbox.mkdir(parents=True, exist_ok=True)
        for digest in digests:
            path = outbox / f"{digest.unit_code}.eml"
            path.write_bytes(bytes(message(digest, DEFAULT_SENDER)))
            result.written.append(path)
            on_digest(f"{digest.unit_code} → {path}")
        return result
    if not any(d.email for d in digests):
        result.no_address = digests
        return result
    server = open_smtp(smtp)
    try:
        for digest in digests:
            if not digest.email:
                result.no_address.append(digest)
                continue
            with conn.transaction():
                _record(conn, digest)
                try:
                    server.send_message(message(digest, smtp.sender))
                except (OSError, smtplib.SMTPException) as exc:
                    raise MailUnavailable(
                        f"邮件发送失败 / sending to {digest.email} failed:"
                        f" {type(exc).__name__}: {exc}"
                    ) from exc
            conn.commit()
            result.sent.append(digest)
            on_digest(f"{digest.unit_code} → {digest.email} ({len(digest.items)})")
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return result
