"""Staging: a file's typed rows COPYed into a partition of its own, dropped once decided."""

from __future__ import annotations

from datetime import date
from itertools import islice

from psycopg import sql

from etl.kinds import Kind
from etl.readers import ReturnReader
from etl.warehouse import Connection

_COPY_BATCH = 5000  # rows per write to COPY


def staged_table(kind: Kind, file_id: int) -> sql.Identifier:
    """The file's own partition of staging.<kind> (see sql/migrations/0004)."""
    return sql.Identifier("staging", f"{kind.name}_f{file_id}")


def stage_rows(
    conn: Connection, reader: ReturnReader, file_id: int, as_of: date, own_partition: bool = True
) -> int:
    """COPY the typed rows into the file's staging partition; return how many rows there were.

    The partition is unlogged and has no index: its rows live only while the
    file is validated, and dropping it afterwards costs nothing, where deleting
    a million rows and vacuuming after them took a second. A small file of a
    batch goes without (``own_partition=False``): its few rows land in the
    kind's default partition, and creating and dropping a table cost more than
    inserting and deleting them.
    """
    kind = reader.kind
    assert kind is not None, "only a file of a known kind is staged"
    table = staged_table(kind, file_id) if own_partition else sql.Identifier("staging", kind.name)
    if own_partition:
        conn.execute(
            sql.SQL("create unlogged table {} partition of staging.{} for values in ({})").format(
                table, sql.Identifier(kind.name), sql.Literal(file_id)
            )
        )
    columns = ["file_id", "row_no", *kind.column_names]
    suffix = "\n"
    if kind.name == "supervision":
        columns.append("as_of")
        suffix = f"\t{as_of.isoformat()}\n"
    statement = sql.SQL("copy {} ({}) from stdin").format(
        table, sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # Lines of COPY's text format, joined here from fields the reader formats
    # once per distinct cell: write_row formatted every value of every row.
    tab, prefix = "\t", f"{file_id}\t"
    rows = reader.copy_text_rows()
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        while batch := [
            f"{prefix}{row_no}\t{tab.join(fields)}{suffix}"
            for row_no, fields in islice(rows, _COPY_BATCH)
        ]:
            copy.write("".join(batch))
            count += len(batch)
    return count


def drop_staged(conn: Connection, kind: Kind | None, file_id: int) -> None:
    """Drop the file's staging partition (and any rows of it in the default partition)."""
    if kind is not None:
        conn.execute(sql.SQL("drop table if exists {}").format(staged_table(kind, file_id)))
        conn.execute(
            sql.SQL("delete from staging.{} where file_id = %s").format(sql.Identifier(kind.name)),
            (file_id,),
        )
