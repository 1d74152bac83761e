"""What the dashboard's AppTest modules share: starting the app, reading its tables and texts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
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


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def captions(at: AppTest) -> str:
    return texts(at.caption)
