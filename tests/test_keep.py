"""Files as sent (issue 16): every received file's bytes kept once per hash, with its receipts.

The expected hashes are computed here with hashlib from the files on disk, never
read from the code under test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest
import streamlit as st

from dashboard import queries
from etl import db, keep
from etl.demo import DEMO_AS_OF
from etl.load import ingest_files
from etl.run import run_inbox
from tests.apptest import access
from tests.conftest import EXAMPLES
from tests.helpers import latest_file_id, query, run_cli, snapshot, write_csv
from tests.test_dashboard_steward import bad_employment_return, employment_return, open_page


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def receipts(url: str) -> list[tuple]:
    return query(
        url,
        "select file_name, sha256, channel, sent_by, file_id, duplicate_of"
        " from ingest.receipts order by receipt_id",
    )


def kept(url: str) -> dict[str, tuple[int, int]]:
    """sha256 → (size_bytes, chunk_count) of every kept file."""
    rows = query(url, "select sha256, size_bytes, chunk_count from ingest.kept_files")
    return {h: (size, chunks) for h, size, chunks in rows}


def download(monkeypatch, capsys, url: str, file_id: int, out: Path) -> Path:
    run = run_cli(monkeypatch, capsys, url, "original", str(file_id), "-o", out)
    assert run.code == 0, run.err
    return out


def test_every_file_is_kept_as_sent_and_downloads_with_the_same_hash(
    warehouse, monkeypatch, capsys, tmp_path
):
    sent = [EXAMPLES / "units.csv", EXAMPLES / "targets.csv", EXAMPLES / "employment_2006-Q2.xlsx"]
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", *sent)
    assert run.code == 0, run.err
    for path in sent:
        file_id = latest_file_id(warehouse, path.name)
        back = download(monkeypatch, capsys, warehouse, file_id, tmp_path / f"back_{path.name}")
        assert sha(back) == sha(path)
        assert back.read_bytes() == path.read_bytes()
    assert kept(warehouse) == {sha(p): (p.stat().st_size, 1) for p in sent}
    assert [(name, channel, sent_by) for name, _, channel, sent_by, *_ in receipts(warehouse)] == [
        ("units.csv", "command_line", None),
        ("targets.csv", "command_line", None),
        ("employment_2006-Q2.xlsx", "command_line", None),
    ]


def test_rejected_and_duplicate_files_are_kept_once_with_a_receipt_each(
    units_loaded, monkeypatch, capsys, tmp_path
):
    bad = write_csv(tmp_path / "units_bad.csv", ["unit_code", "unit_name"], [["x", "无类别"]])
    assert run_cli(monkeypatch, capsys, units_loaded, "ingest", bad).code == 1
    bad_id = latest_file_id(units_loaded, "units_bad.csv")
    back = download(monkeypatch, capsys, units_loaded, bad_id, tmp_path / "back.csv")
    assert sha(back) == sha(bad)

    units = EXAMPLES / "units.csv"
    first_id = latest_file_id(units_loaded, "units.csv")
    before = snapshot(units_loaded)
    run = run_cli(monkeypatch, capsys, units_loaded, "ingest", units)
    assert run.code == 0, run.err
    assert snapshot(units_loaded) == before  # a duplicate still changes no figure
    assert receipts(units_loaded) == [
        ("units.csv", sha(units), "command_line", None, first_id, None),
        ("units_bad.csv", sha(bad), "command_line", None, bad_id, None),
        ("units.csv", sha(units), "command_line", None, None, first_id),
    ]
    assert kept(units_loaded) == {
        sha(units): (units.stat().st_size, 1),
        sha(bad): (bad.stat().st_size, 1),
    }


def test_a_file_of_several_chunks_comes_back_whole(warehouse, monkeypatch, capsys, tmp_path):
    big = tmp_path / "big.csv"
    # Not a return at all (rejected), 2.5 chunks long, bytes of every value.
    data = bytes(range(256)) * (keep.CHUNK_BYTES * 5 // 2 // 256) + b"tail"
    big.write_bytes(data)
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", big).code == 1
    assert kept(warehouse) == {hashlib.sha256(data).hexdigest(): (len(data), 3)}
    back = download(
        monkeypatch, capsys, warehouse, latest_file_id(warehouse, "big.csv"), tmp_path / "b"
    )
    assert back.read_bytes() == data


def test_an_inbox_run_and_an_upload_say_how_the_file_came(demo_copy, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sent = employment_return(inbox / "employment_2006-Q4_更正.csv", employed_change=3)
    digest = sha(sent)
    result = run_inbox(demo_copy, inbox, as_of=DEMO_AS_OF)
    assert result.rejected == 0
    bad = bad_employment_return(tmp_path / "bad.csv")
    reports = queries.ingest_uploads(
        access(demo_copy), [(bad.name, bad.read_bytes())], as_of=DEMO_AS_OF, sent_by="石羊街道 张三"
    )
    assert [r.outcome for r in reports] == ["rejected"]
    assert [(r[0], r[1], r[2], r[3]) for r in receipts(demo_copy)[-2:]] == [
        (sent.name, digest, "inbox", None),
        ("bad.csv", sha(bad), "upload", "石羊街道 张三"),
    ]
    name, kept_sha, size = queries.original(access(demo_copy), reports[0].file_id)
    assert (name, kept_sha, size) == ("bad.csv", sha(bad), bad.stat().st_size)
    assert hashlib.sha256(queries.original_bytes(access(demo_copy), kept_sha)).hexdigest() == sha(
        bad
    )


def test_over_the_limit_a_file_is_rejected_and_nothing_is_loaded(
    warehouse, monkeypatch, capsys, tmp_path
):
    units = EXAMPLES / "units.csv"
    before = snapshot(warehouse)
    monkeypatch.setenv("DUCHA_KEEP_LIMIT", str(units.stat().st_size - 1))
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", units)
    assert run.code == 1
    assert "原始文件存档已满" in run.err and "archive of files as sent is full" in run.err
    assert "DUCHA_KEEP_LIMIT" in run.err
    assert snapshot(warehouse) == before
    assert kept(warehouse) == {}
    assert query(warehouse, "select outcome from ingest.files") == [("rejected",)]
    assert query(warehouse, "select rule, severity from ingest.problems") == [
        ("keep-limit", "error")
    ]
    # Raised to exactly what the file needs: kept, loaded, and the warning at 100 %.
    monkeypatch.setenv("DUCHA_KEEP_LIMIT", str(units.stat().st_size))
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", units)
    assert run.code == 0, run.err
    assert "原始文件存档已用 100%" in run.err and "is 100% full" in run.err
    assert kept(warehouse) == {sha(units): (units.stat().st_size, 1)}


def test_the_near_full_warning_starts_at_90_percent(warehouse, monkeypatch, capsys):
    units = EXAMPLES / "units.csv"  # 116 bytes
    size = units.stat().st_size
    monkeypatch.setenv("DUCHA_KEEP_LIMIT", str(size * 10 // 9 + 1))  # just under 90 % used
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", units)
    assert run.code == 0 and "⚠" not in run.err
    with psycopg.connect(warehouse) as conn:
        assert keep.usage(conn, size * 10 // 9).near  # at or over 90 %
        assert not keep.usage(conn, size * 10 // 9 + 1).near


@pytest.mark.parametrize("value", ["lots", "-5GB", "20 parsecs", "1e9"])
def test_a_bad_limit_is_a_usage_error_and_changes_nothing(warehouse, monkeypatch, capsys, value):
    before = snapshot(warehouse)
    monkeypatch.setenv("DUCHA_KEEP_LIMIT", value)
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv")
    assert run.code == 2
    assert "DUCHA_KEEP_LIMIT" in run.err and "20GB" in run.err
    assert snapshot(warehouse) == before
    assert query(warehouse, "select count(*) from ingest.files") == [(0,)]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("20GB", 20_000_000_000),
        ("500 MB", 500_000_000),
        ("1.5GiB", 1_610_612_736),
        ("1048576", 1_048_576),
        ("64k", 64_000),
        ("2tb", 2_000_000_000_000),
    ],
)
def test_limit_sizes(text, size):
    assert keep.parse_size(text) == size


def test_limit_default_is_20_gb():
    assert keep.limit_from_env({}) == 20_000_000_000
    assert keep.limit_from_env({"DUCHA_KEEP_LIMIT": " "}) == 20_000_000_000


def test_unknown_and_unkept_files_cannot_be_downloaded(
    blank_database, monkeypatch, capsys, tmp_path
):
    # A warehouse of before migration 0020: its files were never kept.
    with psycopg.connect(blank_database) as conn:
        conn.execute(
            "create table public.ducha_migrations (version text primary key, name text not null,"
            " applied_at timestamptz not null default now())"
        )
        earlier = [m for m in db.migrations() if m.version < "0020"]
        for migration in earlier:
            conn.execute(migration.path.read_text(encoding="utf-8"))
            conn.execute(
                "insert into public.ducha_migrations (version, name) values (%s, %s)",
                (migration.version, migration.path.name),
            )
        conn.commit()
    assert run_cli(monkeypatch, capsys, blank_database, "ingest", EXAMPLES / "units.csv").code == 0
    # ingest upgraded the warehouse first, so this file is kept; make one as an old version did.
    query(
        blank_database,
        "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome)"
        " values ('old.csv', repeat('a', 64), 'units', 5, '2006-12-31', 'rejected')"
        " returning file_id",
    )
    old_id = latest_file_id(blank_database, "old.csv")
    run = run_cli(
        monkeypatch, capsys, blank_database, "original", str(old_id), "-o", tmp_path / "o"
    )
    assert run.code == 2 and "未保存" in run.err and "was not kept as sent" in run.err
    assert not (tmp_path / "o").exists()
    run = run_cli(monkeypatch, capsys, blank_database, "original", "999999", "-o", tmp_path / "o")
    assert run.code == 2 and "no file #999999" in run.err


def test_the_three_steward_pages_offer_the_file_as_sent(monkeypatch, demo_copy):
    file_id = latest_file_id(demo_copy, "employment_2006-Q1.xlsx")
    label = "下载原始文件（按收到时原样）"
    at = open_page(monkeypatch, demo_copy, "report", params={"file": str(file_id)})
    assert label in [b.label for b in at.get("download_button")]
    at = open_page(monkeypatch, demo_copy, "inbox")
    assert label in [b.label for b in at.get("download_button")]
    at = open_page(monkeypatch, demo_copy, "versions")
    assert label in [b.label for b in at.get("download_button")]
    # A file whose bytes were never kept says so instead.
    query(demo_copy, "delete from ingest.kept_files returning 1")
    st.cache_data.clear()
    at = open_page(monkeypatch, demo_copy, "report", params={"file": str(file_id)})
    assert label not in [b.label for b in at.get("download_button")]
    assert any("无法下载原始文件" in c.value for c in at.caption)


@pytest.fixture
def demo_copy(make_demo) -> str:
    return make_demo().url


def test_demo_files_are_all_kept(demo_copy, tmp_path):
    from etl.demo import write_demo_returns

    paths = write_demo_returns(tmp_path)
    assert set(kept(demo_copy)) == {sha(p) for p in paths}
    # Loading them again: duplicates, one more receipt each, nothing kept twice.
    reports = ingest_files(demo_copy, paths, as_of=DEMO_AS_OF)
    assert {r.outcome for r in reports} == {"duplicate"}
    assert len(receipts(demo_copy)) == 2 * len(paths)
    assert len(kept(demo_copy)) == len(paths)


def test_a_file_that_changed_since_it_was_hashed_is_not_kept(warehouse, tmp_path):
    path = tmp_path / "growing.csv"
    path.write_bytes(b"unit_code,unit_name,unit_type\r\n")
    stale = hashlib.sha256(b"what it held when hashed").hexdigest()
    with psycopg.connect(warehouse) as conn:
        file_id = conn.execute(
            "insert into ingest.files (file_name, sha256, size_bytes, as_of)"
            " values ('growing.csv', %s, 24, '2006-12-31') returning file_id",
            (stale,),
        ).fetchone()[0]
        problems = keep.keep_received(
            conn, path, stale, 24, channel="inbox", file_id=file_id, limit=10**6
        )
        assert [(p.rule, p.severity) for p in problems] == [("file-changed", "error")]
        conn.commit()
    assert kept(warehouse) == {}
    assert query(warehouse, "select count(*) from ingest.kept_chunks") == [(0,)]
    assert [r[2] for r in receipts(warehouse)] == ["inbox"]
