"""What the dashboard's AppTest modules share: starting the app, reading its tables and texts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def start_app(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    params: dict[str, str] | None = None,
    timeout: float = 30,
) -> AppTest:
    """Run the app on ``url`` once, ``params`` in its URL; it opens on its default page."""
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(params or {})
    at.run()
    return at


def table(at: AppTest, key: str) -> pd.DataFrame:
    return at.container(f"table_{key}").dataframe[0].value


def metric(at: AppTest, label: str):
    """The metric element labelled so (the first)."""
    matches = [m for m in at.metric if m.label == label]
    assert matches, (label, [m.label for m in at.metric])
    return matches[0]


# GitHub-flavoured, bare URLs and e-mail addresses made links, as Streamlit does.
_MARKDOWN = MarkdownIt("gfm-like")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def rendered(markdown: str) -> tuple[str, set[str]]:
    """Markdown as a browser shows it (an independent renderer, markdown-it-py, not the
    app's escaping): its text, and the names of the HTML elements it makes."""
    out = _MARKDOWN.render(markdown)
    elements = {match.group(2).lower() for match in _TAG.finditer(out)}
    # A word joiner (U+2060) has no width: the reader sees nothing of it.
    return html.unescape(_TAG.sub("", out)).replace("\u2060", "").strip(), elements


def shown(markdown: str) -> str:
    """The text a reader sees for a Markdown source (captions, messages, labels)."""
    return rendered(markdown)[0]


def texts(elements) -> str:
    """The elements' text as a reader sees it."""
    return "\n".join(shown(e.value) for e in elements)


def captions(at: AppTest) -> str:
    return texts(at.caption)
