"""What an inbox may hold besides returns: links, fifos, sockets, folders, lock files, odd names.

Every case goes through both ``ducha ingest`` and ``ducha run --inbox``: nothing
but a regular file is opened, and every name is shown escaped.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
from pathlib import Path

import openpyxl
import pytest

from etl.names import fitted_name, free_name, shown_name
from tests.conftest import EXAMPLES
from tests.helpers import query, run_cli, snapshot, write_csv
from tests.test_run import ducha_process

SUPERVISION_HEADER = ["事项编号", "事项来源", "事项名称", "承办单位", "立项日期", "办理时限"]


def supervision(path: Path, item: str, unit: str = "JD-SY") -> Path:
    """A one-row supervision return (unit NO-SUCH makes it a rejected one)."""
    return write_csv(
        path, SUPERVISION_HEADER, [[item, "city", "标题", unit, "2006-03-01", "2006-06-30"]]
    )


# ----------------------------------------------------------------- names --


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("报表.csv", "报表.csv"),
        ("a\nb.csv", "a\\nb.csv"),
        ("a\r\tb.csv", "a\\r\\tb.csv"),
        ("esc\x1b[31m.csv", "esc\\x1b[31m.csv"),
        ("del\x7f.csv", "del\\x7f.csv"),
        ("nel\x85.csv", "nel\\x85.csv"),
        ("ls\u2028.csv", "ls\\u2028.csv"),
        ("rlo\u202egpj.csv", "rlo\\u202egpj.csv"),
        (os.fsdecode(b"bad\xff\xfe.csv"), "bad\\xff\\xfe.csv"),
        ("back\\slash.csv", "back\\\\slash.csv"),
        ("-dash and space .csv", "-dash and space .csv"),
    ],
)
def test_shown_name_escapes_what_could_forge_a_line(name, shown):
    assert shown_name(name) == shown
    assert "\n" not in shown_name(name) and shown_name(name).encode("utf-8")


def test_a_long_name_is_fitted_keeping_its_extension_and_told_apart():
    first, second = "长" * 90 + "一.csv", "长" * 90 + "二.csv"  # 274 bytes each
    fitted = [fitted_name(n, 243) for n in (first, second)]
    assert [len(os.fsencode(f)) <= 243 for f in fitted] == [True, True]
    assert [f.endswith(".csv") for f in fitted] == [True, True]
    assert fitted[0] != fitted[1]
    assert fitted_name("short.csv", 243) == "short.csv"
    # Cut between characters: the fitted name is still valid UTF-8.
    assert [f.encode("utf-8").decode("utf-8") for f in fitted] == fitted


def test_free_name_leaves_room_for_both_reports_and_never_reuses_a_name(tmp_path):
    name = "长" * 80 + ".csv"  # 244 bytes: fits alone, not with ".report.xlsx"
    assert free_name(tmp_path, name, 0).name == name
    target = free_name(tmp_path, name)
    assert len(os.fsencode(target.name + ".report.xlsx")) <= 255
    target.write_text("x")
    again = free_name(tmp_path, name)
    assert again != target and len(os.fsencode(again.name + ".report.xlsx")) <= 255
    # A stale report under the name it would take is not overwritten either.
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.csv.report.txt").write_text("old")
    assert free_name(other, "a.csv").name.startswith("a.20")
    assert free_name(other, "a.csv", 0).name == "a.csv"


# ------------------------------------------------- links and special files --


@pytest.fixture
def hostile_inbox(tmp_path) -> Path:
    """An inbox with one good return among links, a fifo, a socket, a folder and lock files."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    outside = supervision(tmp_path / "outside.csv", "S-OUT")
    (inbox / "shadow.csv").symlink_to("/etc/shadow")
    (inbox / "outside.csv").symlink_to(outside)
    (inbox / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(inbox / "pipe.csv")
    os.mkfifo(inbox / "fifo\nFORGED.csv")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(inbox / "sock.csv"))
    listener.close()
    (inbox / "sub").mkdir()
    supervision(inbox / "sub" / "deeper.csv", "S-SUB")
    (inbox / "~$units.xlsx").write_bytes(b"\x00" * 162)
    (inbox / "notes.txt").write_text("not a return")
    return inbox


REFUSED = {
    "dangling.csv": "a symbolic link (not followed)",
    "outside.csv": "a symbolic link (not followed)",
    "shadow.csv": "a symbolic link (not followed)",
    "pipe.csv": "a named pipe, fifo (not opened)",
    "fifo\nFORGED.csv": "a named pipe, fifo (not opened)",
    "sock.csv": "a socket (not opened)",
}
PASSED_OVER = {
    "sub": "a folder (folders inside are not searched)",
    "~$units.xlsx": "an Office lock file",
    "notes.txt": "not a return file",
}


def _left_alone(inbox: Path) -> None:
    for name in [*REFUSED, *PASSED_OVER]:
        assert os.path.lexists(inbox / name), name
    assert (inbox / "shadow.csv").is_symlink() and (inbox / "pipe.csv").is_fifo()
    assert (inbox / "sub" / "deeper.csv").exists()


def _said_once_each(err: str, inbox: Path) -> None:
    for name, reason in {**REFUSED, **PASSED_OVER}.items():
        said = [
            line
            for line in err.splitlines()
            if f"跳过 skipped: {shown_name(inbox / name)} — " in line
        ]
        assert len(said) == 1 and reason in said[0], (name, err)


def test_run_opens_only_regular_files_and_leaves_the_rest(warehouse, hostile_inbox):
    process = ducha_process(warehouse, "run", "--inbox", str(hostile_inbox))
    code = process.wait(180)  # a fifo opened for reading would block here for ever
    err = process.stderr.read()
    assert code == 1, err  # links and special files are something to look at
    _said_once_each(err, hostile_inbox)
    assert "Traceback" not in err
    _left_alone(hostile_inbox)
    assert sorted(p.name for p in (hostile_inbox / "processed").iterdir()) == ["units.csv"]
    assert not (hostile_inbox / "rejected").exists()
    assert query(warehouse, "select file_name, outcome from ingest.files") == [
        ("units.csv", "accepted")
    ]
    assert query(warehouse, "select count(*) from core.supervision") == [(0,)]
    assert query(
        warehouse,
        "select status, files_seen, files_accepted, files_rejected, files_skipped,"
        " finished_at is not null from ingest.runs",
    ) == [("succeeded", 1, 1, 0, 9, True)]
    assert not [line for line in err.splitlines() if line.startswith("FORGED")]
    assert query(warehouse, "select file_name, state from ingest.run_files") == [
        ("units.csv", "done")
    ]

    # Said again by the next run (not silently skipped for ever), still left alone.
    again = ducha_process(warehouse, "run", "--inbox", str(hostile_inbox))
    assert again.wait(180) == 1
    _said_once_each(again.stderr.read(), hostile_inbox)
    _left_alone(hostile_inbox)


def test_ingest_of_a_folder_opens_only_regular_files(warehouse, hostile_inbox):
    process = ducha_process(warehouse, "ingest", str(hostile_inbox))
    code = process.wait(180)
    err = process.stderr.read()
    assert code == 1, err
    _said_once_each(err, hostile_inbox)
    assert "✓ 已接收 accepted: units.csv" in err
    _left_alone(hostile_inbox)
    assert query(warehouse, "select file_name from ingest.files") == [("units.csv",)]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_ingest_of_a_link_or_special_file_named_on_the_command_line(warehouse, hostile_inbox, name):
    before = snapshot(warehouse)
    process = ducha_process(
        warehouse, "ingest", str(hostile_inbox / name), str(EXAMPLES / "units.csv")
    )
    code = process.wait(180)
    err = process.stderr.read()
    assert code == 1, err
    assert f"跳过 skipped: {shown_name(hostile_inbox / name)} — " in err and REFUSED[name] in err
    assert "\nFORGED" not in err
    assert "1 files: 1 accepted, 0 rejected；未打开 1 / 1 not opened" in err
    assert query(warehouse, "select file_name from ingest.files") == [("units.csv",)]
    assert snapshot(warehouse)["core.supervision"] == before["core.supervision"]
    assert os.path.lexists(hostile_inbox / name)


def test_ingest_of_only_a_fifo_returns_at_once(warehouse, tmp_path):
    os.mkfifo(tmp_path / "only.csv")
    process = ducha_process(warehouse, "ingest", str(tmp_path / "only.csv"))
    try:
        code = process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    err = process.stderr.read()
    assert code == 1, err
    assert err.strip().splitlines() == [
        f"跳过 skipped: {tmp_path / 'only.csv'} — 命名管道（不打开） / a named pipe, fifo (not opened)"
    ]
    assert query(warehouse, "select count(*) from ingest.files") == [(0,)]


# ------------------------------------------------------------- odd names --

FORGED = "a\n2026-01-01T00:00:00 ducha: ✓ 已接收 accepted: FORGED.csv"
LONG = "长" * 80 + ".csv"  # 244 bytes


def _odd_inbox(folder: Path) -> dict[str, str]:
    """Returns under odd names; {name: 'accepted' | 'rejected'}."""
    folder.mkdir()
    shutil.copy(EXAMPLES / "units.csv", folder / "units.csv")
    wanted = {
        ".hidden.csv": "accepted",
        "..dots.csv": "accepted",
        "-dash.csv": "accepted",
        "with space .csv": "accepted",
        "tab\there.csv": "accepted",
        "esc\x1b[31mred.csv": "rejected",
        FORGED: "rejected",
        os.fsdecode(b"bad\xff.csv"): "rejected",
        LONG: "rejected",
    }
    for number, (name, outcome) in enumerate(wanted.items()):
        unit = "JD-SY" if outcome == "accepted" else "NO-SUCH"
        supervision(folder / name, f"S-{number}", unit)
    return wanted


def _no_raw_names(err: str) -> None:
    assert "\x1b" not in err and "\t" not in err
    for line in err.splitlines():
        if "FORGED" in line:
            assert "a\\n2026-01-01T00:00:00 ducha: ✓ 已接收 accepted: FORGED.csv" in line, line


def test_run_handles_odd_names_and_shows_them_escaped(warehouse, monkeypatch, capsys, tmp_path):
    inbox = tmp_path / "inbox"
    wanted = _odd_inbox(inbox)
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox, "--as-of", "2006-12-31")
    assert run.code == 1, run.err
    _no_raw_names(run.err)
    for name, outcome in wanted.items():
        word = "✓ 已接收 accepted" if outcome == "accepted" else "✗ 已拒收 rejected"
        assert f"{word}: {shown_name(name)} (" in run.err, name
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    processed = {p.name for p in (inbox / "processed").iterdir()}
    assert processed == {"units.csv"} | {n for n, o in wanted.items() if o == "accepted"}
    rejected = sorted(os.fsencode(p.name) for p in (inbox / "rejected").iterdir())
    assert all(len(name) <= 255 for name in rejected)
    short = fitted_name(LONG, 255 - len(".report.xlsx"))
    assert short != LONG and short.endswith(".csv")
    expected = []
    for name in [n for n, o in wanted.items() if o == "rejected" and n != LONG] + [short]:
        expected += [name, f"{name}.report.txt", f"{name}.report.xlsx"]
    assert rejected == sorted(os.fsencode(n) for n in expected)
    # The report of the long name names the file as it was sent.
    text = (inbox / "rejected" / f"{short}.report.txt").read_text("utf-8")
    assert text.splitlines()[0].startswith(f"✗ 已拒收 rejected: {LONG} (")
    forged = (inbox / "rejected" / f"{FORGED}.report.txt").read_text("utf-8")
    assert forged.splitlines()[0].startswith(f"✗ 已拒收 rejected: {shown_name(FORGED)} (")
    book = openpyxl.load_workbook(inbox / "rejected" / f"{FORGED}.report.xlsx")
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    assert shown_name(FORGED) in cells
    assert not [c for c in cells if "\n2026-01-01" in c or "\x1b" in c]
    stored = dict(query(warehouse, "select file_name, outcome from ingest.files"))
    assert stored == {"units.csv": "accepted"} | {shown_name(n): o for n, o in wanted.items()}
    assert query(warehouse, "select status, files_rejected from ingest.runs") == [
        ("rejected_files", 4)
    ]

    # The same long name rejected again gets a name of its own, still fitting.
    supervision(inbox / LONG, "S-AGAIN", "NO-SUCH")
    again = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox)
    assert again.code == 1, again.err
    longs = [p for p in (inbox / "rejected").iterdir() if p.name.startswith("长" * 10)]
    assert len(longs) == 6 and all(len(os.fsencode(p.name)) <= 255 for p in longs)


def test_ingest_handles_odd_names_and_shows_them_escaped(warehouse, monkeypatch, capsys, tmp_path):
    folder = tmp_path / "returns"
    wanted = _odd_inbox(folder)
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", folder, "--as-of", "2006-12-31")
    assert run.code == 1, run.err
    _no_raw_names(run.err)
    for name, outcome in wanted.items():
        word = "✓ 已接收 accepted" if outcome == "accepted" else "✗ 已拒收 rejected"
        assert f"{word}: {shown_name(name)} (" in run.err, name
    assert "共 10 个文件：接收 6，拒收 4 / 10 files: 6 accepted, 4 rejected" in run.err
    stored = dict(query(warehouse, "select file_name, outcome from ingest.files"))
    assert stored == {"units.csv": "accepted"} | {shown_name(n): o for n, o in wanted.items()}


# ----------------------------------------------- any failure, one file --


def _boom_on(monkeypatch, module: str, attribute: str, name: str) -> None:
    """Make ``module.attribute`` raise for the file ``name`` (an unexpected bug, simulated)."""
    import importlib

    target = importlib.import_module(module)
    real = getattr(target, attribute)

    def failing(*args, **kwargs):
        for arg in args:
            path = getattr(arg, "path", arg)
            if isinstance(path, Path) and path.name == name:
                raise RuntimeError("boom\nFORGED line")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, attribute, failing)


@pytest.mark.parametrize(
    ("module", "attribute"),
    [
        ("etl.run", "open_return"),  # reading it for the load order
        ("etl.load", "open_return"),  # reading it to load it
        ("etl.load", "stage_rows"),  # after its ingest.files row exists
    ],
)
def test_an_unexpected_error_rejects_that_file_only(
    warehouse, monkeypatch, capsys, tmp_path, module, attribute
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "units.csv", inbox / "units.csv")
    supervision(inbox / "boom.csv", "S-BOOM")
    supervision(inbox / "fine.csv", "S-FINE")
    _boom_on(monkeypatch, module, attribute, "boom.csv")
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox, "--as-of", "2006-12-31")
    assert run.code == 1, run.err
    assert "boom.csv · 规则 rule internal-error" in run.err
    assert "RuntimeError: boom\\nFORGED line" in run.err
    assert not [line for line in run.err.splitlines() if line.startswith("FORGED")]
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == [
        "boom.csv",
        "boom.csv.report.txt",
        "boom.csv.report.xlsx",
    ]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["fine.csv", "units.csv"]
    assert query(warehouse, "select file_name, outcome from ingest.files order by file_name") == [
        ("boom.csv", "rejected"),
        ("fine.csv", "accepted"),
        ("units.csv", "accepted"),
    ]
    assert query(
        warehouse,
        "select p.rule from ingest.problems p join ingest.files f using (file_id)"
        " where f.file_name = 'boom.csv'",
    ) == [("internal-error",)]
    assert query(warehouse, "select item_code from core.supervision") == [("S-FINE",)]
    assert query(warehouse, "select count(*) from staging.supervision") == [(0,)]
    assert query(warehouse, "select status, files_accepted, files_rejected from ingest.runs") == [
        ("rejected_files", 2, 1)
    ]


def test_reports_that_cannot_be_written_do_not_keep_the_file_in_the_inbox(
    warehouse, monkeypatch, capsys, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    supervision(inbox / "bad.csv", "S-1", "NO-SUCH")
    real_write_text = Path.write_text

    def disk_full(self, *args, **kwargs):
        if self.name.endswith(".report.txt"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_text(self, *args, **kwargs)

    def excel_fails(url, file_id, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", disk_full)
    monkeypatch.setattr("etl.report_export.write_report_xlsx", excel_fails)
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox)
    assert run.code == 1, run.err
    assert "cannot write the report of bad.csv: No space left on device" in run.err
    assert "cannot write the Excel report of bad.csv: OSError:" in run.err
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == ["bad.csv"]
    assert not (inbox / "bad.csv").exists()
    assert query(warehouse, "select status, files_rejected from ingest.runs") == [
        ("rejected_files", 1)
    ]


def test_an_inbox_reached_through_a_link_is_the_operators_choice(
    warehouse, monkeypatch, capsys, tmp_path
):
    real = tmp_path / "real-inbox"
    real.mkdir()
    shutil.copy(EXAMPLES / "units.csv", real / "units.csv")
    (tmp_path / "inbox").symlink_to(real)
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", tmp_path / "inbox")
    assert run.code == 0, run.err
    assert sorted(p.name for p in (real / "processed").iterdir()) == ["units.csv"]
    assert query(warehouse, "select file_name, outcome from ingest.files") == [
        ("units.csv", "accepted")
    ]


def test_an_unexpected_error_through_ingest_rejects_that_file_only(
    warehouse, monkeypatch, capsys, tmp_path
):
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(EXAMPLES / "units.csv", folder / "units.csv")
    supervision(folder / "boom.csv", "S-BOOM")
    supervision(folder / "fine.csv", "S-FINE")
    _boom_on(monkeypatch, "etl.load", "stage_rows", "boom.csv")
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", folder, "--as-of", "2006-12-31")
    assert run.code == 1, run.err
    assert "✗ 已拒收 rejected: boom.csv (supervision 督办事项" in run.err
    assert "boom.csv · 规则 rule internal-error" in run.err
    assert "共 3 个文件：接收 2，拒收 1 / 3 files: 2 accepted, 1 rejected" in run.err
    assert query(warehouse, "select file_name, outcome from ingest.files order by file_name") == [
        ("boom.csv", "rejected"),
        ("fine.csv", "accepted"),
        ("units.csv", "accepted"),
    ]
    assert query(warehouse, "select item_code from core.supervision") == [("S-FINE",)]
    assert query(warehouse, "select count(*) from staging.supervision") == [(0,)]
