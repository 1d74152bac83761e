"""督查通报 as documents: one renderer for the A4 PDF (HTML/CSS through WeasyPrint) and Word.

The figures come from SQL on the public marts (``mart.supervision_items`` and
``mart.supervision_warnings``); the chart is the dashboard's own Plotly figure
(``dashboard.charts.bars`` over ``dashboard.figures.supervision_by``), exported
offline by kaleido with Debian's chromium. Every text from a file or a person
(titles, unit names, the steward's requirements) is written as plain text:
escaped in the HTML, a plain run in Word.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from etl.kinds import SUPERVISION_SOURCES

# The kinds of bulletin: a title and which 督办事项 they report.
BULLETIN_KINDS = {
    "supervision": "督查通报",
    "meeting": "两委会议决事项落实情况",
}
BULLETIN_KINDS_EN = {
    "supervision": "supervision bulletin",
    "meeting": "meeting decisions bulletin",
}
QUARTERS_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
COLOURS_ZH = {"red": "红色（超期）", "yellow": "黄色（进度滞后）", "blue": "蓝色（临近到期）"}
STATUS_ZH = {"open": "办理中", "overdue": "超期未办结", "closed": "已办结"}
DEFAULT_REQUIREMENTS = (
    "请各承办单位对照附件所列未办结事项，明确责任人和完成时限，抓紧办理，"
    "按时向督查室反馈办理情况；超期事项请于五个工作日内书面说明原因及整改措施。"
)
FONT_FAMILY = "WenQuanYi Micro Hei"
WORD_CJK_FONT = "宋体"
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


class DocumentError(Exception):
    """Bad input for a bulletin; the message is for the user (zh / en)."""


@dataclass(frozen=True)
class Period:
    """A contract period (YYYY, YYYY-Qn, YYYY-MM) as the span a bulletin reports."""

    text: str
    year: int
    end: date
    label: str  # 2006年第四季度

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        month = int(match.group(3)) if match and match.group(3) else None
        if not match or (month is not None and not 1 <= month <= 12):
            raise DocumentError(
                f"报告期应为 YYYY、YYYY-Qn 或 YYYY-MM / a period is YYYY, YYYY-Qn or YYYY-MM: {text!r}"
            )
        year = int(match.group(1))
        if match.group(2):
            quarter = int(match.group(2))
            last_month, label = quarter * 3, f"{year}年{QUARTERS_ZH[quarter]}"
        elif month is not None:
            last_month, label = month, f"{year}年{month}月"
        else:
            last_month, label = 12, f"{year}年"
        following = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
        return cls(
            text=text.strip(),
            year=year,
            end=date.fromordinal(following.toordinal() - 1),
            label=label,
        )


@dataclass
class Bulletin:
    """Everything one issue shows, gathered from the marts."""

    kind: str
    period: Period
    issue_no: int
    office: str
    issued_on: date
    requirements: str
    draft: bool
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return BULLETIN_KINDS[self.kind]

    def _count(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        registered = len(rows)
        closed = sum(r["status"] == "closed" for r in rows)
        on_time = sum(r["status"] == "closed" and r["closed_on"] <= r["due_on"] for r in rows)
        return {
            "registered": registered,
            "closed": closed,
            "open": sum(r["status"] == "open" for r in rows),
            "overdue": sum(r["status"] == "overdue" for r in rows),
            "closure_rate": closed / registered if registered else None,
            "on_time_rate": on_time / closed if closed else None,
        }

    @property
    def summary(self) -> dict[str, Any]:
        return self._count(self.items)

    def by(self, key: str, label: str) -> list[dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.items:
            groups.setdefault(row[key], []).append(row)
        return [
            {key: name, "label": rows[0][label], **self._count(rows)}
            for name, rows in sorted(groups.items())
        ]

    @property
    def by_source(self) -> list[dict[str, Any]]:
        rows = self.by("source", "source_zh")
        order = list(SUPERVISION_SOURCES)
        return sorted(rows, key=lambda r: order.index(r["source"]))

    @property
    def by_unit(self) -> list[dict[str, Any]]:
        return sorted(
            self.by("unit_code", "unit_name"), key=lambda r: (-r["registered"], r["unit_code"])
        )

    @property
    def open_items(self) -> list[dict[str, Any]]:
        return sorted(
            (r for r in self.items if r["status"] != "closed"),
            key=lambda r: (r["due_on"], r["item_code"]),
        )

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Overdue items first (longest overdue first), then those near their due date."""
        overdue = [r for r in self.open_items if r["status"] == "overdue"]
        near = [r for r in self.open_items if r["status"] == "open" and r["warning"] == "blue"]
        return sorted(overdue, key=lambda r: r["due_on"]) + near


# One row per 督办事项 of the bulletin's kind registered in the period's year up to
# its end, with its state at the period's end (or at its as-of date, if earlier):
# closed when closed by then, overdue when its due date had passed by then.
# For the last period of a year this is the mart's own status.
ITEMS_SQL = """
select
    item.item_code,
    item.source,
    item.title,
    item.unit_code,
    coalesce(item.unit_name, item.unit_code) as unit_name,
    item.registered_on,
    item.due_on,
    case when item.closed_on <= %(end)s then item.closed_on end as closed_on,
    case when item.closed_on <= %(end)s then item.satisfaction end as satisfaction,
    least(item.as_of, %(end)s) as as_at
from mart.supervision_items as item
where item.registered_on >= make_date(%(year)s, 1, 1)
  and item.registered_on <= %(end)s
  and (item.source = 'meeting') = %(meeting)s
order by item.item_code
"""

SETTINGS_SQL = "select issuing_office, near_due_days, behind_share from ingest.office_settings"


def office_settings(conn: psycopg.Connection) -> dict[str, Any]:
    """The office's name and warning rule (migration 0030 keeps one row)."""
    with conn.cursor(row_factory=dict_row) as cur:
        settings = cur.execute(SETTINGS_SQL).fetchone()
    assert settings is not None, "migration 0030 keeps one row"
    return settings


def warning_colour(
    registered_on: date, due_on: date, as_at: date, near_due_days: int, behind_share: Decimal
) -> str | None:
    """The colour of an open item as at a date: the rule of mart.supervision_warnings."""
    if due_on < as_at:
        return "red"
    if (due_on - as_at).days <= near_due_days:
        return "blue"
    if (as_at - registered_on).days > behind_share * (due_on - registered_on).days:
        return "yellow"
    return None


def gather(
    conn: psycopg.Connection,
    kind: str,
    period: Period,
    *,
    issue_no: int,
    requirements: str,
    issued_on: date,
    draft: bool,
) -> Bulletin:
    """Read one bulletin's figures; a period with no items is refused, not drawn empty."""
    if kind not in BULLETIN_KINDS:
        raise DocumentError(unknown_kind_message(kind))
    settings = office_settings(conn)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            ITEMS_SQL, {"end": period.end, "year": period.year, "meeting": kind == "meeting"}
        ).fetchall()
    if not rows:
        raise DocumentError(
            f"{period.text} 没有{BULLETIN_KINDS[kind]}的督办事项，不生成空白通报 / "
            f"no supervision items for a {BULLETIN_KINDS_EN[kind]} in {period.text}:"
            " no empty document written"
        )
    for row in rows:
        if row["closed_on"] is not None:
            row["status"], row["warning"] = "closed", None
        else:
            row["status"] = "overdue" if row["due_on"] < row["as_at"] else "open"
            row["warning"] = warning_colour(
                row["registered_on"],
                row["due_on"],
                row["as_at"],
                settings["near_due_days"],
                settings["behind_share"],
            )
        row["days_overdue"] = (
            (row["as_at"] - row["due_on"]).days if row["status"] == "overdue" else None
        )
        row["source_zh"] = SUPERVISION_SOURCES.get(row["source"], row["source"])
    return Bulletin(
        kind=kind,
        period=period,
        issue_no=issue_no,
        office=settings["issuing_office"],
        issued_on=issued_on,
        requirements=requirements.strip() or DEFAULT_REQUIREMENTS,
        draft=draft,
        items=rows,
    )


def unknown_kind_message(kind: str) -> str:
    choices = ", ".join(f"{code} ({zh})" for code, zh in BULLETIN_KINDS.items())
    return f"未知通报类型 / unknown bulletin kind {kind!r}; 可选 / one of: {choices}"


# ------------------------------------------------------------------ words --


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def overview_text(bulletin: Bulletin) -> str:
    """一、总体情况 in one paragraph."""
    s = bulletin.summary
    scope = "两委办公会议决事项" if bulletin.kind == "meeting" else "督办事项"
    text = (
        f"截至{chinese_date(bulletin.period.end)}，{bulletin.period.year}年共立项{scope}"
        f"{s['registered']}件，已办结{s['closed']}件，办结率{percent(s['closure_rate'])}"
        f"（按时办结率{percent(s['on_time_rate'])}）；正在办理、未到期{s['open']}件；"
        f"超期未办结{s['overdue']}件。"
    )
    if bulletin.kind == "supervision":
        parts = [
            f"{row['label']}立项{row['registered']}件、办结{row['closed']}件、"
            f"未到期{row['open']}件、超期{row['overdue']}件"
            for row in bulletin.by_source
        ]
        text += "其中，" + "；".join(parts) + "。"
    return text


def problem_lines(bulletin: Bulletin) -> list[str]:
    """三、存在问题: each overdue or near-due item named with its unit and due date."""
    lines = []
    for row in bulletin.problems:
        if row["status"] == "overdue":
            lines.append(
                f"{row['unit_name']}承办的“{row['title']}”（{row['item_code']}），"
                f"办理时限{chinese_date(row['due_on'])}，已超期{row['days_overdue']}天，尚未办结。"
            )
        else:
            days = (row["due_on"] - row["as_at"]).days
            lines.append(
                f"{row['unit_name']}承办的“{row['title']}”（{row['item_code']}），"
                f"将于{chinese_date(row['due_on'])}到期（剩余{days}天），尚未办结。"
            )
    if not lines:
        lines.append("本期无超期或临近到期未办结事项。")
    return lines


def issue_line(bulletin: Bulletin) -> str:
    return f"{bulletin.period.year}年第{bulletin.issue_no}期" + (
        "（草稿）" if bulletin.draft else ""
    )


def heading(bulletin: Bulletin) -> str:
    scope = "两委办公会议决事项" if bulletin.kind == "meeting" else "督办事项"
    return f"关于{bulletin.period.label}{scope}办理情况的通报"


UNIT_HEADERS = ["序号", "承办单位", "立项", "办结", "办理中", "超期", "办结率"]
SOURCE_HEADERS = ["事项来源", "立项", "办结", "未到期", "超期", "办结率", "按时办结率"]
OPEN_HEADERS = ["序号", "事项编号", "事项名称", "来源", "承办单位", "立项日期", "办理时限", "状态"]


def source_rows(bulletin: Bulletin) -> list[list[str]]:
    rows = [
        [
            r["label"],
            str(r["registered"]),
            str(r["closed"]),
            str(r["open"]),
            str(r["overdue"]),
            percent(r["closure_rate"]),
            percent(r["on_time_rate"]),
        ]
        for r in bulletin.by_source
    ]
    s = bulletin.summary
    rows.append(
        [
            "合计",
            str(s["registered"]),
            str(s["closed"]),
            str(s["open"]),
            str(s["overdue"]),
            percent(s["closure_rate"]),
            percent(s["on_time_rate"]),
        ]
    )
    return rows


def unit_rows(bulletin: Bulletin) -> list[list[str]]:
    return [
        [
            str(index),
            r["label"],
            str(r["registered"]),
            str(r["closed"]),
            str(r["open"]),
            str(r["overdue"]),
            percent(r["closure_rate"]),
        ]
        for index, r in enumerate(bulletin.by_unit, 1)
    ]


def open_rows(bulletin: Bulletin) -> list[list[str]]:
    rows = []
    for index, r in enumerate(bulletin.open_items, 1):
        state = STATUS_ZH[r["status"]]
        if r["warning"]:
            state += "·" + COLOURS_ZH[r["warning"]][:2]
        rows.append(
            [
                str(index),
                r["item_code"],
                r["title"],
                r["source_zh"],
                r["unit_name"],
                r["registered_on"].isoformat(),
                r["due_on"].isoformat(),
                state,
            ]
        )
    return rows


# ------------------------------------------------------------------ chart --


class ChartUnavailable(DocumentError):
    """The offline chart export (kaleido + chromium) failed."""


def chart_png(bulletin: Bulletin) -> bytes:
    """The dashboard's supervision bar chart as a PNG, drawn offline by chromium."""
    import pandas as pd

    from dashboard import charts, figures  # the dashboard's own figure, not a copy

    frame = pd.DataFrame(bulletin.items)
    if bulletin.kind == "meeting":
        table = figures.supervision_by(frame, ["unit_name"])
        x, title = "unit_name", "各承办单位办理情况（件）"
    else:
        table = figures.supervision_by(frame, ["source"])
        order = list(SUPERVISION_SOURCES)
        table = table.sort_values("source", key=lambda s: s.map(order.index))
        table["label"] = table["source"].map(SUPERVISION_SOURCES)
        x, title = "label", "各来源督办事项办理情况（件）"
    fig = charts.bars(
        table,
        x,
        [("closed", "已办结"), ("open_not_due", "未到期"), ("overdue", "超期")],
        colours=["#2e7d32", "#1565c0", "#c62828"],
    )
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 14},
        template="plotly_white",
        height=360,
        width=820,
        margin={"l": 50, "r": 20, "t": 60, "b": 110 if bulletin.kind == "meeting" else 50},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        barmode="stack",
    )
    # Whole items on the axis: a step of at least one.
    highest = int(table["registered"].max())
    fig.update_yaxes(tickformat="d", dtick=max(1, -(-highest // 5)), rangemode="tozero")
    return export_png(fig, width=820, height=360)


def export_png(fig: Any, *, width: int, height: int) -> bytes:
    """Plotly → PNG through kaleido and the machine's chromium; no network at any step."""
    import kaleido

    browser = (
        os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not browser:
        raise ChartUnavailable(
            "找不到 chromium，无法绘制图表 / chromium not found: install Debian's chromium"
            " (or set BROWSER_PATH) to draw the bulletin's chart"
        )
    os.environ["BROWSER_PATH"] = browser
    try:
        png: bytes = kaleido.calc_fig_sync(
            fig,
            opts={"format": "png", "width": width, "height": height, "scale": 2},
            # plotly.js comes from the plotly package; mathjax would come from a CDN.
            kopts={"mathjax": False},
        )
        return png
    except Exception as exc:  # choreographer/kaleido raise assorted errors
        raise ChartUnavailable(
            f"图表导出失败 / the chart export failed ({type(exc).__name__}: {exc})"
        ) from exc


# ------------------------------------------------------------------- html --


CSS = f"""
@page {{ size: A4; margin: 25mm 22mm 22mm 22mm;
        @bottom-center {{ content: "— " counter(page) " —"; font-size: 10pt; }} }}
body {{ font-family: "{FONT_FAMILY}", sans-serif; font-size: 12pt; line-height: 1.6; }}
.masthead {{ text-align: center; color: #c00000; font-size: 30pt; font-weight: bold;
             letter-spacing: 6pt; margin: 0; }}
.issue {{ text-align: center; margin: 4pt 0; }}
.office {{ display: flex; justify-content: space-between; border-bottom: 2pt solid #c00000;
           padding-bottom: 4pt; margin-bottom: 14pt; }}
.office span:last-child {{ float: right; }}
h1 {{ text-align: center; font-size: 16pt; margin: 10pt 0; }}
h2 {{ font-size: 13pt; margin: 12pt 0 4pt 0; }}
p {{ text-indent: 2em; margin: 4pt 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 6pt 0; }}
th, td {{ border: 0.6pt solid #444; padding: 2pt 4pt; text-align: center; }}
td.text {{ text-align: left; }}
th {{ background: #eeeeee; }}
img.chart {{ width: 100%; }}
td.code {{ white-space: nowrap; }}
table.open th:nth-child(1) {{ width: 5%; }}
table.open th:nth-child(3) {{ width: 27%; }}
table.open th:nth-child(4), table.open th:nth-child(5) {{ width: 12%; }}
table.open th:nth-child(8) {{ width: 13%; }}
.attachment {{ page-break-before: always; }}
"""


def _esc(text: object) -> str:
    import html

    return html.escape(str(text), quote=True)


def _html_table(
    headers: list[str],
    rows: list[list[str]],
    text_columns: set[int],
    code_columns: frozenset[int] = frozenset(),
    css_class: str = "",
) -> str:
    def cell(index: int, value: str) -> str:
        kind = "text" if index in text_columns else "code" if index in code_columns else ""
        return f'<td class="{kind}">{_esc(value)}</td>'

    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def html_document(bulletin: Bulletin, chart: bytes) -> str:
    """The bulletin as HTML: every value escaped, nothing fetched."""

    def paragraphs(lines: list[str]) -> str:
        return "".join(f"<p>{_esc(line)}</p>" for line in lines)

    requirements = [line for line in bulletin.requirements.splitlines() if line.strip()]
    chart_uri = "data:image/png;base64," + base64.b64encode(chart).decode("ascii")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(bulletin.title)}</title>
<style>{CSS}</style></head><body>
<div class="masthead">{_esc(bulletin.title)}</div>
<div class="issue">{_esc(issue_line(bulletin))}</div>
<div class="office"><span>{_esc(bulletin.office)}</span>
<span>{_esc(chinese_date(bulletin.issued_on))}</span></div>
<h1>{_esc(heading(bulletin))}</h1>
<h2>一、总体情况</h2>
{paragraphs([overview_text(bulletin)])}
{_html_table(SOURCE_HEADERS, source_rows(bulletin), {0})}
<img class="chart" src="{chart_uri}" alt="chart">
<h2>二、进展情况</h2>
{_html_table(UNIT_HEADERS, unit_rows(bulletin), {1})}
<h2>三、存在问题</h2>
{paragraphs(problem_lines(bulletin))}
<h2>四、工作要求</h2>
{paragraphs(requirements)}
<div class="attachment">
<h2>附件：未办结事项清单（{len(bulletin.open_items)}件）</h2>
{_html_table(OPEN_HEADERS, open_rows(bulletin), {2, 4}, frozenset({1, 5, 6}), "open")}
</div>
</body></html>"""


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's fetcher: data: URIs only (the chart); nothing from disk or network."""
    from weasyprint import default_url_fetcher

    if not url.startswith("data:"):
        raise ValueError(f"refused to fetch {url}")
    return default_url_fetcher(url, *args, **kwargs)


def render_pdf(bulletin: Bulletin, chart: bytes) -> bytes:
    """The bulletin as A4 PDF; the CJK font comes from fontconfig and is embedded."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html_document(bulletin, chart), url_fetcher=_no_fetching).write_pdf()
    return pdf


# ------------------------------------------------------------------- word --


# Characters XML 1.0 cannot hold (control characters a cell may carry); Word gets a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def render_docx(bulletin: Bulletin, chart: bytes) -> bytes:
    """The same bulletin as a Word document (A4), every value a plain run."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin = section.right_margin = Mm(22)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    # 宋体 is on every Chinese Windows, where bulletins are read; a Word file carries no font.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), WORD_CJK_FONT)

    def para(
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        centre: bool = False,
        colour: RGBColor | None = None,
        indent: bool = False,
    ) -> Any:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(_xml_safe(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(24)
        return paragraph

    def table(headers: list[str], rows: list[list[str]]) -> Any:
        grid = document.add_table(rows=1, cols=len(headers))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, headers, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = _xml_safe(text)
        for row in grid.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9.5)
        return grid

    red = RGBColor(0xC0, 0x00, 0x00)
    para(bulletin.title, size=30, bold=True, centre=True, colour=red)
    para(issue_line(bulletin), centre=True)
    para(f"{bulletin.office}　　　　{chinese_date(bulletin.issued_on)}", centre=True)
    para(heading(bulletin), size=16, bold=True, centre=True)
    para("一、总体情况", size=13, bold=True)
    para(overview_text(bulletin), indent=True)
    table(SOURCE_HEADERS, source_rows(bulletin))
    document.add_picture(io.BytesIO(chart), width=Mm(166))
    para("二、进展情况", size=13, bold=True)
    table(UNIT_HEADERS, unit_rows(bulletin))
    para("三、存在问题", size=13, bold=True)
    for line in problem_lines(bulletin):
        para(line, indent=True)
    para("四、工作要求", size=13, bold=True)
    for line in bulletin.requirements.splitlines():
        if line.strip():
            para(line, indent=True)
    document.add_page_break()  # type: ignore[no-untyped-call]  # python-docx
    para(f"附件：未办结事项清单（{len(bulletin.open_items)}件）", size=13, bold=True)
    table(OPEN_HEADERS, open_rows(bulletin))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(bulletin: Bulletin, formats: tuple[str, ...] = ("pdf", "docx")) -> dict[str, bytes]:
    """The bulletin in each format asked for, the chart drawn once."""
    chart = chart_png(bulletin)
    rendered = {}
    if "pdf" in formats:
        rendered["pdf"] = render_pdf(bulletin, chart)
    if "docx" in formats:
        rendered["docx"] = render_docx(bulletin, chart)
    return rendered


def output_paths(output: Path) -> dict[str, Path]:
    """What ``-o FILE`` asks for: its suffix's format, or both beside each other."""
    suffix = output.suffix.lower()
    if suffix in (".pdf", ".docx"):
        return {suffix[1:]: output}
    return {"pdf": Path(f"{output}.pdf"), "docx": Path(f"{output}.docx")}
