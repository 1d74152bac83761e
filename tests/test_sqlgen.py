"""Per-kind SQL is generated from etl/kinds.py: the committed files are what the kinds say."""

from __future__ import annotations

import psycopg
import pytest

from etl import sqlgen
from etl.kinds import KINDS, Column, Kind


@pytest.mark.parametrize("path", sorted(sqlgen.GENERATED), ids=lambda path: path.name)
def test_committed_sql_is_generated(path) -> None:
    assert path.read_text(encoding="utf-8") == sqlgen.GENERATED[path](), (
        "run: python -m etl.sqlgen --write"
    )


def test_every_kind_has_a_drill_through_branch(warehouse: str) -> None:
    """mart.return_rows names every kind, with its item column as item_key."""
    text = sqlgen.return_rows_sql()
    for kind in KINDS.values():
        assert f"from core.{kind.name} as {kind.name}\n" in text
        assert f"{kind.name}.{kind.item_column} as item_key" in text
    with psycopg.connect(warehouse) as conn:
        columns = [
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'mart' and table_name = 'return_rows'"
                " order by ordinal_position"
            )
        ]
    assert columns[:6] == ["kind", "year", "period", "period_end", "unit_code", "item_key"]


def test_a_kind_described_wrongly_fails_at_once() -> None:
    columns = (Column("unit_code", "单位代码", "text"),)
    with pytest.raises(ValueError, match="no column 'area_name'"):
        Kind(name="x", zh="x", columns=columns, item_column="area_name")
    with pytest.raises(ValueError, match="needs a period column"):
        Kind(name="x", zh="x", columns=columns, sliced=True)
