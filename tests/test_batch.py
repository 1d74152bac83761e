"""The month-end batch (issue 15): many files loaded together, each still alone in its outcome.

``ducha ingest DIR`` and ``ducha run`` load a folder as a batch (etl.load.ingest_batch):
files are staged together and each kind's suite runs once over them. These tests hold
the batch to the promises of a single load: a bad file is rejected alone with its own
report, the rest load, versioned and recorded; and the warehouse ends exactly as if
the files had been loaded one by one.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from etl import load, validate
from etl.kinds import KINDS
from etl.load import expand_paths, ingest_file, ingest_files, load_order
from etl.report import Report
from etl.validate import batchable
from tests.conftest import EXAMPLES, create_database, drop_database
from tests.helpers import problems, query, run_cli, snapshot, write_csv

AS_OF = date(2006, 12, 31)
EMPLOYMENT = [
    "period",
    "unit_code",
    "area_name",
    "labor_force",
    "employed",
    "zero_employment_households",
    "aid_referrals",
    "aid_placements",
    "graduates_hired",
    "trainees",
    "labor_transferred",
]
AID = ["period", "unit_code", "program", "households", "person_times", "standard_yuan",
       "amount_yuan"]  # fmt: skip
PROGRESS = ["period", "unit_code", "target_code", "actual_value", "note"]
SUPERVISION = ["item_code", "source", "title", "unit_code", "registered_on", "due_on",
               "closed_on", "satisfaction"]  # fmt: skip

# Each file's outcome, worked out by hand from its rows below (load order: units,
# targets, then the returns by name).
OUTCOMES = {
    "units.csv": "accepted",
    "targets.csv": "accepted",
    "aid-JD-SY-05.csv": "accepted_with_warnings",  # row 3: 7 × 100 ≠ 650
    "aid-ZZ-bad.csv": "rejected",  # row 2: unit ZZ-NONE is unknown
    "emp-BM-CZ-05.csv": "accepted",
    "emp-JD-SY-05-bad.csv": "rejected",  # row 3: 900 employed of 800
    "emp-JD-SY-05a.csv": "accepted",
    "emp-JD-SY-05b.csv": "accepted",  # supersedes 05a: same unit and period
    "emp-copy.csv": "duplicate",  # the bytes of emp-BM-CZ-05.csv
    "prog-06.csv": "accepted",
    "prog-bad-number.csv": "rejected",  # row 2: actual_value 'abc'
    "sup-2006.csv": "accepted",
    "sup-2006b.csv": "accepted",
}


def month_end_inbox(folder: Path) -> Path:
    """Master data and eleven small returns, four of them bad or special (see OUTCOMES)."""
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLES / "units.csv", folder)
    shutil.copy(EXAMPLES / "targets.csv", folder)
    write_csv(
        folder / "aid-JD-SY-05.csv",
        AID,
        [
            ["2006-05", "JD-SY", "特困生活补助", 40, 42, 100, "4200.00"],
            ["2006-05", "JD-SY", "辅助器具", 6, 7, 100, "650.00"],
        ],
    )
    write_csv(folder / "aid-ZZ-bad.csv", AID, [["2006-05", "ZZ-NONE", "助学金", 3, 3, 500, "1500"]])
    write_csv(
        folder / "emp-BM-CZ-05.csv",
        EMPLOYMENT,
        [
            ["2006-05", "BM-CZ", "园区一社区", 1000, 950, 2, 10, 8, 1, 20, 5],
            ["2006-05", "BM-CZ", "园区二社区", 500, 480, 0, 4, 4, 0, 10, 2],
        ],
    )
    write_csv(
        folder / "emp-JD-SY-05-bad.csv",
        EMPLOYMENT,
        [
            ["2006-05", "JD-SY", "石羊社区", 1000, 950, 2, 10, 8, 1, 20, 5],
            ["2006-05", "JD-SY", "府城社区", 800, 900, 1, 5, 5, 0, 0, 0],
        ],
    )
    write_csv(
        folder / "emp-JD-SY-05a.csv",
        EMPLOYMENT,
        [["2006-05", "JD-SY", "石羊社区", 1000, 900, 2, 10, 8, 1, 20, 5]],
    )
    write_csv(
        folder / "emp-JD-SY-05b.csv",
        EMPLOYMENT,
        [["2006-05", "JD-SY", "石羊社区", 1000, 960, 2, 12, 9, 1, 20, 5]],
    )
    shutil.copy(folder / "emp-BM-CZ-05.csv", folder / "emp-copy.csv")
    write_csv(
        folder / "prog-06.csv",
        PROGRESS,
        [["2006-06", "BM-CZ", "T-001", "95.5", ""], ["2006-06", "JD-SY", "T-002", "1", ""]],
    )
    write_csv(folder / "prog-bad-number.csv", PROGRESS, [["2006-06", "BM-CZ", "T-001", "abc", ""]])
    write_csv(
        folder / "sup-2006.csv",
        SUPERVISION,
        [
            ["S-1", "市委市政府督办", "园区道路整治", "BM-CZ", "2006-03-02", "2006-04-30",
             "2006-04-12", "满意"],
            ["S-2", "政协委员提案", "交通提案", "JD-SY", "2006-05-08", "2006-08-08", "", ""],
        ],
    )  # fmt: skip
    write_csv(
        folder / "sup-2006b.csv",
        SUPERVISION,
        [["S-3", "人大代表建议", "路灯建议", "ZS-FY", "2006-06-01", "2006-07-01", "", ""]],
    )
    return folder


def ledger(url: str) -> dict[str, list[tuple]]:
    """What the warehouse recorded of each file, without the clock's or sequences' own values."""
    return {
        "files": query(
            url,
            "select file_id, file_name, sha256, kind, size_bytes, outcome, approval, row_count,"
            " error_count, warning_count, as_of, run_id from ingest.files order by file_id",
        ),
        "problems": query(
            url,
            "select file_id, severity, source, row_no, column_name, value, rule, message_zh,"
            " message_en from ingest.problems order by 1, 4 nulls first, 5, 7, 6, 8",
        ),
        "expectations": query(
            url,
            "select file_id, expectation_type, column_name, kwargs::text, severity, success,"
            " element_count, unexpected_count from ingest.expectation_results"
            " order by 1, 2, 3, 4",
        ),
        "receipts": query(
            url,
            "select file_name, sha256, size_bytes, channel, sent_by, file_id, duplicate_of"
            " from ingest.receipts order by receipt_id",
        ),
        "kept": query(url, "select sha256, size_bytes from ingest.kept_files order by 1"),
        "slices": query(url, "select * from ingest.slices order by 1, 2, 3, 4"),
        "coverage": query(url, "select * from ingest.file_coverage order by 1, 2, 3"),
    }


def flat(reports: list[Report]) -> list[tuple]:
    return [
        (
            r.file_name,
            r.outcome,
            r.file_id,
            r.row_count,
            r.duplicate_of,
            r.approval,
            [(p.row, p.column, p.rule, p.severity, p.value, p.message_en) for p in r.problems],
            [(e.expectation_type, e.column, e.success, e.unexpected_count) for e in r.expectations],
        )
        for r in reports
    ]


@pytest.fixture
def second_warehouse(server_url: str, template_db: str, worker_id: str):
    name = f"ducha_t_{worker_id}_batch_one_by_one"
    yield create_database(server_url, name, template=template_db)
    drop_database(server_url, name)


def test_batch_loads_exactly_as_one_by_one(warehouse, second_warehouse, tmp_path):
    inbox = month_end_inbox(tmp_path / "inbox")
    batched = ingest_files(warehouse, [inbox], as_of=AS_OF)
    alone = [
        ingest_file(second_warehouse, path, as_of=AS_OF)
        for path in load_order(expand_paths([inbox]))
    ]

    assert {r.file_name: r.outcome for r in batched} == OUTCOMES
    assert flat(batched) == flat(alone)
    assert snapshot(warehouse) == snapshot(second_warehouse)
    assert ledger(warehouse) == ledger(second_warehouse)


def test_a_bad_file_is_rejected_alone_with_its_own_report(warehouse, tmp_path):
    inbox = month_end_inbox(tmp_path / "inbox")
    reports = {r.file_name: r for r in ingest_files(warehouse, [inbox], as_of=AS_OF)}

    assert [(p.row, p.column, p.rule) for p in reports["emp-JD-SY-05-bad.csv"].errors] == [
        (3, "employed", "employed-le-labor-force")
    ]
    assert [(p.row, p.column, p.rule) for p in reports["aid-ZZ-bad.csv"].errors] == [
        (2, "unit_code", "unknown-unit")
    ]
    assert [(p.row, p.column, p.rule) for p in reports["prog-bad-number.csv"].errors] == [
        (2, "actual_value", "type-number")
    ]
    assert [(p.row, p.column, p.rule) for p in reports["aid-JD-SY-05.csv"].warnings] == [
        (3, "amount_yuan", "amount-mismatch")
    ]
    # Each good file's rows are in core and current; the bad ones left nothing there.
    assert query(
        warehouse,
        "select unit_code, area_name, labor_force, employed, aid_referrals, aid_placements"
        " from mart.employment order by unit_code, area_name",
    ) == [
        ("BM-CZ", "园区一社区", 1000, 950, 10, 8),
        ("BM-CZ", "园区二社区", 500, 480, 4, 4),
        ("JD-SY", "石羊社区", 1000, 960, 12, 9),  # 05b, the later version
    ]
    # The earlier version stays in history, not current.
    assert query(
        warehouse,
        "select f.file_name, e.employed, e.is_current from core.employment e"
        " join ingest.files f using (file_id) where e.unit_code = 'JD-SY' order by e.file_id",
    ) == [("emp-JD-SY-05a.csv", 900, False), ("emp-JD-SY-05b.csv", 960, True)]
    assert query(
        warehouse, "select unit_code, program, households, person_times from mart.disability_aid"
        " order by program",
    ) == [("JD-SY", "特困生活补助", 40, 42), ("JD-SY", "辅助器具", 6, 7)]  # fmt: skip
    assert query(warehouse, "select count(*) from core.employment where unit_code = 'ZZ-NONE'") == [
        (0,)
    ]
    # Recorded: every file received has a row, its problems and a receipt.
    assert problems(warehouse, "emp-JD-SY-05-bad.csv") == [
        (3, "employed", "employed-le-labor-force", "error")
    ]
    assert query(warehouse, "select count(*) from ingest.receipts") == [(len(OUTCOMES),)]
    assert reports["emp-copy.csv"].duplicate_of == reports["emp-BM-CZ-05.csv"].file_id
    # Nothing is left staged or locked.
    assert query(warehouse, "select count(*) from ingest.files where outcome = 'validating'") == [
        (0,)
    ]
    assert query(
        warehouse,
        "select count(*) from pg_class where relnamespace = 'staging'::regnamespace"
        " and relname ~ '_f[0-9]+$'",
    ) == [(0,)]  # a file's own staging partition (etl.loading.stage.staged_table)
    for kind in ("units", "targets", "employment", "disability_aid", "target_progress"):
        assert query(warehouse, f"select count(*) from staging.{kind}") == [(0,)], kind


def test_run_rejects_a_bad_file_alone(warehouse, monkeypatch, capsys, tmp_path):
    inbox = month_end_inbox(tmp_path / "inbox")
    run = run_cli(monkeypatch, capsys, warehouse, "run", "--inbox", inbox, "--as-of", "2006-12-31")

    assert run.code == 1, run.err
    rejected = sorted(name for name, outcome in OUTCOMES.items() if outcome == "rejected")
    assert sorted(p.name for p in (inbox / "rejected").glob("*.csv")) == rejected
    assert sorted(p.name for p in (inbox / "processed").glob("*.csv")) == sorted(
        set(OUTCOMES) - set(rejected)
    )
    report = (inbox / "rejected" / "emp-JD-SY-05-bad.csv.report.txt").read_text(encoding="utf-8")
    assert "emp-JD-SY-05-bad.csv" in report and "employed" in report and "900" in report
    assert "石羊" not in report  # its own report: nothing of the other files
    assert query(
        warehouse,
        "select files_seen, files_accepted, files_rejected, files_duplicate, rows_loaded, status"
        " from ingest.runs",
    ) == [(13, 9, 3, 1, 3 + 2 + 2 + 2 + 1 + 1 + 2 + 2 + 1, "rejected_files")]
    assert query(warehouse, "select distinct state from ingest.run_files") == [("done",)]


def test_the_batch_ends_before_bytes_it_may_make_a_duplicate(warehouse, tmp_path, monkeypatch):
    """A batch of one file at a time gives the same outcomes (the batch size is no verdict)."""
    monkeypatch.setattr(load, "BATCH_FILES", 1)
    inbox = month_end_inbox(tmp_path / "inbox")
    reports = ingest_files(warehouse, [inbox], as_of=AS_OF)
    assert {r.file_name: r.outcome for r in reports} == OUTCOMES


def test_only_suites_whose_rules_are_monotone_run_over_many_files():
    """The 对标 growth check looks up last year's figure among its batch's rows: another
    file's rows could change its verdict, so indicator figures are validated file by file."""
    assert {name for name, kind in KINDS.items() if not batchable(kind)} == {"indicator_figures"}


def test_an_error_validating_one_file_of_a_batch_rejects_that_file_only(
    warehouse, tmp_path, monkeypatch
):
    """Every group check failing sends each file to be validated alone; one of them fails."""
    runner = validate._SuiteRunner
    real_failing = runner.failing

    def no_group(self, file_ids):
        raise RuntimeError("a group check that cannot run")

    def failing(self, file_id):
        name = query(warehouse, "select file_name from ingest.files where file_id = %s", (file_id,))
        if name == [("emp-JD-SY-05a.csv",)]:
            raise RuntimeError("boom")
        return real_failing(self, file_id)

    monkeypatch.setattr(runner, "all_pass", no_group)
    monkeypatch.setattr(runner, "failing", failing)
    inbox = month_end_inbox(tmp_path / "inbox")
    reports = {r.file_name: r for r in ingest_files(warehouse, [inbox], as_of=AS_OF)}

    assert {name: r.outcome for name, r in reports.items()} == OUTCOMES | {
        "emp-JD-SY-05a.csv": "rejected"
    }
    assert [p.rule for p in reports["emp-JD-SY-05a.csv"].errors] == ["internal-error"]
    assert "boom" in reports["emp-JD-SY-05a.csv"].errors[0].message_en
    assert [(p.row, p.column, p.rule) for p in reports["emp-JD-SY-05-bad.csv"].errors] == [
        (3, "employed", "employed-le-labor-force")
    ]
