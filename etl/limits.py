"""Limits on what a workbook may claim, checked before any reader allocates for it.

A workbook is a zip of XML parts, and the native xlsx reader (python-calamine)
trusts what they say: a 2 KB file with one cell at ``XFD1048576`` made it ask
for a 512 GiB grid and abort the process. So before a workbook is read, its zip
central directory and then every part is streamed through zlib and scanned with
C-speed regular expressions, in bounded memory whatever the file claims:

- declared and actual inflated size of each part, and of all of them together;
- rows and cells of each sheet, and its farthest cell (the grid a reader builds);
- the sheet's ``<dimension>``; the length of any single cell's text;
- shared strings: their count and inflated size.

Each limit has a setting (environment variable) and a default that fits any real
return; going over one rejects the file with a problem naming the limit, the
value found and how to fix the file, under a rule slug of its own.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import BinaryIO, Protocol

# Bytes inflated and scanned at a time.
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a return file may hold; each field is read from ``DUCHA_<FIELD>``."""

    max_rows: int = 1_048_576  # Excel's own row limit
    max_columns: int = 512  # far beyond any return's columns; Excel's 16,384 is not needed
    max_cells: int = 20_000_000  # cells of one sheet: 1M rows of 20 columns
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_sheet_bytes: int = 1 << 30  # one inflated worksheet part (1 GiB)
    max_part_bytes: int = 256 << 20  # any other inflated part, shared strings included
    max_unzipped_bytes: int = 2 << 30  # all parts together, inflated
    max_shared_strings: int = 4_000_000  # distinct texts of a workbook
    max_zip_entries: int = 10_000  # parts in the zip

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            name = setting_name(item.name)
            text = env.get(name, "").strip().replace("_", "").replace(",", "")
            if not text:
                continue
            if not text.isdigit() or int(text) < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, not {env[name]!r}")
            values[item.name] = int(text)
        return cls(**values)


def setting_name(field_name: str) -> str:
    return f"DUCHA_{field_name.upper()}"


@dataclass(frozen=True)
class Breach:
    """One limit gone over: the rule slug and the message for the person (zh, en)."""

    rule: str
    message_zh: str
    message_en: str
    value: str


@dataclass
class SheetStats:
    """What the scan found in one worksheet part."""

    rows: int = 0  # <row> elements
    cells: int = 0  # <c> elements
    last_row: int = 0  # farthest row a reader will place a cell in (an upper bound)
    last_column: int = 0  # farthest column, likewise


@dataclass
class WorkbookStats:
    sheets: dict[str, SheetStats] = field(default_factory=dict)
    sheet_bytes: dict[str, int] = field(default_factory=dict)  # inflated XML of each sheet
    unzipped_bytes: int = 0

    def largest_grid(self) -> int:
        """The most cells a dense reader allocates for one sheet."""
        return max((s.last_row * s.last_column for s in self.sheets.values()), default=0)

    def largest_sheet_bytes(self) -> int:
        return max(self.sheet_bytes.values(), default=0)


class LimitExceeded(Exception):
    def __init__(self, breach: Breach) -> None:
        super().__init__(breach.rule)
        self.breach = breach


# What to do about it, said once for every limit of a sheet's size.
_FIX_ZH = (
    "请在 Excel 或 WPS 中删除数据区以外的行、列和内容（或只把数据复制到新工作簿），另存后再提交"
)
_FIX_EN = (
    "delete the rows, columns and contents outside the data (or copy only the data into a"
    " new workbook), save it and submit it again"
)


def _n(number: int) -> str:
    return f"{number:,}"


# What each limit counts, in zh and en.
_UNITS = {
    "max_rows": ("行", "rows"),
    "max_columns": ("列", "columns"),
    "max_cells": ("个单元格", "cells"),
    "max_cell_chars": ("个字符", "characters"),
    "max_sheet_bytes": ("字节", "bytes"),
    "max_part_bytes": ("字节", "bytes"),
    "max_unzipped_bytes": ("字节", "bytes"),
    "max_shared_strings": ("条", "texts"),
    "max_zip_entries": ("个", "parts"),
}


def _breach(rule: str, zh: str, en: str, value: object, setting: str, limit: int) -> LimitExceeded:
    name = setting_name(setting)
    unit_zh, unit_en = _UNITS[setting]
    return LimitExceeded(
        Breach(
            rule=rule,
            message_zh=f"{zh}，超过上限 {_n(limit)} {unit_zh}（设置项 {name}）；{_FIX_ZH}",
            message_en=f"{en}, over the limit of {_n(limit)} {unit_en} ({name}); {_FIX_EN}",
            value=str(value),
        )
    )


def column_number(letters: str | bytes) -> int:
    """A column's number from its letters: A is 1, XFD is 16,384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class _Tags:
    """Patterns for one namespace prefix: ``<row``, or ``<x:row`` as some writers emit.

    Each starts with a literal, which the regex engine finds at C speed; a leading
    optional prefix group made the same scan ten times slower.
    """

    prefix: bytes
    row: re.Pattern[bytes]
    row_ref: re.Pattern[bytes]
    cell: re.Pattern[bytes]
    cell_ref: re.Pattern[bytes]
    dimension: re.Pattern[bytes]
    shared_string: re.Pattern[bytes]


@lru_cache(maxsize=16)
def _tags(prefix: bytes) -> _Tags:
    p = b"<" + re.escape(prefix)
    return _Tags(
        prefix=prefix,
        row=re.compile(p + rb"row[\s/>]"),
        row_ref=re.compile(p + rb"row\s[^>]*?\br\s*=\s*[\"'](\d+)"),
        cell=re.compile(p + rb"c[\s/>]"),
        cell_ref=re.compile(p + rb"c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]+)(\d+)"),
        dimension=re.compile(p + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)"),
        shared_string=re.compile(p + rb"si[\s/>]"),
    )


_PLAIN = _tags(b"")
# The root element's prefix, if any: <worksheet …> or <x:worksheet …>.
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*[\s/>]")
# A sheet or shared-strings tag under some prefix (found by its ':' first, which is quick).
_PREFIXED = re.compile(rb":(?:row|c|si)[\s/>]")
_NAME_BEFORE = re.compile(rb"<[A-Za-z_][\w.-]*$")


def _prefixed_tags(piece: bytes) -> set[bytes]:
    """Prefixes used on row, cell or shared-string tags in this piece."""
    found = set()
    for match in _PREFIXED.finditer(piece):
        start = piece.rfind(b"<", max(0, match.start() - 256), match.start())
        if start >= 0 and _NAME_BEFORE.match(piece, start, match.start()):
            found.add(piece[start + 1 : match.start() + 1])
    return found


_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,10})$")
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))


def _text_chars(run: bytes) -> int:
    """Characters of XML text in UTF-8, an entity (&amp; &#1234;) counting about as one."""
    return len(run.translate(None, _UTF8_CONTINUATION)) - 3 * run.count(b"&")


class _LongRuns:
    """Find text between two tags longer than the cell limit, across chunk boundaries."""

    def __init__(self, limit: int, part: str) -> None:
        self.limit = limit
        self.part = part
        # A run of more than `limit` bytes without '<' holds a whole aligned window of
        # this size: looking for '<' in each window (memchr) finds every candidate.
        self._window = max(1, (limit + 1) // 2)

    def check(self, text: bytes) -> None:
        window = self._window
        start = 0
        while start + window <= len(text):
            if text.find(b"<", start, start + window) < 0:
                begin = text.rfind(b"<", 0, start) + 1
                end = text.find(b"<", start + window)
                end = len(text) if end < 0 else end
                self.check_run(text[begin:end])
                start = end
            else:
                start += window

    def check_run(self, run: bytes, at_least: int = 0) -> None:
        """Measure the text after the tag the run starts in (a tag longer than the limit counts whole)."""
        tag_end = run.find(b">")
        chars = max(_text_chars(run[tag_end + 1 :]), tag_end, at_least)
        if chars > self.limit:
            raise _breach(
                "cell-too-long",
                f"「{self.part}」中有一个单元格（或一段文字）长 {_n(chars)} 个字符",
                f'a cell (or a piece of text) in "{self.part}" is {_n(chars)} characters long',
                chars,
                "max_cell_chars",
                self.limit,
            )


class _Readable(Protocol):
    """What _chunks reads from: a binary file, or a _Stream of blocks."""

    def read(self, size: int = -1, /) -> bytes: ...


def _chunks(stream: _Readable, runs: _LongRuns) -> Iterator[bytes]:
    """The part's bytes in pieces that each end just before a '<', so no tag is split.

    Text between tags is carried to the next piece; once it is longer than the cell
    limit allows in any encoding it is measured and either rejected or dropped.
    """
    carry = b""
    # No text this long fits the limit: 12 bytes are at most one character (&#x10FFFF;).
    cap = 12 * (runs.limit + 1)
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            if carry:
                runs.check(carry)
                yield carry
            return
        data = carry + block if carry else block
        cut = data.rfind(b"<")
        if cut <= 0:
            carry = data
            if len(carry) > runs.limit:
                runs.check_run(
                    carry.lstrip(b"<"), at_least=len(carry) // 12 if len(carry) > cap else 0
                )
            continue
        piece, carry = data[:cut], data[cut:]
        runs.check(piece)
        yield piece


def _inflated(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, setting: str, total: list[int]
) -> Iterator[bytes]:
    """A part's bytes, stopping as soon as they pass its declared size or a limit."""
    seen = 0
    with archive.open(info) as stream:
        # zipfile never returns more than the declared size; reading one byte more
        # than that tells a part that inflates past its declaration (a CRC error).
        while True:
            block = stream.read(CHUNK_BYTES)
            if not block:
                return
            seen += len(block)
            total[0] += len(block)
            if seen > limit:
                raise _part_too_large(info.filename, seen, limit, setting)
            yield block


def _part_too_large(name: str, size: int, limit: int, setting: str) -> LimitExceeded:
    rule = "sheet-too-large" if setting == "max_sheet_bytes" else "part-too-large"
    return _breach(
        rule,
        f"工作簿中的「{name}」解压后有 {_n(size)} 字节",
        f'the part "{name}" of the workbook inflates to {_n(size)} bytes',
        size,
        setting,
        limit,
    )


class _Stream:
    """A file-like view of an iterator of byte blocks (for _chunks)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks

    def read(self, _size: int = -1) -> bytes:
        return next(self._blocks, b"")


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _is_shared_strings(name: str) -> bool:
    return name.lower().startswith("xl/sharedstrings") and name.endswith(".xml")


def check_workbook(path: os.PathLike[str] | str, limits: Limits | None = None) -> WorkbookStats:
    """Scan an xlsx before it is read; raises LimitExceeded, or zipfile/OSError if not a zip."""
    limits = limits or Limits.from_env()
    stats = WorkbookStats()
    with open(path, "rb") as file:
        entries = _zip_entries(file)
        if entries > limits.max_zip_entries:
            raise _breach(
                "too-many-parts",
                f"工作簿（zip）中有 {_n(entries)} 个部件",
                f"the workbook (a zip) holds {_n(entries)} parts",
                entries,
                "max_zip_entries",
                limits.max_zip_entries,
            )
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            declared = 0
            for info in infos:
                name = info.filename.replace("\\", "/")
                setting, limit = _part_limit(name, limits)
                if info.file_size > limit:
                    raise _part_too_large(name, info.file_size, limit, setting)
                declared += info.file_size
            if declared > limits.max_unzipped_bytes:
                raise _too_large(declared, limits)
            total = [0]
            for info in infos:
                try:
                    _scan_part(archive, info, limits, stats, total)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
                    raise _damaged(info.filename, err) from err
            stats.unzipped_bytes = total[0]
    return stats


def _scan_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: Limits,
    stats: WorkbookStats,
    total: list[int],
) -> None:
    name = info.filename.replace("\\", "/")
    setting, limit = _part_limit(name, limits)
    blocks = _inflated(archive, info, min(limit, info.file_size), setting, total)
    if _is_sheet(name):
        stats.sheets[name] = _scan_sheet(blocks, name, limits)
        stats.sheet_bytes[name] = info.file_size
    elif _is_shared_strings(name):
        _scan_shared_strings(blocks, name, limits)
    else:
        for _block in blocks:
            pass
    if total[0] > limits.max_unzipped_bytes:
        raise _too_large(total[0], limits)


def _damaged(name: str, err: Exception) -> LimitExceeded:
    """A part that does not inflate to its recorded size and checksum (or cannot inflate)."""
    return LimitExceeded(
        Breach(
            rule="workbook-damaged",
            message_zh=f"工作簿已损坏：其中的「{name}」解压后与记录的大小或校验和不符；"
            "请在 Excel 或 WPS 中重新打开并另存后再提交",
            message_en=f'the workbook is damaged: its part "{name}" does not inflate to its'
            " recorded size and checksum; open it in Excel or WPS, save it again and submit it",
            value=name,
        )
    )


def _too_large(size: int, limits: Limits) -> LimitExceeded:
    return _breach(
        "workbook-too-large",
        f"工作簿解压后共有 {_n(size)} 字节",
        f"the workbook inflates to {_n(size)} bytes in all",
        size,
        "max_unzipped_bytes",
        limits.max_unzipped_bytes,
    )


def _part_limit(name: str, limits: Limits) -> tuple[str, int]:
    if _is_sheet(name):
        return "max_sheet_bytes", limits.max_sheet_bytes
    return "max_part_bytes", limits.max_part_bytes


def _zip_entries(file: BinaryIO) -> int:
    """Entries the zip's end record declares, before zipfile reads them all into memory."""
    end = zipfile._EndRecData(file)  # type: ignore[attr-defined]  # stable since Python 2
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    file.seek(0)
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _prefixes(piece: bytes, root: bytes) -> list[_Tags]:
    """The tag patterns to count this piece with: no prefix, the root's, any other found."""
    prefixes = {b"", root}
    colons = len(_PREFIXED.findall(piece))
    if colons and colons > (len(_tags(root).cell.findall(piece)) * 3 if root else 0):
        prefixes |= _prefixed_tags(piece)  # rare: a writer mixing prefixes
    return [_tags(prefix) for prefix in prefixes]


def _root_prefix(piece: bytes) -> bytes:
    match = _ROOT.search(piece)
    return (match.group(1) or b"") if match else b""


def _scan_shared_strings(blocks: Iterator[bytes], name: str, limits: Limits) -> None:
    runs = _LongRuns(limits.max_cell_chars, name)
    count = 0
    root = None
    for piece in _chunks(_Stream(blocks), runs):
        if root is None:
            root = _root_prefix(piece)
        count += sum(len(tags.shared_string.findall(piece)) for tags in _prefixes(piece, root))
        if count > limits.max_shared_strings:
            raise _breach(
                "too-many-shared-strings",
                f"工作簿的共享文字表「{name}」有超过 {_n(count)} 条文字",
                f'the shared strings "{name}" hold more than {_n(count)} texts',
                count,
                "max_shared_strings",
                limits.max_shared_strings,
            )


def _scan_sheet(blocks: Iterator[bytes], name: str, limits: Limits) -> SheetStats:
    """Rows, cells and the farthest cell of one worksheet part, streamed."""
    stats = SheetStats()
    runs = _LongRuns(limits.max_cell_chars, name)
    max_ref_row = 0
    refless_rows = 0
    max_ref_column = 0
    row_open_cells = 0  # cells without a reference in the row the last piece ended in
    widest_refless = 0
    root = None
    # Cells in rows with at least as many digits as the row limit: the only ones that
    # may be over it (a cell's own row counts, not only its <row>'s).
    far = re.compile(rb'<c r="[A-Za-z]+(\d{%d,})"' % len(str(limits.max_rows)))
    for piece in _chunks(_Stream(blocks), runs):
        if root is None:
            root = _root_prefix(piece)
            for tags in _prefixes(piece, root):
                if match := tags.dimension.search(piece):
                    _check_dimension(match.group(1).decode("ascii", "replace"), name, limits)
        for tags in _prefixes(piece, root):
            rows = len(tags.row.findall(piece))
            cells = len(tags.cell.findall(piece))
            if not (rows or cells):
                continue
            stats.rows += rows
            stats.cells += cells
            # The common form first (<row r="7">, <c r="B7"), at C speed; the general
            # patterns only where some tag is written otherwise.
            row_refs = _ROW_SIMPLE.findall(piece) if not tags.prefix else []
            if len(row_refs) != rows:
                row_refs = tags.row_ref.findall(piece)
            refless_rows += rows - len(row_refs)
            if row_refs:
                longest = max(map(len, row_refs))
                max_ref_row = max(max_ref_row, 10**9 if longest > 9 else max(map(int, row_refs)))
            letters = _CELL_SIMPLE.findall(piece) if not tags.prefix else []
            if len(letters) == cells:
                cell_rows = far.findall(piece)
                referenced = cells
            else:
                refs = tags.cell_ref.findall(piece)
                letters = [ref[0] for ref in refs]
                cell_rows = [ref[1] for ref in refs]
                referenced = len(refs)
            for column in set(letters):
                max_ref_column = max(max_ref_column, column_number(column[:5]))
            if cell_rows:
                longest = max(map(len, cell_rows))
                max_ref_row = max(max_ref_row, 10**9 if longest > 9 else max(map(int, cell_rows)))
            if cells != referenced:
                # Cells without a reference go one after another: count them row by row.
                for index, segment in enumerate(tags.row.split(piece)):
                    refless = len(tags.cell.findall(segment)) - len(tags.cell_ref.findall(segment))
                    row_open_cells = row_open_cells + refless if index == 0 else refless
                    widest_refless = max(widest_refless, row_open_cells)
            elif rows:
                row_open_cells = 0
        stats.last_row = max_ref_row + refless_rows
        stats.last_column = max_ref_column + widest_refless
        _check_sheet(stats, name, limits)
    return stats


_ROW_SIMPLE = re.compile(rb'<row r="(\d+)"')
_CELL_SIMPLE = re.compile(rb'<c r="([A-Za-z]+)')


def _check_sheet(stats: SheetStats, name: str, limits: Limits) -> None:
    if stats.rows > limits.max_rows:
        raise _breach(
            "too-many-rows",
            f"工作表「{name}」有超过 {_n(stats.rows)} 行",
            f'the sheet "{name}" has more than {_n(stats.rows)} rows',
            stats.rows,
            "max_rows",
            limits.max_rows,
        )
    if stats.last_row > limits.max_rows:
        raise _breach(
            "too-many-rows",
            f"工作表「{name}」有单元格位于第 {_n(stats.last_row)} 行",
            f'the sheet "{name}" has a cell in row {_n(stats.last_row)}',
            stats.last_row,
            "max_rows",
            limits.max_rows,
        )
    if stats.last_column > limits.max_columns:
        letters = column_letters(min(stats.last_column, 10**6))
        raise _breach(
            "too-many-columns",
            f"工作表「{name}」有单元格位于 {letters} 列（第 {_n(stats.last_column)} 列）",
            f'the sheet "{name}" has a cell in column {letters} (column {_n(stats.last_column)})',
            stats.last_column,
            "max_columns",
            limits.max_columns,
        )
    if stats.cells > limits.max_cells:
        raise _breach(
            "too-many-cells",
            f"工作表「{name}」有超过 {_n(stats.cells)} 个单元格",
            f'the sheet "{name}" has more than {_n(stats.cells)} cells',
            stats.cells,
            "max_cells",
            limits.max_cells,
        )


def _check_dimension(ref: str, name: str, limits: Limits) -> None:
    """The sheet's stated extent (``A1:XFD1048576``) must fit the limits as its cells must."""
    last = ref.split(":")[-1].strip()
    match = _REF.match(last)
    if not match:
        return  # readers do not trust it either; the cells decide
    column, row = column_number(match[1]), int(match[2])
    if row > limits.max_rows:
        over, setting, limit = f"{_n(row)} 行", "max_rows", limits.max_rows
        over_en = f"{_n(row)} rows"
    elif column > limits.max_columns:
        over, setting, limit = f"{_n(column)} 列", "max_columns", limits.max_columns
        over_en = f"{_n(column)} columns"
    else:
        return
    raise _breach(
        "dimension-too-large",
        f"工作表「{name}」声明的范围 {ref} 有 {over}",
        f'the sheet "{name}" declares its range as {ref}, {over_en}',
        ref,
        setting,
        limit,
    )


# For the readers of other formats (HTML tables): the same message and rule for a limit.
over_limit = _breach
