"""The filters every page shares (year, period, unit type, unit) and the language,
kept in the URL's query parameters so a link opens the same view.

Query parameters hold codes (``?year=2006&period=2006-Q4&unit=JD-SY&lang=en``), not
the labels shown, so a link means the same thing in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard import format as fmt
from dashboard import queries
from dashboard.i18n import LANG_KEY, LANGS, enum, lang, t
from etl.kinds import UNIT_TYPES

ALL = ""  # the "all" choice of a filter; kept out of the URL
FILTER_KEYS = ("year", "period", "unit_type", "unit")
_CONTEXT_KEY = "_ducha_context"


@dataclass(frozen=True)
class Context:
    """What a page needs: the warehouse URL and the filters (None: nothing loaded yet)."""

    url: str
    scope: queries.Scope | None


def _seed(key: str, options: Sequence[object], parse: Callable[[str], object] = str) -> None:
    """Give a filter its value from the link on first run, or reset it if no longer valid."""
    if key in st.session_state and st.session_state[key] in options:
        return
    raw = st.query_params.get(key)
    try:
        from_link = parse(raw) if raw is not None else None
    except ValueError:
        from_link = None
    st.session_state[key] = from_link if from_link in options else options[0]


def language_switch() -> None:
    """The zh / en switch at the top of the sidebar."""
    _seed(LANG_KEY, LANGS)
    st.sidebar.radio(
        t("lang.label"),
        LANGS,
        key=LANG_KEY,
        horizontal=True,
        format_func={"zh": "中文", "en": "English"}.get,
    )


def sidebar(url: str) -> Context:
    """Draw the filters, mirror them into the URL, and remember them for the page."""
    years = queries.years(url)
    if not years:
        context = Context(url=url, scope=None)
        sync_query_params({})
        st.session_state[_CONTEXT_KEY] = context
        return context

    st.sidebar.header(t("filter.header"))
    _seed("year", years, int)
    # Labels are made now, not inside format_func: Streamlit may call it outside the run.
    language = lang()
    year_labels = {year: f"{year}年" if language == "zh" else str(year) for year in years}
    year = st.sidebar.selectbox(
        t("filter.year"), years, key="year", format_func=year_labels.__getitem__
    )

    period_options = [ALL, *queries.periods(url, year)]
    _seed("period", period_options)
    period = st.sidebar.selectbox(
        t("filter.period"),
        period_options,
        key="period",
        format_func={
            p: t("filter.whole_year") if p == ALL else fmt.period_label(p, language)
            for p in period_options
        }.__getitem__,
    )

    unit_types = [ALL, *UNIT_TYPES]
    _seed("unit_type", unit_types)
    unit_type = st.sidebar.selectbox(
        t("filter.unit_type"),
        unit_types,
        key="unit_type",
        format_func={
            code: t("filter.all") if code == ALL else enum("unit_type", code) for code in unit_types
        }.__getitem__,
    )

    register = queries.units(url)
    if unit_type:
        register = register[register["unit_type"] == unit_type]
    names = dict(zip(register["unit_code"], register["unit_name"], strict=True))
    unit_options = [ALL, *names]
    _seed("unit", unit_options)
    unit = st.sidebar.selectbox(
        t("filter.unit"),
        unit_options,
        key="unit",
        format_func={
            code: t("filter.all") if code == ALL else f"{names[code]} ({code})"
            for code in unit_options
        }.__getitem__,
    )
    st.sidebar.caption(t("filter.share"))

    scope = queries.Scope(
        year=int(year), period=period or None, unit_type=unit_type or None, unit=unit or None
    )
    sync_query_params({"year": str(year), "period": period, "unit_type": unit_type, "unit": unit})
    context = Context(url=url, scope=scope)
    st.session_state[_CONTEXT_KEY] = context
    return context


def sync_query_params(values: dict[str, str]) -> None:
    """Write these parameters and the language into the URL, leaving out empty ones and
    the default language, and nothing else."""
    wanted = {key: value for key, value in values.items() if value} | lang_param()
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def lang_param() -> dict[str, str]:
    """The language as a link parameter: empty for the default (Chinese)."""
    return {LANG_KEY: lang()} if lang() != LANGS[0] else {}


def context() -> Context:
    """The context the entry script set up for this run."""
    return st.session_state[_CONTEXT_KEY]


def scope_caption() -> str:
    """One line saying what the figures are: as at which date, for which units (the
    filters' choice; with none, "all units" only to a person who sees them all)."""
    url, scope = context().url, context().scope
    if scope.unit:
        register = queries.units(url)
        names = register.loc[register["unit_code"] == scope.unit, "unit_name"]
        units = f"{names.iloc[0]} ({scope.unit})" if len(names) else scope.unit
    elif scope.unit_type:
        units = enum("unit_type", scope.unit_type)
    elif url.units == "*":
        units = t("scope.all_units")
    else:
        # Someone who sees only some units: not "all units" (frame.scope_line names theirs).
        return t("scope.as_at", as_at=fmt.date_label(scope.as_at, lang()))
    # A caption is Markdown: the unit's name is shown as the text it is.
    return t("scope.caption", as_at=fmt.date_label(scope.as_at, lang()), units=fmt.plain(units))
