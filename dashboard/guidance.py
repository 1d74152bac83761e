"""What a page shows instead of figures when the warehouse cannot provide them: what to load, how."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import queries
from dashboard.i18n import enum, t


def empty_warehouse() -> None:
    """Nothing loaded at all."""
    st.info(t("guide.empty"))


def kind_missing(kind: str, year: int) -> None:
    """No returns of one kind for the year (a partial warehouse)."""
    st.info(t("guide.kind_missing", year=year, kind=enum("kind", kind), code=kind))


def no_match() -> None:
    """Returns exist for the year, but none for the chosen period or unit."""
    st.info(t("guide.no_match"))


def nothing_for(kind: str, url: str, scope: queries.Scope, loaded: Callable) -> None:
    """Explain an empty table: the kind was never loaded for the year, or the filters exclude it."""
    if loaded(url, queries.Scope(year=scope.year)).empty:
        kind_missing(kind, scope.year)
    else:
        no_match()
