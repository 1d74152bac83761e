"""Blank Excel templates for units to fill in, one per return kind, derived from ``etl.kinds``.

The first sheet is named after the kind in Chinese (the reader picks that sheet),
row 1 holds the Chinese headers, and the data rows below carry Excel's own
validation (drop-downs, numeric and date checks) so most mistakes are caught
while typing. A second sheet explains every column and rule in Chinese and
English; a hidden third sheet holds drop-down lists too long to write inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from etl.kinds import Column, Kind, needed

# Rows 2 .. TEMPLATE_ROWS + 1 carry the validations and formats.
TEMPLATE_ROWS = 5000
INSTRUCTIONS_SHEET = "说明 Instructions"
LIST_SHEET = "列表 Lists"
# Excel's limits: an inline list's characters, a prompt's title and message.
INLINE_LIST_LIMIT = 255
PROMPT_TITLE_LIMIT = 32
PROMPT_MESSAGE_LIMIT = 255

REQUIRED_FILL = "#F8CBAD"
OPTIONAL_FILL = "#DDEBF7"

TYPE_WORDS: dict[str, tuple[str, str]] = {
    "text": ("文本", "text"),
    "int": ("整数", "whole number"),
    "number": ("数字", "number"),
    "date": ("日期", "date"),
    "period": ("报告期", "period"),
    "enum": ("选项", "choice"),
}

# Contract §1: the forms the reader accepts, whatever Excel does to a cell.
ACCEPTED_FORMS: tuple[tuple[str, str], ...] = (
    (
        "日期：YYYY-MM-DD、YYYY/M/D、YYYY年M月D日，或 Excel 日期单元格",
        "Dates: YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, or an Excel date cell",
    ),
    (
        "数字：可带千位分隔符（1,234）或为 Excel 数值；比率列可带 %（95.6%）",
        "Numbers: may carry thousands separators (1,234) or be Excel numbers;"
        " a rate column may carry a trailing % (95.6%)",
    ),
    (
        "报告期：年 YYYY（2006）、季度 YYYY-Qn（2006-Q2）或月 YYYY-MM（2006-06）",
        "Periods: a year YYYY (2006), a quarter YYYY-Qn (2006-Q2) or a month YYYY-MM (2006-06)",
    ),
    (
        "选项列：填中文名称或英文代码均可（如 街道 或 subdistrict）",
        "Choice columns: the Chinese label or the English code (e.g. 街道 or subdistrict)",
    ),
    (
        "单元格首尾空格会被去除，全角数字和空格会转为半角",
        "Cells are trimmed; full-width digits and spaces are normalised",
    ),
    (
        "表头可用中文或英文列名，列的顺序不限；多余的列只产生警告，缺少必填列则整份文件被拒收",
        "Headers may be Chinese or English, in any order; an extra column is a warning,"
        " a missing required column rejects the file",
    ),
)


def _bound(value: Decimal | int) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def column_rules(kind: Kind, column: Column) -> list[tuple[str, str]]:
    """The rules of one column as (zh, en) sentences, from kinds.py."""
    rules: list[tuple[str, str]] = []
    if needed(column):
        rules.append(("必填", "required"))
    elif column.required and column.default is not None:
        label = (column.enum or {}).get(column.default, column.default)
        rules.append(
            (f"可留空，默认为 {label}", f"may be left empty: defaults to {column.default}")
        )
    else:
        rules.append(("选填", "optional"))
    if column.type == "period":
        if column.period_granularity == "month":
            rules.append(("须为月份 YYYY-MM", "must be a month, YYYY-MM"))
        else:
            rules.append(
                ("年 YYYY、季度 YYYY-Qn 或月 YYYY-MM", "a year YYYY, a quarter YYYY-Qn or a month")
            )
    if column.regex:
        rules.append((f"格式须符合 {column.regex}", f"must match {column.regex}"))
    if column.minimum is not None:
        bound = _bound(column.minimum)
        if column.exclusive_minimum:
            rules.append((f"须大于 {bound}", f"must be above {bound}"))
        else:
            rules.append((f"不小于 {bound}", f"at least {bound}"))
    if column.maximum is not None:
        bound = _bound(column.maximum)
        rules.append((f"不大于 {bound}", f"at most {bound}"))
    if column.max_length is not None:
        rules.append(
            (f"不超过 {column.max_length} 个字符", f"at most {column.max_length} characters")
        )
    if column.max_decimals is not None:
        rules.append(
            (f"最多 {column.max_decimals} 位小数", f"at most {column.max_decimals} decimals")
        )
    if column.rate:
        rules.append(("可带 %", "may carry a trailing %"))
    if column.unique:
        rules.append(("在文件中不能重复", "unique within the file"))
    if column.verbatim:
        rules.append(("按原样保存（仅去除首尾空格）", "stored as written (only trimmed)"))
    for pair in kind.pair_rules:
        if column.name in (pair.column_a, pair.column_b):
            rules.append((pair.zh, pair.en))
    for reference in kind.references:
        if column.name in reference.columns:
            rules.append((f"拒收情形：{reference.zh}", f"rejected when the {reference.en}"))
    return rules


def allowed_values(column: Column) -> tuple[str, str]:
    """An enum column's choices as (zh, en) text; empty for other columns."""
    if not column.enum:
        return "", ""
    return (
        "、".join(f"{label}（{code}）" for code, label in column.enum.items()),
        ", ".join(f"{code} ({label})" for code, label in column.enum.items()),
    )


def kind_rules(kind: Kind) -> list[tuple[str, str]]:
    """The kind's rules beyond single columns as (zh, en) sentences."""
    # Imported here: suites is the authority for rules that are not in a Column.
    from etl.suites import EXTRA_RULES, extra_rules

    rules: list[tuple[str, str]] = []
    for column in kind.columns:
        if column.unique:
            rules.append(
                (f"「{column.zh}」在文件中不能重复", f"{column.name} is unique within the file")
            )
    for key in kind.unique_together:
        zh = "、".join(kind.column(name).zh for name in key)
        rules.append(
            (f"（{zh}）的组合在文件中不能重复", f"({', '.join(key)}) is unique in the file")
        )
    for pair in kind.pair_rules:
        rules.append((pair.zh, pair.en))
    for reference in kind.references:
        rules.append((f"拒收情形：{reference.zh}", f"rejected when the {reference.en}"))
    for slug in extra_rules(kind):
        meta = EXTRA_RULES[slug](kind)["meta"]
        zh, en = _without_placeholders(meta["zh"]), _without_placeholders(meta["en"])
        if meta["severity"] == "warning":
            zh, en = f"{zh}（仅警告，不拒收）", f"{en} (a warning only, not a rejection)"
        rules.append((zh, en))
    key_zh = "、".join(kind.column(name).zh for name in kind.version_key)
    if kind.sliced:
        rules.append(
            (
                f"一份文件是该单位该报告期的完整报表：同一（{key_zh}）再次报送时，新文件整体替换旧文件",
                "a file is the unit's whole report for the period: a later file for the same"
                f" ({', '.join(kind.version_key)}) replaces the earlier one whole",
            )
        )
    elif kind.version_key:
        rules.append(
            (
                f"同一（{key_zh}）再次报送时，以后报送的为准，旧版本保留在历史中",
                f"a later row for the same ({', '.join(kind.version_key)}) supersedes the"
                " earlier one, which stays in history",
            )
        )
    if kind.master:
        rules.append(("这是主数据，须先于其他报表载入", "master data: loaded before other returns"))
    return rules


def _without_placeholders(template: str) -> str:
    """A suite message template without its {value}/{other} slots, for a rule's description."""
    text = re.sub(r"[“'\"]?\{(?:value|other)\}[”'\"]?", "", template)
    return re.sub(r"\s{2,}", " ", text).strip()


def _display_width(text: str) -> int:
    """Excel column units: a CJK character takes about two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _column_width(column: Column) -> float:
    by_type = {"date": 12, "period": 10, "int": 10, "number": 12, "text": 14, "enum": 10}
    width = max(_display_width(column.zh) + 4, by_type[column.type])
    if column.enum:
        width = max(width, *(_display_width(label) + 4 for label in column.enum.values()))
    if column.max_length is not None and column.max_length >= 100:
        width = max(width, 40)  # long free text such as a supervision item's title
    return min(width, 50)


def _sheet_name(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    return "".join(char for char in name if char not in "[]:*?/\\")[:31]


def _type_text(column: Column) -> tuple[str, str]:
    zh, en = TYPE_WORDS[column.type]
    if column.type == "date":
        return f"{zh}（YYYY-MM-DD）", f"{en} (YYYY-MM-DD)"
    return zh, en


def _comment(kind: Kind, column: Column) -> str:
    """The header's note: English name, type and rules."""
    type_zh, type_en = _type_text(column)
    rules = column_rules(kind, column)
    lines = [
        f"{column.zh} · {column.name}",
        f"类型 type: {type_zh} / {type_en}",
        *(f"· {zh} / {en}" for zh, en in rules),
    ]
    choices_zh, _ = allowed_values(column)
    if choices_zh:
        lines.append(f"可选值 values: {choices_zh}")
    return "\n".join(lines)


def _prompt(kind: Kind, column: Column) -> dict[str, str]:
    """The input message Excel shows when a cell of the column is selected."""
    type_zh, type_en = _type_text(column)
    rules = "；".join(zh for zh, _ in column_rules(kind, column))
    message = f"{type_zh} {type_en}。{rules}"
    title = f"{column.zh} {column.name}"
    return {
        "input_title": title[:PROMPT_TITLE_LIMIT],
        "input_message": message[:PROMPT_MESSAGE_LIMIT],
    }


class _Lists:
    """Drop-down sources: inline when short, else a column of the hidden list sheet."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.sheet: Worksheet | None = None
        self.columns = 0

    def source(self, values: Sequence[str]) -> list[str] | str:
        joined = ",".join(values)
        # A comma or quote inside a value cannot be written in an inline list.
        if len(joined) <= INLINE_LIST_LIMIT and not any(
            "," in value or '"' in value for value in values
        ):
            return list(values)
        if self.sheet is None:
            self.sheet = self.book.add_worksheet(LIST_SHEET)
            self.sheet.hide()
        col = self.columns
        self.columns += 1
        for row, value in enumerate(values):
            self.sheet.write_string(row, col, value)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        return f"='{LIST_SHEET}'!${letter}$1:${letter}${len(values)}"


def _validate(sheet: Worksheet, col: int, options: dict[str, Any]) -> None:
    # xlsxwriter only warns on a bad validation; a template must never silently lack one.
    if sheet.data_validation(1, col, TEMPLATE_ROWS, col, options) != 0:
        raise ValueError(f"data validation rejected by xlsxwriter: {options}")


def _unit_columns(kind: Kind) -> set[str]:
    """Columns that must name a known unit (the kind's unknown-unit reference)."""
    return {
        name
        for reference in kind.references
        if reference.slug == "unknown-unit"
        for name in reference.columns
    }


def _column_validation(
    kind: Kind, column: Column, lists: _Lists, unit_codes: Sequence[str]
) -> dict[str, Any]:
    """Excel's validation for one column, with its prompt and error message."""
    options: dict[str, Any] = dict(_prompt(kind, column))
    choices_zh, _ = allowed_values(column)
    error_zh = "；".join(zh for zh, _ in column_rules(kind, column))
    if column.enum:
        options |= {
            "validate": "list",
            "source": lists.source(list(column.enum.values())),
            # A warning, not a stop: the English code is accepted too (contract §1).
            "error_type": "warning",
            "error_message": f"请从下拉列表选择（也可填英文代码）：{choices_zh}",
        }
    elif column.name in _unit_columns(kind) and unit_codes:
        options |= {
            "validate": "list",
            "source": lists.source(unit_codes),
            # A warning, not a stop: a unit registered after the template was made is valid.
            "error_type": "warning",
            "error_message": "该单位代码不在单位名录中 / not a unit code in the register",
        }
    elif column.type in ("int", "number"):
        options["validate"] = "integer" if column.type == "int" else "decimal"
        low, high = column.minimum, column.maximum
        if low is not None and high is not None:
            options |= {"criteria": "between", "minimum": low, "maximum": high}
        elif low is not None:
            options |= {"criteria": ">" if column.exclusive_minimum else ">=", "value": low}
        elif high is not None:
            options |= {"criteria": "<=", "value": high}
        else:
            options |= {"criteria": "between", "minimum": -(10**15), "maximum": 10**15}
        options["error_message"] = f"{TYPE_WORDS[column.type][0]}：{error_zh}"
    elif column.type == "date":
        options |= {
            "validate": "date",
            "criteria": "between",
            "minimum": date(1900, 1, 1),
            "maximum": date(9999, 12, 31),
            "error_message": "请填写日期，如 2006-03-02 / enter a date such as 2006-03-02",
        }
    elif column.type == "text" and column.max_length is not None:
        options |= {
            "validate": "length",
            "criteria": "<=",
            "value": column.max_length,
            "error_message": f"不超过 {column.max_length} 个字符 / at most {column.max_length}",
        }
    else:
        options["validate"] = "any"
    if "error_message" in options:
        options["error_title"] = column.zh[:PROMPT_TITLE_LIMIT]
        options["error_message"] = options["error_message"][:PROMPT_MESSAGE_LIMIT]
    for key in ("minimum", "maximum", "value"):
        if isinstance(options.get(key), Decimal):
            options[key] = float(options[key])
    return options


def _fill_data_sheet(
    book: Workbook, sheet: Worksheet, kind: Kind, lists: _Lists, unit_codes: Sequence[str]
) -> None:
    header = {"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"}
    required_head = book.add_format(header | {"bg_color": REQUIRED_FILL})
    optional_head = book.add_format(header | {"bg_color": OPTIONAL_FILL})
    # Text and periods are stored as text so Excel keeps 001 and turns 2006-06 into no date.
    formats = {
        "text": book.add_format({"num_format": "@"}),
        "enum": book.add_format({"num_format": "@"}),
        "period": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "int": book.add_format({"num_format": "0"}),
        "number": book.add_format({"num_format": "General"}),
    }
    two_decimals: dict[int, Any] = {}
    sheet.set_row(0, 30)
    for col, column in enumerate(kind.columns):
        cell_format = formats[column.type]
        if column.type == "number" and column.max_decimals is not None:
            places = column.max_decimals
            if places not in two_decimals:
                pattern = "0." + "0" * places if places else "0"
                two_decimals[places] = book.add_format({"num_format": pattern})
            cell_format = two_decimals[places]
        sheet.set_column(col, col, _column_width(column), cell_format)
        sheet.write_string(0, col, column.zh, required_head if needed(column) else optional_head)
        sheet.write_comment(
            0, col, _comment(kind, column), {"author": "ducha", "x_scale": 2.2, "y_scale": 2.5}
        )
        _validate(sheet, col, _column_validation(kind, column, lists, unit_codes))
    sheet.freeze_panes(1, 0)


def _fill_instructions(
    book: Workbook, sheet: Worksheet, kind: Kind, unit_codes: Sequence[str]
) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    heading = book.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E79"})
    english = book.add_format({"font_color": "#595959", "italic": True})
    table_head = book.add_format(
        {"bold": True, "border": 1, "bg_color": "#D9D9D9", "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    required_cell = book.add_format(
        {"border": 1, "text_wrap": True, "valign": "top", "bg_color": REQUIRED_FILL}
    )
    widths = (22, 26, 16, 12, 30, 40, 46)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)

    row = 0

    def line(zh: str, en: str) -> None:
        nonlocal row
        sheet.write_string(row, 0, zh)
        sheet.write_string(row + 1, 0, en, english)
        row += 2

    def section(zh: str, en: str) -> None:
        nonlocal row
        row += 1
        sheet.write_string(row, 0, f"{zh} / {en}", heading)
        row += 1

    sheet.write_string(
        row, 0, f"{kind.zh}（{kind.name}）填报说明 / How to fill in this return", title
    )
    row += 2

    section("填报与报送", "Filling in and submitting")
    steps: list[tuple[str, str]] = [
        (
            f"1. 在「{kind.zh}」工作表第 2 行起填写，每行一条记录；保留第 1 行表头，不要重命名该工作表。",
            f'1. Fill in sheet "{kind.zh}" from row 2, one record a row; keep the header in row 1'
            " and the sheet's name.",
        ),
        (
            "2. 橙色表头为必填列，蓝色为选填列；鼠标停在表头上可看到英文列名、类型和规则。",
            "2. Orange headers are required columns, blue ones optional; hover over a header"
            " for its English name, type and rules.",
        ),
        (
            "3. 保存为 .xlsx（也接受 .xls、.xlsb、.ods、系统导出的网页表格，以及 UTF-8 或 GB18030"
            " 编码、逗号/制表符/分号分隔的 CSV）；一份文件只放一类报表。",
            "3. Save as .xlsx (.xls, .xlsb, .ods, a web-page table exported by an office system,"
            " and CSV in UTF-8 or GB18030 separated by commas, tabs or semicolons are accepted"
            " too); one kind of return per file.",
        ),
        (
            "4. 报送督查部门，由其载入：ducha ingest 文件名 --kind " + kind.name,
            "4. Send it to the supervision office, which loads it with: ducha ingest FILE --kind "
            + kind.name,
        ),
        (
            "5. 文件整体接收或整体拒收；被拒收的文件会附问题报告（行号、列、值、规则，中英文），改正后重新报送整份文件。",
            "5. A file is accepted or rejected whole; a rejected file comes back with a report"
            " (row, column, value and rule, in Chinese and English): correct it and send the"
            " whole file again.",
        ),
    ]
    if unit_codes and _unit_columns(kind):
        steps.append(
            (
                f"6. 单位代码可从下拉列表选择（共 {len(unit_codes)} 个已登记单位）。",
                f"6. Unit codes can be picked from the drop-down ({len(unit_codes)} registered"
                " units).",
            )
        )
    for zh, en in steps:
        line(zh, en)

    section("各列说明", "Columns")
    headers = (
        "列名 Column",
        "英文列名 English name",
        "类型 Type",
        "必填 Required",
        "可选值 Allowed values",
        "规则",
        "Rules",
    )
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, table_head)
    row += 1
    for column in kind.columns:
        type_zh, type_en = _type_text(column)
        rules = column_rules(kind, column)
        choices_zh, choices_en = allowed_values(column)
        values = (
            column.zh,
            column.name,
            f"{type_zh}\n{type_en}",
            "是 yes" if needed(column) else "否 no",
            f"{choices_zh}\n{choices_en}" if choices_zh else "",
            "\n".join(zh for zh, _ in rules),
            "\n".join(en for _, en in rules),
        )
        for col, text in enumerate(values):
            fmt = required_cell if col == 0 and needed(column) else cell
            sheet.write_string(row, col, text, fmt)
        row += 1

    section("整份文件的规则", "Rules of the whole file")
    for zh, en in kind_rules(kind):
        line(f"· {zh}", f"· {en}")
    line(
        "· 文件整体接收或整体拒收：任何一行有错误，整份文件都不会载入。",
        "· A file is loaded whole or not at all: an error in any row rejects the whole file.",
    )

    section("可接受的写法", "Accepted forms")
    for zh, en in ACCEPTED_FORMS:
        line(f"· {zh}", f"· {en}")


def write_template(kind: Kind, path: Path, unit_codes: Sequence[str] = ()) -> Path:
    """Write the blank Excel template of ``kind`` to ``path``; known unit codes feed a drop-down."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    codes = _unique(code.strip() for code in unit_codes if code and code.strip())
    # Strings stay strings: a unit code or rule text is never turned into a formula or link.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties(
            {
                "title": f"{kind.zh} {kind.name}",
                "subject": "ducha return template / 督查报表模板",
                "author": "ducha",
            }
        )
        # Sheets in this order: the data (the reader's default), the instructions, then
        # the hidden lists, which _Lists adds only when a drop-down needs them.
        data = book.add_worksheet(_sheet_name(kind.zh))
        instructions = book.add_worksheet(INSTRUCTIONS_SHEET)
        _fill_data_sheet(book, data, kind, _Lists(book), codes)
        _fill_instructions(book, instructions, kind, codes)
        data.activate()
    return path


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
