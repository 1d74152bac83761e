"""`ducha run --inbox DIR`: scheduled runs that never overlap and never half-load."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import openpyxl
import psycopg
import pytest

from etl import db
from etl.cli import EXIT_BUSY
from etl.generate import write_supervision
from etl.kinds import KINDS
from etl.loading.locks import PROMOTE_LOCK_SPACE, kind_lock
from etl.settings import embedded_url, stop_embedded
from tests.conftest import EXAMPLES
from tests.helpers import query, run_cli, write_csv

ROOT = Path(__file__).resolve().parents[1]
BIG_ROWS = 150_000  # large enough that a run is caught in the middle of the file


def ducha_process(url: str, *argv: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen(
        [sys.executable, "-m", "etl.cli", *argv],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def wait_for(condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def validating(url: str, file_name: str = "big.csv") -> bool:
    return bool(
        query(
            url,
            "select 1 from ingest.files where outcome = 'validating' and file_name = %s",
            (file_name,),
        )
    )


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_run_loads_moves_and_records(warehouse, monkeypatch, capsys, inbox):
    write_csv(
        inbox / "zz_bad_supervision.csv",
        [
            "事项编号",
            "事项来源",
            "事项名称",
            "承办单位",
            "立项日期",
            "办理时限",
            "办结日期",
            "反馈意见",
        ],
        [["S-1", "city", "标题", "NO-SUCH", "2006-03-01", "2006-06-30", "", ""]],
    )
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox, "--as-of", "2006-12-31")
    assert run.code == 1, run.err
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(
        p.name for p in EXAMPLES.iterdir()
    )
    rejected = sorted(p.name for p in (inbox / "rejected").iterdir())
    assert rejected == [
        "zz_bad_supervision.csv",
        "zz_bad_supervision.csv.report.txt",
        "zz_bad_supervision.csv.report.xlsx",
    ]
    text = (inbox / "rejected" / "zz_bad_supervision.csv.report.txt").read_text(encoding="utf-8")
    assert "row 2" in text and "unit_code" in text
    # The Excel report sent back to the unit lists the rejected rows.
    book = openpyxl.load_workbook(inbox / "rejected" / "zz_bad_supervision.csv.report.xlsx")
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "NO-SUCH" in cells
    runs = query(
        warehouse,
        "select status, files_seen, files_accepted, files_rejected, rows_loaded,"
        " finished_at is not null from ingest.runs",
    )
    assert runs == [("rejected_files", 7, 6, 1, 12, True)]
    linked = query(warehouse, "select count(*) from ingest.files where run_id is not null")
    assert linked == [(7,)]

    # A second run finds an empty inbox and succeeds doing nothing.
    again = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox)
    assert again.code == 0
    assert query(warehouse, "select status, files_seen from ingest.runs order by run_id")[-1] == (
        "succeeded",
        0,
    )


def test_same_file_name_again_is_kept_apart(warehouse, monkeypatch, capsys, inbox):
    assert run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox).code == 0
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    assert run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox).code == 0
    names = sorted(p.name for p in (inbox / "processed").iterdir() if p.name.startswith("units"))
    assert len(names) == 2 and "units.csv" in names  # the second copy got a timestamped name


def _waiting_for_a_lock(url: str) -> bool:
    return bool(
        query(
            url,
            "select 1 from pg_locks as l join pg_database as d on d.oid = l.database"
            " where l.locktype = 'advisory' and not l.granted"
            " and d.datname = current_database()",
        )
    )


def test_a_run_started_while_another_loads_exits_busy_and_touches_nothing(warehouse, tmp_path):
    """The second run finds the first's lock and leaves at once, loading nothing.

    The first run is held in the middle of the supervision file (this test holds
    the lock that serialises promotions of that kind), so the second starts while
    the file is still in the inbox, not yet committed. Without the run lock it
    would load that file too: exit 0 or 1 rather than 75, and a second run row.
    """
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    shutil.copy(EXAMPLES / "supervision_2006.csv", inbox / "supervision_2006.csv")
    with psycopg.connect(warehouse, autocommit=True) as holder:
        key = (PROMOTE_LOCK_SPACE, kind_lock(KINDS["supervision"]))
        holder.execute("select pg_advisory_lock(%s::int, %s::int)", key)
        first = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
        # Generous: on a loaded machine a run's start (imports, units.csv) took over 60 s.
        wait_for(
            lambda: _waiting_for_a_lock(warehouse),
            timeout=300,
            what="the first run to reach the lock",
        )
        second = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
        second_code, second_err = second.wait(120), second.stderr.read()
        assert first.poll() is None, "the first run was still loading when the second gave up"
        holder.execute("select pg_advisory_unlock(%s::int, %s::int)", key)
    assert second_code == EXIT_BUSY, second_err
    assert first.wait(300) == 0, first.stderr.read()
    assert query(warehouse, "select run_id, status, files_accepted from ingest.runs") == [
        (1, "succeeded", 2)
    ]
    assert query(
        warehouse, "select file_name, outcome, run_id from ingest.files order by file_id"
    ) == [("units.csv", "accepted", 1), ("supervision_2006.csv", "accepted", 1)]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [
        "supervision_2006.csv",
        "units.csv",
    ]


def test_a_killed_run_is_closed_and_its_file_rejected_unread_then_loaded_when_put_back(
    warehouse, monkeypatch, capsys, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv").code == 0
    write_supervision(inbox / "big.csv", BIG_ROWS, ["JD-SY", "BM-CZ"])
    shutil.copy(EXAMPLES / "supervision_2006.csv", inbox / "zz_small.csv")

    process = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
    wait_for(lambda: validating(warehouse), what="the run to be in the middle of big.csv")
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert query(warehouse, "select count(*) from core.supervision") == [(0,)]
    assert (inbox / "big.csv").exists()
    assert query(warehouse, "select state, file_name from ingest.run_files order by 2") == [
        ("reading", "big.csv"),
        ("waiting", "zz_small.csv"),
    ]

    # The next run closes the dead one and does not read big.csv again: the
    # process died holding it, so it may be a file that kills every run.
    again = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
    code, err = again.wait(300), again.stderr.read()
    assert code == 1, err
    assert "big.csv · 规则 rule stopped-a-run" in err
    assert "this file stopped an earlier run (#1, started " in err
    assert "✓ 已接收 accepted: zz_small.csv" in err
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == [
        "big.csv",
        "big.csv.report.txt",
        "big.csv.report.xlsx",
    ]
    assert "stopped-a-run" in (inbox / "rejected" / "big.csv.report.txt").read_text("utf-8")
    statuses = query(warehouse, "select run_id, status, finished_at is not null from ingest.runs")
    assert sorted(statuses) == [(1, "interrupted", True), (2, "rejected_files", True)]
    outcomes = query(
        warehouse,
        "select file_name, outcome, kind, run_id from ingest.files where run_id is not null"
        " order by file_id",
    )
    assert outcomes == [
        ("big.csv", "interrupted", "supervision", 1),
        ("big.csv", "rejected", None, 2),
        ("zz_small.csv", "accepted", "supervision", 2),
    ]
    assert query(warehouse, "select count(*) from staging.supervision") == [(0,)]
    assert query(
        warehouse, "select run_id, state, file_id is not null from ingest.run_files order by 1, 2"
    ) == [(1, "reported", True), (1, "waiting", False), (2, "done", True)]
    assert query(warehouse, "select count(*) from core.supervision where file_id <= 2") == [(0,)]

    # Put back, the same bytes are tried once more: a sound file then loads.
    shutil.move(inbox / "rejected" / "big.csv", inbox / "big.csv")
    third = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
    assert third.wait(300) == 0, third.stderr.read()
    loaded = query(
        warehouse,
        "select count(*) from core.supervision where file_id ="
        " (select file_id from ingest.files where file_name = 'big.csv' and outcome = 'accepted')",
    )
    assert loaded == [(BIG_ROWS,)]
    assert query(warehouse, "select status from ingest.runs where run_id = 3") == [("succeeded",)]


# A run whose reader aborts the process on one file, as a native reader can
# (python-calamine on a hostile workbook: exit 134, no Python cleanup at all).
ABORTING_RUN = """
import os, sys
from pathlib import Path
import etl.load, etl.readers, etl.run
real = etl.readers.open_return
def aborting(path, kind=None):
    if Path(path).name == "a_poison.csv":
        os.abort()
    return real(path, kind)
etl.run.open_return = etl.load.open_return = aborting
from etl.cli import main
sys.exit(main(sys.argv[1:]))
"""


def aborting_run(url: str, inbox: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ABORTING_RUN, "run", "--inbox", str(inbox), "--as-of", "2006-12-31"],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_file_that_kills_the_process_kills_one_run_only(warehouse, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    shutil.copy(EXAMPLES / "supervision_2006.csv", inbox / "z_fine.csv")
    (inbox / "a_poison.csv").write_bytes(b"unit_code,unit_name\nX,Y\n")

    first = aborting_run(warehouse, inbox)
    assert first.returncode == -signal.SIGABRT, first.stderr
    assert sorted(p.name for p in inbox.iterdir()) == ["a_poison.csv", "units.csv", "z_fine.csv"]
    assert query(warehouse, "select status from ingest.runs") == [("running",)]

    # The same reader again: had the poison been read, this run would die too.
    second = aborting_run(warehouse, inbox)
    assert second.returncode == 1, second.stderr
    assert "a_poison.csv · 规则 rule stopped-a-run" in second.stderr
    assert "✓ 已接收 accepted: units.csv" in second.stderr
    assert "✓ 已接收 accepted: z_fine.csv" in second.stderr
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == [
        "a_poison.csv",
        "a_poison.csv.report.txt",
        "a_poison.csv.report.xlsx",
    ]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["units.csv", "z_fine.csv"]
    assert query(warehouse, "select run_id, status from ingest.runs order by 1") == [
        (1, "interrupted"),
        (2, "rejected_files"),
    ]
    assert query(
        warehouse, "select file_name, outcome, run_id from ingest.files order by file_id"
    ) == [("a_poison.csv", "rejected", 2), ("units.csv", "accepted", 2),
          ("z_fine.csv", "accepted", 2)]  # fmt: skip
    assert query(warehouse, "select count(*) from mart.supervision_items") == [(2,)]

    third = aborting_run(warehouse, inbox)
    assert third.returncode == 0, third.stderr
    assert query(warehouse, "select status from ingest.runs where run_id = 3") == [("succeeded",)]


def test_a_run_stopped_by_sigterm_is_closed_and_the_next_loads_its_file(
    warehouse, monkeypatch, capsys, tmp_path
):
    """A stop (systemd, docker) is not a crash: the file in hand is not taken for a poison."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv").code == 0
    write_supervision(inbox / "big.csv", BIG_ROWS, ["JD-SY", "BM-CZ"])

    process = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
    wait_for(lambda: validating(warehouse), what="the run to be in the middle of big.csv")
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 130, process.stderr.read()
    assert "interrupted" in process.stderr.read()
    assert (inbox / "big.csv").exists()
    assert query(warehouse, "select status, finished_at is not null from ingest.runs") == [
        ("interrupted", True)
    ]
    assert query(warehouse, "select state from ingest.run_files") == [("stopped",)]

    again = ducha_process(warehouse, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
    assert again.wait(300) == 0, again.stderr.read()
    assert query(warehouse, "select count(*) from mart.supervision_items") == [(BIG_ROWS,)]
    assert query(
        warehouse, "select outcome from ingest.files where file_name = 'big.csv' order by file_id"
    ) == [("interrupted",), ("accepted",)]


def test_the_warehouse_going_away_mid_run_is_a_clear_error(tmp_path):
    # A server of its own, so the test can stop it under the run.
    home = tmp_path / "own-pg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        url = embedded_url(home)
    try:
        with psycopg.connect(url) as conn:
            db.upgrade(conn)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
        write_supervision(inbox / "big.csv", BIG_ROWS, ["JD-SY", "BM-CZ"])
        process = ducha_process(url, "run", "--inbox", str(inbox), "--as-of", "2006-12-31")
        wait_for(lambda: validating(url), what="the run to be in the middle of big.csv")
        stop_embedded(home, mode="immediate")
        code = process.wait(120)
        err = process.stderr.read()
        assert code == 3, err
        assert "Traceback" not in err
        assert "warehouse" in err.splitlines()[-1]
        assert (inbox / "big.csv").exists()
        assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["units.csv"]
    finally:
        stop_embedded(home)


def test_template_command_writes_a_template_with_known_units(
    warehouse, monkeypatch, capsys, tmp_path
):
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv").code == 0
    out = tmp_path / "督办事项模板.xlsx"
    run = run_cli(monkeypatch, capsys, warehouse, "template", "督办事项", "-o", out)
    assert run.code == 0, run.err
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "督办事项"
    assert [c.value for c in sheet[1]][:3] == ["事项编号", "事项来源", "事项名称"]
    formulas = " ".join(str(v.formula1) for v in sheet.data_validations.dataValidation)
    lists = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )
    assert "JD-SY" in formulas or "JD-SY" in lists
