"""Signed decisions: one form for every decision a steward signs (approve, withdraw,
lock, release, a kind's rules) and one way to record it.

A signed form is the decision's own fields, the signer's name (the signed-in person's,
shown, never typed), an optional reason and one button per action::

    signed = signed_form(
        "lock_form",
        "lock",
        [Button("submit", t("locks.lock"))],
        fields=lambda: st.selectbox(t("locks.period"), periods, key="lock_period"),
    )
    if signed:
        record(
            signed,
            lambda who, reason: queries.lock_period(url, kind, unit, signed.fields, who, reason),
            lambda _lock_id: t("locks.locked", what=...),
        )

``record`` makes the write: a refusal (etl.steward.StewardError, a ValueError) or a lost
warehouse is shown as the error it is; once done, the name is remembered, the message
is kept for the next run and the page runs again to show the write's effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import psycopg
import streamlit as st

from dashboard import format as fmt
from dashboard import queries
from dashboard.i18n import enum, t
from dashboard.steward.state import flash, remember_name
from dashboard.tables import Col
from etl.settings import WarehouseUnavailable

Result = TypeVar("Result")


@dataclass(frozen=True)
class Button:
    """One way to submit a signed form; its widget key is ``{key}_{action}``."""

    action: str
    label: str
    primary: bool = False
    disabled: bool = False


@dataclass(frozen=True)
class Signed:
    """A submitted signed form: the button pressed, the signer, the reason, the form's fields."""

    action: str
    who: str
    reason: str
    fields: Any = None


def name_input(key: str) -> str:
    """The name that signs a decision: the signed-in person's, shown, never typed.

    The warehouse records their account beside it (``signed_by``) and refuses a
    decision signed by anyone but the person whose scope the transaction holds.
    """
    from dashboard.signin import PERSON_KEY

    person = st.session_state[PERSON_KEY]
    # Names are a person's own text: shown as is, never as Markdown.
    st.caption(
        t(
            "steward.signed_as",
            name=fmt.plain(person.display_name),
            account=fmt.plain(person.account),
        )
    )
    return person.display_name


def signed_form(
    form_key: str,
    key: str,
    buttons: Sequence[Button],
    fields: Callable[[], Any] | None = None,
) -> Signed | None:
    """Draw the form (``fields()`` first, then the signer, a reason, the buttons); the
    decision when a button was pressed, else None."""
    with st.form(form_key):
        values = fields() if fields is not None else None
        who = name_input(f"{key}_name")
        reason = st.text_input(t("steward.reason"), key=f"{key}_reason").strip()
        row = st.container(horizontal=True)
        # Every button is drawn (a list, not any()): the first pressed decides.
        pressed = [
            button.action
            for button in buttons
            if row.form_submit_button(
                button.label,
                key=f"{key}_{button.action}",
                type="primary" if button.primary else "secondary",
                disabled=button.disabled,
            )
        ]
    if not pressed:
        return None
    return Signed(pressed[0], who, reason, values)


def record(
    signed: Signed,
    write: Callable[[str, str], Result],
    done: Callable[[Result], str | None],
) -> Result | None:
    """Make the signed write ``write(who, reason)``; a refusal or a lost warehouse is
    shown as an error (None). Done: the name is remembered, and ``done(result)``'s
    message is shown after the page runs again; when ``done`` gives None, the result
    is returned and the page goes on (nothing changed, say)."""
    if not signed.who:
        st.error(t("steward.name_required"))
        return None
    try:
        result = write(signed.who, signed.reason)
    except (ValueError, WarehouseUnavailable, psycopg.Error) as exc:
        # StewardError is a ValueError: the warehouse's refusal, said as it is.
        st.error(t("steward.failed", error=fmt.plain(exc)))
        return None
    remember_name(signed.who)
    message = done(result)
    if message is None:
        return result
    flash(message)
    st.rerun()


def decision_form(warehouse: queries.Access, file: pd.Series) -> None:
    """Approve or withdraw one accepted file, signed by the person."""
    file_id, approval = int(file["file_id"]), file["approval"]
    st.caption(t("decide.current", approval=enum("approval", approval)) + " " + t("decide.help"))
    signed = signed_form(
        f"decide_{file_id}",
        "decide",
        [
            Button("approve", t("decide.approve"), primary=True, disabled=approval == "approved"),
            Button("reject", t("decide.reject"), disabled=approval == "rejected"),
        ],
    )
    if signed is None:
        return
    done = "decide.approved" if signed.action == "approve" else "decide.rejected"
    record(
        signed,
        lambda who, reason: queries.decide(warehouse, file_id, signed.action, who, reason),
        lambda _approval: t(
            done, file_id=file_id, file_name=fmt.plain(file["file_name"]), who=fmt.plain(signed.who)
        ),
    )


DECISION_COLS = [
    Col("decided_at", "datetime"),
    Col("action", "enum:action"),
    Col("decided_by", "text"),
    Col("reason", "text"),
    Col("file_id", "int"),
    Col("file_name", "text"),
    Col("kind", "enum:kind"),
]
