"""Great Expectations suites derived from ``etl.kinds``, one per return kind.

The suites are plain GX 1.x JSON (``expectations/<kind>.json``), written by
``python -m etl.suites --write`` and read back by ``etl.validate`` at run time;
``tests/test_suites.py`` keeps the committed files equal to what this module
derives. Nothing here imports great_expectations (its import takes seconds).

Every expectation carries its ducha meaning in ``meta``: ``severity``
(``error`` rejects the file, ``warning`` does not), ``rule`` (the report's slug),
``column``, and ``zh`` / ``en`` message templates in which ``{value}`` (the
offending cell) and ``{other}`` (the compared cell of a pair rule) are filled in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.kinds import KINDS, Column, Kind, PairRule

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"

# The contract's period forms: YYYY, YYYY-Qn, YYYY-MM (contract §1).
PERIOD_REGEX = r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
MONTH_REGEX = r"^\d{4}-\d{2}$"

# Tolerance of the disability-aid amount check (contract §1.5).
AMOUNT_TOLERANCE = "0.01"

# Tolerance of the 对标 growth check: a year-on-year growth that differs from
# value / last year's value - 1 by more than this (a fraction: 0.5 points).
GROWTH_TOLERANCE = "0.005"

# ducha severity -> GX's own failure severity, so GX tools read the suites the same way.
_GX_SEVERITY = {"error": "critical", "warning": "warning"}

Expectation = dict[str, Any]


def _number(value: Decimal | int) -> int | float:
    """A JSON number for a kinds.py bound (Decimal is not JSON)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _expectation(
    type_: str,
    kwargs: dict[str, Any],
    *,
    rule: str,
    column: str,
    zh: str,
    en: str,
    severity: str = "error",
) -> Expectation:
    """One expectation as GX suite JSON, its ducha meaning in ``meta``."""
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"severity": severity, "rule": rule, "column": column, "zh": zh, "en": en},
        "severity": _GX_SEVERITY[severity],
    }


def _unexpected_rows(query: str, **meta: str) -> Expectation:
    """A SQL rule: the query selects the offending rows as (row_no, value[, other])."""
    return _expectation("unexpected_rows_expectation", {"unexpected_rows_query": query}, **meta)


def _column_expectations(column: Column) -> list[Expectation]:
    """The expectations of one column's own rules, in a fixed order."""
    name, zh = column.name, column.zh
    found: list[Expectation] = []
    if column.required:
        found.append(
            _expectation(
                "expect_column_values_to_not_be_null",
                {"column": name},
                rule="required",
                column=name,
                zh=f"{zh}为必填项，不能为空",
                en=f"{name} is required and must not be empty",
            )
        )
    if column.enum:
        codes = sorted(column.enum)
        zh_choices = "、".join(f"{column.enum[code]} {code}" for code in codes)
        found.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                {"column": name, "value_set": codes},
                rule="enum",
                column=name,
                zh=f"值“{{value}}”不是{zh}的可选值（{zh_choices}）",
                en=f"value '{{value}}' is not one of {', '.join(codes)}",
            )
        )
    if column.regex:
        found.append(
            _expectation(
                "expect_column_values_to_match_regex",
                {"column": name, "regex": column.regex},
                rule="pattern",
                column=name,
                zh=f"值“{{value}}”不符合{zh}的格式 {column.regex}",
                en=f"value '{{value}}' does not match the pattern {column.regex}",
            )
        )
    if column.type == "period":
        found.append(
            _expectation(
                "expect_column_values_to_match_regex",
                {"column": name, "regex": PERIOD_REGEX},
                rule="period-format",
                column=name,
                zh="值“{value}”不是有效的报告期（YYYY、YYYY-Qn 或 YYYY-MM）",
                en="value '{value}' is not a period (YYYY, YYYY-Qn or YYYY-MM)",
            )
        )
        if column.period_granularity == "month":
            found.append(
                _expectation(
                    "expect_column_values_to_match_regex",
                    {"column": name, "regex": MONTH_REGEX},
                    rule="period-month",
                    column=name,
                    zh=f"值“{{value}}”不是月份，{zh}须为 YYYY-MM",
                    en=f"value '{{value}}' is not a month; {name} must be YYYY-MM",
                )
            )
    if column.max_length is not None:
        found.append(
            _expectation(
                "expect_column_value_lengths_to_be_between",
                {"column": name, "max_value": column.max_length},
                rule="max-length",
                column=name,
                # The value itself can be long; it is in the problem's value field.
                zh=f"{zh}超过 {column.max_length} 个字符",
                en=f"{name} is longer than {column.max_length} characters",
            )
        )
    if column.minimum is not None:
        bound = _number(column.minimum)
        if column.exclusive_minimum:
            zh_text, en_text = (
                f"值 {{value}} 须大于 {bound}",
                f"value {{value}} must be above {bound}",
            )
        else:
            zh_text = f"值 {{value}} 小于最小值 {bound}"
            en_text = f"value {{value}} is below the minimum {bound}"
        found.append(
            _expectation(
                "expect_column_values_to_be_between",
                {"column": name, "min_value": bound, "strict_min": column.exclusive_minimum},
                rule="minimum",
                column=name,
                zh=zh_text,
                en=en_text,
            )
        )
    if column.maximum is not None:
        bound = _number(column.maximum)
        found.append(
            _expectation(
                "expect_column_values_to_be_between",
                {"column": name, "max_value": bound},
                rule="maximum",
                column=name,
                zh=f"值 {{value}} 大于最大值 {bound}",
                en=f"value {{value}} is above the maximum {bound}",
            )
        )
    if column.max_decimals is not None:
        # A regex cannot see a numeric column's digits; rounding can.
        found.append(
            _unexpected_rows(
                f"select row_no, {name} as value\n"
                "from {batch}\n"
                f"where {name} <> round({name}, {column.max_decimals})\n"
                "order by row_no",
                rule="max-decimals",
                column=name,
                zh=f"值 {{value}} 超过 {column.max_decimals} 位小数",
                en=f"value {{value}} has more than {column.max_decimals} decimals",
            )
        )
    if column.unique:
        # GX's own check is one aggregate query (0.5 s on 1M rows); an
        # UnexpectedRowsExpectation runs its query twice (count, then rows).
        found.append(
            _expectation(
                "expect_column_values_to_be_unique",
                {"column": name},
                rule="unique",
                column=name,
                zh=f"{zh}“{{value}}”在文件中重复",
                en=f"{name} '{{value}}' occurs more than once in the file",
            )
        )
    return found


def _unique_together(kind: Kind, key: tuple[str, ...]) -> Expectation:
    """Every row whose compound key occurs more than once, reported on the key's last column.

    All copies are reported, not only the later ones. A window count reads the file
    once: on 1M staged rows 0.3–0.5 s, where GROUP BY … HAVING joined back to the rows
    took 0.9 s (its hash spills) and expect_compound_columns_to_be_unique 2.2 s.
    Rows with a missing key cell are the required rule's business.
    """
    columns = ", ".join(key)
    present = " and ".join(f"{name} is not null" for name in key)
    zh_columns = "、".join(kind.column(name).zh for name in key)
    query = (
        f"select row_no, concat_ws(' / ', {columns}) as value\n"
        "from (\n"
        f"    select row_no, {columns}, count(*) over (partition by {columns}) as copies\n"
        "    from {batch}\n"
        f"    where {present}\n"
        ") as keyed\n"
        "where copies > 1\n"
        "order by row_no"
    )
    return _unexpected_rows(
        query,
        rule="unique-together",
        column=key[-1],
        zh=f"（{zh_columns}）组合 {{value}} 在文件中重复",
        en=f"({columns}) = {{value}} occurs more than once in the file",
    )


def _pair(rule: PairRule) -> Expectation:
    """column_a <op> column_b as GX's A >= B, reported on column_a."""
    if rule.op == ">=":
        column_a, column_b = rule.column_a, rule.column_b
    else:
        column_a, column_b = rule.column_b, rule.column_a
    return _expectation(
        "expect_column_pair_values_a_to_be_greater_than_b",
        {
            "column_A": column_a,
            "column_B": column_b,
            "or_equal": True,
            # A missing cell is the required rule's business, not this one's.
            "ignore_row_if": "either_value_is_missing",
        },
        rule=rule.slug,
        column=rule.column_a,
        zh=f"{rule.zh}（{{value}} {rule.op} {{other}} 不成立）",
        en=f"{rule.en} ({{value}} {rule.op} {{other}} does not hold)",
    )


def _amount_mismatch(kind: Kind) -> Expectation:
    """Contract §1.5: amount ≠ person_times × standard (beyond 0.01) is only a warning."""
    return _unexpected_rows(
        "select row_no, amount_yuan as value, person_times * standard_yuan as other\n"
        "from {batch}\n"
        "where standard_yuan is not null\n"
        f"  and abs(amount_yuan - person_times * standard_yuan) > {AMOUNT_TOLERANCE}\n"
        "order by row_no",
        rule="amount-mismatch",
        column="amount_yuan",
        severity="warning",
        zh="发放金额 {value} 与 人次×发放标准 {other} 相差超过 " + AMOUNT_TOLERANCE,
        en="amount_yuan {value} differs from person_times × standard_yuan {other}"
        f" by more than {AMOUNT_TOLERANCE}",
    )


def _growth_mismatch(kind: Kind) -> Expectation:
    """对标: yoy_growth ≠ value / last year's value - 1 (beyond the tolerance) is a warning.

    Last year's figure of the same district, indicator, month and basis is the
    file's own row when it has one, else the warehouse's current figure; no
    check without one (or when it is not positive).
    """
    last_period = (
        # No braces: GX fills {batch} with str.format, which reads a regex quantifier as a field.
        "case when s.period ~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]$'"
        " then (substr(s.period, 1, 4)::integer - 1)::text || substr(s.period, 5) end"
    )
    return _unexpected_rows(
        "select s.row_no, s.yoy_growth as value, round(s.value / last_year.value - 1, 4) as other\n"
        "from {batch} as s\n"
        "cross join lateral (\n"
        "    select found.value, found.basis from (\n"
        "        select b.value, b.basis, 1 as preference from {batch} as b\n"
        "        where b.district_code = s.district_code and b.indicator_code = s.indicator_code\n"
        f"          and b.period = {last_period}\n"
        "        union all\n"
        "        select f.value, f.basis, 2 from core.indicator_figures as f\n"
        "        where f.is_current and f.indicator_code = s.indicator_code\n"
        f"          and f.period = {last_period} and f.district_code = s.district_code\n"
        "    ) as found\n"
        "    order by found.preference\n"
        "    limit 1\n"
        ") as last_year\n"
        "where s.yoy_growth is not null and s.value is not null\n"
        "  and last_year.basis = s.basis and last_year.value > 0\n"
        f"  and abs(s.value / last_year.value - 1 - s.yoy_growth) > {GROWTH_TOLERANCE}\n"
        "order by s.row_no",
        rule="growth-mismatch",
        column="yoy_growth",
        severity="warning",
        zh="同比增长 {value} 与按上年同期数据计算的 {other} 相差超过 " + GROWTH_TOLERANCE,
        en="yoy_growth {value} differs from the growth over last year's figure {other}"
        f" by more than {GROWTH_TOLERANCE}",
    )


# Rules kinds.py names by slug (Kind.extra_rules) that are not column rules.
EXTRA_RULES: dict[str, Callable[[Kind], Expectation]] = {
    "amount-mismatch": _amount_mismatch,
    "growth-mismatch": _growth_mismatch,
}


def extra_rules(kind: Kind) -> tuple[str, ...]:
    """The slugs of a kind's rules beyond its columns, keys and pairs."""
    return kind.extra_rules


def expectations(kind: Kind) -> list[Expectation]:
    """Every expectation of a kind, in a stable order: columns, keys, pairs, extras."""
    found = [item for column in kind.columns for item in _column_expectations(column)]
    found += [_unique_together(kind, key) for key in kind.unique_together]
    found += [_pair(rule) for rule in kind.pair_rules]
    found += [EXTRA_RULES[slug](kind) for slug in extra_rules(kind)]
    return found


def suite_dict(kind: Kind) -> dict[str, Any]:
    """The kind's suite as GX 1.x suite JSON."""
    return {
        "name": kind.name,
        "expectations": expectations(kind),
        "meta": {"ducha_kind": kind.name, "zh": kind.zh},
        "notes": f"Derived from etl/kinds.py by etl/suites.py ({kind.zh} {kind.name}).",
    }


def render(kind: Kind) -> str:
    """The JSON text written to expectations/<kind>.json (deterministic)."""
    return json.dumps(suite_dict(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def suite_path(kind: Kind, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{kind.name}.json"


def load_suite_dict(kind: Kind, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The committed suite JSON of a kind (what validation runs)."""
    suite: dict[str, Any] = json.loads(suite_path(kind, directory).read_text(encoding="utf-8"))
    return suite


def write(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    """Write every kind's suite; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS.values():
        path = suite_path(kind, directory)
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.suites --write``: regenerate expectations/*.json."""
    parser = argparse.ArgumentParser(prog="python -m etl.suites", description=main.__doc__)
    parser.add_argument("--write", action="store_true", help="write expectations/<kind>.json")
    args = parser.parse_args(argv)
    if not args.write:
        for kind in KINDS.values():
            sys.stdout.write(render(kind))
        return 0
    for path in write():
        print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
