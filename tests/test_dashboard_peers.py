"""The 对标分析 page under AppTest and the monthly brief, on the demo's illustrative year.

Expected figures are worked out by hand from etl/peer_demo.py's year-end figures:
in December each cumulative figure is its year-end value ((12/12)^pace = 1), and
each monthly figure its year-end value too (12 − 12 = 0 drifts).

    indicator          GXQ     best peer        rank
    GDP                418.6   武侯区 436.0      2
    IND-VA             236.4   (武侯区 98.7)     1
    FAI                212.0   武侯区 224.8      2
    RETAIL             61.3    锦江区 231.6      6   gap 170.3, gap rate 170.3/231.6 = 73.5%
    REVENUE            24.6    青羊区 25.3       2
    FDI                5.82    (武侯区 1.25)     1
    EXPORT             38.4    (武侯区 6.3)      1
    INCOME             12580   锦江区 12960      3   (青羊区 12745 also ahead; 武侯区 ties)
    UNEMP (lower)      2.10    武侯区 1.90       2
    ENERGY (lower)     0.420   (武侯区 0.550)    1
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator

import openpyxl
import pytest

from etl.accounts import Person
from tests.apptest import STEWARD, start_app, table, texts
from tests.conftest import EXAMPLES, create_database, drop_database
from tests.helpers import run_cli

PAGE = "screens/peer_benchmark.py"
REPORTER = Person("rep", "填报员", ("reporter",), ("JD-SY",))
LEADER = Person("boss", "领导", ("leader",), ())
UPLOAD_LINK = "前往“上传”页面"


def links(at) -> list[str]:
    """The labels of the page's links (st.page_link)."""
    return [link.proto.label for link in at.get("page_link")]


@pytest.fixture(scope="module")
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_peers_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def open_page(monkeypatch, url, person=LEADER, params=None):
    at = start_app(monkeypatch, url, params, person=person)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_december_standings_and_first_places(monkeypatch, demo):
    at = open_page(monkeypatch, demo)
    assert at.title[0].value == "对标分析"
    assert any("示例数据" in w.value for w in at.warning)  # the demo is marked illustrative
    assert at.selectbox(key="peer_month").value == "2006-12"
    labels = {m.label: m.value for m in at.metric}
    assert labels["排名第一的指标"] == "4"
    assert labels["未居第一的指标"] == "6"
    standings = table(at, "peer_standings")
    ranks = dict(zip(standings["指标名称"], standings["排名"], strict=True))
    assert ranks == {
        "地区生产总值": 2,
        "规模以上工业增加值": 1,
        "全社会固定资产投资": 2,
        "社会消费品零售总额": 6,
        "地方财政一般预算收入": 2,
        "实际利用外资": 1,
        "进出口总额": 1,
        "城镇居民人均可支配收入": 3,
        "城镇登记失业率": 2,
        "万元地区生产总值能耗": 1,
    }
    retail = standings[standings["指标名称"] == "社会消费品零售总额"].iloc[0]
    assert retail["最佳区县"] == "锦江区"
    assert retail["最佳区县数值"] == pytest.approx(231.6)
    assert retail["差距"] == pytest.approx(170.3)
    assert retail["差距率"] == pytest.approx(73.53, abs=0.01)  # shown in percent


def test_sources_show_the_revised_figure_and_where_it_came_from(monkeypatch, demo):
    at = open_page(monkeypatch, demo)
    at.selectbox(key="peer_indicator").set_value("GDP").run()
    at.selectbox(key="peer_month").set_value("2006-06").run()
    assert not at.exception
    sources = table(at, "peer_sources")
    assert list(sources["区县"]) == ["成都高新区", "锦江区", "青羊区", "金牛区", "武侯区", "成华区"]
    wuhou = sources[sources["区县"] == "武侯区"].iloc[0]
    # 436.0 × (6/12)^0.98 = 221.04 → 221.0, the revision; first published as 210.00.
    assert wuhou["指标值"] == pytest.approx(221.0)
    assert wuhou["文件名"] == "indicator_figures_2006-06_revised.csv"
    assert "修订6月数" in wuhou["数据来源"]
    assert all("示例数据" in source for source in sources["数据来源"])


def test_a_reporter_sees_no_peer_figures_only_what_their_unit_can_do(monkeypatch, demo):
    # The demo holds figures, none of them the reporter's unit's: what they may do.
    at = open_page(monkeypatch, demo, person=REPORTER)
    shown = texts(at.info)
    assert (
        "同级区县的对标数据仅领导和数据管理员可以查看；2006 年没有本单位报送的对标指标数据" in shown
    )
    assert "请在“上传”页面上传“对标指标数据”报表" in shown
    assert "ducha" not in shown  # a command line is no help to a reporter
    assert UPLOAD_LINK in links(at)
    assert not at.metric
    assert "全部单位" not in texts(at.caption)  # the scope line names their unit
    assert "您可查看：石羊街道 (JD-SY)" in texts(at.caption)


@pytest.mark.parametrize(
    ("person", "says", "link"),
    [
        (
            STEWARD,
            "2006 年还没有可查看的对标指标数据。先载入对标指标库（ducha ingest 文件 --kind"
            " indicators），再载入各区县指标数据（--kind indicator_figures）",
            True,
        ),
        (
            LEADER,
            "2006 年的对标指标数据尚未装载。各区县的月度数据经统计部门汇编、数据管理员装载后，"
            "这里会显示本区各项指标的排名和与最佳区县的差距。",
            False,
        ),
        (
            REPORTER,
            "同级区县的对标数据仅领导和数据管理员可以查看；2006 年没有本单位报送的对标指标数据。"
            "如本单位负责汇编对标指标数据，请在“上传”页面上传“对标指标数据”报表",
            True,
        ),
    ],
    ids=["steward", "leader", "reporter"],
)
def test_no_figures_yet_speaks_to_the_reader(monkeypatch, warehouse, person, says, link):
    from etl.load import ingest_files

    # The office's returns are in, no indicator figures yet.
    ingest_files(warehouse, [EXAMPLES / name for name in ("units.csv", "targets.csv")])
    at = open_page(monkeypatch, warehouse, person=person)
    assert at.title[0].value == "对标分析"
    shown = texts(at.info)
    assert says in shown
    if person is not STEWARD:
        assert "ducha" not in shown
    assert (UPLOAD_LINK in links(at)) is link
    assert not at.metric


def test_no_figures_yet_in_english(monkeypatch, warehouse):
    from etl.load import ingest_files

    ingest_files(warehouse, [EXAMPLES / name for name in ("units.csv", "targets.csv")])
    at = open_page(monkeypatch, warehouse, person=LEADER, params={"lang": "en"})
    assert "The peer-benchmark figures for 2006 have not been loaded yet." in texts(at.info)


def test_english(monkeypatch, demo):
    at = open_page(monkeypatch, demo, params={"lang": "en"})
    assert at.title[0].value == "Peer benchmark"
    assert any("Illustrative" in w.value for w in at.warning)


# ------------------------------------------------------------------ brief --


def test_the_brief_lists_the_indicators_not_first(monkeypatch, capsys, demo, tmp_path):
    run = run_cli(monkeypatch, capsys, demo, "brief", "--month", "2006-12", "-o", tmp_path / "b")
    assert run.code == 0, run.err
    pdf, xlsx = tmp_path / "b.pdf", tmp_path / "b.xlsx"
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    text = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2006年12月主要经济指标对标简报" in text
    assert "示例数据" in text
    assert "共 10 项，其中 4 项居" in text
    retail = next(line for line in text.splitlines() if "社会消费品零售总额" in line)
    for figure in ("61.3", "6/6", "锦江区", "231.6", "170.3", "73.5%"):
        assert figure in retail, (figure, retail)
    unemployment = next(line for line in text.splitlines() if "城镇登记失业率" in line)
    # November: 2.10 + 0.03 = 2.13 against 1.90 − 0.01 = 1.89, rate 0.24/1.89 = 12.7%;
    # December 0.20/1.90 = 10.5%: narrowed.
    for figure in ("2.1", "2/6", "武侯区", "1.9", "0.2", "10.5%", "缩小"):
        assert figure in unemployment, (figure, unemployment)
    for first in ("规模以上工业增加值（", "进出口总额（"):
        assert not any(line.strip().startswith("1") and first in line for line in text.splitlines())

    sheet = openpyxl.load_workbook(xlsx).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "2006年12月主要经济指标对标简报"
    table_rows = [row for row in rows if isinstance(row[0], int | float) and row[1]]
    assert len(table_rows) == 6  # the indicators not first
    retail_row = next(row for row in table_rows if row[1] == "社会消费品零售总额")
    assert retail_row[3:9] == [61.3, "6/6", "锦江区", 231.6, pytest.approx(170.3), retail_row[8]]
    assert retail_row[8] == pytest.approx(170.3 / 231.6, abs=1e-4)


def test_the_brief_of_a_month_without_figures_or_a_bad_month(monkeypatch, capsys, demo, tmp_path):
    empty = run_cli(monkeypatch, capsys, demo, "brief", "--month", "2007-01", "-o", tmp_path / "x")
    assert empty.code == 1
    assert "no benchmark figures" in empty.err and "没有本区的对标指标数据" in empty.err
    bad = run_cli(monkeypatch, capsys, demo, "brief", "--month", "2006-13", "-o", tmp_path / "x")
    assert bad.code == 2 and "YYYY-MM" in bad.err
    assert not list(tmp_path.iterdir())
