"""What the benchmark scripts share: a fresh embedded PostgreSQL, statistics, the machine."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/x.py` from a fresh clone
    sys.path.insert(0, str(ROOT))

from etl.kinds import KINDS  # noqa: E402
from etl.settings import embedded_url, stop_embedded  # noqa: E402


@dataclass(frozen=True)
class Server:
    """A throw-away embedded PostgreSQL and a scratch folder beside it."""

    url: str  # its maintenance database
    scratch: Path

    def database(self, name: str) -> str:
        """Create an empty database (dropping any of that name first) and return its URL."""
        self.drop(name)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return with_database(self.url, name)

    def drop(self, name: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def fresh_server(prefix: str) -> Iterator[Server]:
    """A new embedded PostgreSQL under a temporary DUCHA_HOME, stopped and removed after."""
    scratch = Path(tempfile.mkdtemp(prefix=f"ducha-bench-{prefix}-"))
    home = scratch / "home"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = embedded_url(home)
        yield Server(url=with_database(url, "postgres"), scratch=scratch)
    finally:
        stop_embedded(home)
        shutil.rmtree(scratch, ignore_errors=True)


def ducha() -> list[str]:
    """The installed console command, as a user runs it (else the module)."""
    script = Path(sys.executable).parent / "ducha"
    return [str(script)] if script.exists() else [sys.executable, "-m", "etl.cli"]


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stderr: str


def run_timed(argv: Sequence[str], env: dict[str, str]) -> Timed:
    """Run a command from process start to exit; its wall time and peak resident memory."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), env=env, cwd=ROOT, stdout=err, stderr=err)
        # wait4, not Popen.wait: the kernel's own record of the child's peak RSS.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Timed(seconds, usage.ru_maxrss / 1024, process.returncode, text)


def run(argv: Sequence[str], env: dict[str, str]) -> None:
    """Run a setup command; stop the benchmark with its output if it fails."""
    done = subprocess.run(list(argv), env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def parse_kinds(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """The kinds named in a comma-separated ``--kinds`` value; a usage error for an unknown one."""
    kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    return kinds


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def machine(url: str | None = None) -> str:
    """One line about the machine, Python and (when given) the PostgreSQL server."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024**2:.0f} GB RAM"
    load = ""
    with contextlib.suppress(OSError):
        load = f", load average {os.getloadavg()[0]:.1f}"
    line = f"{cpu}, {os.cpu_count()} cores{memory}{load}; Python {platform.python_version()}"
    if url:
        with psycopg.connect(url) as conn:
            version = conn.execute("show server_version").fetchone()[0]
        line += f"; PostgreSQL {version} (embedded, default settings)"
    return line
