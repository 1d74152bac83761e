"""月度对标简报: one page per month listing the indicators where this zone is not first.

What the seed's office sent leaders and departments each month ("全面查找与成都市五城区
最佳成绩的差距，及时为领导、为部门提供对比信息"): for each indicator not ranked first,
this zone's value, its rank, the best peer and its value, the gap (absolute and
relative) and whether it narrowed since last month. Rendered through the
bulletins' offline renderer (etl/documents.py: WeasyPrint with the embedded
WenQuanYi font, nothing fetched) as an A4 PDF, and as a one-sheet Excel workbook
whose text cells are always inert text. The figures come from mart.peer_benchmark,
the view the dashboard's 对标分析 page reads.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.rows import dict_row

from etl.documents import CSS, DocumentError, _esc, _html_table, _no_fetching
from etl.report import looks_like_formula
from etl.warehouse import first_value

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ILLUSTRATIVE_MARK = "示例数据"

BRIEF_SQL = """
    select indicator_code, indicator_name, measure, direction, followed, zone_value, rank,
           districts_ranked, best_peer_name, best_peer_value, gap, gap_rate,
           previous_gap_rate, gap_narrowed, zone_growth, growth_rank
    from mart.peer_benchmark
    where period = %(month)s
    order by followed desc, rank desc, gap_rate desc nulls last, indicator_code
"""

ILLUSTRATIVE_SQL = """
    select exists (
        select from mart.indicator_figures
        where period = %(month)s and source like '%%' || %(mark)s || '%%'
    )
"""

HEADERS = [
    "序号",
    "指标名称",
    "计量单位",
    "本区数值",
    "排名",
    "最佳区县",
    "最佳数值",
    "差距",
    "差距率",
    "较上月",
]


@dataclass
class Brief:
    """One month's comparison: every indicator's standing, and the ones not first."""

    month: str
    label: str  # 2006年3月
    standings: list[dict[str, Any]] = field(default_factory=list)
    illustrative: bool = False

    @property
    def behind(self) -> list[dict[str, Any]]:
        return [row for row in self.standings if row["rank"] > 1]

    @property
    def first(self) -> list[dict[str, Any]]:
        return [row for row in self.standings if row["rank"] == 1]


def parse_month(text: str) -> str:
    """``YYYY-MM`` or a DocumentError saying so in Chinese and English."""
    cleaned = text.strip()
    if not _MONTH.match(cleaned):
        raise DocumentError(f"月份应为 YYYY-MM / the month is YYYY-MM: {text!r}")
    return cleaned


def gather(conn: psycopg.Connection, month: str) -> Brief:
    """The month's standings from mart.peer_benchmark (read with the connection's rights)."""
    month = parse_month(month)
    with conn.cursor(row_factory=dict_row) as cursor:
        standings = cursor.execute(BRIEF_SQL, {"month": month}).fetchall()
    illustrative = first_value(
        conn.execute(ILLUSTRATIVE_SQL, {"month": month, "mark": ILLUSTRATIVE_MARK})
    )
    if not standings:
        raise DocumentError(
            f"{month} 没有本区的对标指标数据（或无权查看）/ no benchmark figures of this zone"
            f" for {month} (or none you may see)"
        )
    year, number = month.split("-")
    return Brief(month, f"{year}年{int(number)}月", standings, bool(illustrative))


# ----------------------------------------------------------------- figures --


def number_text(value: Decimal | float | None) -> str:
    """A figure as written in the brief: thousands separated, at most 2 decimals."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def rate_text(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)) * 100:.1f}%"


def trend_text(row: dict[str, Any]) -> str:
    """Whether the gap narrowed since last month, in words."""
    if row["gap_narrowed"] is None:
        return "—（上月无数据）"
    if row["previous_gap_rate"] == row["gap_rate"]:
        return "持平"
    return "缩小" if row["gap_narrowed"] else "扩大"


def rows(brief: Brief) -> list[list[str]]:
    """The table of indicators not first, as text."""
    return [
        [
            str(number),
            row["indicator_name"] + ("（领导关注）" if row["followed"] else ""),
            row["measure"],
            number_text(row["zone_value"]),
            f"{row['rank']}/{row['districts_ranked']}",
            row["best_peer_name"] or "—",
            number_text(row["best_peer_value"]),
            number_text(row["gap"]),
            rate_text(row["gap_rate"]),
            trend_text(row),
        ]
        for number, row in enumerate(brief.behind, start=1)
    ]


def summary_text(brief: Brief) -> str:
    total, first = len(brief.standings), len(brief.first)
    narrowed = sum(1 for row in brief.behind if row["gap_narrowed"])
    names = "、".join(row["indicator_name"] for row in brief.first) or "无"
    return (
        f"{brief.label}，本区参与对标的主要经济指标共 {total} 项，其中 {first} 项居成都市五城区"
        f"及本区首位（{names}），{total - first} 项未居第一；未居第一的指标中，"
        f"{narrowed} 项与最佳区县的差距较上月缩小。"
    )


NOTE = (
    "说明：排名为本区在当月报送数据的区县中的名次（并列取较好名次）；差距 = 最佳区县数值 − "
    "本区数值（越低越好的指标取相反数），差距率 = 差距 ÷ 最佳区县数值；“较上月”比较差距率。"
)
ILLUSTRATIVE_NOTE = "本简报所用区县数据为演示用示例数据，非真实统计。"


# -------------------------------------------------------------------- pdf --

_BRIEF_CSS = """
@page { size: A4 landscape; margin: 16mm 16mm 16mm 16mm; }
body { font-size: 11pt; }
h1 { font-size: 17pt; margin: 0 0 6pt 0; }
.illustrative { color: #b00000; text-align: center; font-weight: bold; }
.note { font-size: 9pt; text-indent: 0; color: #333; }
"""


def html_document(brief: Brief) -> str:
    """The brief as HTML: every value escaped, nothing fetched."""
    marked = f'<p class="illustrative">{_esc(ILLUSTRATIVE_NOTE)}</p>' if brief.illustrative else ""
    table = (
        _html_table(HEADERS, rows(brief), {1}) if brief.behind else "<p>本月各项指标均居首位。</p>"
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(brief.label)}对标简报</title>
<style>{CSS}{_BRIEF_CSS}</style></head><body>
<h1>{_esc(brief.label)}主要经济指标对标简报</h1>
{marked}
<p>{_esc(summary_text(brief))}</p>
<h2>未居第一的指标</h2>
{table}
<p class="note">{_esc(NOTE)}</p>
</body></html>"""


def render_pdf(brief: Brief) -> bytes:
    """The brief as a one-page A4 (landscape) PDF with the CJK font embedded."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html_document(brief), url_fetcher=_no_fetching).write_pdf()
    return pdf


# ------------------------------------------------------------------ excel --


def render_xlsx(brief: Brief) -> bytes:
    """The brief as one sheet: title, summary, the table, the note; text cells inert."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("对标简报")
    bold = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    plain = book.add_format({"border": 1})
    quoted = book.add_format({"border": 1, "quote_prefix": True})
    rate = book.add_format({"border": 1, "num_format": "0.0%"})

    def text(row: int, col: int, value: str, style: Format | None = None) -> None:
        if looks_like_formula(value):
            style = quoted
        sheet.write_string(row, col, value, style)

    text(0, 0, f"{brief.label}主要经济指标对标简报", bold)
    line = 1
    if brief.illustrative:
        text(line, 0, ILLUSTRATIVE_NOTE)
        line += 1
    text(line, 0, summary_text(brief))
    line += 2
    for col, name in enumerate(HEADERS):
        text(line, col, name, header)
    for row_no, row in enumerate(brief.behind, start=line + 1):
        values = rows(brief)[row_no - line - 1]
        sheet.write_number(row_no, 0, row_no - line, plain)
        text(row_no, 1, values[1], plain)
        text(row_no, 2, values[2], plain)
        sheet.write_number(row_no, 3, float(row["zone_value"]), plain)
        text(row_no, 4, values[4], plain)
        text(row_no, 5, values[5], plain)
        _number(sheet, row_no, 6, row["best_peer_value"], plain)
        _number(sheet, row_no, 7, row["gap"], plain)
        _number(sheet, row_no, 8, row["gap_rate"], rate)
        text(row_no, 9, values[9], plain)
    last = line + len(brief.behind) + 2
    text(last, 0, NOTE)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 9, 13)
    sheet.fit_to_pages(1, 1)  # one page, as the PDF
    sheet.set_landscape()
    book.close()
    return buffer.getvalue()


def _number(
    sheet: Worksheet, row: int, col: int, value: Decimal | float | None, style: Format
) -> None:
    if value is None:
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, float(value), style)


def render(brief: Brief, formats: tuple[str, ...] = ("pdf", "xlsx")) -> dict[str, bytes]:
    """The brief in each format asked for."""
    renderers = {"pdf": render_pdf, "xlsx": render_xlsx}
    return {name: renderers[name](brief) for name in formats}
