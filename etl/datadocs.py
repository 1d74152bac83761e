"""Validation results as a small static HTML site that works offline — ducha's Data Docs.

Great Expectations' own Data Docs pull Bootstrap, Font Awesome, Vega and
bootstrap-table from public CDNs (see ``great_expectations/render/view/templates/
page.j2`` and ``js_script_imports.j2``), so they render unstyled, or not at all,
on an office network without internet access. These pages carry their CSS
inline, load nothing (a Content-Security-Policy forbids it as well), run no
script, and escape every piece of text, which may come straight from a unit's file.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from etl.report_export import (
    OUTCOME_WORDS,
    SEVERITY_WORDS,
    SOURCE_WORDS,
    FileNotFound,
    StoredFile,
    advice,
    all_file_ids,
    expectation_meta,
    kwargs_text,
    moment_text,
    read_stored,
    read_stored_files,
    summary_rows,
)
from etl.warehouse import connect

INDEX_PAGE = "index.html"

# Nothing may be fetched: no scripts, fonts, images or styles from anywhere.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --head: #f3f5f7; --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff8c5;
  --bad: #cf222e; --bad-bg: #ffebe9; --idle: #59636e; --idle-bg: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: var(--ink); background: #fff;
  font: 14px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
.en { color: var(--muted); }
.sub { color: var(--muted); margin: 0 0 16px; }
nav { margin-bottom: 12px; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; position: sticky; top: 0; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.value { white-space: pre-wrap; word-break: break-word; max-width: 28em;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td.message .en { display: block; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12px; }
td code { overflow-wrap: anywhere; }
pre { margin: 4px 0 0; white-space: pre-wrap; word-break: break-word; }
details summary { cursor: pointer; color: var(--muted); }
table.summary { width: auto; }
table.summary th { position: static; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.accepted { color: var(--ok); background: var(--ok-bg); }
.accepted_with_warnings, .warning { color: var(--warn); background: var(--warn-bg); }
.rejected, .error, .failed { color: var(--bad); background: var(--bad-bg); }
.passed { color: var(--ok); background: var(--ok-bg); }
.validating, .interrupted, .unknown { color: var(--idle); background: var(--idle-bg); }
.none { color: var(--muted); }
ul.advice { padding-left: 20px; }
.counts span { margin-right: 16px; }
@media print { th { position: static; } body { padding: 0; } }
"""


def page_name(file_id: int) -> str:
    """A file's page in the site, relative to the index."""
    return f"file-{int(file_id)}.html"


def _e(text: object) -> str:
    """Text as HTML: every <, >, &, and quote escaped."""
    return html.escape("" if text is None else str(text), quote=True)


def _bilingual(zh: str, en: str) -> str:
    return f'{_e(zh)} <span class="en">{_e(en)}</span>'


def _badge(css_class: str, zh: str, en: str) -> str:
    return f'<span class="badge {_e(css_class)}">{_e(zh)} {_e(en)}</span>'


def _outcome_badge(outcome: str) -> str:
    zh, en = OUTCOME_WORDS.get(outcome, (outcome, outcome))
    css = outcome if outcome in OUTCOME_WORDS else "unknown"
    return _badge(css, zh, en)


def _severity_badge(severity: str) -> str:
    zh, en = SEVERITY_WORDS.get(severity, (severity, severity))
    return _badge(severity if severity in SEVERITY_WORDS else "unknown", zh, en)


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def _table(headers: Sequence[tuple[str, str, str]], rows: Iterable[str], css: str = "") -> str:
    """A table; headers are (zh, en, css class), rows are ready <tr> HTML."""
    head = "".join(
        f'<th class="{_e(cls)}">{_bilingual(zh, en)}</th>'
        if cls
        else f"<th>{_bilingual(zh, en)}</th>"
        for zh, en, cls in headers
    )
    table_class = f' class="{_e(css)}"' if css else ""
    return (
        f"<table{table_class}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _number(value: int | None) -> str:
    return '<span class="none">—</span>' if value is None else _e(value)


def _column(stored: StoredFile, column: str | None) -> str:
    if not column:
        return '<span class="none">—</span>'
    kind = stored.kind
    if kind is not None and column in kind.column_names:
        return _bilingual(kind.column(column).zh, f"({column})")
    return _e(column)


def _problem_rows(stored: StoredFile) -> list[str]:
    rows = []
    for problem in stored.sorted_problems():
        value = '<span class="none">—</span>' if problem.value is None else _e(problem.value)
        source_zh, source_en = SOURCE_WORDS.get(problem.source, (problem.source,) * 2)
        rows.append(
            "<tr>"
            f'<td class="num">{_number(problem.row)}</td>'
            f"<td>{_column(stored, problem.column)}</td>"
            f'<td class="value">{value}</td>'
            f"<td><code>{_e(problem.rule)}</code></td>"
            f'<td class="message">{_e(problem.message_zh)}'
            f'<span class="en">{_e(problem.message_en)}</span></td>'
            f"<td>{_severity_badge(problem.severity)}</td>"
            f"<td>{_bilingual(source_zh, source_en)}</td>"
            "</tr>"
        )
    return rows


def _kwargs_cell(kwargs: dict[str, Any]) -> str:
    text = kwargs_text(kwargs)
    if len(text) <= 120 and "\n" not in text:
        return f"<code>{_e(text)}</code>"
    # Long arguments (a rule's SQL) fold away so the table stays readable.
    query = kwargs.get("unexpected_rows_query")
    shown = query if isinstance(query, str) and len(kwargs) == 1 else text
    return f"<details><summary>展开 show</summary><pre>{_e(shown)}</pre></details>"


def _expectation_rows(stored: StoredFile) -> list[str]:
    rows = []
    for outcome in stored.expectations:
        meta = expectation_meta(stored, outcome)
        result = (
            _badge("passed", "通过", "passed")
            if outcome.success
            else _badge("failed", "未通过", "failed")
        )
        rows.append(
            "<tr>"
            f"<td><code>{_e(meta.get('rule', ''))}</code></td>"
            f"<td><code>{_e(outcome.expectation_type)}</code></td>"
            f"<td>{_column(stored, outcome.column)}</td>"
            f"<td>{_kwargs_cell(outcome.kwargs)}</td>"
            f"<td>{result}</td>"
            f'<td class="num">{_number(outcome.element_count)}</td>'
            f'<td class="num">{_number(outcome.unexpected_count)}</td>'
            f"<td>{_severity_badge(outcome.severity)}</td>"
            "</tr>"
        )
    return rows


PROBLEM_COLUMNS = (
    ("行号", "Row", "num"),
    ("列", "Column", ""),
    ("值", "Value", ""),
    ("规则", "Rule", ""),
    ("说明", "Message", ""),
    ("级别", "Severity", ""),
    ("来源", "Found by", ""),
)
EXPECTATION_COLUMNS = (
    ("规则", "Rule", ""),
    ("类型", "Expectation", ""),
    ("列", "Column", ""),
    ("参数", "Arguments", ""),
    ("结果", "Result", ""),
    ("检查行数", "Rows checked", "num"),
    ("不符合行数", "Unexpected", "num"),
    ("级别", "Severity", ""),
)


def render_stored_page(stored: StoredFile, index_href: str | None = None) -> str:
    """One file's page as a whole HTML document; a link back to the index when given."""
    kind_zh, kind_en = stored.kind_label()
    parts = []
    if index_href is not None:
        parts.append(f'<nav><a href="{_e(index_href)}">← 全部文件 <span>All files</span></a></nav>')
    parts.append(f"<h1>{_e(stored.file_name)}</h1>")
    parts.append(
        f'<p class="sub">报表校验结果 Validation result · 文件编号 file #{_e(stored.file_id)}'
        f" · {_e(kind_zh)} ({_e(kind_en)}) · {_outcome_badge(stored.outcome)}</p>"
    )
    summary = "".join(
        f"<tr><th>{_bilingual(zh, en)}</th><td>{_e(value)}</td></tr>"
        for zh, en, value in summary_rows(stored)
    )
    parts.append(f'<table class="summary"><tbody>{summary}</tbody></table>')
    parts.append(
        '<ul class="advice">'
        + "".join(f"<li>{_e(zh)}<br>{_bilingual('', en)}</li>" for zh, en in advice(stored))
        + "</ul>"
    )

    severities = Counter(problem.severity for problem in stored.problems)
    parts.append(
        f'<h2>问题 <span class="en">Problems</span> ({len(stored.problems)})</h2>'
        f'<p class="counts"><span>错误 errors: {severities["error"]}</span>'
        f"<span>警告 warnings: {severities['warning']}</span></p>"
    )
    if stored.problems:
        parts.append(_table(PROBLEM_COLUMNS, _problem_rows(stored)))
    else:
        parts.append('<p class="none">没有问题 No problems</p>')

    failed = stored.failed_expectations
    parts.append(
        f'<h2>校验规则 <span class="en">Expectations</span> ({len(stored.expectations)})</h2>'
    )
    if stored.expectations:
        parts.append(
            f'<p class="counts"><span>通过 passed: {len(stored.expectations) - failed}</span>'
            f"<span>未通过 failed: {failed}</span></p>"
        )
        parts.append(_table(EXPECTATION_COLUMNS, _expectation_rows(stored)))
    else:
        parts.append(
            '<p class="none">校验规则未运行（文件在读取时即被拒收）'
            " The expectations did not run (the file was rejected while being read).</p>"
        )
    title = f"{stored.file_name} · 校验结果 Validation result"
    return _document(title, "\n".join(parts))


def render_index(files: Sequence[StoredFile]) -> str:
    """The site's index: every file with its outcome and counts, linked to its page."""
    outcomes = Counter(stored.outcome for stored in files)
    counts = "".join(
        f"<span>{_outcome_badge(outcome)} {count}</span>"
        for outcome, count in sorted(outcomes.items())
    )
    rows = []
    for stored in files:
        kind_zh, kind_en = stored.kind_label()
        href = page_name(stored.file_id)
        total, failed = len(stored.expectations), stored.failed_expectations
        rows.append(
            "<tr>"
            f'<td class="num">{_e(stored.file_id)}</td>'
            f'<td><a href="{_e(href)}">{_e(stored.file_name)}</a></td>'
            f"<td>{_bilingual(kind_zh, kind_en)}</td>"
            f"<td>{_e(moment_text(stored.received_at))}</td>"
            f"<td>{_outcome_badge(stored.outcome)}</td>"
            f'<td class="num">{_number(stored.row_count)}</td>'
            f'<td class="num">{_e(stored.error_count)}</td>'
            f'<td class="num">{_e(stored.warning_count)}</td>'
            f'<td class="num">{_e(total - failed)} / {_e(total)}</td>'
            "</tr>"
        )
    headers = (
        ("编号", "File", "num"),
        ("文件名", "File name", ""),
        ("报表类型", "Kind", ""),
        ("接收时间", "Received at", ""),
        ("结果", "Outcome", ""),
        ("行数", "Rows", "num"),
        ("错误", "Errors", "num"),
        ("警告", "Warnings", "num"),
        ("规则通过", "Expectations passed", "num"),
    )
    body = [
        '<h1>报表校验结果 <span class="en">Validation results</span></h1>',
        f'<p class="sub">共 {len(files)} 个文件 · {len(files)} files</p>',
        f'<p class="counts">{counts}</p>' if files else "",
        _table(headers, rows) if files else '<p class="none">没有文件 No files</p>',
    ]
    return _document("报表校验结果 Validation results", "\n".join(body))


def render_file_page(url: str, file_id: int) -> str:
    """One file's validation page (a whole HTML document) for embedding or download."""
    return render_stored_page(read_stored(url, file_id))


def build_validation_site(url: str, out_dir: Path, file_ids: Sequence[int] | None = None) -> Path:
    """Write index.html and one page per file (all files when none are given); return the index."""
    out_dir = Path(out_dir)
    with connect(url) as conn:
        wanted = all_file_ids(conn) if file_ids is None else list(dict.fromkeys(file_ids))
        files = read_stored_files(conn, wanted)
    missing = sorted(set(wanted) - {stored.file_id for stored in files})
    if missing:
        listed = ", ".join(map(str, missing))
        raise FileNotFound(f"没有这些编号的文件 / no files with ids: {listed}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stored in files:
        page = out_dir / page_name(stored.file_id)
        page.write_text(render_stored_page(stored, index_href=INDEX_PAGE), encoding="utf-8")
    index = out_dir / INDEX_PAGE
    index.write_text(render_index(files), encoding="utf-8")
    return index
