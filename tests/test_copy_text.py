"""Staging's COPY text equals the typed rows: what PostgreSQL reads back is the same value."""

from __future__ import annotations

import psycopg

from etl.kinds import KINDS
from etl.readers import copy_text, open_return
from tests.helpers import write_csv

HEADER = [
    "事项编号",
    "事项来源",
    "事项名称",
    "承办单位",
    "立项日期",
    "办理时限",
    "办结日期",
    "反馈意见",
]
ROWS = [
    ["S-1", "市委市政府督办", "tab\there", "JD-SY", "2006/3/2", "2006年4月30日", "", "满意"],
    ["Ｓ－２", "leader", "back\\slash \\N and \\.", "JD-SY", "2006-03-02", "2006-04-30", "", ""],
    ["S-3", "cppcc", "line one\nline two\r\nthree", "BM-CZ", "20060302", "2006-04-30", "2006-04-01",
     "basically"],
    ["  S-4  ", "meeting", "  空格　", "BM-CZ", "2006-3-2", "2006-04-30", "", "不满意"],
    ["S-5", "unknown-source", "\\", "BM-CZ", "38778", "2006-04-30", "", "other"],
]  # fmt: skip


def test_copy_text_rows_read_back_as_the_typed_rows(warehouse, tmp_path):
    path = write_csv(tmp_path / "sup.csv", HEADER, ROWS)
    kind = KINDS["supervision"]
    reader = open_return(path)
    typed = list(reader.rows())
    texts = list(open_return(path).copy_text_rows())
    assert [row_no for row_no, _ in texts] == [row_no for row_no, _ in typed]
    assert [fields for _, fields in texts] == [tuple(map(copy_text, v)) for _, v in typed]

    columns = ", ".join(kind.column_names)
    types = ", ".join(f"{c.name} {c.sql_type}" for c in kind.columns)
    with psycopg.connect(warehouse) as conn:
        conn.execute(f"create temporary table by_row ({types})")
        conn.execute(f"create temporary table by_text ({types})")
        with conn.cursor().copy(f"copy by_row ({columns}) from stdin") as copy:
            for _, values in typed:
                copy.write_row(values)
        with conn.cursor().copy(f"copy by_text ({columns}) from stdin") as copy:
            copy.write("".join("\t".join(fields) + "\n" for _, fields in texts))
        by_row = conn.execute("select * from by_row").fetchall()
        by_text = conn.execute("select * from by_text").fetchall()
    assert by_text == by_row
    assert by_text[2][2] == "line one\nline two\r\nthree"
    assert by_text[1][2] == "back\\slash \\N and \\."
