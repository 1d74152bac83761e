"""Figures written the way a Chinese report writes them: 95.6%, 32.44万元, 2006年12月.

Pure functions of a value and a language ("zh" or "en"); every page formats through here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal

from etl.period import Period

MISSING = "—"
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

Number = int | float | Decimal


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def percent(rate: Number | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.956 -> "95.6%"."""
    if _missing(rate):
        return MISSING
    return f"{float(rate) * 100:.{digits}f}%"


def count(value: Number | None) -> str:
    """A whole number with thousands separators: 3244 -> "3,244"."""
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def number(value: Number | None) -> str:
    """A measured value (a target's plan or actual): up to two decimals, no trailing zeros."""
    if _missing(value):
        return MISSING
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def yuan(amount: Number | None, lang: str) -> str:
    """An amount in full: 324400 -> "324,400 元" / "324,400 yuan"."""
    if _missing(amount):
        return MISSING
    value = float(amount)
    digits = 0 if value == round(value) else 2
    return f"{value:,.{digits}f} {'元' if lang == 'zh' else 'yuan'}"


def yuan_short(amount: Number | None, lang: str) -> str:
    """An amount for a headline: 324400 -> "32.44万元" (zh) or "324.4k yuan" (en)."""
    if _missing(amount):
        return MISSING
    value = float(amount)
    if lang == "zh":
        if abs(value) >= 10_000:
            return f"{value / 10_000:,.2f}万元"
        return yuan(value, lang).replace(" ", "")
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.2f}m yuan"
    if abs(value) >= 10_000:
        return f"{value / 1_000:,.1f}k yuan"
    return yuan(value, lang)


def period_label(period: str | None, lang: str) -> str:
    """A contract period in words: "2006-12" -> "2006年12月" / "Dec 2006"."""
    if not period:
        return MISSING
    try:
        parsed = Period.parse(period)
    except ValueError:
        return period
    year, quarter, month = parsed.year, parsed.quarter, parsed.month
    if quarter:
        return f"{year}年第{quarter}季度" if lang == "zh" else f"Q{quarter} {year}"
    if month:
        return f"{year}年{month}月" if lang == "zh" else f"{_MONTHS_EN[month - 1]} {year}"
    return f"{year}年" if lang == "zh" else str(year)


def date_label(value: date | datetime | None, lang: str) -> str:
    """A date: 2006-03-02 -> "2006年3月2日" / "2 Mar 2006"."""
    if value is None or _missing(value):
        return MISSING
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def points(change: float | None, lang: str) -> str | None:
    """A change of a rate in percentage points: 0.012 -> "+1.2个百分点" / "+1.2 pp"."""
    if _missing(change):
        return None
    value = float(change) * 100
    return f"{value:+.1f}个百分点" if lang == "zh" else f"{value:+.1f} pp"


def signed(change: Number | None, lang: str, unit: str = "") -> str | None:
    """A change of a count: +3 / -2, with an optional unit word."""
    if _missing(change):
        return None
    value = round(float(change))
    return f"{value:+,}{unit}" if lang == "zh" else f"{value:+,}{(' ' + unit) if unit else ''}"


def signed_yuan(change: Number | None, lang: str) -> str | None:
    """A change of an amount: +2.7万元 / +27.0k yuan."""
    if _missing(change):
        return None
    text = yuan_short(abs(float(change)), lang)
    return ("+" if float(change) >= 0 else "-") + text


# ------------------------------------------------------------ plain text --
# Names, titles, reasons and file names come from files and people: they are
# shown as the text they are, never as Markdown, HTML or a chart's markup.

# Characters that move or hide text: C0/C1 controls (newlines included) and the
# bidirectional overrides that can make "exe.txt" read as "txt.exe".
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Every ASCII punctuation character: CommonMark lets each be backslash-escaped,
# and Streamlit's extensions (coloured text, icons, $math$, ~~strike~~) all
# start with one of them.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown (GitHub's) turns bare web and e-mail addresses in the text
# into links after escapes are undone, so a backslash cannot stop it: a word joiner
# (U+2060, zero width, shows nothing) before the ":", "." or "@" breaks the pattern.
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|xmpp)(?=:)|\bwww(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def visible(value: object) -> str:
    """The text with control and direction characters written out (``\\n``, ``\\u202e``)."""
    if value is None or _missing(value):
        return ""
    return _INVISIBLE.sub(
        lambda match: _ESCAPES.get(match.group(), f"\\u{ord(match.group()):04x}"), str(value)
    )


def plain(value: object) -> str:
    """Text for Streamlit's Markdown (st.markdown, st.caption, st.info, labels): shown as is.

    Markdown, HTML, images, links (bare URLs included), LaTeX and Streamlit's
    directives are made inert.
    """
    text = _AUTOLINK.sub(lambda match: match.group() + WORD_JOINER, visible(value))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def chart_text(value: object) -> str:
    """Text for a Plotly label (ticks, legend, hover, titles): its HTML subset made inert."""
    text = visible(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# What a file name may not hold on Windows, macOS or Linux, besides controls.
_NOT_IN_FILE_NAMES = re.compile(
    r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
)
FILE_NAME_CHARS = 120


def file_name(stem: str, suffix: str) -> str:
    """A download's file name from text that may hold anything: no folders, controls
    or reserved characters, no leading dot, at most FILE_NAME_CHARS characters."""
    safe = _NOT_IN_FILE_NAMES.sub("_", stem).strip(" .") or "ducha"
    return safe[: FILE_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
