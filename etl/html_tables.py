"""Rows of an HTML table, as office and OA systems export a "spreadsheet" (.xls/.htm).

The page is parsed by the standard library's ``html.parser``, which only
tokenises: it never fetches anything the page refers to (images, styles,
scripts, frames). The bytes are decoded as the page declares (a BOM, then
``<meta charset>``), else as UTF-8 when they are, else GB18030; read 1 MB at a
time, each ``<tr>`` becoming a row as the person sees it in Excel. The limits of
``etl.limits`` (rows, columns, a cell's length) apply while parsing, so memory
stays bounded whatever the page holds.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from etl.limits import Limits, over_limit

_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "hz-gb-2312"}
_CHUNK_BYTES = 1 << 20


def html_encoding(head: bytes) -> str:
    """The page's encoding: its BOM; UTF-8 if its text is; its declared charset; else GB18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if not head.isascii():
        # Text that is valid UTF-8 is seldom anything else, whatever a copied <meta> says.
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    if match := _CHARSET.search(head):
        declared = match.group(1).decode("ascii").lower()
        if declared in _GB:
            return "gb18030"  # what GBK and GB2312 pages really hold, often beyond them
        try:
            return codecs.lookup(declared).name
        except LookupError:
            pass
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


class _Table(HTMLParser):
    """Collects <tr> rows of <td>/<th> cells; colspan leaves empty cells as Excel shows them."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.done: list[list[str]] = []
        self.rows = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._cell_chars = 0
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell, self._cell_chars = [], 0
            span = dict(attrs).get("colspan") or "1"
            self._span = min(int(span), self.limits.max_columns + 1) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is None:
            return
        self._cell_chars += len(data)
        if self._cell_chars > self.limits.max_cell_chars:
            raise over_limit(
                "cell-too-long",
                f"网页表格第 {self.rows + 1} 行有一个单元格长 {self._cell_chars:,} 个字符以上",
                f"a cell in row {self.rows + 1} of the web page's table is over"
                f" {self._cell_chars:,} characters long",
                self._cell_chars,
                "max_cell_chars",
                self.limits.max_cell_chars,
            )
        self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        self._row.append(" ".join("".join(self._cell).split()))
        self._row.extend([""] * (self._span - 1))
        self._cell, self._span = None, 1
        if len(self._row) > self.limits.max_columns:
            raise over_limit(
                "too-many-columns",
                f"网页表格第 {self.rows + 1} 行有 {len(self._row):,} 列",
                f"row {self.rows + 1} of the web page's table has {len(self._row):,} columns",
                len(self._row),
                "max_columns",
                self.limits.max_columns,
            )

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is None:
            return
        self.done.append(self._row)
        self._row = None
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise over_limit(
                "too-many-rows",
                f"网页表格有超过 {self.rows - 1:,} 行",
                f"the web page's table has more than {self.rows - 1:,} rows",
                self.rows,
                "max_rows",
                self.limits.max_rows,
            )


def html_rows(path: Path, encoding: str, limits: Limits) -> Iterator[list[str]]:
    """Each table row of the page, from the first; raises LimitExceeded over a limit."""
    table = _Table(limits)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as file:
        while True:
            block = file.read(_CHUNK_BYTES)
            table.feed(decoder.decode(block, final=not block))
            if len(table.rawdata) > 4 * _CHUNK_BYTES:  # a tag or script that never ends
                raise over_limit(
                    "cell-too-long",
                    f"网页中有一段超过 {len(table.rawdata):,} 个字符的内容没有结束",
                    f"the web page holds over {len(table.rawdata):,} characters that never end",
                    len(table.rawdata),
                    "max_cell_chars",
                    limits.max_cell_chars,
                )
            if not block:
                table.close()
                table._end_row()
            yield from table.done
            table.done.clear()
            if not block:
                return
