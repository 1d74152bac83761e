"""The dashboard's sign-in step, scope and roles, in AppTest against the real warehouse.

What a person sees is checked against what the warehouse holds for their
units (the owner's query), not against what the page prints elsewhere.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import streamlit as st

from dashboard.signin import EXPIRED_KEY, PERSON_KEY, SEEN_KEY
from etl import accounts
from etl.accounts import Person
from tests.apptest import CJK, STEWARD, start_app, table, texts
from tests.conftest import create_database, drop_database
from tests.helpers import query

REPORTER = Person("li", "李填报", ("reporter",), ("JD-SY",))


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_sign_{worker_id}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name, template=demo_template)
    accounts.add_account(
        url, "li", ["reporter"], ["JD-SY"], display_name="李填报", password="li's password"
    )
    accounts.add_account(url, "root", ["admin"], display_name="管理员", password="root password")
    yield url
    drop_database(server_url, name)
    st.cache_data.clear()


def sign_in_page(at) -> bool:
    return [f.key for f in at.get("form")] == ["sign_in"] or any(
        w.key == "sign_in_account" for w in at.text_input
    )


def test_nobody_gets_past_the_sign_in_page(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=None)
    assert not at.exception
    assert [e.value for e in at.title] == ["督查 · 登录"]
    assert sign_in_page(at)
    assert len(at.dataframe) == 0 and len(at.metric) == 0


def test_the_sign_in_page_in_english(monkeypatch, demo):
    at = start_app(monkeypatch, demo, {"lang": "en"}, person=None)
    labels = [e.value for e in at.title] + [w.label for w in at.text_input]
    assert labels == ["Ducha · sign in", "Account", "Password"]
    assert not [label for label in labels if CJK.search(label)]


def test_a_wrong_password_is_refused_and_audited(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=None)
    before = query(demo, "select count(*) from auth.audit")[0][0]
    at.text_input(key="sign_in_account").input("li")
    at.text_input(key="sign_in_password").input("not the password")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [(e.value, e.stack_trace) for e in at.exception]
    assert "账号或密码不正确 / wrong account name or password" in texts(at.error)
    assert PERSON_KEY not in at.session_state
    assert query(demo, "select count(*) from auth.audit")[0][0] == before + 1
    assert query(demo, "select account, action from auth.audit order by audit_id desc limit 1") == [
        ("li", "sign_in.failed")
    ]


def test_the_right_password_signs_in_to_the_leaders_pages(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=None)
    at.text_input(key="sign_in_account").input("li")
    at.text_input(key="sign_in_password").input("li's password")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[PERSON_KEY] == REPORTER
    assert not sign_in_page(at)
    assert "当前用户：李填报（填报员）" in texts(at.caption)


def test_an_idle_session_expires(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=STEWARD)
    assert not sign_in_page(at)
    at.session_state[SEEN_KEY] = time.time() - 8 * 3600 - 5
    at.run()
    assert sign_in_page(at)
    assert at.session_state[EXPIRED_KEY] is True
    assert "长时间未操作，已自动退出，请重新登录" in texts(at.info)


def test_the_idle_time_is_configurable(monkeypatch, demo):
    monkeypatch.setenv("DUCHA_IDLE_HOURS", "0.5")
    at = start_app(monkeypatch, demo, person=STEWARD)
    at.session_state[SEEN_KEY] = time.time() - 1900
    at.run()
    assert sign_in_page(at)


def test_sign_out(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=STEWARD)
    at.button(key="sign_out").click().run()
    assert sign_in_page(at)
    assert PERSON_KEY not in at.session_state


def test_a_reporter_sees_only_their_units_rows_even_after_a_leader_filled_the_cache(
    monkeypatch, demo
):
    leader = start_app(monkeypatch, demo, person=Person("boss", "领导", ("leader",), ()))
    leader.switch_page("screens/employment.py").run()
    assert len(table(leader, "employment_areas")) == 5  # every unit's areas, now cached

    at = start_app(monkeypatch, demo, person=REPORTER)
    at.switch_page("screens/employment.py").run()
    assert not at.exception
    shown = set(table(at, "employment_areas")["社区/集中居住区"])
    theirs = {
        r[0]
        for r in query(
            demo, "select distinct area_name from mart.employment where unit_code = %s", ("JD-SY",)
        )
    }
    assert shown == theirs and len(theirs) == 2


def test_a_reporters_pages(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=REPORTER)
    # Upload and their own files' reports, no approval, calendar or runs.
    at.switch_page("screens/steward_upload.py").run()
    assert not at.exception
    for page in ("steward_approval", "steward_calendar", "steward_runs", "admin_accounts"):
        with pytest.raises(Exception):  # noqa: B017 - not in a reporter's navigation
            at.switch_page(f"screens/{page}.py").run()


def test_the_admin_page_lists_accounts_and_the_audit(monkeypatch, demo):
    at = start_app(monkeypatch, demo, person=Person("root", "管理员", ("admin",), ()))
    at.switch_page("screens/admin_accounts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = at.dataframe[0].value
    assert list(listed["account"]) == ["li", "root"]
    assert "password_hash" not in listed.columns
    audit = at.dataframe[1].value
    expected = query(
        demo,
        "select count(*) from auth.audit where at >= current_date - 30",
    )[0][0]
    assert len(audit) == expected
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "Excel"]
    at.selectbox(key="audit_action").set_value("account").run()
    assert set(at.dataframe[1].value["action"]) == {"account.add"}


# ------------------------------------------------ single sign-on (OIDC) --
# AppTest's ``user`` stands in for the provider (st.user); ``[auth]`` in its secrets
# turns the single sign-on path on. The account is matched in the real warehouse.

AUTH_SECRETS = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not a secret in a test",
    "client_id": "ducha",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def start_sso(monkeypatch, url: str, email: str):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import APP

    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = AUTH_SECRETS
    at.user = {"is_logged_in": True, "email": email, "name": "Someone"}
    at.run()
    return at


def test_single_sign_on_takes_roles_and_units_from_the_account_with_that_email(monkeypatch, demo):
    from tests.helpers import query as owner_query

    if not owner_query(demo, "select 1 from auth.accounts where account = 'sso-li'"):
        accounts.add_account(
            demo, "sso-li", ["reporter"], ["JD-SY"], email="Li@Example.gov.cn",
            display_name="李单点",
        )  # fmt: skip
    at = start_sso(monkeypatch, demo, "li@example.GOV.cn")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[PERSON_KEY] == Person("sso-li", "李单点", ("reporter",), ("JD-SY",))
    assert not sign_in_page(at)
    assert query(
        demo, "select account, detail->>'via' from auth.audit order by audit_id desc limit 1"
    ) == [("sso-li", "oidc")]


@pytest.mark.parametrize("email", ["stranger@example.gov.cn", "<script>x</script>@a.b"])
def test_single_sign_on_refuses_an_email_without_an_account(monkeypatch, demo, email):
    before = query(demo, "select * from auth.accounts order by account")
    at = start_sso(monkeypatch, demo, email)
    assert not at.exception, [e.value for e in at.exception]
    assert PERSON_KEY not in at.session_state
    assert sign_in_page(at)
    assert at.user == {"is_logged_in": False}  # signed out of the provider again
    assert query(
        demo,
        "select account, action, detail->>'reason' from auth.audit order by audit_id desc limit 1",
    ) == [(email, "sign_in.failed", "oidc_unknown")]
    assert query(demo, "select * from auth.accounts order by account") == before
