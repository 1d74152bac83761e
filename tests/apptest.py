"""What the dashboard's AppTest modules share: starting the app, reading its tables and texts."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dashboard.signin import PERSON_KEY, SEEN_KEY
from etl.accounts import Person

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

# Who the dashboard tests are signed in as, unless they say otherwise: a leader
# and steward of every unit, so every page and every row is theirs to see.
# Signing in itself (the form, the warehouse's check) is tested in
# tests/test_dashboard_signin.py; here the person is put in session state as
# the sign-in step leaves it.
STEWARD = Person("tester", "Tester", ("leader", "steward"), ())


def start_app(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    params: dict[str, str] | None = None,
    timeout: float = 30,
    person: Person | None = STEWARD,
) -> AppTest:
    """Run the app on ``url`` once, ``params`` in its URL, signed in as ``person`` (None:
    nobody, so the sign-in page); it opens on its default page."""
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(params or {})
    if person is not None:
        at.session_state[PERSON_KEY] = person
        at.session_state[SEEN_KEY] = time.time()
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


def access(url: str, person: Person = STEWARD):
    """What the dashboard's queries take for ``url``: the dashboard role, in ``person``'s scope."""
    from dashboard.queries import Access

    return Access.of(url, person)
