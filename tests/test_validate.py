"""validate_staged: a file's staged rows against its GX suite and the warehouse."""

from __future__ import annotations

import socket
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from etl.kinds import KINDS
from etl.report import Problem
from etl.validate import PROBLEMS_PER_RULE, _gx_connection_string, validate_staged

AS_OF = date(2006, 12, 31)

# Two valid rows per kind, against a warehouse that knows units U01 and U02 and
# the 2006 target T01 (responsible unit U01). Staged as rows 2 and 3.
VALID: dict[str, list[dict[str, Any]]] = {
    "units": [
        {
            "unit_code": "JD-SY",
            "unit_name": "石羊街道",
            "unit_type": "subdistrict",
            "email": "shiyang@example.cn",
        },
        {"unit_code": "BM-CZ", "unit_name": "财政局", "unit_type": "department", "email": None},
    ],
    "targets": [
        {
            "year": 2006,
            "target_code": "T-001",
            "target_name": "全社会固定资产投资",
            "source": "city",
            "unit_code": "U01",
            "measure": "亿元",
            "planned_value": Decimal("180"),
            "direction": "higher",
            "weight": Decimal("8"),
        },
        {
            "year": 2006,
            "target_code": "T-002",
            "target_name": "生产安全事故死亡人数",
            "source": "provincial",
            "unit_code": "U02",
            "measure": "人",
            "planned_value": Decimal("3"),
            "direction": "lower",
            "weight": None,
        },
    ],
    "target_progress": [
        {
            "period": "2006-06",
            "unit_code": "U01",
            "target_code": "T01",
            "actual_value": Decimal("95.5"),
            "note": None,
        },
        {
            "period": "2006-Q3",
            "unit_code": "U01",
            "target_code": "T01",
            "actual_value": Decimal("0"),
            "note": "按季",
        },
    ],
    "employment": [
        {
            "period": "2006-Q2",
            "unit_code": "U01",
            "area_name": "芳草社区",
            "labor_force": 100,
            "employed": 100,
            "zero_employment_households": 0,
            "aid_referrals": 10,
            "aid_placements": 10,
            "graduates_hired": None,
            "trainees": 0,
            "labor_transferred": None,
        },
        {
            "period": "2006-Q2",
            "unit_code": "U01",
            "area_name": "石羊集中居住区",
            "labor_force": 0,
            "employed": 0,
            "zero_employment_households": 2,
            "aid_referrals": 0,
            "aid_placements": 0,
            "graduates_hired": 3,
            "trainees": 40,
            "labor_transferred": 5,
        },
    ],
    "disability_aid": [
        {
            "period": "2006-05",
            "unit_code": "U01",
            "program": "特困生活补助",
            "households": 40,
            "person_times": 42,
            "standard_yuan": Decimal("100"),
            "amount_yuan": Decimal("4200.00"),
        },
        {
            "period": "2006-05",
            "unit_code": "U02",
            "program": "辅助器具",
            "households": 6,
            "person_times": 6,
            "standard_yuan": None,
            "amount_yuan": Decimal("3150.5"),
        },
    ],
    "supervision": [
        {
            "item_code": "S-2006-001",
            "source": "city",
            "title": "天府软件园整改",
            "unit_code": "U01",
            "registered_on": date(2006, 3, 2),
            "due_on": date(2006, 4, 30),
            "closed_on": date(2006, 4, 12),
            "satisfaction": "satisfied",
        },
        {
            "item_code": "S-2006-002",
            "source": "cppcc",
            "title": "关于改善园区交通的提案",
            "unit_code": "U02",
            "registered_on": date(2006, 5, 8),
            "due_on": date(2006, 5, 8),
            "closed_on": None,
            "satisfaction": None,
        },
    ],
}


def _new_file(conn: psycopg.Connection, kind: str) -> int:
    return conn.execute(
        "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of)"
        " values (%s, 'test', %s, 0, %s) returning file_id",
        (f"{kind}.csv", kind, AS_OF),
    ).fetchone()[0]


def _stage(url: str, kind: str, rows: list[dict[str, Any]], first_row: int = 2) -> int:
    """COPY rows into staging.<kind> under a new file, committed; return the file_id."""
    columns = list(KINDS[kind].column_names)
    with psycopg.connect(url) as conn:
        file_id = _new_file(conn, kind)
        names = ["file_id", "row_no", *columns] + (["as_of"] if kind == "supervision" else [])
        statement = sql.SQL("copy {} ({}) from stdin").format(
            sql.Identifier("staging", kind), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with conn.cursor().copy(statement) as copy:
            for row_no, row in enumerate(rows, start=first_row):
                extra = (AS_OF,) if kind == "supervision" else ()
                copy.write_row((file_id, row_no, *(row[c] for c in columns), *extra))
    return file_id


@pytest.fixture
def url(warehouse: str) -> str:
    """The warehouse with its master data: units U01, U02 and the 2006 target T01."""
    with psycopg.connect(warehouse) as conn:
        master = _new_file(conn, "units")
        conn.execute(
            "insert into core.units (file_id, row_no, unit_code, unit_name, unit_type, is_current)"
            " values (%s, 2, 'U01', '芳草街道', 'subdistrict', true),"
            "        (%s, 3, 'U02', '发展改革局', 'department', true),"
            "        (%s, 4, 'U03', '撤销单位', 'department', false)",
            (master, master, master),
        )
        # core.targets is partitioned by year (sql/migrations/0090): the load makes
        # a year's partition, a row written straight into core needs it made first.
        conn.execute("select core.add_year_partitions('core.targets', array[2006])")
        conn.execute(
            "insert into core.targets (file_id, row_no, year, target_code, target_name, source,"
            " unit_code, measure, planned_value, direction, is_current)"
            " values (%s, 2, 2006, 'T01', '招商引资', 'city', 'U01', '万元', 100, 'higher', true)",
            (master,),
        )
    return warehouse


def _validate(url: str, kind: str, rows: list[dict[str, Any]]) -> list[Problem]:
    problems, _ = validate_staged(url, KINDS[kind], _stage(url, kind, rows))
    return problems


def _flat(problems: list[Problem], severity: str = "error") -> list[tuple]:
    return [p.flat() for p in problems if p.severity == severity]


def _rows(kind: str, **changes: Any) -> list[dict[str, Any]]:
    """The kind's valid rows with changes to the first row (row 2)."""
    rows = [dict(row) for row in VALID[kind]]
    rows[0].update(changes)
    return rows


@pytest.mark.parametrize("kind", VALID)
def test_valid_rows_have_no_problems(url, kind):
    problems, outcomes = validate_staged(url, KINDS[kind], _stage(url, kind, VALID[kind]))
    assert problems == []
    assert outcomes and all(o.success for o in outcomes)
    assert {o.element_count for o in outcomes} == {2}


# (case, kind, changes to row 2, expected errors as (row, column, rule)). Row 3 is
# left valid; duplicate cases copy its key into row 2, so both rows must be reported.
BAD_ROWS = [
    ("null-required", "supervision", {"title": None}, [(2, "title", "required")]),
    ("null-number", "employment", {"labor_force": None}, [(2, "labor_force", "required")]),
    ("bad-enum", "supervision", {"source": "mayor"}, [(2, "source", "enum")]),
    ("bad-optional-enum", "supervision", {"satisfaction": "满意吗"}, [(2, "satisfaction", "enum")]),
    ("regex", "units", {"unit_code": "jd sy"}, [(2, "unit_code", "pattern")]),
    ("bad-email", "units", {"email": "shiyang@example"}, [(2, "email", "pattern")]),
    ("title-501", "supervision", {"title": "督" * 501}, [(2, "title", "max-length")]),
    ("negative", "employment", {"trainees": -3}, [(2, "trainees", "minimum")]),
    ("planned-value-0", "targets", {"planned_value": Decimal(0)}, [(2, "planned_value", "minimum")]),
    ("standard-0", "disability_aid", {"standard_yuan": Decimal(0), "amount_yuan": Decimal(0)}, [(2, "standard_yuan", "minimum")]),
    ("year-low", "targets", {"year": 1999}, [(2, "year", "minimum")]),
    ("year-high", "targets", {"year": 2101}, [(2, "year", "maximum")]),
    ("three-decimals", "disability_aid", {"amount_yuan": Decimal("4200.001")}, [(2, "amount_yuan", "max-decimals")]),
    ("employed-gt-labor-force", "employment", {"employed": 101}, [(2, "employed", "employed-le-labor-force")]),
    ("placements-gt-referrals", "employment", {"aid_placements": 11}, [(2, "aid_placements", "placements-le-referrals")]),
    ("person-times-lt-households", "disability_aid", {"person_times": 39, "standard_yuan": None}, [(2, "person_times", "person-times-ge-households")]),
    ("due-before-registered", "supervision", {"due_on": date(2006, 3, 1)}, [(2, "due_on", "due-on-ge-registered-on")]),
    ("closed-before-registered", "supervision", {"closed_on": date(2006, 3, 1)}, [(2, "closed_on", "closed-on-ge-registered-on")]),
    ("closed-after-as-of", "supervision", {"closed_on": date(2007, 1, 5)}, [(2, "closed_on", "closed-on-le-as-of")]),
    ("duplicate-item-code", "supervision", {"item_code": "S-2006-002"}, [(2, "item_code", "unique"), (3, "item_code", "unique")]),
    ("duplicate-unit-name", "units", {"unit_name": "财政局"}, [(2, "unit_name", "unique"), (3, "unit_name", "unique")]),
    ("duplicate-area", "employment", {"area_name": "石羊集中居住区"}, [(2, "area_name", "unique-together"), (3, "area_name", "unique-together")]),
    ("duplicate-target", "targets", {"target_code": "T-002"}, [(2, "target_code", "unique-together"), (3, "target_code", "unique-together")]),
    ("unknown-unit", "employment", {"unit_code": "U99"}, [(2, "unit_code", "unknown-unit")]),
    ("retired-unit", "supervision", {"unit_code": "U03"}, [(2, "unit_code", "unknown-unit")]),
    ("unknown-target", "target_progress", {"target_code": "T99"}, [(2, "target_code", "unknown-target")]),
    ("target-of-other-year", "target_progress", {"period": "2007-06"}, [(2, "target_code", "unknown-target")]),
    ("not-responsible-unit", "target_progress", {"unit_code": "U02"}, [(2, "unit_code", "not-responsible-unit")]),
    ("bad-period", "employment", {"period": "2006-13"}, [(2, "period", "period-format")]),
    ("progress-bad-period", "target_progress", {"period": "06/2006"}, [(2, "period", "period-format")]),
    ("period-not-month", "disability_aid", {"period": "2006-Q2"}, [(2, "period", "period-month")]),
    ("amount-mismatch", "disability_aid", {"amount_yuan": Decimal("4200.02")}, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "changes", "expected"),
    [case[1:] for case in BAD_ROWS],
    ids=[case[0] for case in BAD_ROWS],
)
def test_bad_rows_are_reported_with_row_column_and_rule(url, kind, changes, expected):
    assert _flat(_validate(url, kind, _rows(kind, **changes))) == expected


def test_amount_mismatch_is_only_a_warning(url):
    problems = _validate(
        url, "disability_aid", _rows("disability_aid", amount_yuan=Decimal("4200.02"))
    )
    assert _flat(problems, "error") == []
    assert _flat(problems, "warning") == [(2, "amount_yuan", "amount-mismatch")]
    assert problems[0].value == "4200.02"
    assert "4200" in problems[0].message_en and "0.01" in problems[0].message_zh


def test_amount_within_a_cent_is_fine(url):
    rows = _rows("disability_aid", amount_yuan=Decimal("4200.01"))
    assert _validate(url, "disability_aid", rows) == []


def test_title_of_500_characters_is_fine(url):
    assert _validate(url, "supervision", _rows("supervision", title="督" * 500)) == []


def test_problem_names_value_and_rule_in_both_languages(url):
    [problem] = _validate(url, "employment", _rows("employment", trainees=-3))
    assert problem == Problem(
        rule="minimum",
        message_zh="值 -3 小于最小值 0",
        message_en="value -3 is below the minimum 0",
        row=2,
        column="trainees",
        value="-3",
        severity="error",
        source="expectation",
    )


def test_warehouse_problems_are_marked_as_such(url):
    [problem] = _validate(url, "target_progress", _rows("target_progress", unit_code="U02"))
    assert (problem.source, problem.value) == ("warehouse", "U02")
    assert "U01" in problem.message_zh and "U01" in problem.message_en


def test_pair_problem_shows_both_values(url):
    [problem] = _validate(url, "employment", _rows("employment", employed=101))
    assert problem.value == "101"
    assert "101 <= 100" in problem.message_en


def test_missing_cell_is_not_also_a_pair_problem(url):
    rows = _rows("supervision", registered_on=None)
    assert _flat(_validate(url, "supervision", rows)) == [(2, "registered_on", "required")]


def test_outcome_per_expectation_with_true_counts(url):
    rows = [dict(VALID["units"][0], unit_code=f"u{i}", unit_name=f"单位{i}") for i in range(250)]
    problems, outcomes = validate_staged(url, KINDS["units"], _stage(url, "units", rows))
    # Capped per rule, but the outcome keeps how many rows really failed.
    assert len(problems) == PROBLEMS_PER_RULE
    assert [p.row for p in problems] == list(range(2, 2 + PROBLEMS_PER_RULE))
    failed = [o for o in outcomes if not o.success]
    assert [(o.expectation_type, o.column, o.unexpected_count) for o in failed] == [
        ("expect_column_values_to_match_regex", "unit_code", 250)
    ]
    assert all(o.element_count == 250 for o in outcomes)
    assert len(outcomes) == 8  # 7 for code, name and type; the e-mail's pattern


def test_duplicates_are_capped_but_counted(url):
    rows = [dict(VALID["units"][0], unit_name=f"单位{i}") for i in range(250)]
    problems, outcomes = validate_staged(url, KINDS["units"], _stage(url, "units", rows))
    assert len(problems) == PROBLEMS_PER_RULE
    [failed] = [o for o in outcomes if not o.success]
    assert (failed.column, failed.unexpected_count) == ("unit_code", 250)


def test_only_the_files_own_rows_are_checked(url):
    _stage(url, "supervision", _rows("supervision", source="mayor", unit_code="U99"))
    # Same item codes in another file are not duplicates of this one's.
    assert _validate(url, "supervision", VALID["supervision"]) == []


def test_empty_file_passes_vacuously(url):
    problems, outcomes = validate_staged(url, KINDS["employment"], _stage(url, "employment", []))
    assert problems == []
    assert all(o.success and o.element_count == 0 for o in outcomes)


def test_file_id_must_be_an_integer(url):
    with pytest.raises(TypeError):
        validate_staged(url, KINDS["units"], "1 or 1=1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_staged(url, KINDS["units"], True)


def test_gx_is_quiet_offline_and_writes_nothing(url, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    # libpq connects in C; anything going through Python's sockets would be GX phoning out.
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    capfd.readouterr()
    problems = _validate(url, "supervision", _rows("supervision", source="mayor"))
    assert _flat(problems) == [(2, "source", "enum")]
    assert attempts == []
    assert list(tmp_path.iterdir()) == []
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://postgres:@/ducha?host=/tmp/x/pgdata",
            "postgresql+psycopg://postgres:@localhost/ducha?host=/tmp/x/pgdata",
        ),
        (
            "postgresql://postgres@127.0.0.1:5432/test",
            "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        ),
        (
            "postgres://ducha:s%40cret@db.example:6543/wh?sslmode=require",
            "postgresql+psycopg://ducha:s%40cret@db.example:6543/wh?sslmode=require",
        ),
        ("postgresql:///ducha", "postgresql+psycopg://localhost/ducha?host=/run/postgresql"),
    ],
)
def test_gx_connection_string(given, expected):
    # Compared parsed: SQLAlchemy may percent-encode the socket path, which libpq decodes.
    assert make_url(_gx_connection_string(given, "/run/postgresql")) == make_url(expected)
