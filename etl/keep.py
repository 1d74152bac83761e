"""Files as sent (issue 16): every received file's bytes, kept once per SHA-256.

``etl.load.ingest_file`` calls :func:`keep_received` in the transaction that
records the file, so the receipt, the bytes and the file's row commit together
or not at all. Bytes are stored in 1 MiB chunks (sql/migrations/0020).

The total kept is capped by ``DUCHA_KEEP_LIMIT`` (default 20 GB). A file whose
bytes would pass the cap is not kept and therefore not loaded: it is rejected
with a message naming the cap, so nothing the warehouse holds lacks its source
and nothing is dropped silently. At 90 % of the cap, ``ducha ingest`` and
``ducha run`` print a warning line.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg

from etl.report import Problem
from etl.warehouse import first_value

CHANNELS = ("upload", "inbox", "command_line")
CHUNK_BYTES = 1 << 20
DEFAULT_LIMIT = 20 * 10**9  # 20 GB
LIMIT_VARIABLE = "DUCHA_KEEP_LIMIT"
NEAR_FRACTION = 0.9

_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "m": 10**6,
    "mb": 10**6,
    "g": 10**9,
    "gb": 10**9,
    "t": 10**12,
    "tb": 10**12,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "tib": 1 << 40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class KeepLimitInvalid(ValueError):
    """DUCHA_KEEP_LIMIT cannot be read; the message is for the user (zh / en)."""


def parse_size(text: str) -> int:
    """Bytes in ``20GB``, ``500 MB``, ``1.5GiB`` or ``1048576``."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise KeepLimitInvalid(
            f"{LIMIT_VARIABLE} 应为大小，如 20GB、500MB / should be a size such as 20GB or"
            f" 500MB: {text!r}"
        )
    return int(float(match.group(1)) * _UNITS[unit])


def limit_from_env(environ: Mapping[str, str] | None = None) -> int:
    """The cap on the total size of kept files, from ``DUCHA_KEEP_LIMIT``."""
    env = os.environ if environ is None else environ
    text = env.get(LIMIT_VARIABLE, "").strip()
    return parse_size(text) if text else DEFAULT_LIMIT


def human(size: int) -> str:
    """A size for messages: ``19.8 GB``, ``512 KB``, ``12 B``."""
    for unit, factor in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int

    @property
    def fraction(self) -> float:
        return self.used / self.limit if self.limit else 1.0

    @property
    def near(self) -> bool:
        return self.fraction >= NEAR_FRACTION

    def line(self) -> str:
        percent = f"{self.fraction:.0%}"
        return (
            f"⚠ 原始文件存档已用 {percent}（{human(self.used)} / {human(self.limit)}）："
            f"满额后新文件将被拒收，请提高 {LIMIT_VARIABLE} 或扩容 / the archive of files as"
            f" sent is {percent} full ({human(self.used)} of {human(self.limit)}): when full,"
            f" new files are rejected; raise {LIMIT_VARIABLE} or add space"
        )


def usage(conn: psycopg.Connection, limit: int | None = None) -> Usage:
    used = first_value(conn.execute("select coalesce(sum(size_bytes), 0) from ingest.kept_files"))
    return Usage(used=int(used), limit=limit_from_env() if limit is None else limit)


def keep_received(
    conn: psycopg.Connection,
    path: Path,
    sha256: str,
    size: int,
    *,
    channel: str,
    sent_by: str | None = None,
    file_id: int | None = None,
    duplicate_of: int | None = None,
    limit: int | None = None,
    file_name: str | None = None,
) -> list[Problem]:
    """Record a receipt of ``path`` and keep its bytes unless already kept.

    ``file_name`` is the name the file was sent with, when ``path`` is a copy
    saved under another (an upload).

    Runs in the caller's transaction. Returns the reasons the bytes could not
    be kept (the cap, or a file that changed while read): the caller rejects
    such a file. Nothing is written when the caller rolls back.
    """
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}: {channel!r}")
    sent_by = (sent_by or "").strip() or None
    # One round trip: the receipt, whether the bytes are kept, and how much is.
    kept, used = conn.execute(
        "with receipt as (insert into ingest.receipts (file_name, sha256, size_bytes, channel,"
        " sent_by, file_id, duplicate_of) values (%s, %s, %s, %s, %s, %s, %s))"
        " select exists (select 1 from ingest.kept_files where sha256 = %s),"
        " (select coalesce(sum(size_bytes), 0) from ingest.kept_files)",
        (file_name or path.name, sha256, size, channel, sent_by, file_id, duplicate_of, sha256),
    ).fetchone() or (False, 0)
    if kept:
        return []
    now = Usage(used=int(used), limit=limit_from_env() if limit is None else limit)
    if now.used + size > now.limit:
        return [_refused(now, size)]
    try:
        if size <= CHUNK_BYTES:
            _keep_small(conn, path, sha256, size)
        else:
            _keep_bytes(conn, path, sha256, size)
    except _Changed:
        return [
            Problem(
                rule="file-changed",
                source="warehouse",
                message_zh="文件在读取时被修改，请待其写完后重新报送",
                message_en="the file changed while it was being read; send it again once"
                " it is complete",
            )
        ]
    return []


def _keep_small(conn: psycopg.Connection, path: Path, sha256: str, size: int) -> None:
    """Keep a file of one chunk: read and checked first, then both rows in one statement."""
    with path.open("rb") as handle:
        content = handle.read(CHUNK_BYTES + 1)
    if len(content) != size or hashlib.sha256(content).hexdigest() != sha256:
        raise _Changed()
    conn.execute(
        "with kept as (insert into ingest.kept_files (sha256, size_bytes, chunk_count)"
        " values (%s, %s, %s) on conflict do nothing returning sha256)"
        " insert into ingest.kept_chunks (sha256, chunk_no, content)"
        " select sha256, 0, %s from kept where %s",  # an empty file has no chunk
        (sha256, size, 1 if size else 0, content, size > 0),
    )


def _keep_bytes(conn: psycopg.Connection, path: Path, sha256: str, size: int) -> None:
    with conn.transaction():  # a savepoint: a changed file leaves no half-kept bytes
        inserted = conn.execute(
            "insert into ingest.kept_files (sha256, size_bytes, chunk_count)"
            " values (%s, %s, %s) on conflict do nothing returning sha256",
            (sha256, size, -(-size // CHUNK_BYTES)),
        ).fetchone()
        if inserted is None:
            return  # kept meanwhile by a concurrent load of the same bytes
        digest = hashlib.sha256()
        # Binary COPY: bytea as is, not twice its size in hex (a third faster).
        with (
            conn.cursor() as cur,
            cur.copy(
                "copy ingest.kept_chunks (sha256, chunk_no, content) from stdin (format binary)"
            ) as copy,
            path.open("rb") as handle,
        ):
            copy.set_types(["text", "int4", "bytea"])
            chunk_no = 0
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
                copy.write_row((sha256, chunk_no, chunk))
                chunk_no += 1
        if digest.hexdigest() != sha256:
            raise _Changed()


class _Changed(Exception):
    pass


def _refused(now: Usage, size: int) -> Problem:
    return Problem(
        rule="keep-limit",
        source="warehouse",
        message_zh=f"原始文件存档已满（已存 {human(now.used)}，上限 {human(now.limit)}，"
        f"{LIMIT_VARIABLE}）：本文件（{human(size)}）无法保存原件，因此未载入；"
        "请管理员提高上限或扩容后重新报送",
        message_en=f"the archive of files as sent is full ({human(now.used)} kept, limit"
        f" {human(now.limit)}, {LIMIT_VARIABLE}): this file ({human(size)}) cannot be kept as"
        " sent, so it was not loaded; raise the limit or add space, then send it again",
    )


def kept_chunks(conn: psycopg.Connection, sha256: str) -> Iterator[bytes]:
    """The kept bytes of ``sha256``, chunk by chunk (nothing when not kept)."""
    count = conn.execute(
        "select chunk_count from ingest.kept_files where sha256 = %s", (sha256,)
    ).fetchone()
    if count is None:
        return
    for chunk_no in range(count[0]):
        row = conn.execute(
            "select content from ingest.kept_chunks where sha256 = %s and chunk_no = %s",
            (sha256, chunk_no),
        )
        yield bytes(first_value(row))


def kept_bytes(conn: psycopg.Connection, sha256: str) -> bytes | None:
    """The kept bytes of ``sha256`` whole, or None when they were never kept."""
    if not conn.execute("select 1 from ingest.kept_files where sha256 = %s", (sha256,)).fetchone():
        return None
    return b"".join(kept_chunks(conn, sha256))
