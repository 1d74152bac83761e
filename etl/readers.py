"""Read a return file (CSV or XLSX) into typed rows, streaming (contract §1).

``open_return`` sniffs the bytes, finds the header and the kind, and records
file-level problems; ``ReturnReader.rows`` then streams ``(row number, values)``
with values typed per ``etl.kinds`` and cells that cannot be typed reported as
problems. Rules beyond the type of a cell (required, ranges, enum sets, regexes)
belong to the Great Expectations suites, not here.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from operator import getitem, itemgetter
from pathlib import Path
from typing import Any, BinaryIO, cast

from python_calamine import CalamineWorkbook

from etl.html_tables import html_encoding as _html_encoding
from etl.html_tables import html_rows
from etl.isolated import ReaderDied, ReaderError, isolated_rows, memory_limit
from etl.kinds import KINDS, Column, Kind, kind_by_any_name, needed
from etl.limits import LimitExceeded, Limits, WorkbookStats, check_workbook
from etl.report import Problem

SNIFF_BYTES = 65536
# python-calamine reads a sheet ~20x faster than openpyxl but holds all of it in
# memory (about twice its XML); above this much sheet XML (~100k rows) openpyxl
# streams it instead.
CALAMINE_MAX_XML_BYTES = 32_000_000
# python-calamine also allocates the sheet as a dense grid from its first to its
# farthest cell, empty cells included: beyond this many, openpyxl streams it.
CALAMINE_MAX_GRID_CELLS = 4_000_000
# Beyond this many problems of one rule in one column, only a count is kept: a
# 1M-row file with one bad column must not become 1M Problem objects in memory.
MAX_CELL_PROBLEMS = 1000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted workbook
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}

# Full-width ASCII variants (U+FF01–FF5E) and the ideographic space, folded to
# ASCII; a translate table rather than NFKC so Chinese text is otherwise untouched.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
# A time after the date is dropped, as for an Excel date-time cell in a date column.
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.0*)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 counting Excel's phantom 1900-02-29
_YEAR = re.compile(r"(\d{4})年?")
_QUARTERS = (  # 2006-Q2, 2006Q2, 2006 q2; 2006年第2季度, 2006年二季度
    re.compile(r"(\d{4})\s*[-/.]?\s*[Qq]\s*(\d)"),
    re.compile(r"(\d{4})年?\s*第?\s*([\d一二三四])\s*季度?"),
)
_MONTHS = (  # 2006-6, 2006/06, 2006.06; 2006年6月; 200606
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})"),
    re.compile(r"(\d{4})年\s*(\d{1,2})\s*月份?"),
    re.compile(r"(\d{4})(\d{2})"),
)
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}

_EXPECTED = {
    "int": ("整数", "whole number", "应填写整数，如 620", "expected a whole number such as 620"),
    "number": (
        "数字",
        "number",
        "应填写数字，如 1234.5 或 1,234.5",
        "expected a number such as 1234.5 or 1,234.5",
    ),
    "date": (
        "日期",
        "date",
        "应填写日期，如 2006-03-02、2006/3/2 或 2006年3月2日",
        "expected a date such as 2006-03-02, 2006/3/2 or 2006年3月2日",
    ),
    "period": (
        "报告期",
        "period",
        "应填写报告期：年 2006、季度 2006-Q2 或月 2006-06",
        "expected a period: a year 2006, a quarter 2006-Q2 or a month 2006-06",
    ),
}


class CellError(ValueError):
    """A cell that cannot be read as its column's type; args are the reason in zh and en."""

    def __init__(self, zh: str = "", en: str = "") -> None:
        super().__init__(zh, en)
        self.zh, self.en = zh, en


def fold(text: str) -> str:
    """Trim and fold full-width letters, digits, punctuation and spaces to ASCII."""
    text = text.strip()
    return text if text.isascii() else text.translate(_WIDTH).strip()


def cell_text(value: object) -> str:
    """A cell as the user sees it in Excel: 620 not 620.0, a date without 00:00:00."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if type(value) is float:
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if type(value) is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return str(value)


# Cell parsers: raw cell (str from CSV; str, int, float, bool, datetime … from
# XLSX; None) -> typed value, None when empty, CellError when it cannot be typed.


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    text = fold(raw if type(raw) is str else cell_text(raw))
    return text or None


def _verbatim_text(raw: object) -> str | None:
    if raw is None:
        return None
    text = (raw if type(raw) is str else cell_text(raw)).strip()
    return text or None


def _float_decimal(value: float) -> Decimal:
    if not math.isfinite(value):
        raise CellError()
    # What Excel shows (15 significant digits), not the binary float's noise.
    return Decimal(f"{value:.15g}")


def _text_decimal(text: str, rate: bool) -> Decimal:
    text = fold(text)
    percent = text.endswith("%")
    if percent:
        if not rate:
            raise CellError("该列不是比率，不能带 %", "this column is not a rate, so it takes no %")
        text = text[:-1].rstrip()
    if not _NUMBER.fullmatch(text):
        raise CellError()
    number = Decimal(text.replace(",", ""))
    return number.scaleb(-2) if percent else number


def _int_parser(rate: bool) -> Callable[[object], int | None]:
    def parse(raw: object) -> int | None:
        if type(raw) is str:
            text = raw.strip()
            if text.isdigit() and text.isascii() and len(text) < 19:  # the common case
                return int(text)
            if not text:
                return None
            number = _text_decimal(text, rate)
        elif raw is None:
            return None
        elif type(raw) is int:
            number = Decimal(raw)
        elif type(raw) is float:
            if raw.is_integer() and -(2**63) <= raw < 2**63:  # Excel's 620.0
                return int(raw)
            number = _float_decimal(raw)
        else:
            raise CellError()
        if number != number.to_integral_value():
            raise CellError("不能有小数", "it has a fraction")
        if not -(2**63) <= number < 2**63:  # the warehouse's bigint
            raise CellError("超出范围", "it is out of range")
        return int(number)

    return parse


def _number_parser(rate: bool) -> Callable[[object], Decimal | None]:
    def parse(raw: object) -> Decimal | None:
        if type(raw) is str:
            text = raw.strip()
            if (text.isdigit() and text.isascii()) or _PLAIN_DECIMAL.fullmatch(text):
                return Decimal(text)  # the common cases, what _text_decimal would make of them
            return _text_decimal(text, rate) if text else None
        if raw is None:
            return None
        if type(raw) is int:
            return Decimal(raw)
        if type(raw) is float:
            return _float_decimal(raw)
        raise CellError()

    return parse


def _real_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError("该日期不存在", "no such calendar date") from None


def _written_date(text: str) -> date | None:
    """A date written as text (2006-03-02, 2006/3/2, 2006年3月2日, 20060302), else None."""
    if match := _DATE.fullmatch(text):
        return _real_date(match[1], match[3], match[4])
    if (match := _DATE_ZH.fullmatch(text)) or (match := _DATE_COMPACT.fullmatch(text)):
        return _real_date(match[1], match[2], match[3])
    return None


def _excel_serial(serial: float) -> date:
    # Only five-digit serials (1927–2173): a bare 2006 or 42 is a mistake, not a date.
    if not 10000 <= serial < 100000:
        raise CellError()
    return _EXCEL_EPOCH + timedelta(days=int(serial))


@lru_cache(maxsize=4096)
def _date_text(text: str) -> date:
    text = fold(text)
    if (day := _written_date(text)) is not None:
        return day
    if _EXCEL_SERIAL.fullmatch(text):
        return _excel_serial(float(text))
    raise CellError()


def _date(raw: object) -> date | None:
    if type(raw) is str:
        text = raw.strip()
        return _date_text(text) if text else None
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if type(raw) in (int, float):
        return _excel_serial(cast(float, raw))  # an Excel date whose cell lost its date format
    raise CellError()


@lru_cache(maxsize=1024)
def _period_text(text: str) -> str:
    text = fold(text)
    if match := _YEAR.fullmatch(text):
        return match[1]
    for pattern in _QUARTERS:
        if match := pattern.fullmatch(text):
            quarter = _ZH_DIGITS.get(match[2], match[2])
            if not "1" <= quarter <= "4":
                raise CellError("季度应为 1–4", "the quarter must be 1–4")
            return f"{match[1]}-Q{quarter}"
    for pattern in _MONTHS:
        if match := pattern.fullmatch(text):
            if not 1 <= int(match[2]) <= 12:
                raise CellError("月份应为 1–12", "the month must be 1–12")
            return f"{match[1]}-{int(match[2]):02d}"
    # A whole date, as Excel writes a date-formatted period cell to CSV: its month.
    if (day := _written_date(text)) is not None:
        return f"{day.year:04d}-{day.month:02d}"
    raise CellError()


def _period(raw: object) -> str | None:
    if type(raw) is str:
        text = raw.strip()
        return _period_text(text) if text else None
    if raw is None:
        return None
    if isinstance(raw, date):  # an Excel date cell: the month it falls in
        return f"{raw.year:04d}-{raw.month:02d}"
    if type(raw) is int or (type(raw) is float and raw.is_integer()):
        return _period_text(str(int(raw)))
    raise CellError()


def _enum_parser(column: Column) -> Callable[[object], str | None]:
    codes = {}
    for code, label in (column.enum or {}).items():
        codes[code.casefold()] = code
        codes[fold(label).casefold()] = code

    def parse(raw: object) -> str | None:
        text = _text(raw)
        # An unknown value passes through as typed: the suite's in-set rule reports it.
        return None if text is None else codes.get(text.casefold(), text)

    return parse


def cell_parser(column: Column) -> Callable[[object], Any]:
    """The function typing one cell of this column (empty -> its default, or None)."""
    parse: Callable[[object], Any]
    if column.type == "int":
        parse = _int_parser(column.rate)
    elif column.type == "number":
        parse = _number_parser(column.rate)
    elif column.type == "enum":
        parse = _enum_parser(column)
    elif column.verbatim:
        parse = _verbatim_text
    else:
        parse = {"text": _text, "date": _date, "period": _period}[column.type]
    if column.default is None:
        return parse
    default = parse(column.default)
    return lambda raw: value if (value := parse(raw)) is not None else default


# Headers and kinds


def header_key(text: str) -> str:
    """How header cells are compared: width-folded, no spaces or underscores, any case."""
    return "".join(fold(text).split()).replace("_", "").casefold()


# kind name -> header key -> column name, for both the English and the Chinese header
_HEADER_KEYS = {
    kind.name: {
        header_key(name): column.name
        for column in kind.columns
        for name in (column.name, column.zh)
    }
    for kind in KINDS.values()
}


def _kinds_listed() -> tuple[str, str]:
    zh = "、".join(f"{kind.zh}（{kind.name}）" for kind in KINDS.values())
    en = ", ".join(f"{kind.name} ({kind.zh})" for kind in KINDS.values())
    return zh, en


def _match(kind: Kind, header: Sequence[str]) -> dict[str, int]:
    """Column name -> position of its first header cell, for this kind."""
    keys = _HEADER_KEYS[kind.name]
    found: dict[str, int] = {}
    for position, text in enumerate(header):
        name = keys.get(header_key(text))
        if name is not None:
            found.setdefault(name, position)
    return found


def recognise(header: Sequence[str]) -> Kind | None:
    """The kind this header belongs to, or None when that is not clear."""
    complete: list[tuple[int, Kind]] = []
    partial: list[tuple[int, Kind]] = []
    for kind in KINDS.values():
        found = _match(kind, header)
        required = [column.name for column in kind.columns if needed(column)]
        missing = sum(name not in found for name in required)
        if not missing:
            complete.append((len(found), kind))
        elif missing * 2 <= len(required):
            # Most of the kind is there: better to name the missing column than to
            # say the kind is unknown.
            partial.append((len(found), kind))
    for candidates in (complete, partial):
        if candidates:
            candidates.sort(key=lambda candidate: -candidate[0])
            if len(candidates) > 1 and candidates[1][0] == candidates[0][0]:
                return None  # a tie: better to ask for --kind than to guess
            return candidates[0][1]
    return None


def closest_kind(header: Sequence[str]) -> tuple[Kind | None, list[Column]]:
    """The kind whose columns this header matches most, and its required columns missing."""
    best, best_found = None, 0
    for kind in KINDS.values():
        found = len(_match(kind, header))
        if found > best_found:
            best, best_found = kind, found
    if best is None:
        return None, []
    matched = _match(best, header)
    return best, [c for c in best.columns if needed(c) and c.name not in matched]


def unknown_kind_message(header: Sequence[str]) -> tuple[str, str]:
    """What to tell a clerk whose header is no kind's: what was read, what is closest, the template."""
    shown = [text if len(text) <= 30 else text[:29] + "…" for text in header if text.strip()]
    more = len(shown) - 12
    read_zh = "、".join(f"「{text}」" for text in shown[:12]) + (
        f" 等 {len(shown)} 个" if more > 0 else ""
    )
    read_en = ", ".join(f'"{text}"' for text in shown[:12]) + (
        f" and {more} more" if more > 0 else ""
    )
    if not shown:
        read_zh, read_en = "（空）", "(none)"
    kind, missing = closest_kind(header)
    if kind is None:
        listed_zh, listed_en = _kinds_listed()
        return (
            f"无法从表头识别报表类型。读到的表头：{read_zh}，与任何一种报表都不相符（可选：{listed_zh}）。"
            "请在上传页面下载对应报表的空白模板（或运行 ducha template 报表类型 -o 文件名），按模板的表头填写后再提交",
            f"cannot tell the kind of return from its header. Headers read: {read_en}; they match"
            f" no kind of return (one of: {listed_en}). Download the blank template of the return"
            " on the upload page (or run ducha template KIND -o FILE), fill in under its header"
            " and submit again",
        )
    missing_zh = "、".join(f"「{c.zh}」" for c in missing) or "（无）"
    missing_en = ", ".join(f"{c.name} ({c.zh})" for c in missing) or "(none)"
    return (
        f"无法从表头识别报表类型。读到的表头：{read_zh}。最接近的是{kind.zh}（{kind.name}），"
        f"缺少必填列：{missing_zh}。请在上传页面下载{kind.zh}的空白模板"
        f"（或运行 ducha template {kind.name} -o 文件名），按模板的表头填写后再提交",
        f"cannot tell the kind of return from its header. Headers read: {read_en}. The closest"
        f" kind is {kind.name} ({kind.zh}), missing the required columns: {missing_en}."
        f" Download the blank template of {kind.name} on the upload page (or run ducha template"
        f" {kind.name} -o FILE), fill in under its header and submit again",
    )


# A sheet's rows as read, with their row numbers; closed early when reading stops.
Records = Generator[tuple[int, Sequence[object]], None, None]


def _constant(value: object) -> Callable[[object], object]:
    """A parser for a column the file lacks: every row gets its default."""
    return lambda _raw: value


class ReturnReader:
    """One return file: its kind, header and problems, and a stream of its typed rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind: Kind | None = None
        self.headers: dict[str, str] = {}
        self.problems: list[Problem] = []
        self._format = "csv"
        self._encoding = ""  # "" = only ASCII seen so far, decided at the first other byte
        self._skip = 0  # bytes of BOM
        self._newline = b"\n"  # b"\r" for old-Mac CSV ("CSV (Macintosh)")
        self._delimiter = ","
        self._sheet: str | None = None
        self.sheets: list[str] = []  # a workbook's sheets, in order; the one read is _sheet
        self._no_header_sheet = False
        self._passed_over = False  # sheets before the one read were not a return's
        self._header_row = 0
        self._positions: dict[str, int] = {}
        self._file_problems = 0
        self._workbook: WorkbookStats | None = None

    # Problems

    def _problem(self, rule: str, zh: str, en: str, **where: Any) -> None:
        self.problems.append(Problem(rule=rule, message_zh=zh, message_en=en, **where))

    @property
    def _failed(self) -> bool:
        return any(problem.severity == "error" for problem in self.problems)

    # Opening

    def _open(self) -> None:
        try:
            with self.path.open("rb") as file:
                head = file.read(SNIFF_BYTES)
        except OSError as err:
            self._problem(
                "unreadable",
                f"无法读取文件：{err.strerror}",
                f"cannot read the file: {err.strerror}",
            )
            return
        if not self._sniff(head):
            return
        if self._format == "xlsx" and not self._check_workbook():
            return  # (a zip: xlsx, or another workbook that _check_workbook names)

        header_row, header, has_rows = 0, [], False
        with closing(self._records()) as records:
            for row_no, cells in records:
                if _blank(cells):
                    continue
                if not header_row:
                    header_row, header = row_no, [cell_text(cell).strip() for cell in cells]
                    continue
                has_rows = True
                break
        if self._failed or not self._report_sheet():
            return
        if not header_row:
            if self._format == "html":
                self._not_a_spreadsheet(looks_like="web")
            else:
                self._problem("empty-file", "文件是空的，没有表头和数据", "the file is empty")
            return
        self._header_row = header_row
        self._read_header(header)
        if not self._failed and not has_rows:
            self._problem(
                "no-rows", "文件只有表头，没有数据行", "the file has a header but no data rows"
            )

    def _sniff(self, head: bytes) -> bool:
        """Tell XLSX from CSV by content and choose the CSV's encoding and delimiter."""
        if not head:
            self._problem("empty-file", "文件是空的（0 字节）", "the file is empty (0 bytes)")
            return False
        if _is_html(head):
            # An HTML table saved as .xls/.htm, as office and OA systems export them.
            self._format = "html"
            self._encoding = _html_encoding(head)
            return True
        if head.startswith(_ZIP_MAGIC):
            self._format = "xlsx"
            return True
        if head.startswith(_OLE_MAGIC):
            streams = _ole_streams(self.path)
            if "EncryptedPackage" in streams:
                self._problem(
                    "encrypted-workbook",
                    "工作簿设置了打开密码（已加密），无法读取；请在 Excel 或 WPS 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx 再提交",
                    "the workbook is protected by a password (encrypted) and cannot be read; remove"
                    " the password in Excel or WPS (File → Info → Protect Workbook), save it as .xlsx"
                    " and submit it again",
                )
                return False
            if "WordDocument" in streams:
                self._not_a_spreadsheet(looks_like="word")
                return False
            self._format = "calamine"  # legacy .xls (BIFF), read by python-calamine
            return True
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._encoding = "utf-16"  # Excel's "Unicode text": tab-separated UTF-16
        elif head.startswith(codecs.BOM_UTF8):
            self._encoding, self._skip = "utf-8", len(codecs.BOM_UTF8)
        elif b"\0" in head:
            self._not_a_spreadsheet()
            return False
        elif not head.isascii():
            final = len(head) < SNIFF_BYTES
            for encoding in ("utf-8", "gb18030"):
                try:
                    codecs.getincrementaldecoder(encoding)().decode(head, final)
                except UnicodeDecodeError:
                    continue
                self._encoding = encoding
                break
            else:
                if self.path.suffix.lower() in _SPREADSHEET_SUFFIXES:
                    self._not_a_spreadsheet()
                else:
                    self._undecodable(None)
                return False
        text = head[self._skip :].decode(self._encoding or "ascii", errors="ignore")
        self._delimiter = _delimiter(text)
        if b"\r" in head and b"\n" not in head:
            self._newline = b"\r"
        return True

    def _check_workbook(self) -> bool:
        """Tell which workbook the zip is, and check it against etl.limits before any reader allocates for it."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                raw = archive.namelist()
                mimetype = archive.read("mimetype")[:100] if "mimetype" in raw else b""
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
            self._not_a_spreadsheet()
            return False
        names = {name.replace("\\", "/").lstrip("/") for name in raw}
        if "xl/workbook.xml" in names and names == set(raw):
            self._format = "xlsx"
        elif {
            "xl/workbook.xml",
            "workbook.xml",
            "xl/workbook.bin",
        } & names or b"opendocument.spreadsheet" in mimetype:
            # Backslash paths, a workbook at the zip root, .xlsb, .ods: python-calamine
            # reads them, in a child process (the scan below knows only xlsx sheets).
            self._format = "calamine"
        else:
            looks_like = "word" if "word/document.xml" in names else "zip"
            if b"opendocument.text" in mimetype:
                looks_like = "word"
            self._not_a_spreadsheet(looks_like=looks_like)
            return False
        try:
            self._workbook = check_workbook(self.path)
        except LimitExceeded as err:
            breach = err.breach
            self._problem(breach.rule, breach.message_zh, breach.message_en, value=breach.value)
            return False
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            self._not_a_spreadsheet()
            return False
        return True

    def _not_a_spreadsheet(self, row: int | None = None, looks_like: str | None = None) -> None:
        if looks_like is None and row is None:
            looks_like = _looks_like(self.path)
        zh, en = _LOOKS_LIKE.get(looks_like or "", ("", ""))
        self._problem(
            "not-a-spreadsheet",
            f"文件不是表格（CSV、Excel 或 WPS 表格），无法读取{zh}；请在 Excel 或 WPS 中打开报表，"
            "另存为 .xlsx 或 CSV 后再提交",
            f"the file is not a spreadsheet (CSV, Excel or WPS) and cannot be read{en}; open the"
            " return in Excel or WPS, save it as .xlsx or CSV and submit it again",
            row=row,
        )

    def _undecodable(self, row: int | None) -> None:
        self._problem(
            "undecodable",
            "文件的文字编码无法识别；请另存为 UTF-8 或 GB18030（GBK）编码的 CSV",
            "the file's text encoding cannot be read; save it as CSV in UTF-8 or GB18030 (GBK)",
            row=row,
        )

    def _read_header(self, header: list[str]) -> None:
        """Map header cells to the kind's columns; recognise the kind if not given."""
        if self.kind is None:
            self.kind = recognise(header)
            if self.kind is None:
                zh, en = unknown_kind_message(header)
                self._problem("unknown-kind", zh, en, row=self._header_row)
                return
        kind = self.kind
        self._positions = _match(kind, header)
        self.headers = {name: header[position] for name, position in self._positions.items()}
        for column in kind.columns:
            if needed(column) and column.name not in self._positions:
                self._problem(
                    "missing-column",
                    f"缺少必填列「{column.zh}」（{column.name}）",
                    f'missing required column "{column.name}" ({column.zh})',
                    column=column.name,
                )
        keys = _HEADER_KEYS[kind.name]
        for position, text in enumerate(header):
            if not text:
                continue  # trailing empty columns are common in Excel exports
            name = keys.get(header_key(text))
            if name is None:
                self._problem(
                    "extra-column",
                    f"表头「{text}」不是{kind.zh}的列，该列将被忽略",
                    f'header "{text}" is not a column of {kind.name}; the column is ignored',
                    row=self._header_row,
                    value=text,
                    severity="warning",
                )
            elif self._positions[name] != position:
                zh = kind.column(name).zh
                self._problem(
                    "duplicate-column",
                    f"列「{zh}」（{name}）出现了不止一次（表头「{text}」）",
                    f'column "{name}" ({zh}) appears more than once (header "{text}")',
                    row=self._header_row,
                    column=name,
                    value=text,
                )

    # Raw rows: (row number as in Excel, cells), blank rows included

    def _records(self) -> Records:
        if self._format == "calamine":
            return self._calamine_records()
        if self._format == "html":
            return self._html_records()
        return self._xlsx_records() if self._format == "xlsx" else self._csv_records()

    def _reader_failed(self, limit: int, row_no: int) -> None:
        self._problem(
            "reader-failed",
            f"读取工作簿时超出了内存上限（{limit >> 20} MB，设置项 DUCHA_READER_MEMORY_MB）"
            "或读取程序异常退出，文件未载入；请在 Excel 或 WPS 中删除数据区以外的行列，另存为 .xlsx 后再提交",
            f"reading the workbook went over the memory limit ({limit >> 20} MB,"
            " DUCHA_READER_MEMORY_MB) or the reader stopped abnormally, so nothing was loaded;"
            " delete the rows and columns outside the data in Excel or WPS, save it as .xlsx"
            " and submit it again",
            row=row_no + 1 if row_no else None,
        )

    def _html_records(self) -> Records:
        """Rows of the HTML page's table rows (<tr>), in bounded memory; nothing is fetched."""
        row_no = 0
        try:
            for cells in html_rows(self.path, self._encoding, Limits.from_env()):
                row_no += 1
                yield row_no, cells
        except LimitExceeded as err:
            breach = err.breach
            self._problem(breach.rule, breach.message_zh, breach.message_en, value=breach.value)
        except (OSError, UnicodeDecodeError):
            self._undecodable(row_no + 1)

    def _calamine_records(self) -> Records:
        """Rows of a workbook python-calamine reads in a child process (.xls, .xlsb, .ods …)."""
        row_no = 0
        try:
            for cells in isolated_rows(self.path, self._choose_sheet):
                row_no += 1
                yield row_no, cells
        except ReaderDied as err:
            self._reader_failed(err.limit, row_no)
        except ReaderError as err:
            if "limit" in str(err).lower():  # calamine's own cell limit ("Cell limit exceeded")
                self._reader_failed(memory_limit(), row_no)
            else:
                self._not_a_spreadsheet(row_no + 1 if row_no else None, looks_like="damaged")

    def _csv_records(self) -> Records:
        row_no = 0
        try:
            with self.path.open("rb") as file:
                file.seek(self._skip)
                lines = _lines(file, self._encoding, self._newline)
                reader = csv.reader(lines, delimiter=self._delimiter)
                for cells in reader:
                    row_no += 1
                    yield row_no, cells
        except UnicodeDecodeError:
            self._undecodable(row_no + 1)
        except _BinaryLine:
            self._not_a_spreadsheet(row_no + 1)
        except (csv.Error, OSError) as err:
            self._problem(
                "csv-syntax",
                f"CSV 格式错误（如引号不成对）：{err}",
                f"malformed CSV (such as an unclosed quote): {err}",
                row=row_no + 1,
            )

    def _xlsx_records(self) -> Records:
        row_no = 0
        # The engines raise many kinds of exceptions for bytes that are not a workbook
        # (BadZipFile, KeyError, XML errors …); all of them mean the same to the user.
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
            if "xl/workbook.xml" not in names:  # .xlsb, .ods, .docx, any other zip
                self._not_a_spreadsheet()
                return
            stats = self._workbook or check_workbook(self.path)
            small = (
                stats.largest_sheet_bytes() <= CALAMINE_MAX_XML_BYTES
                and stats.largest_grid() <= CALAMINE_MAX_GRID_CELLS
            )
            engine = _calamine_rows if small else _openpyxl_rows
            for cells in engine(self.path, self._choose_sheet):
                row_no += 1
                yield row_no, cells
        except Exception:
            self._not_a_spreadsheet(row_no + 1 if row_no else None)

    def _choose_sheet(
        self, names: list[str], first_row: Callable[[str], Sequence[object] | None]
    ) -> str:
        """The sheet named after the kind (or any kind, when none is given), else the first
        sheet whose first row is a header; instructions, chart and empty sheets are passed over.
        """
        if self._sheet is None:
            self.sheets = list(names)
            kinds = [self.kind] if self.kind is not None else list(KINDS.values())
            wanted = {header_key(name) for kind in kinds for name in (kind.name, kind.zh)}
            chosen = next((name for name in names if header_key(name) in wanted), None)
            if chosen is None and len(names) == 1:
                chosen = names[0]  # nothing to choose from: its header is read as usual
            if chosen is None:
                for name in names:
                    row = first_row(name)
                    if row is not None and self._is_header(row):
                        chosen = name
                        self._passed_over = name != names[0]
                        break
            if chosen is None:
                self._no_header_sheet = len(names) > 1
                chosen = names[0]
            self._sheet = chosen
        return self._sheet

    def _is_header(self, row: Sequence[object]) -> bool:
        header = [cell_text(cell).strip() for cell in row]
        if self.kind is None:
            return recognise(header) is not None
        found = _match(self.kind, header)
        return any(needed(column) and column.name in found for column in self.kind.columns)

    def _report_sheet(self) -> bool:
        """Say which sheet was read when others were passed over; False if none will do."""
        if not self.sheets or self._sheet is None:
            return True
        listed_zh = "、".join(f"「{name}」" for name in self.sheets)
        listed_en = ", ".join(f'"{name}"' for name in self.sheets)
        if self._no_header_sheet:
            if self.kind is not None:
                named_zh = f"「{self.kind.zh}」或「{self.kind.name}」"
                named_en = f'"{self.kind.zh}" or "{self.kind.name}"'
            else:
                named_zh, named_en = (
                    "报表名称（如「就业情况」）",
                    'after its kind (such as "就业情况")',
                )
            self._problem(
                "no-data-sheet",
                f"工作簿中没有哪个工作表的第 1 行是报表表头；找到的工作表：{listed_zh}。"
                f"请把数据放在名为{named_zh}的工作表中，第 1 行为表头（可在上传页面下载空白模板，"
                "或运行 ducha template 报表类型 -o 文件名）",
                f"no sheet of the workbook has a return's header in its first row; sheets found:"
                f" {listed_en}. Put the data on a sheet named {named_en}, its header in row 1"
                " (the blank template is on the upload page, or run ducha template KIND -o FILE)",
                value=", ".join(self.sheets),
            )
            return False
        if self._passed_over:  # a sheet named after the kind is the rule, said in the template
            self._problem(
                "sheet-read",
                f"读取的是工作表「{self._sheet}」（工作簿中的工作表：{listed_zh}）",
                f'the sheet read is "{self._sheet}" (sheets of the workbook: {listed_en})',
                value=self._sheet,
                severity="warning",
            )
        return True

    # Typed rows

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Stream (row number as in Excel, values in kind.columns order); blank rows skipped."""
        return self._rows(as_copy_text=False)

    def copy_text_rows(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """As ``rows``, each value written as a field of COPY's text format (NULL is \\N).

        What staging needs, made once per distinct cell: formatting the typed
        values row by row cost as much again as reading them.
        """
        return self._rows(as_copy_text=True)

    def _rows(self, as_copy_text: bool) -> Iterator[tuple[int, tuple[Any, ...]]]:
        del self.problems[self._file_problems :]  # so a second pass does not repeat them
        if self.kind is None or self._failed:
            return
        plan: list[tuple[int, Callable[[object], Any], Column]] = []
        for column in self.kind.columns:
            parse = cell_parser(column)
            if column.name in self._positions:
                plan.append((self._positions[column.name], parse, column))
            else:
                default = parse(None)
                plan.append((0, _constant(default), column))
        width = max(position for position, _, _ in plan) + 1
        typed = _row_typer(self.kind, self._positions, as_copy_text)
        bad: Counter[tuple[str, str]] = Counter()  # (column, rule) -> cells
        header_row = self._header_row
        for row_no, cells in self._records():
            if row_no <= header_row:
                continue
            # The first cell decides for nearly every row; _blank looks at them all.
            first = cells[0] if cells else None
            if not (type(first) is str and first.strip()) and _blank(cells):
                continue
            if len(cells) < width:
                cells = [*cells, *[None] * (width - len(cells))]
            try:
                values = typed(cells)
            except CellError:
                values = self._typed_slowly(row_no, cells, plan, bad)
                if as_copy_text:
                    values = tuple(map(copy_text, values))
            yield row_no, values
        for (name, rule), count in bad.items():
            if count > MAX_CELL_PROBLEMS:
                more = count - MAX_CELL_PROBLEMS
                self._problem(
                    rule,
                    f"另有 {more} 行的「{self.kind.column(name).zh}」有同样的问题，未逐一列出",
                    f"{more} more rows have the same problem in {name}, not listed one by one",
                    column=name,
                )

    def _typed_slowly(
        self,
        row_no: int,
        cells: Sequence[object],
        plan: Iterable[tuple[int, Callable[[object], Any], Column]],
        bad: Counter[tuple[str, str]],
    ) -> tuple[Any, ...]:
        """Type a row cell by cell, reporting each cell that cannot be typed."""
        values = []
        for position, parse, column in plan:
            raw = cells[position]
            try:
                values.append(parse(raw))
            except CellError as err:
                values.append(None)
                rule = f"type-{column.type}"
                bad[column.name, rule] += 1
                if bad[column.name, rule] <= MAX_CELL_PROBLEMS:
                    self.problems.append(_cell_problem(row_no, column, raw, rule, err))
        return tuple(values)


# Distinct cells each column remembers the typed value of; a 1M-row file's
# columns mostly repeat a few hundred values (units, dates, enums, periods).
MEMO_CELLS = 50_000


class _Memo(dict[object, Any]):
    """Raw cell -> typed value: each distinct cell is parsed once, then found in C."""

    __slots__ = ("parse", "room")

    def __init__(self, parse: Callable[[object], Any], room: int) -> None:
        super().__init__()
        self.parse = parse
        self.room = room

    def __missing__(self, raw: object) -> Any:
        value = self.parse(raw)  # a CellError goes up: the row is then typed cell by cell
        # Only text (and None) as keys: 1 == 1.0 == True as dict keys, but not as cells.
        if self.room and (type(raw) is str or raw is None):
            self.room -= 1
            self[raw] = value
        return value


def copy_text(value: object) -> str:
    """A typed value as a field of COPY's text format: NULL is \\N, text is escaped."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    return str(value)  # int, Decimal, date: what PostgreSQL reads back as the same value


def _text_copy_text(raw: object) -> str:
    """copy_text(_text(raw)) in one call."""
    if raw is None:
        return "\\N"
    text = fold(raw if type(raw) is str else cell_text(raw))
    if not text:
        return "\\N"
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _verbatim_copy_text(raw: object) -> str:
    """copy_text(_verbatim_text(raw)) in one call."""
    if raw is None:
        return "\\N"
    text = (raw if type(raw) is str else cell_text(raw)).strip()
    if not text:
        return "\\N"
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _row_typer(
    kind: Kind, positions: dict[str, int], as_copy_text: bool = False
) -> Callable[[Sequence[object]], tuple[Any, ...]]:
    """A function typing one row's cells into values in kind.columns order.

    The cells are picked by ``itemgetter`` and typed by ``map`` over the columns'
    memos, so a row costs a few C calls rather than a Python call per cell.
    """
    present = [column for column in kind.columns if column.name in positions]
    missing = [column for column in kind.columns if column.name not in positions]

    def parser(column: Column) -> Callable[[object], Any]:
        parse = cell_parser(column)
        if not as_copy_text:
            return parse
        if column.type == "text" and column.default is None:
            # One call per cell for the columns no memo helps (codes, titles).
            return _verbatim_copy_text if column.verbatim else _text_copy_text
        return lambda raw: copy_text(parse(raw))

    memos = [
        _Memo(parser(column), 0 if column.unique or column.verbatim else MEMO_CELLS)
        for column in present
    ]
    where = [positions[column.name] for column in present]
    pick: Callable[[Sequence[object]], Any]
    if len(where) > 1:
        pick = itemgetter(*where)
    else:  # itemgetter of one position returns the cell, not a tuple
        pick = lambda cells: tuple(cells[position] for position in where)  # noqa: E731
    tail = tuple(parser(column)(None) for column in missing)  # defaults, or None
    names = [column.name for column in (*present, *missing)]
    order = [names.index(column.name) for column in kind.columns]
    if order == list(range(len(order))):
        if not tail:
            return lambda cells: tuple(map(getitem, memos, pick(cells)))
        return lambda cells: (*map(getitem, memos, pick(cells)), *tail)
    reorder = itemgetter(*order)
    return lambda cells: reorder((*map(getitem, memos, pick(cells)), *tail))


def _cell_problem(row_no: int, column: Column, raw: object, rule: str, err: CellError) -> Problem:
    value = cell_text(raw).strip()
    shown = value if len(value) <= 60 else value[:57] + "…"
    type_zh, type_en, expected_zh, expected_en = _EXPECTED[column.type]
    return Problem(
        rule=rule,
        message_zh=f"{column.zh}「{shown}」不是有效的{type_zh}"
        + (f"（{err.zh}）" if err.zh else "")
        + f"；{expected_zh}",
        message_en=f'{column.name} "{shown}" is not a valid {type_en}'
        + (f" ({err.en})" if err.en else "")
        + f"; {expected_en}",
        row=row_no,
        column=column.name,
        value=value,
    )


def _blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (type(cell) is str and not cell.strip()) for cell in cells)


def _delimiter(text: str) -> str:
    """Comma, unless the first line clearly uses tabs or semicolons instead."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    if "," in line or not ("\t" in line or ";" in line):
        return ","
    return "\t" if line.count("\t") >= line.count(";") else ";"


class _BinaryLine(ValueError):
    """A CSV line holding NUL bytes."""


# CSV text is decoded a block of lines at a time; a block holding a NUL byte, an
# undecodable byte or the file's first non-ASCII line goes line by line instead,
# so that the problem is still reported at its own row.
_BLOCK_BYTES = 1 << 20


def _lines(file: BinaryIO, encoding: str, newline: bytes = b"\n") -> Iterator[str]:
    """Decode a CSV line by line, so that a bad byte is reported at its own row.

    Lines end with LF (or CRLF); with ``newline=b"\r"``, with CR alone, as old-Mac
    "CSV (Macintosh)" files do.
    """
    if encoding == "utf-16":  # its newlines are two bytes: leave the splitting to io
        yield from io.TextIOWrapper(file, encoding="utf-16", newline="")
        return
    tail = b""
    while True:
        block = file.read(_BLOCK_BYTES)
        if block:
            block = tail + block
            cut = block.rfind(newline) + 1
            if not cut:  # one long line so far
                tail = block
                continue
            block, tail = block[:cut], block[cut:]
        else:
            block, tail = tail, b""
            if not block:
                return
        text = None
        if b"\0" not in block:
            if block.isascii():
                text = block.decode("ascii")
            elif encoding:
                with suppress(UnicodeDecodeError):
                    text = block.decode(encoding)
        if text is not None:
            # newline="\n": split where the binary file's lines split, translate nothing.
            yield from io.StringIO(text, newline=newline.decode())
            continue
        for line in io.BytesIO(block) if newline == b"\n" else block.splitlines(keepends=True):
            if b"\0" in line:  # binary junk; and PostgreSQL text cannot hold NUL
                raise _BinaryLine()
            if not encoding:
                if line.isascii():
                    yield line.decode("ascii")
                    continue
                # The first 64 KB were ASCII: the first other line decides (GBK text
                # is seldom valid UTF-8, and GB18030 is what Excel writes otherwise).
                try:
                    line.decode("utf-8")
                    encoding = "utf-8"
                except UnicodeDecodeError:
                    encoding = "gb18030"
            yield line.decode(encoding)


# What a file that is not a spreadsheet looks like, for the clerk's message.
_LOOKS_LIKE = {
    "web": (
        "：它看起来是一个网页（HTML），但其中没有表格",
        ": it looks like a web page (HTML) with no table in it",
    ),
    "word": ("：它看起来是一份 Word 文档", ": it looks like a Word document"),
    "picture": (
        "：它看起来是一张图片（PNG、JPEG 或 GIF）",
        ": it looks like a picture (PNG, JPEG or GIF)",
    ),
    "pdf": ("：它看起来是一份 PDF 文档", ": it looks like a PDF document"),
    "zip": ("：它是一个装着其他文件的压缩包（zip）", ": it is a zip of other files"),
    "damaged": (
        "：工作簿已损坏，或是无法读取的版本",
        ": the workbook is damaged or of a version that cannot be read",
    ),
}
_PICTURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _looks_like(path: Path) -> str | None:
    """What a file that is no spreadsheet seems to be, from its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError:
        return None
    if head.startswith(_PICTURES):
        return "picture"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "word"
    if head.startswith(_OLE_MAGIC) and "WordDocument" in _ole_streams(path):
        return "word"
    if _is_html(head):
        return "web"
    return None


def _is_html(head: bytes) -> bool:
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore").lstrip("\ufeff").lstrip().lower().encode()
    return text.startswith(
        (b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<?xml")
    ) and (b"<html" in text or b"<table" in text or b"<!doctype html" in text)


_OLE_NAMES = ("EncryptedPackage", "WordDocument", "Workbook", "Book")


def _ole_streams(path: Path) -> set[str]:
    """Names of well-known streams in an OLE compound file (its directory, UTF-16 names)."""
    try:
        with path.open("rb") as file:
            data = file.read(8 << 20)
    except OSError:
        return set()
    return {name for name in _OLE_NAMES if name.encode("utf-16-le") + b"\0\0" in data}


# Rows looked at for a sheet's header: a title or notes may stand above it.
_HEADER_SEARCH_ROWS = 30


def _first_row(rows: Iterable[Sequence[object]]) -> Sequence[object] | None:
    for number, row in enumerate(rows):
        if number >= _HEADER_SEARCH_ROWS:
            return None
        if not _blank(row):
            return row
    return None


def _calamine_rows(path: Path, choose: Callable[..., str]) -> Iterator[Sequence[object]]:
    """Rows of the chosen sheet from row 1, read whole by python-calamine (fast)."""
    with CalamineWorkbook.from_path(str(path)) as book:

        def first_row(name: str) -> Sequence[object] | None:
            try:
                return _first_row(book.get_sheet_by_name(name).iter_rows())
            except Exception:  # a chart sheet, or one the engine cannot read
                return None

        yield from book.get_sheet_by_name(choose(book.sheet_names, first_row)).iter_rows()


def _openpyxl_rows(path: Path, choose: Callable[..., str]) -> Iterator[Sequence[object]]:
    """Rows of the chosen sheet from row 1, streamed by openpyxl (slow, little memory)."""
    import openpyxl  # 0.1 s to import, and only large workbooks need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no default style" and the like
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:

        def first_row(name: str) -> Sequence[object] | None:
            sheet = book[name]
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                return None
            sheet.reset_dimensions()
            return _first_row(sheet.iter_rows(values_only=True))

        sheet = book[choose(book.sheetnames, first_row)]
        sheet.reset_dimensions()  # trust the cells, not the file's stated size
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def open_return(path: Path, kind: str | None = None) -> ReturnReader:
    """Open a return, find its kind and header; bad input becomes problems, never exceptions."""
    reader = ReturnReader(Path(path))
    hint = None if kind is None else kind_by_any_name(kind) or kind_by_any_name(fold(kind).lower())
    if kind is not None and hint is None:
        listed_zh, listed_en = _kinds_listed()
        reader._problem(
            "unknown-kind",
            f"未知的报表类型「{kind}」；可选：{listed_zh}",
            f'unknown kind of return "{kind}"; one of: {listed_en}',
        )
    else:
        reader.kind = hint
        reader._open()
    reader._file_problems = len(reader.problems)
    return reader
