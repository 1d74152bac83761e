"""The dashboard once in a real headless Chromium (Debian's), served by ``streamlit run``.

Checks what AppTest cannot: the served pages render, a shared link opens the same
view, a hostile title runs no script, a unit named with Markdown, HTML and images of
a local listener is shown as text and makes the browser fetch nothing, a steward
uploads a real file and approves it, and the browser fetches nothing from any host
but the dashboard. Screenshots of every page go to ``test-output/browser/``.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard import charts
from dashboard import format as fmt
from etl import accounts
from etl.demo import DEMO_AS_OF, disability_aid_rows, write_demo_returns
from etl.kinds import KINDS
from etl.load import ingest_files
from etl.run import run_inbox
from tests.conftest import create_database, drop_database
from tests.helpers import latest_file_id, query, write_csv

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "browser"
HOSTILE_TITLE = "<script>alert('ducha')</script>"
# 安全生产监督管理局 (targets, supervision items) renamed by a later units return
# to a name that would fetch from the listener if any page rendered it as markup.
HOSTILE_UNIT = "BM-AJ"


def hostile_unit_name(port: int) -> str:
    return (
        f"**安监** ![x](http://127.0.0.1:{port}/pixel.png)"
        f" <img src=http://127.0.0.1:{port}/x> [链接](http://127.0.0.1:{port}/a) <b>局</b>"
    )


SIGN_IN_TITLES = ("督查 · 登录", "Ducha · sign in")
# Who the browser signs in as: a leader and steward of every unit.
PERSON = ("li", "li's browser password")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium: apt-get install -y chromium fonts-wqy-microhei",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Listener(http.server.BaseHTTPRequestHandler):
    """Answers anything with a 1-pixel GIF and remembers what was asked."""

    hits: ClassVar[list[str]] = []

    def do_GET(self):
        self.hits.append(self.path)
        body = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server a hostile name points at: (port, the paths it was asked for)."""
    handler = type("Handler", (_Listener,), {"hits": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], handler.hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    """A copy of the demo warehouse for the one server this module's browser reads."""
    name = f"ducha_browser_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


@pytest.fixture(scope="module")
def server(demo, tmp_path_factory, listener) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on the demo warehouse (plus one hostile title
    and one hostile unit name)."""
    extra = write_csv(
        tmp_path_factory.mktemp("extra") / "supervision_2006_extra.csv",
        ["item_code", "source", "title", "unit_code", "registered_on", "due_on", "closed_on"],
        [
            [
                "X-2006-001",
                "leader",
                HOSTILE_TITLE,
                "BM-CZ",
                "2006-06-01",
                "2006-06-30",
                "2006-06-20",
            ]
        ],
    )
    assert ingest_files(demo, [extra], as_of=DEMO_AS_OF)[0].outcome.startswith("accepted")
    renamed = write_csv(
        tmp_path_factory.mktemp("units") / "units_更名.csv",
        ["unit_code", "unit_name", "unit_type"],
        [[HOSTILE_UNIT, hostile_unit_name(listener[0]), "department"]],
    )
    assert ingest_files(demo, [renamed], as_of=DEMO_AS_OF)[0].outcome == "accepted"
    if PERSON[0] not in {a.account for a in accounts.list_accounts(demo)}:
        accounts.add_account(
            demo, PERSON[0], ["leader", "steward"], display_name="李管理", password=PERSON[1]
        )
    port = _free_port()
    # The same flags `ducha dashboard` passes, run from the project folder so
    # Streamlit reads .streamlit/config.toml.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=demo),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab that records every request and any dialog a script opens."""
    context = browser.new_context(viewport={"width": 1440, "height": 2200}, locale="zh-CN")
    tab = context.new_page()
    tab.requests = []
    tab.dialogs = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def _goto(page, url: str, person: tuple[str, str] = PERSON) -> None:
    """Open ``url``; a new browser session (each load is one) signs in first."""
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    # The sign-in title is drawn before its form: checking for the account box as
    # soon as any h1 shows skipped signing in whenever the form came a moment later
    # (the cause of the flaky landings). Wait for the form when it is the sign-in page.
    if page.locator(
        f"h1:has-text('{SIGN_IN_TITLES[0]}'), h1:has-text('{SIGN_IN_TITLES[1]}')"
    ).count():
        account = page.get_by_role("textbox", name=re.compile("^(账号|Account)$"))
        account.wait_for(timeout=60_000)
        account.fill(person[0])
        page.get_by_role("textbox", name=re.compile("^(密码|Password)$")).fill(person[1])
        page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
        page.wait_for_selector(
            f"h1:has-text('{SIGN_IN_TITLES[0]}'), h1:has-text('{SIGN_IN_TITLES[1]}')",
            state="detached",
            timeout=60_000,
        )


def _open(page, server: str, path: str, heading: str) -> None:
    _goto(page, f"{server}{path}")
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
    # Figures are drawn once their queries return: wait for the cards, then the grids.
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _metric_values(page) -> list[str]:
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


PAGES = [
    ("", "总览", "overview"),
    ("/targets", "目标完成", "targets"),
    ("/employment", "就业指标", "employment"),
    ("/disability-aid", "残疾人救助", "disability_aid"),
    ("/supervision", "督办督查", "supervision"),
    ("/assessment", "目标考核", "assessment"),
]


def test_every_page_renders_with_the_demo_figures(page, server):
    for path, heading, name in PAGES:
        _open(page, server, path, heading)
        _shot(page, name)
        if name in ("overview", "employment"):
            assert "95.6%" in _metric_values(page)
            assert "91.3%" in _metric_values(page)
    hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts  # no CDN, no telemetry, no fonts from elsewhere
    assert page.dialogs == []


def test_assessment_page_shows_the_seeds_2005_grades(page, server):
    _open(page, server, "/assessment", "目标考核")
    assert _metric_values(page) == ["31", "23", "8", "0"]
    assert (
        page.get_by_text("成都市委、市政府2005年度市级政府部门目标综合考核：第 4 名").count() == 1
    )
    assert page.locator(".js-plotly-plot").count() == 2  # a ranking chart per class
    # The demo publishes its 2005 results after loading them: frozen, nothing changed since.
    assert page.get_by_text("已发布结果：ducha-demo 于").count() == 1
    assert page.get_by_text("发布后数据有变化").count() == 0
    _shot(page, "assessment")


def test_overview_names_the_city_closure(page, server):
    _open(page, server, "", "总览")
    assert page.get_by_text("其中市委市政府督办办结 43 / 45 件（95.6%）").count() == 1


def test_a_shared_link_opens_the_same_view(page, server, demo):
    _open(page, server, "/employment?year=2006&period=2006-06&unit=JD-SY", "就业指标")
    q2 = query(
        demo,
        "select sum(employed)::numeric / sum(labor_force) from mart.employment"
        " where period = '2006-Q2' and unit_code = 'JD-SY'",
    )[0][0]
    assert fmt.percent(q2) in _metric_values(page)
    assert page.get_by_text("数据截至2006年6月30日 · 石羊街道 (JD-SY)").count() == 1
    _shot(page, "employment_shared_link")


def test_english_link(page, server):
    _open(page, server, "/supervision?lang=en", "Supervision")
    assert page.get_by_text("Closure rate").count() >= 1
    _shot(page, "supervision_en")


def test_hostile_title_runs_no_script(page, server):
    _open(page, server, "/supervision", "督办督查")
    search = page.get_by_label("搜索编号、名称或承办单位")
    search.fill("X-2006-001")
    search.press("Enter")
    page.wait_for_selector("text=共 1 行", timeout=60_000)
    _shot(page, "supervision_hostile_title")
    assert page.dialogs == []


def test_bulletins_page_previews_and_renders(page, server):
    _goto(page, f"{server}/bulletins")
    page.wait_for_selector("h1:has-text('督查通报')", timeout=60_000)
    page.wait_for_selector("text=市委市政府督办立项45件、办结43件、未到期2件", timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    _shot(page, "bulletins")
    # The PDF and Word are drawn on demand (the chart through chromium).
    page.get_by_text("生成 PDF 和 Word").click()
    page.wait_for_selector("button:has-text('下载 PDF')", timeout=120_000)
    assert page.locator("button:has-text('下载 Word')").count() == 1
    _shot(page, "bulletins_rendered")
    hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert page.dialogs == []


def test_peer_benchmark_page(page, server):
    """对标分析: the illustrative notice, the cards, the heatmap and lines, the tables."""
    _open(page, server, "/peer-benchmark", "对标分析")
    page.wait_for_selector("text=示例数据", timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000
    )
    # December 2006: first in 4 of the 10 indicators (tests/test_dashboard_peers.py).
    assert _metric_values(page)[:2] == ["4", "6"]
    assert page.locator("[data-testid='stDataFrame']").count() == 2
    assert page.locator("button:has-text('下载简报 PDF')").count() == 1
    _shot(page, "peer_benchmark")
    hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert page.dialogs == []


def test_supervision_warnings_panel(page, server):
    _open(page, server, "/supervision", "督办督查")
    page.wait_for_selector("text=单位待办清单", timeout=60_000)
    assert page.locator("[data-testid='stMetricLabel']:has-text('蓝色')").count() == 1
    page.get_by_text("单位待办清单").scroll_into_view_if_needed()
    _shot(page, "supervision_warnings")


# ---------------------------------------------------------- stewards' pages --

STEWARD_PAGES = [  # path, heading, screenshot, charts
    ("/inbox", "报表收件箱", "steward_inbox", 0),
    ("/approval", "审核", "steward_approval", 0),
    ("/versions", "版本历史", "steward_versions", 0),
    ("/calendar", "报送日历", "steward_calendar", 2),
    ("/runs", "ETL 运行", "steward_runs", 0),
]


def _open_steward(page, server: str, path: str, heading: str, charts: int = 0) -> None:
    _goto(page, f"{server}{path}")
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    # Charts draw after the run ends, once the browser has loaded plotly.js.
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".filter(chart => chart.querySelector('.main-svg')).length >= n",
        arg=charts,
        timeout=60_000,
    )
    page.wait_for_timeout(500)


_ERROR_BOXES = "[data-testid='stException'], [data-testid='stAlertContentError']"


def _no_error_boxes(page) -> None:
    # Streamlit removes the elements of the previous run only when a rerun ends
    # (e.g. the blank-name error before an approval): give a stale box that
    # long to go; a real error stays and fails the assertions below.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"document.querySelectorAll({_ERROR_BOXES!r}).length === 0", timeout=15_000
        )
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def test_a_steward_uploads_a_return_and_approves_it(page, server, demo, tmp_path):
    # A December disability-aid return again from 芳草街道, one more person-time,
    # while the kind needs a steward's approval: it waits until approved.
    rows = [row for row in disability_aid_rows(12) if row["unit_code"] == "JD-FC"]
    rows[0] = rows[0] | {
        "person_times": rows[0]["person_times"] + 1,
        "amount_yuan": rows[0]["amount_yuan"] + rows[0]["standard_yuan"],
    }
    header = list(KINDS["disability_aid"].column_names)
    upload = write_csv(
        tmp_path / "残疾人救助_芳草_2006-12_更正.csv",
        header,
        [[row[c] for c in header] for row in rows],
    )
    query(demo, "update ingest.kind_settings set requires_approval = true"
                " where kind = 'disability_aid' returning 1")  # fmt: skip
    # And one scheduled run, with a file the warehouse already holds and a bad one.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_demo_returns(tmp_path / "demo")
    shutil.copy(tmp_path / "demo" / "employment_2006-Q1.xlsx", inbox)
    write_csv(inbox / "bad.csv", header, [["2006-13", "JD-FC", "特困生活补助", 1, 1, 100, 100]])
    assert run_inbox(demo, inbox, as_of=DEMO_AS_OF).rejected == 1
    try:
        _open_steward(page, server, "/upload", "上传")
        page.locator("input[type='file']").set_input_files(str(upload))
        # The chip shows once the browser has sent the file (its long name is shortened).
        page.wait_for_selector("[data-testid='stFileChip']", timeout=60_000)
        page.get_by_role("button", name="校验并装载").click()
        page.wait_for_selector("text=须经审核批准后生效", timeout=120_000)
        _no_error_boxes(page)
        _shot(page, "steward_upload")
        file_id = latest_file_id(demo, upload.name)
        assert query(demo, "select approval from ingest.files where file_id = %s", (file_id,)) == [
            ("pending",)
        ]

        page.get_by_text(f"查看校验报告 #{file_id}").click()
        page.wait_for_selector("h1:has-text('校验报告')", timeout=60_000)
        page.wait_for_selector("text=当前审核状态：待审核", timeout=60_000)
        assert f"file={file_id}" in page.url
        page.wait_for_selector("text=签名：李管理（账号 li）", timeout=60_000)  # never typed
        page.get_by_role("button", name="批准", exact=True).click()
        page.wait_for_selector(f"text=已批准文件 #{file_id}", timeout=60_000)
        page.wait_for_function(
            "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
        )
        _no_error_boxes(page)
        _shot(page, "steward_report")
        assert query(
            demo,
            "select decided_by, signed_by from ingest.decisions where file_id = %s",
            (file_id,),
        ) == [("李管理", "li")]
        amount = query(
            demo,
            "select amount_yuan from mart.disability_aid where unit_code = 'JD-FC'"
            " and period = '2006-12' and program = %s",
            (rows[0]["program"],),
        )[0][0]
        assert amount == rows[0]["amount_yuan"]

        for path, heading, name, charts in STEWARD_PAGES:
            _open_steward(page, server, path, heading, charts)
            _no_error_boxes(page)
            _shot(page, name)
        assert page.get_by_text("有 1 次运行含被拒收的文件").count() == 1
        # The versions page opens on that return: resubmitted, versions, changes.
        _open_steward(page, server, "/versions", "版本历史")
        page.wait_for_selector("[data-testid='stDataFrame'] >> nth=2", timeout=60_000)
        assert page.locator("[data-testid='stDataFrame']").count() == 3
        hosts = {urlparse(url).hostname for url in page.requests if not url.startswith("data:")}
        assert hosts == {"127.0.0.1"}, hosts
        assert page.dialogs == []
    finally:
        query(demo, "update ingest.kind_settings set requires_approval = false returning 1")


def test_a_steward_page_in_english(page, server):
    _open_steward(page, server, "/calendar?lang=en", "Reporting calendar", charts=2)
    assert page.get_by_text("Reporting rate").count() >= 1
    _no_error_boxes(page)
    _shot(page, "steward_calendar_en")


# ------------------------------------------------- names shown as plain text --


def _settled(page, path: str, heading: str) -> None:
    """Open a page and wait until its run has ended and its charts are drawn."""
    _goto(page, path)
    page.wait_for_selector(f"h1:has-text('{heading}')", timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def _markup_from(page, port: int) -> list[str]:
    """Images, links and frames anywhere on the page that point at the listener."""
    return page.evaluate(
        """port => [...document.querySelectorAll('img, image, a, iframe, source, link')]
            .map(e => e.getAttribute('src') || e.getAttribute('href')
                      || e.getAttribute('xlink:href') || '')
            .filter(url => url.includes(':' + port))""",
        port,
    )


def test_a_units_name_with_markdown_and_images_is_shown_as_text(page, server, listener, demo):
    port, hits = listener
    name = hostile_unit_name(port)
    label = f"{name} ({HOSTILE_UNIT})"
    for path, heading, shot in PAGES:
        _settled(page, f"{server}{path}?unit={HOSTILE_UNIT}", heading)
        # Word joiners (U+2060, zero width) break bare URLs' autolinks: invisible.
        main = page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")
        # The scope caption under the title names the unit, letter for letter.
        assert label in main, (shot, main[:400])
        # The unit picker shows it the same way.
        picked = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").last
        shown = picked.evaluate(
            "e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')"
        )
        assert label in shown, shown
        _shot(page, f"{shot}_hostile_unit")
        where = page.evaluate(
            """port => [...document.querySelectorAll('img, a')]
                .filter(e => (e.getAttribute('src') || e.getAttribute('href') || '').includes(':' + port))
                .map(e => { let p = e; const ids = [];
                    while (p) { if (p.dataset && p.dataset.testid) ids.push(p.dataset.testid); p = p.parentElement; }
                    return ids.join('<') + ' :: ' + e.outerHTML; })""",
            port,
        )
        assert _markup_from(page, port) == [], (shot, where, hits)
        if shot == "targets":
            # The ranking chart's tick label: the name as text (shortened on the axis).
            ticks = page.locator(".main-svg .xtick text").all_text_contents()
            assert name[: charts.TICK_CHARS - 1] + "…" in ticks, ticks

    # The stewards' pages: the units return that renamed it, its report and the grids.
    file_id = latest_file_id(demo, "units_更名.csv")
    _settled(page, f"{server}/report?file={file_id}", "校验报告")
    assert name in page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")
    assert _markup_from(page, port) == []
    _shot(page, "steward_report_hostile_unit")
    for path, heading, shot, _ in STEWARD_PAGES:
        _settled(page, f"{server}{path}", heading)
        assert _markup_from(page, port) == [], shot

    # Nothing reached the listener, and nothing was even asked of it …
    page.wait_for_timeout(1_000)
    assert hits == []
    assert [url for url in page.requests if f":{port}/" in url] == []
    # … though the browser does fetch from it when a page really holds such an image.
    page.set_content(f"<img src='http://127.0.0.1:{port}/probe.png'>")
    page.wait_for_function("document.images[0].complete", timeout=10_000)
    assert hits == ["/probe.png"]
    assert page.dialogs == []
