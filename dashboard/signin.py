"""Who is asking: the sign-in step that runs before any page (issue 10).

One ``Person`` (etl.accounts) in session state; every page and query gets the
person's scope through ``queries.Access``. The password is checked by the
warehouse itself (``auth.sign_in``, as the dashboard role, which cannot read
hashes); an idle session expires (``DUCHA_IDLE_HOURS``, default 8). Where the
office has an OpenID Connect provider configured in ``.streamlit/secrets.toml``
(``[auth]``), Streamlit's ``st.login`` signs people in instead and the roles and
units come from the account with the same e-mail.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from dashboard import format as fmt
from dashboard.i18n import lang, t
from etl.accounts import ROLES, AccountError, Person

PERSON_KEY = "_ducha_person"
SEEN_KEY = "_ducha_seen"  # time.time() of the person's last page view
EXPIRED_KEY = "_ducha_expired"
DEFAULT_IDLE_HOURS = 8.0
# The session that survives a reload: a random token in this cookie, its hash in
# the warehouse (auth.sessions, migration 0045).
COOKIE = "ducha_session"
TOKEN_KEY = "_ducha_token"
TOUCHED_KEY = "_ducha_touched"  # time.time() the warehouse last moved the session's expiry on
SPENT_KEY = "_ducha_spent"  # tokens this browser session closed or had refused: not tried again
TOUCH_EVERY_SECONDS = 300


def _t(key: str, **values: object) -> str:
    return t(f"signin.{key}", **values)


def idle_seconds(environ: dict[str, str] | None = None) -> float:
    """How long a session may stay idle: ``DUCHA_IDLE_HOURS`` (default 8), in seconds."""
    env = os.environ if environ is None else environ
    raw = env.get("DUCHA_IDLE_HOURS", "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_IDLE_HOURS
    except ValueError:
        hours = DEFAULT_IDLE_HOURS
    return max(hours, 0.0) * 3600


def _address() -> str:
    """The browser's address as Streamlit sees it ("" when it has none, as in AppTest)."""
    try:
        address = st.context.ip_address
    except Exception:  # outside a browser session
        return ""
    return address if isinstance(address, str) else ""


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def current(warehouse: str, pages: list | None = None) -> Person:
    """The signed-in person; otherwise draws the sign-in page and stops the run here.

    ``pages``: every page of the app, registered (hidden) while the sign-in page
    shows, so the link the person opened is still the page they land on.
    """
    person = st.session_state.get(PERSON_KEY)
    now = time.time()
    if person is not None:
        idle = now - st.session_state.get(SEEN_KEY, now) > idle_seconds()
        if idle or not _session_lives(warehouse, now):
            sign_out(warehouse, expired=True)
        else:
            st.session_state[SEEN_KEY] = now
            return person
    person = _resumed(warehouse)
    if person is not None:
        return person
    if _oidc_configured():
        person = _oidc_person(warehouse)
        if person is not None:
            _begin(person)
            return person
    if pages:
        st.navigation(pages, position="hidden")
    _sign_in_page(warehouse)
    st.stop()
    raise AssertionError("not reached")


def _begin(person: Person, token: str | None = None) -> None:
    st.session_state[PERSON_KEY] = person
    st.session_state[SEEN_KEY] = time.time()
    st.session_state.pop(EXPIRED_KEY, None)
    if token is not None:
        st.session_state[TOKEN_KEY] = token
        st.session_state[TOUCHED_KEY] = time.time()


def _cookie() -> str:
    """The session cookie the browser sent when this Streamlit session began ("" if none)."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # outside a browser session
        return ""
    return value if isinstance(value, str) else ""


def _resumed(warehouse: str) -> Person | None:
    """The person of the session cookie, when the warehouse accepts it (a reload)."""
    from etl.accounts import resume_session

    token = _cookie()
    spent = st.session_state.setdefault(SPENT_KEY, set())
    if not token or token in spent:
        return None
    with _connection(warehouse) as conn:
        resumed = resume_session(conn, token, _address())
    if resumed.person is None:
        # Refused (and audited) once; the cookie is cleared on the sign-in page.
        spent.add(token)
        if resumed.refusal in ("expired", "disabled"):
            st.session_state[EXPIRED_KEY] = True
        return None
    _begin(resumed.person, token)
    return resumed.person


def _session_lives(warehouse: str, now: float) -> bool:
    """Now and then, move the warehouse's idle expiry of this session on; False when the
    session was ended elsewhere (account disabled, password changed)."""
    token = st.session_state.get(TOKEN_KEY)
    if not token or now - st.session_state.get(TOUCHED_KEY, now) < TOUCH_EVERY_SECONDS:
        return True
    from etl.accounts import touch_session

    with _connection(warehouse) as conn:
        alive = touch_session(conn, token)
    st.session_state[TOUCHED_KEY] = now
    return alive


def _cookie_script(token: str | None) -> None:
    """Set (or, with None, clear) the session cookie in the browser.

    Streamlit has no way to send a Set-Cookie header from a script, so a zero-height
    component sets it from the page (same origin as the app; so not HttpOnly). It
    holds no secret beyond the token, which the warehouse checks and revokes.
    """
    from streamlit.components.v1 import html

    if token is None:
        value, max_age = "", 0
    else:
        value, max_age = token, max(60, int(idle_seconds()))
    html(
        "<script>(function(){var d=window.parent.document;"
        f"var c='{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict';"
        "if(window.parent.location.protocol==='https:'){c+='; Secure';}"
        "d.cookie=c;})();</script>",
        height=0,
    )


def sign_out(warehouse: str | None = None, expired: bool = False) -> None:
    """Forget the person (and their cached choices), and end their session in the
    warehouse; the next run shows the sign-in page."""
    token = st.session_state.get(TOKEN_KEY)
    spent = set(st.session_state.get(SPENT_KEY, set()))
    if token and warehouse is not None:
        from etl.accounts import close_session

        with _connection(warehouse) as conn:
            close_session(conn, token, _address())
    if token:
        spent.add(token)
    for key in list(st.session_state.keys()):
        if key != "lang":
            del st.session_state[key]
    st.session_state[SPENT_KEY] = spent
    if expired:
        st.session_state[EXPIRED_KEY] = True


def _connection(warehouse: str):
    from etl.accounts import dashboard_url
    from etl.settings import connect

    return connect(dashboard_url(warehouse))


def _sign_in_page(warehouse: str) -> None:
    from etl.accounts import sign_in

    st.title(_t("title"))
    if _cookie() or st.session_state.get(SPENT_KEY):
        _cookie_script(None)  # refused, or signed out: the browser forgets it
    if st.session_state.get(EXPIRED_KEY):
        st.info(_t("expired"))
    if _oidc_configured():
        st.button(_t("sso"), key="sign_in_sso", on_click=st.login)
    with st.form("sign_in"):
        name = st.text_input(_t("account"), key="sign_in_account")
        password = st.text_input(_t("password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(_t("submit"), type="primary")
    if not submitted:
        return
    from etl.accounts import new_session_token

    token = new_session_token()
    with _connection(warehouse) as conn:
        outcome = sign_in(conn, name, password, _address(), session=(token, idle_seconds()))
    if outcome.person is None:
        st.error(outcome.message)
        return
    _begin(outcome.person, token)
    st.rerun()


def _oidc_person(warehouse: str) -> Person | None:
    """The person the OIDC provider signed in, by e-mail; None if nobody is or no account."""
    from etl.accounts import person_by_email

    if not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email") or "")
    with _connection(warehouse) as conn:
        person = person_by_email(conn, email, _address())
    if person is None:
        st.error(_t("sso_unknown", email=fmt.plain(email[:254])))
        st.logout()
    return person


def sidebar(warehouse: str, person: Person) -> None:
    """Who is signed in, sign-out and password change, at the foot of the sidebar."""
    language = 0 if lang() == "zh" else 1
    roles = ("、" if language == 0 else ", ").join(
        ROLES[r][language] for r in person.roles if r in ROLES
    )
    box = st.sidebar.container()
    token = st.session_state.get(TOKEN_KEY)
    if token and token != _cookie():
        with box:
            _cookie_script(token)  # so a reload finds the session (not needed once sent)
    box.caption(_t("signed_in_as", name=fmt.plain(person.display_name), roles=roles))
    if box.button(_t("sign_out"), key="sign_out"):
        sign_out(warehouse)
        if _oidc_configured():
            st.logout()
        st.rerun()
    with box.expander(_t("change_password")), st.form("change_password", clear_on_submit=True):
        old = st.text_input(_t("old_password"), type="password", key="pw_old")
        new = st.text_input(_t("new_password"), type="password", key="pw_new")
        again = st.text_input(_t("new_again"), type="password", key="pw_again")
        if st.form_submit_button(_t("save_password")):
            if new != again:
                st.error(_t("differ"))
                return
            from etl.accounts import change_password

            try:
                with _connection(warehouse) as conn:
                    change_password(conn, person, old, new)
            except AccountError as exc:
                st.error(fmt.plain(str(exc)))
                return
            st.success(_t("password_changed"))
