"""Blue/yellow/red warnings (mart.supervision_warnings) and `ducha remind` against a real SMTP server.

Items are written with due dates around the as-of date 2006-06-30; the expected
colour of each is stated from the office's rule (blue within 7 days of the due
date, the due day included; yellow once more than half the time has gone; red
after the due day), not read from the code.
"""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from etl.documents import warning_colour
from tests.conftest import EXAMPLES
from tests.helpers import problems, query, run_cli, write_csv

HEADER = ["item_code", "source", "title", "unit_code", "registered_on", "due_on", "closed_on"]
AS_OF = "2006-06-30"
# item_code: (registered_on, due_on, closed_on, the colour on 2006-06-30)
ITEMS = {
    "W-DAY-BEFORE-DUE": ("2006-06-01", "2006-07-01", "", "blue"),
    "W-DUE-DAY": ("2006-06-01", "2006-06-30", "", "blue"),
    "W-DAY-AFTER-DUE": ("2006-06-01", "2006-06-29", "", "red"),
    "W-7-DAYS-LEFT": ("2006-06-01", "2006-07-07", "", "blue"),
    "W-8-DAYS-LEFT": ("2006-06-01", "2006-07-08", "", "yellow"),  # 29 of 37 days gone
    "W-HALF-GONE": ("2006-06-10", "2006-07-20", "", None),  # 20 of 40 days: not more than half
    "W-HALF-AND-A-DAY": ("2006-06-09", "2006-07-20", "", "yellow"),  # 21 of 41 days
    "W-EARLY": ("2006-06-20", "2006-08-31", "", None),
    "W-CLOSED": ("2006-06-01", "2006-06-20", "2006-06-15", "closed"),
}


def supervision_rows(units: dict[str, str]) -> list[list[str]]:
    return [
        [code, "city", f"事项 {code}", units.get(code, "JD-SY"), reg, due, closed]
        for code, (reg, due, closed, _) in ITEMS.items()
    ]


@pytest.fixture
def warned(units_loaded, monkeypatch, capsys, tmp_path) -> str:
    path = write_csv(tmp_path / "supervision.csv", HEADER, supervision_rows({}))
    run = run_cli(monkeypatch, capsys, units_loaded, "ingest", path, "--as-of", AS_OF)
    assert run.code == 0, run.err
    return units_loaded


def test_warning_colours_at_their_boundaries(warned):
    found = dict(query(warned, "select item_code, warning from mart.supervision_warnings"))
    expected = {code: colour for code, (*_, colour) in ITEMS.items() if colour != "closed"}
    assert found == expected


def test_the_python_rule_is_the_views_rule(warned):
    rows = query(
        warned,
        "select registered_on, due_on, as_of, warning from mart.supervision_warnings"
        " cross join ingest.office_settings",
    )
    for registered_on, due_on, as_of, colour in rows:
        assert warning_colour(registered_on, due_on, as_of, 7, 0.5) == colour


def test_the_office_sets_the_rule(warned):
    query(
        warned,
        "update ingest.office_settings set near_due_days = 8, behind_share = 0.9 returning 1",
    )
    found = dict(query(warned, "select item_code, warning from mart.supervision_warnings"))
    assert found["W-8-DAYS-LEFT"] == "blue"
    assert found["W-HALF-AND-A-DAY"] is None  # 21 of 41 days is not more than 90%
    assert found["W-DAY-AFTER-DUE"] == "red"


# ------------------------------------------------------------------ remind --


class Inbox:
    """aiosmtpd handler: keeps every message received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    logins: list[str] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"ducha" and auth_data.password == b"s3cret"
        if ok:
            logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port, logins
    finally:
        controller.stop()


def units_with_email(tmp_path):
    return write_csv(
        tmp_path / "units_email.csv",
        ["unit_code", "unit_name", "unit_type", "email"],
        [
            ["JD-SY", "石羊街道", "subdistrict", "shiyang@example.cn"],
            ["BM-CZ", "财政局", "department", "caizheng@example.cn"],
            ["ZS-FY", "法院", "affiliated", ""],
        ],
    )


@pytest.fixture
def remind_warehouse(warehouse, monkeypatch, capsys, tmp_path) -> str:
    """Units with contacts; JD-SY has a red and a blue item, BM-CZ a yellow one, ZS-FY (no
    e-mail) a red one."""
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", units_with_email(tmp_path)).code == 0
    rows = [
        ["R-JD-RED", "city", "石羊红", "JD-SY", "2006-06-01", "2006-06-29", ""],
        ["R-JD-BLUE", "city", "石羊蓝", "JD-SY", "2006-06-01", "2006-07-03", ""],
        ["R-CZ-YELLOW", "leader", "财政黄", "BM-CZ", "2006-05-01", "2006-07-30", ""],
        ["R-CZ-CLOSED", "leader", "财政办结", "BM-CZ", "2006-05-01", "2006-06-29", "2006-06-20"],
        ["R-FY-RED", "city", "法院红", "ZS-FY", "2006-06-01", "2006-06-20", ""],
    ]
    path = write_csv(tmp_path / "supervision.csv", HEADER, rows)
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", path, "--as-of", AS_OF).code == 0
    return warehouse


def test_remind_sends_one_digest_per_unit_once_per_colour(
    monkeypatch, capsys, remind_warehouse, smtp_server, tmp_path
):
    inbox, port, logins = smtp_server
    monkeypatch.setenv("SMTP_URL", f"smtp://ducha:s3cret@127.0.0.1:{port}?from=duban@example.cn")
    run = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert run.code == 0, run.err
    assert logins == ["ducha"]
    received = {tuple(to): message for to, message in inbox.messages}
    assert sorted(received) == [("caizheng@example.cn",), ("shiyang@example.cn",)]
    shiyang = received[("shiyang@example.cn",)].get_content()
    assert "R-JD-RED" in shiyang and "R-JD-BLUE" in shiyang and "R-CZ" not in shiyang
    assert "石羊红" in shiyang and "已超期1天" in shiyang and "距到期3天" in shiyang
    caizheng = received[("caizheng@example.cn",)].get_content()
    assert "R-CZ-YELLOW" in caizheng and "R-CZ-CLOSED" not in caizheng
    assert received[("caizheng@example.cn",)]["From"] == "duban@example.cn"
    assert "ZS-FY" in run.err and "no e-mail" in run.err
    assert sorted(
        query(remind_warehouse, "select item_code, colour, recipient from ingest.reminders")
    ) == [
        ("R-CZ-YELLOW", "yellow", "caizheng@example.cn"),
        ("R-JD-BLUE", "blue", "shiyang@example.cn"),
        ("R-JD-RED", "red", "shiyang@example.cn"),
    ]

    # A rerun sends nothing.
    again = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert again.code == 0, again.err
    assert len(inbox.messages) == 2

    # Later, the blue item is past its due day: reminded once more, as red, alone.
    later = write_csv(
        tmp_path / "supervision_later.csv",
        HEADER,
        [["R-JD-BLUE", "city", "石羊蓝", "JD-SY", "2006-06-01", "2006-07-03", ""]],
    )
    assert (
        run_cli(
            monkeypatch, capsys, remind_warehouse, "ingest", later, "--as-of", "2006-07-05"
        ).code
        == 0
    )
    third = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert third.code == 0, third.err
    assert len(inbox.messages) == 3
    to, message = inbox.messages[2]
    assert to == ["shiyang@example.cn"]
    body = message.get_content()
    assert "R-JD-BLUE" in body and "R-JD-RED" not in body and "红色预警" in body
    assert query(
        remind_warehouse, "select count(*) from ingest.reminders where item_code = 'R-JD-BLUE'"
    ) == [(2,)]


def test_a_refused_connection_records_nothing(monkeypatch, capsys, remind_warehouse):
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    run = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert run.code == 5
    assert "无法连接邮件服务器" in run.err and "cannot reach the mail server" in run.err
    assert "Traceback" not in run.err
    assert query(remind_warehouse, "select count(*) from ingest.reminders") == [(0,)]


def test_a_wrong_password_records_nothing(monkeypatch, capsys, remind_warehouse, smtp_server):
    inbox, port, _ = smtp_server
    monkeypatch.setenv("SMTP_URL", f"smtp://ducha:wrong@127.0.0.1:{port}")
    run = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert run.code == 5, run.err
    assert inbox.messages == []
    assert query(remind_warehouse, "select count(*) from ingest.reminders") == [(0,)]


def test_without_smtp_the_digests_go_to_a_folder(monkeypatch, capsys, remind_warehouse, tmp_path):
    monkeypatch.delenv("SMTP_URL", raising=False)
    outbox = tmp_path / "outbox"
    run = run_cli(monkeypatch, capsys, remind_warehouse, "remind", "--outbox", outbox)
    assert run.code == 0, run.err
    assert "未设置 SMTP_URL" in run.err and "not sent and not recorded" in run.err
    assert sorted(p.name for p in outbox.iterdir()) == ["BM-CZ.eml", "JD-SY.eml", "ZS-FY.eml"]
    message = message_from_bytes((outbox / "JD-SY.eml").read_bytes(), policy=default_policy)
    assert message["To"] == "shiyang@example.cn"
    assert "R-JD-RED" in message.get_content()
    assert query(remind_warehouse, "select count(*) from ingest.reminders") == [(0,)]


def test_a_bad_smtp_url_is_a_usage_error(monkeypatch, capsys, remind_warehouse):
    monkeypatch.setenv("SMTP_URL", "http://mail.example.cn")
    run = run_cli(monkeypatch, capsys, remind_warehouse, "remind")
    assert run.code == 2
    assert "SMTP_URL" in run.err


def test_an_invalid_email_rejects_the_unit_register(monkeypatch, capsys, warehouse, tmp_path):
    path = write_csv(
        tmp_path / "units_bad.csv",
        ["单位代码", "单位名称", "单位类别", "联系邮箱"],
        [
            ["JD-SY", "石羊街道", "街道", "shiyang@example.cn"],
            ["BM-CZ", "财政局", "部门", "财政局邮箱"],
        ],
    )
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", path)
    assert run.code == 1
    assert "第 3 行 row 3" in run.err and "联系邮箱 (email)" in run.err and "财政局邮箱" in run.err
    assert problems(warehouse, "units_bad.csv") == [(3, "email", "pattern", "error")]
    assert query(warehouse, "select count(*) from core.units") == [(0,)]


def test_unit_emails_reach_the_units_mart(monkeypatch, capsys, warehouse, tmp_path):
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", units_with_email(tmp_path)).code == 0
    assert query(warehouse, "select unit_code, email from mart.units order by unit_code") == [
        ("BM-CZ", "caizheng@example.cn"),
        ("JD-SY", "shiyang@example.cn"),
        ("ZS-FY", None),
    ]
    # A later register without the column still loads, and supersedes the address.
    assert run_cli(monkeypatch, capsys, warehouse, "ingest", EXAMPLES / "units.csv").code == 0
    assert query(warehouse, "select email from mart.units where unit_code = 'JD-SY'") == [(None,)]
