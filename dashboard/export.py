"""Tables to CSV and Excel bytes, with formula-looking cells made inert.

A cell that begins with ``= + - @`` (or a tab or carriage return) would be run
as a formula by a spreadsheet (CSV injection). In CSV such a text cell gets a
leading apostrophe; in Excel it is written as a string cell with Excel's own
quote prefix, so it shows exactly as received and stays text when edited.
Numbers are never touched: -5 is a number, "-5" from a title is text.
"""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import pandas as pd
import xlsxwriter

from etl.report import looks_like_formula


def inert(value: object) -> object:
    """The value as a CSV cell that no spreadsheet will evaluate."""
    return "'" + value if looks_like_formula(value) else value


def _is_missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def to_csv(frame: pd.DataFrame, rate_columns: Iterable[str] = ()) -> bytes:
    """UTF-8 CSV with a BOM (so Excel on Chinese Windows reads it), rates as "95.6%"."""
    rates = set(rate_columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert(str(name)) for name in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for name, value in zip(frame.columns, row, strict=True):
            if _is_missing(value):
                cells.append("")
            elif name in rates:
                cells.append(f"{float(value) * 100:.1f}%")
            elif isinstance(value, datetime):
                cells.append(value.strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, date):
                cells.append(value.isoformat())
            else:
                cells.append(inert(value))
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, sheet: str, rate_columns: Iterable[str] = ()) -> bytes:
    """An .xlsx workbook of one sheet: text as text, numbers as numbers, rates as 0.0%."""
    return to_xlsx_book([(sheet, frame, rate_columns)])


def to_xlsx_book(sheets: Sequence[tuple[str, pd.DataFrame, Iterable[str]]]) -> bytes:
    """An .xlsx workbook of one sheet per (name, table, rate columns), written as to_xlsx."""
    buffer = io.BytesIO()
    # Strings are written as strings: never as formulas, URLs or numbers.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True})
        quoted = book.add_format({"quote_prefix": True})
        percent = book.add_format({"num_format": "0.0%"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        taken: set[str] = set()
        for sheet, frame, rate_columns in sheets:
            rates = set(rate_columns)
            # Excel forbids []:*?/\ and controls in sheet names, an apostrophe at either
            # end and the name "History", and caps them at 31 characters.
            name = "".join(c for c in sheet if c not in "[]:*?/\\" and c.isprintable())[:31]
            name = name.strip("'")
            if not name or name.lower() == "history":
                name = "Sheet1"
            while name.lower() in taken:
                name = f"{name[:28]}_{len(taken)}"
            taken.add(name.lower())
            worksheet = book.add_worksheet(name)
            for col, header in enumerate(frame.columns):
                header = str(header)
                worksheet.write_string(
                    0, col, header, quoted if looks_like_formula(header) else bold
                )
                worksheet.set_column(col, col, max(10, min(40, len(header) * 2)))
            for row_no, row in enumerate(frame.itertuples(index=False, name=None), start=1):
                for col, (header, value) in enumerate(zip(frame.columns, row, strict=True)):
                    if _is_missing(value):
                        continue
                    if isinstance(value, str):
                        fmt = quoted if looks_like_formula(value) else None
                        worksheet.write_string(row_no, col, value, fmt)
                    elif isinstance(value, bool):
                        worksheet.write_boolean(row_no, col, value)
                    elif isinstance(value, datetime):
                        # Excel has no time zones: keep the wall-clock time shown on screen.
                        worksheet.write_datetime(row_no, col, value.replace(tzinfo=None), moment)
                    elif isinstance(value, date):
                        worksheet.write_datetime(row_no, col, value, day)
                    elif isinstance(value, numbers.Real):
                        number_format = percent if header in rates else None
                        worksheet.write_number(row_no, col, float(value), number_format)
                    else:
                        worksheet.write_string(row_no, col, str(value))
    return buffer.getvalue()
