"""What a page shows instead of figures when the warehouse cannot provide them: what to
load and how, said to the person reading it (a steward loads, a unit's reporter uploads
their unit's return, a leader waits for the units to submit)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import queries
from dashboard.i18n import enum, t

# Whom the guidance addresses, most able first: a steward loads returns, a reporter
# uploads their own unit's, a leader (or anyone else) can only wait for them.
AUDIENCES = ("steward", "reporter", "leader")
UPLOAD_PAGE = "screens/steward_upload.py"


def audience(access: queries.Access) -> str:
    """The role the guidance speaks to: steward, reporter or leader."""
    roles = set(access.roles.split(","))
    return next((role for role in AUDIENCES if role in roles), "leader")


def _upload_link(who: str) -> None:
    """Stewards and reporters have the Upload page: a link to it beside the guidance."""
    if who in ("steward", "reporter"):
        st.page_link(UPLOAD_PAGE, label=t("guide.to_upload"))


def empty_warehouse(access: queries.Access) -> None:
    """Nothing loaded at all."""
    who = audience(access)
    st.info(t("guide.empty" if who == "steward" else f"guide.empty.{who}"))
    _upload_link(who)


def kind_missing(kind: str, year: int, access: queries.Access) -> None:
    """No returns of one kind for the year (a partial warehouse)."""
    who = audience(access)
    key = "guide.kind_missing" if who == "steward" else f"guide.kind_missing.{who}"
    st.info(t(key, year=year, kind=enum("kind", kind), code=kind))
    _upload_link(who)


def no_match() -> None:
    """Returns exist for the year, but none for the chosen period or unit."""
    st.info(t("guide.no_match"))


def nothing_for(kind: str, url: queries.Access, scope: queries.Scope, loaded: Callable) -> None:
    """Explain an empty table: the kind was never loaded for the year, or the filters exclude it."""
    if loaded(url, queries.Scope(year=scope.year)).empty:
        kind_missing(kind, scope.year, url)
    else:
        no_match()


def compiled_missing(key: str, access: queries.Access, **fields: object) -> None:
    """No figures of a kind one office compiles for leaders (对标分析's districts' figures):
    a steward is told how to load them (``key``), a leader that they are not loaded yet
    (``key.leader``), anyone else, who reads only what their own unit sent, what their
    unit can do (``key.reporter``)."""
    roles = set(access.roles.split(","))
    who = "steward" if "steward" in roles else "leader" if "leader" in roles else "reporter"
    st.info(t(key if who == "steward" else f"{key}.{who}", **fields))
    if who == "steward" or "reporter" in roles:
        _upload_link(who)
