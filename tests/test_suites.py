"""The committed GX suites are exactly what etl/suites.py derives from etl/kinds.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl import suites
from etl.kinds import KINDS, Kind

ROOT = Path(__file__).resolve().parents[1]


def _rules(kind: Kind) -> set[tuple[str, str]]:
    """(rule, column) of every expectation in the kind's committed suite."""
    return {
        (e["meta"]["rule"], e["meta"]["column"])
        for e in suites.load_suite_dict(kind)["expectations"]
    }


def _rules_kinds_asks_for(kind: Kind) -> set[tuple[str, str]]:
    """(rule, column) that kinds.py's description of the kind calls for."""
    wanted = set()
    for column in kind.columns:
        name = column.name
        checks = {
            "required": column.required,
            "enum": column.enum is not None,
            "pattern": column.regex is not None,
            "period-format": column.type == "period",
            "period-month": column.period_granularity == "month",
            "max-length": column.max_length is not None,
            "minimum": column.minimum is not None,
            "maximum": column.maximum is not None,
            "max-decimals": column.max_decimals is not None,
            "unique": column.unique,
        }
        wanted |= {(rule, name) for rule, applies in checks.items() if applies}
    wanted |= {("unique-together", key[-1]) for key in kind.unique_together}
    wanted |= {(rule.slug, rule.column_a) for rule in kind.pair_rules}
    return wanted


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_committed_suite_equals_derived(kind):
    committed = suites.suite_path(kind).read_text(encoding="utf-8")
    assert committed == suites.render(kind), "run: python -m etl.suites --write"


def test_no_stray_suite_files():
    on_disk = {path.stem for path in suites.EXPECTATIONS_DIR.glob("*.json")}
    assert on_disk == set(KINDS)


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_every_rule_in_kinds_has_an_expectation_and_no_other(kind):
    wanted, committed = _rules_kinds_asks_for(kind), _rules(kind)
    assert wanted <= committed
    # Anything beyond the column, key and pair rules is a named extra rule of the kind.
    assert {rule for rule, _ in committed - wanted} == set(suites.extra_rules(kind))


def test_disability_aid_amount_check_is_a_warning():
    found = [
        e
        for e in suites.load_suite_dict(KINDS["disability_aid"])["expectations"]
        if e["meta"]["rule"] == "amount-mismatch"
    ]
    assert [e["meta"]["severity"] for e in found] == ["warning"]
    assert found[0]["severity"] == "warning"


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_meta_carries_severity_rule_column_and_messages(kind):
    for expectation in suites.load_suite_dict(kind)["expectations"]:
        meta = expectation["meta"]
        assert set(meta) == {"severity", "rule", "column", "zh", "en"}
        assert meta["severity"] in ("error", "warning")
        assert meta["zh"] and meta["en"]
        assert meta["column"] in (*kind.column_names, "as_of")
        # Queries name the batch, so GX never reads rows of other files.
        if expectation["type"] == "unexpected_rows_expectation":
            assert "{batch}" in expectation["kwargs"]["unexpected_rows_query"]


def test_enum_sets_and_bounds_come_from_kinds():
    targets = suites.load_suite_dict(KINDS["targets"])["expectations"]
    by_rule = {(e["meta"]["rule"], e["meta"]["column"]): e["kwargs"] for e in targets}
    assert by_rule[("enum", "source")]["value_set"] == sorted(
        KINDS["targets"].column("source").enum
    )
    assert by_rule[("minimum", "planned_value")] == {
        "column": "planned_value",
        "min_value": 0,
        "strict_min": True,
    }
    assert by_rule[("minimum", "year")]["min_value"] == 2000
    assert by_rule[("maximum", "year")]["max_value"] == 2100


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_great_expectations_loads_every_expectation(kind):
    import great_expectations as gx

    data = suites.load_suite_dict(kind)
    suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"])
    assert len(suite.expectations) == len(data["expectations"])
    assert [e.configuration.type for e in suite.expectations] == [
        e["type"] for e in data["expectations"]
    ]


def test_write_is_deterministic(tmp_path):
    first = {p.name: p.read_bytes() for p in suites.write(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in suites.write(tmp_path / "b")}
    assert first == second
    assert json.loads(first["units.json"])["name"] == "units"


def test_module_entry_point_prints_suites_without_importing_gx():
    code = (
        "import sys, etl.suites, etl.validate;"
        "assert 'great_expectations' not in sys.modules, 'GX imported eagerly';"
        "raise SystemExit(etl.suites.main([]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert '"name": "supervision"' in done.stdout
