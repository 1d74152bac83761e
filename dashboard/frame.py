"""One frame for every dashboard page: its title, the scope line, the filters, the
guidance when there is nothing to show, and what it says when the warehouse goes away.

A leaders' page opens with ``frame.open``: it draws the title and the scope line (as at
which date, for which units, and which units the signed-in person may see when not all) and hands
back the ``Page``: the Access every query takes first, the shared filters' ``Scope``
(the year, period, unit type and unit the entry script drew in the sidebar) and the
language. ``page.rows`` reads the page's data; when there is none it shows guidance fit
for the reader (a steward: how to load it; a unit's reporter: upload on the 上传 page or
ask the steward; a leader: not submitted yet) and ends the page there. A page's own
filters go in ``page.filter_row``, under the scope line. For example::

    import streamlit as st

    from dashboard import frame, queries

    page = frame.open("page.targets")
    targets = page.rows("targets", queries.targets)  # empty: guidance, and the page stops
    amber, _ = page.filter_row([1, 3])
    floor = amber.number_input("…", key="amber")
    st.dataframe(targets)

The entry script runs every page inside ``frame.guard()``: a warehouse that goes away
in the middle of a page (a lost connection, a restarted server) is a friendly error; one
not upgraded says to run ``ducha db upgrade``; any other failed query is shown as the
error it is. No traceback reaches the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import filters, guidance, queries
from dashboard import format as fmt
from dashboard.i18n import lang, t
from etl.settings import WarehouseUnavailable


@dataclass(frozen=True)
class Page:
    """What a leaders' page works with, as ``open`` left it."""

    url: queries.Access
    scope: queries.Scope
    language: str

    def rows(
        self, kind: str, read: Callable[[queries.Access, queries.Scope], pd.DataFrame]
    ) -> pd.DataFrame:
        """``read(url, scope)``; when empty, the guidance for ``kind`` and the page stops."""
        found = read(self.url, self.scope)
        if found.empty:
            guidance.nothing_for(kind, self.url, self.scope, read)
            st.stop()
        return found

    def missing(self, kind: str) -> None:
        """Say that no ``kind`` returns are in for the year (the page goes on without them)."""
        guidance.kind_missing(kind, self.scope.year, self.url)

    @staticmethod
    def filter_row(spec: int | Sequence[float] = 2, **options: object) -> list:
        """Columns for the page's own filters, under the scope line (``st.columns``)."""
        return list(st.columns(spec, **options))


def open(title_key: str) -> Page:
    """Start a leaders' page: its title and scope line; the filters the entry script drew."""
    context = filters.context()
    st.title(t(title_key))
    st.caption(scope_line(context.url))
    return Page(url=context.url, scope=context.scope, language=lang())


def scope_line(url: queries.Access) -> str:
    """As at which date and for which units the figures are, and, for a person who sees
    only some units, which (for everyone else "all units" already says it; a person who
    sees some is never told "all units")."""
    line = filters.scope_caption()
    if url.units == "*":
        return line
    return f"{line} · {t('scope.yours', units=fmt.plain(yours(url)))}"


def yours(url: queries.Access) -> str:
    """The units the signed-in person may see, in words: all of them, or their names."""
    if url.units == "*":
        return t("scope.all_units")
    codes = [code for code in url.units.split(",") if code]
    if not codes:
        return t("scope.no_units")
    register = queries.units(url)
    names = dict(zip(register["unit_code"], register["unit_name"], strict=True))
    shown = [f"{names[code]} ({code})" if code in names else code for code in codes]
    return ("、" if lang() == "zh" else ", ").join(shown)


@contextmanager
def guard() -> Iterator[None]:
    """Run a page; a warehouse lost or not upgraded, or a failed query, ends it with a message."""
    try:
        yield
    except WarehouseUnavailable as exc:
        st.error(t("guide.lost", error=fmt.plain(exc)))
    except queries.WarehouseNotReady as exc:
        st.warning(t("guide.not_upgraded", error=fmt.plain(exc)))
    except queries.QueryError as exc:
        st.error(t("guide.query_failed", error=fmt.plain(exc)))
