"""Sign-in in a real headless Chromium: two people at once in two browser contexts, and a
reload that keeps the person signed in (the session cookie, auth.sessions).

Uses the dashboard served by tests/test_dashboard_browser.py's fixtures (a streamlit
process on the demo warehouse). Screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl import accounts
from tests.helpers import query
from tests.test_dashboard_browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    SIGN_IN_TITLES,
    _goto,
    _shot,
    browser,
    demo,
    listener,
    server,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium: apt-get install -y chromium fonts-wqy-microhei",
    ),
]

# 石羊街道 and 桂溪街道: each has employment areas of its own in the demo.
REPORTER_A = ("rep-sy", "石羊的密码 password")
REPORTER_B = ("rep-gx", "桂溪的密码 password")
AREAS = {"JD-SY": {"新北小区", "站南仁和新居"}, "JD-GX": {"桂溪新居", "顺江小区"}}


@pytest.fixture(scope="module")
def people(server, demo):  # noqa: F811
    known = {a.account for a in accounts.list_accounts(demo)}
    for (name, password), unit, display in (
        (REPORTER_A, "JD-SY", "石羊填报员"),
        (REPORTER_B, "JD-GX", "桂溪填报员"),
    ):
        if name not in known:
            accounts.add_account(
                demo, name, ["reporter"], [unit], display_name=display, password=password
            )
    # The demo's areas, read by the owner: what each reporter must and must not see.
    for unit, areas in AREAS.items():
        held = {
            r[0]
            for r in query(
                demo, "select distinct area_name from mart.employment where unit_code = %s", (unit,)
            )
        }
        assert held == areas
    return server


def _context(browser):  # noqa: F811
    return browser.new_context(viewport={"width": 1440, "height": 2200}, locale="zh-CN")


def _employment(page) -> str:
    """The employment page's text, the charts' labels included, once its figures are drawn."""
    page.wait_for_selector("h1:has-text('就业指标')", timeout=60_000)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join('\\n')"
    )
    return page.inner_text("body") + "\n" + labels


def _signed_in_as(page) -> str:
    caption = page.locator("[data-testid='stSidebar'] :text('当前用户')")
    caption.first.wait_for(timeout=60_000)
    return caption.first.inner_text()


def _is_sign_in_page(page) -> bool:
    page.wait_for_selector("h1", timeout=60_000)
    title = page.locator(f"h1:has-text('{SIGN_IN_TITLES[0]}'), h1:has-text('{SIGN_IN_TITLES[1]}')")
    if not title.count():
        return False
    page.get_by_role("textbox", name=re.compile("^(账号|Account)$")).wait_for(timeout=60_000)
    return True


def test_two_people_at_once_each_see_only_their_own_units(browser, people):  # noqa: F811
    first, second = _context(browser), _context(browser)
    try:
        tab_a, tab_b = first.new_page(), second.new_page()
        # Both sign in before either looks: two live sessions side by side.
        _goto(tab_a, f"{people}/employment", REPORTER_A)
        _goto(tab_b, f"{people}/employment", REPORTER_B)
        for _ in range(2):  # and again after the other one's page ran in between
            text_a, text_b = _employment(tab_a), _employment(tab_b)
            assert "石羊填报员" in _signed_in_as(tab_a)
            assert "桂溪填报员" in _signed_in_as(tab_b)
            assert AREAS["JD-SY"] <= {a for a in AREAS["JD-SY"] if a in text_a}
            assert not [a for a in AREAS["JD-GX"] if a in text_a]
            assert not [a for a in AREAS["JD-SY"] if a in text_b]
            assert AREAS["JD-GX"] <= {a for a in AREAS["JD-GX"] if a in text_b}
            assert "桂溪街道" not in text_a and "石羊街道" not in text_b
            tab_b.reload()
            tab_a.reload()
        # After the last reloads: each is still who they were, drawn in full.
        assert not [a for a in AREAS["JD-GX"] if a in _employment(tab_a)]
        assert not [a for a in AREAS["JD-SY"] if a in _employment(tab_b)]
        _shot(tab_a, "two_people_a_shiyang")
        _shot(tab_b, "two_people_b_guixi")
    finally:
        first.close()
        second.close()


def test_a_reload_keeps_the_person_signed_in_until_they_sign_out(browser, people, demo):  # noqa: F811
    context = _context(browser)
    try:
        tab = context.new_page()
        _goto(tab, f"{people}/employment", REPORTER_A)
        _employment(tab)
        cookie = [c for c in context.cookies() if c["name"] == "ducha_session"]
        assert len(cookie) == 1 and len(cookie[0]["value"]) == 43
        assert cookie[0]["sameSite"] == "Strict"
        resumed_before = query(
            demo,
            "select count(*) from auth.audit where account = %s and detail->>'via' = 'session'",
            (REPORTER_A[0],),
        )[0][0]

        tab.reload()
        assert not _is_sign_in_page(tab)
        assert "石羊填报员" in _signed_in_as(tab)
        _employment(tab)
        _shot(tab, "reload_still_signed_in")
        assert (
            query(
                demo,
                "select count(*) from auth.audit where account = %s and detail->>'via' = 'session'",
                (REPORTER_A[0],),
            )[0][0]
            == resumed_before + 1
        )

        # A new tab of the same browser is the same person too.
        other_tab = context.new_page()
        other_tab.goto(f"{people}/employment")
        assert not _is_sign_in_page(other_tab)
        other_tab.close()

        tab.get_by_role("button", name="退出登录").click()
        tab.wait_for_selector(f"h1:has-text('{SIGN_IN_TITLES[0]}')", timeout=60_000)
        assert _is_sign_in_page(tab)
        tab.reload()
        assert _is_sign_in_page(tab)
        _shot(tab, "signed_out_then_reload")
        assert query(
            demo,
            "select revoked_why from auth.sessions where account = %s order by created_at desc"
            " limit 1",
            (REPORTER_A[0],),
        ) == [("sign_out",)]
    finally:
        context.close()


def test_a_forged_cookie_shows_the_sign_in_page_and_is_audited(browser, people, demo):  # noqa: F811
    context = _context(browser)
    try:
        forged = "F" * 43
        context.add_cookies([{"name": "ducha_session", "value": forged, "url": people}])
        before = query(
            demo,
            "select count(*) from auth.audit where action = 'session.refused'"
            " and detail->>'reason' = 'unknown'",
        )[0][0]
        tab = context.new_page()
        tab.goto(f"{people}/employment")
        assert _is_sign_in_page(tab)
        assert (
            query(
                demo,
                "select count(*) from auth.audit where action = 'session.refused'"
                " and detail->>'reason' = 'unknown'",
            )[0][0]
            == before + 1
        )
        # The page clears the refused cookie, so the next load does not try it again.
        tab.wait_for_function("!document.cookie.includes('ducha_session=F')", timeout=30_000)
    finally:
        context.close()
