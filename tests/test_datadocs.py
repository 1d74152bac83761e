"""The offline validation site: every stored result shown, nothing fetched, everything escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.datadocs import INDEX_PAGE, build_validation_site, page_name, render_file_page
from etl.kinds import KINDS
from etl.report_export import FileNotFound
from tests.helpers import latest_file_id, query, run_cli, write_csv

SUPERVISION_HEADER = [
    "事项编号", "事项来源", "事项名称", "承办单位", "立项日期", "办理时限", "办结日期", "反馈意见",
]  # fmt: skip
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
BAD_SUPERVISION = [
    ["S-1", "city", "道路整治", SCRIPT, "2006-03-02", "2006-02-01", "", ""],
    [IMG, "<b>source</b>", "路灯 & 绿化", "JD-SY", "2006-03-02", "2006-06-30", "", ""],
    [IMG, "city", "标题", "JD-SY", "2006-03-02", "2006-06-30", "", "满意"],
]
SEVERITY = {"error": "错误 error", "warning": "警告 warning"}
SOURCE = {"reader": "读取 reading", "expectation": "校验规则 expectation"}
SOURCE["warehouse"] = "数据仓库核对 warehouse check"


class Page(HTMLParser):
    """What a browser would see of a page: its tables' cell texts, its links and its tags."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in ("href", "src", "action")]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def table_with(self, first_header: str) -> list[list[str]]:
        """The body rows of the table whose first header cell starts so."""
        for table in self.tables:
            if table and table[0] and table[0][0].startswith(first_header):
                return table[1:]
        raise AssertionError(f"no table headed {first_header!r}")


def ingest(monkeypatch, capsys, url: str, path: Path) -> int:
    run_cli(monkeypatch, capsys, url, "ingest", path, "--as-of", "2006-06-30")
    return latest_file_id(url, path.name)


def stored_problem_rows(url: str, file_id: int) -> list[list[str]]:
    """The problems as the page's table must show them."""
    rows = query(
        url,
        "select f.kind, p.row_no, p.column_name, p.value, p.rule, p.message_zh, p.message_en,"
        " p.severity, p.source from ingest.problems p join ingest.files f using (file_id)"
        " where p.file_id = %s",
        (file_id,),
    )
    return [
        [
            "—" if row is None else str(row),
            KINDS[kind].column(column).label() if column else "—",
            "—" if value is None else re.sub(r"\s+", " ", value).strip(),
            rule,
            f"{zh}{en}",
            SEVERITY[severity],
            SOURCE[source],
        ]
        for kind, row, column, value, rule, zh, en, severity, source in rows
    ]


def assert_offline(text: str) -> Page:
    """Nothing in the page can reach the network, and no script can run."""
    lowered = text.lower()
    for needle in ("http://", "https://", "//cdn", "@import", "url(", "@font-face"):
        assert needle not in lowered, needle
    page = Page(text)
    assert not {"script", "link", "img", "iframe", "object", "embed", "svg"} & set(page.tags)
    for url in page.urls:
        assert url == INDEX_PAGE or re.fullmatch(r"file-\d+\.html", url), url
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    return page


@pytest.fixture
def two_files(units_loaded, monkeypatch, capsys, tmp_path):
    """A rejected file full of markup and an accepted one with a warning."""
    bad = write_csv(tmp_path / 'x"><b>坏<i>.csv', SUPERVISION_HEADER, BAD_SUPERVISION)
    header = [
        "发放月份",
        "单位代码",
        "救助项目",
        "户数",
        "人次",
        "发放标准(元/人次)",
        "发放金额(元)",
    ]
    good = write_csv(
        tmp_path / "aid.csv", header, [["2006-05", "JD-SY", "特困生活补助", 40, 42, 100, 4300]]
    )
    rejected = ingest(monkeypatch, capsys, units_loaded, bad)
    return rejected, ingest(monkeypatch, capsys, units_loaded, good)


def test_site_for_a_rejected_and_an_accepted_file(units_loaded, two_files, tmp_path):
    rejected, accepted = two_files
    outcomes = dict(query(units_loaded, "select file_id, outcome from ingest.files"))
    assert outcomes[rejected] == "rejected" and outcomes[accepted] == "accepted_with_warnings"

    index = build_validation_site(units_loaded, tmp_path / "site", [rejected, accepted])
    assert index == tmp_path / "site" / INDEX_PAGE
    written = sorted(path.name for path in index.parent.iterdir())
    assert written == sorted([INDEX_PAGE, page_name(rejected), page_name(accepted)])
    for path in index.parent.iterdir():
        assert_offline(path.read_text(encoding="utf-8"))

    listed = Page(index.read_text(encoding="utf-8")).table_with("编号")
    assert [row[0] for row in listed] == [str(rejected), str(accepted)]
    assert listed[0][1] == 'x"><b>坏<i>.csv'  # the file name as text, not markup
    assert (
        listed[0][4] == "已拒收 rejected"
        and listed[1][4] == "已接收（有警告） accepted with warnings"
    )
    counts = query(
        units_loaded,
        "select error_count, warning_count from ingest.files where file_id = %s",
        (rejected,),
    )[0]
    assert (listed[0][6], listed[0][7]) == tuple(map(str, counts))

    for file_id in (rejected, accepted):
        text = (index.parent / page_name(file_id)).read_text(encoding="utf-8")
        page = Page(text)
        problems = page.table_with("行号")
        expected = stored_problem_rows(units_loaded, file_id)
        assert sorted(problems) == sorted(expected)
        assert len(problems) == len(expected) > 0
        results = page.table_with("规则")
        stored = query(
            units_loaded,
            "select expectation_type, success, unexpected_count from ingest.expectation_results"
            " where file_id = %s order by result_id",
            (file_id,),
        )
        assert [(row[1], row[4] == "通过 passed", int(row[6])) for row in results] == stored
        assert page.urls == [INDEX_PAGE]  # the way back

    text = (index.parent / page_name(rejected)).read_text(encoding="utf-8")
    assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img" not in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "<b>" not in text
    rules = {(row[0], row[3]) for row in Page(text).table_with("行号")}
    assert {("2", "unknown-unit"), ("3", "enum"), ("3", "unique"), ("4", "unique")} <= rules
    assert ("2", "due-on-ge-registered-on") in rules


def test_file_page_for_embedding(units_loaded, two_files, tmp_path):
    rejected, _ = two_files
    text = render_file_page(units_loaded, rejected)
    page = assert_offline(text)
    assert page.urls == []  # standalone: no link to an index that is not there
    assert sorted(page.table_with("行号")) == sorted(stored_problem_rows(units_loaded, rejected))
    built = build_validation_site(units_loaded, tmp_path / "site", [rejected])
    site_page = (built.parent / page_name(rejected)).read_text(encoding="utf-8")
    assert Page(site_page).tables == page.tables


def test_site_of_every_file_and_a_file_rejected_while_reading(
    units_loaded, monkeypatch, capsys, tmp_path
):
    row = ["S-1", "city", "t", "JD-SY", "2006-13-45", "2006-06-30", "", ""]
    path = write_csv(tmp_path / "bad-date.csv", SUPERVISION_HEADER, [row])
    file_id = ingest(monkeypatch, capsys, units_loaded, path)
    index = build_validation_site(units_loaded, tmp_path / "site")  # every file: units too
    ids = [
        row[0] for row in query(units_loaded, "select file_id from ingest.files order by file_id")
    ]
    assert [row[0] for row in Page(index.read_text(encoding="utf-8")).table_with("编号")] == [
        str(i) for i in ids
    ]
    for path in index.parent.iterdir():
        assert_offline(path.read_text(encoding="utf-8"))
    text = (index.parent / page_name(file_id)).read_text(encoding="utf-8")
    assert "did not run" in text
    assert Page(text).table_with("行号") == stored_problem_rows(units_loaded, file_id)
    units_text = (index.parent / page_name(ids[0])).read_text(encoding="utf-8")
    assert "没有问题 No problems" in units_text
    assert all(row[4] == "通过 passed" for row in Page(units_text).table_with("规则"))


def test_empty_warehouse_and_unknown_files(warehouse, tmp_path):
    index = build_validation_site(warehouse, tmp_path / "site")
    text = index.read_text("utf-8")
    assert_offline(text)
    assert "没有文件 No files" in text
    with pytest.raises(FileNotFound):
        build_validation_site(warehouse, tmp_path / "other", [7])
    assert not (tmp_path / "other").exists()
    with pytest.raises(FileNotFound):
        render_file_page(warehouse, 7)
