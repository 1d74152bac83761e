"""The embedded PostgreSQL's first start is safe when several processes start at once.

Test workers, a dashboard and a scheduled run may all be the first to start a
server on a fresh machine (etl.settings: one machine-wide start lock, the
system user created under it). Each test here starts real processes together.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import psycopg

from etl.settings import embedded_url, stop_embedded
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]

# Waits for the starting gun (a file), then starts the server of its home and
# prints the data directory the server it reached is using.
CHILD = """
import sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import psycopg
from etl.settings import embedded_url
gun = Path(sys.argv[2])
while not gun.exists():
    time.sleep(0.01)
url = embedded_url(Path(sys.argv[1]))
with psycopg.connect(url) as conn:
    print(conn.execute("select current_setting('data_directory')").fetchone()[0])
"""


def _env_without_database() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    return env


def test_processes_starting_servers_at_once_all_get_one(tmp_path):
    homes = [tmp_path / "a", tmp_path / "b", tmp_path / "c", tmp_path / "c"]  # two share c
    gun = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(home), str(gun)],
            cwd=ROOT,
            env=_env_without_database(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for home in homes
    ]
    try:
        time.sleep(3)  # every child imported and waiting
        gun.touch()
        results = [(child.wait(300), *child.communicate()) for child in children]
        assert [code for code, _, _ in results] == [0, 0, 0, 0], results
        assert [Path(out.strip()) for _, out, _ in results] == [
            (home / "pgdata").resolve() for home in homes
        ]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        for home in set(homes):
            stop_embedded(home)
    assert [(home / "pgdata" / "postmaster.pid").exists() for home in set(homes)] == [False] * 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dashboard_and_a_run_starting_together_on_a_fresh_home(tmp_path):
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    port = _free_port()
    env = dict(_env_without_database(), DUCHA_HOME=str(home))
    command = [sys.executable, "-m", "etl.cli"]
    dashboard_log = (tmp_path / "dashboard.log").open("w")
    dashboard = subprocess.Popen(
        [*command, "dashboard", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=dashboard_log,
        stderr=subprocess.STDOUT,
    )
    run = subprocess.Popen(
        [*command, "run", "--inbox", str(inbox)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.wait(300) == 0, run.stderr.read()
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as answer:
                    health = answer.read().decode()
            except OSError:
                assert dashboard.poll() is None, (tmp_path / "dashboard.log").read_text()
                time.sleep(0.5)
        assert health == "ok"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = embedded_url(home)  # the one server both started
        with psycopg.connect(url) as conn:
            loaded = conn.execute("select file_name, outcome from ingest.files").fetchall()
            runs = conn.execute("select status from ingest.runs").fetchall()
        assert loaded == [("units.csv", "accepted")]
        assert runs == [("succeeded",)]
        assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["units.csv"]
    finally:
        for process in (dashboard, run):
            if process.poll() is None:
                process.kill()
                process.wait(30)
        dashboard_log.close()
        stop_embedded(home)
