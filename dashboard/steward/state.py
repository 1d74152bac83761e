"""The stewards' pages' session state: the warehouse they read, the link's parameters,
the name that signed the last decision and the message left for the next run."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard import filters

_URL_KEY = "_ducha_steward_url"
_NAME_KEY = "_ducha_steward_name"
_FLASH_KEY = "_ducha_steward_flash"


def begin(url: str) -> None:
    """Remember the warehouse for the stewards' page about to run."""
    st.session_state[_URL_KEY] = url


def url() -> str:
    """The warehouse URL the entry script checked."""
    return st.session_state[_URL_KEY]


def keep_params(**values: object) -> None:
    """Put this page's parameters (and the language, unless Chinese) in the URL, nothing else."""
    filters.sync_query_params(
        {key: str(value) for key, value in values.items() if value is not None}
    )


def param_int(name: str) -> int | None:
    """An integer parameter of the link (``?file=12``), None when absent or not a number."""
    raw = st.query_params.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def flash(message: str) -> None:
    """A success message for the next run (after ``st.rerun``)."""
    st.session_state[_FLASH_KEY] = message


def show_flash() -> None:
    """Show and forget the message a previous run left."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def keep_valid(key: str, options: Sequence[object]) -> None:
    """Forget a picker's choice that is no longer among its options (its parent changed)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def remember_name(name: str) -> None:
    """The name that signed a decision or lock, for the session's other name fields."""
    version = st.session_state.get(_NAME_KEY, (0, ""))[0] + 1
    st.session_state[_NAME_KEY] = (version, name)
