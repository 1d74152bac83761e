"""督查通报: the demo's 2006-Q4 bulletin as PDF and Word, numbering, the archive, bad input.

The seed's figures (立项督办件45件，实际办结43件，未到期待复2件; 议决事项27件) are asserted as
the yearbook gives them; rates are computed here from those counts.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import create_database, drop_database
from tests.helpers import query, run_cli, write_csv

SUPERVISION_HEADER = [
    "item_code",
    "source",
    "title",
    "unit_code",
    "registered_on",
    "due_on",
    "closed_on",
    "satisfaction",
]
HOSTILE_TITLES = (
    '=HYPERLINK("http://evil.example/","点我")',
    "<script>alert('x')</script>脚本",
    "**加粗** [链接](http://evil.example/) # 标题",
)


def pdf_text(path: Path, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def docx_text(path: Path) -> tuple[str, list[list[str]]]:
    """The document's paragraphs as text, and every table row's cells."""
    document = Document(str(path))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]
    return paragraphs, rows


def squeeze(text: str) -> str:
    """Text without whitespace: table cells wrap anywhere in the PDF."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    """A copy of the 2006 demo warehouse for one test."""
    name = f"ducha_bul_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def test_demo_q4_bulletin_pdf_and_docx_show_the_seed_figures(monkeypatch, capsys, demo, tmp_path):
    run = run_cli(
        monkeypatch, capsys, demo, "bulletin", "--period", "2006-Q4", "-o", tmp_path / "q4"
    )
    assert run.code == 0, run.err
    assert "草稿" in run.err and "draft" in run.err
    pdf, docx = tmp_path / "q4.pdf", tmp_path / "q4.docx"
    closure = f"{43 / 45 * 100:.1f}%"  # 95.6%
    text = pdf_text(pdf)
    for heading in (
        "督查通报",
        "2006年第1期（草稿）",
        "一、总体情况",
        "二、进展情况",
        "三、存在问题",
        "四、工作要求",
        "附件：未办结事项清单",
    ):
        assert heading in text, heading
    assert re.search(rf"市委市政府督办\s+45\s+43\s+2\s+0\s+{re.escape(closure)}", text), text
    flat = squeeze(pdf_text(pdf, layout=False))
    assert "市委市政府督办立项45件、办结43件、未到期2件、超期0件" in flat
    # The four open items of the year (2 city, 2 leader) are listed in the attachment.
    open_codes = [
        r[0]
        for r in query(
            demo,
            "select item_code from mart.supervision_items where status <> 'closed'"
            " and source <> 'meeting' order by item_code",
        )
    ]
    assert len(open_codes) == 4
    assert f"附件：未办结事项清单（{len(open_codes)}件）" in flat
    for code in open_codes:
        assert code in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi-Micro-Hei\s+CID TrueType\s+Identity-H\s+yes", fonts), fonts

    paragraphs, rows = docx_text(docx)
    assert "督查通报" in paragraphs and "2006年第1期（草稿）" in paragraphs
    assert "市委市政府督办立项45件、办结43件、未到期2件、超期0件" in paragraphs
    assert ["市委市政府督办", "45", "43", "2", "0", closure] == next(
        row for row in rows if row[0] == "市委市政府督办"
    )[:6]
    assert sorted(c for row in rows for c in row if c in open_codes) == open_codes
    document = Document(str(docx))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert len(document.inline_shapes) == 1  # the chart


def test_meeting_bulletin_reports_the_committee_decisions(monkeypatch, capsys, demo, tmp_path):
    out = tmp_path / "meeting.pdf"
    run = run_cli(
        monkeypatch, capsys, demo, "bulletin", "--period", "2006", "--kind", "meeting", "-o", out
    )
    assert run.code == 0, run.err
    assert not (tmp_path / "meeting.docx").exists()
    flat = squeeze(pdf_text(out, layout=False))
    assert "两委会议决事项落实情况" in flat
    # "跟踪落实党工委管委会办公会议决事项27件"
    closed = query(
        demo,
        "select count(*) from mart.supervision_items where source = 'meeting'"
        " and status = 'closed'",
    )[0][0]
    assert f"2006年共立项两委办公会议决事项27件，已办结{closed}件" in flat
    assert "市委市政府督办" not in flat


def test_published_issue_is_served_unchanged_after_the_data_changes(
    monkeypatch, capsys, demo, tmp_path
):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("请各单位于1月10日前报送办理情况。\n第二段要求。", encoding="utf-8")
    run = run_cli(
        monkeypatch,
        capsys,
        demo,
        "bulletin",
        "--period",
        "2006-Q4",
        "-o",
        tmp_path / "issued",
        "--publish",
        "--by",
        "刘强",
        "--requirements",
        requirements,
    )
    assert run.code == 0, run.err
    issued_pdf = (tmp_path / "issued.pdf").read_bytes()
    issued_docx = (tmp_path / "issued.docx").read_bytes()
    assert query(
        demo,
        "select issue_no, year, published_by, pdf_sha256, docx_sha256 from ingest.bulletins",
    ) == [
        (
            1,
            2006,
            "刘强",
            hashlib.sha256(issued_pdf).hexdigest(),
            hashlib.sha256(issued_docx).hexdigest(),
        )
    ]
    flat = squeeze(pdf_text(tmp_path / "issued.pdf", layout=False))
    assert "2006年第1期" in flat and "草稿" not in flat
    assert "请各单位于1月10日前报送办理情况。" in flat and "第二段要求。" in flat

    # Later data: one more city item of 2006, and another office name.
    later = write_csv(
        tmp_path / "supervision_late.csv",
        SUPERVISION_HEADER,
        [["DB-2006-C999", "city", "补报事项", "BM-RL", "2006-12-20", "2007-01-20", "", ""]],
    )
    assert run_cli(monkeypatch, capsys, demo, "ingest", later, "--as-of", "2006-12-31").code == 0
    query(demo, "update ingest.office_settings set issuing_office = '另一个办公室' returning 1")

    again = run_cli(
        monkeypatch, capsys, demo, "bulletin", "--period", "2006-Q4", "-o", tmp_path / "again"
    )
    assert again.code == 0, again.err
    assert (tmp_path / "again.pdf").read_bytes() == issued_pdf
    assert (tmp_path / "again.docx").read_bytes() == issued_docx
    assert "已发布" in again.err

    twice = run_cli(
        monkeypatch,
        capsys,
        demo,
        "bulletin",
        "--period",
        "2006-Q4",
        "-o",
        tmp_path / "x.pdf",
        "--publish",
        "--by",
        "刘强",
    )
    assert twice.code == 1 and "已发布" in twice.err and "already published" in twice.err
    assert not (tmp_path / "x.pdf").exists()
    assert query(demo, "select count(*) from ingest.bulletins")[0][0] == 1

    # The next issue of the year gets the next number, and the new figures.
    draft = run_cli(
        monkeypatch, capsys, demo, "bulletin", "--period", "2006-12", "-o", tmp_path / "dec.pdf"
    )
    assert draft.code == 0, draft.err
    flat = squeeze(pdf_text(tmp_path / "dec.pdf", layout=False))
    assert "2006年第2期（草稿）" in flat and "另一个办公室" in flat
    assert "市委市政府督办立项46件" in flat


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["--period", "2005-Q4"], 1, "不生成空白通报"),
        (["--period", "2006-Q5"], 2, "YYYY-Qn"),
        (["--period", "2006-13"], 2, "YYYY-MM"),
        (["--period", "2006", "--publish"], 2, "--by"),
    ],
)
def test_bad_bulletin_requests_write_nothing(monkeypatch, capsys, demo, tmp_path, argv, code, says):
    out = tmp_path / "b.pdf"
    run = run_cli(monkeypatch, capsys, demo, "bulletin", *argv, "-o", out)
    assert run.code == code, run.err
    assert says in run.err
    assert "Traceback" not in run.err
    assert list(tmp_path.iterdir()) == []
    assert query(demo, "select count(*) from ingest.bulletins")[0][0] == 0


def test_no_data_period_says_so_in_both_languages(monkeypatch, capsys, demo, tmp_path):
    run = run_cli(monkeypatch, capsys, demo, "bulletin", "--period", "2005", "-o", tmp_path / "b")
    assert run.code == 1
    assert "2005 没有督查通报的督办事项，不生成空白通报" in run.err
    assert "no empty document written" in run.err
    assert list(tmp_path.iterdir()) == []


def test_unknown_kind_is_a_usage_error(monkeypatch, capsys, demo, tmp_path):
    from etl import cli

    monkeypatch.setenv("DATABASE_URL", demo)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bulletin", "--period", "2006", "--kind", "weekly", "-o", str(tmp_path / "b")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "未知通报类型 / unknown bulletin kind 'weekly'" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_unwritable_output_is_refused_before_rendering(monkeypatch, capsys, demo, tmp_path, where):
    if where == "missing-folder":
        out, expected = tmp_path / "no" / "such" / "b.pdf", "输出文件夹不存在"
    else:
        out, expected = tmp_path / "b.pdf", "输出路径是文件夹"
        out.mkdir()
    run = run_cli(monkeypatch, capsys, demo, "bulletin", "--period", "2006", "-o", out)
    assert run.code == 2
    assert expected in run.err and "Traceback" not in run.err
    assert [p.name for p in tmp_path.rglob("*")] == ([] if where == "missing-folder" else ["b.pdf"])


def test_hostile_titles_are_plain_text_in_pdf_and_docx(monkeypatch, capsys, demo, tmp_path):
    # All three overdue on 2007-03-31 (due the 28th, 29th, 30th), so each is named in full in
    # 三、存在问题, a paragraph the PDF's text keeps in reading order.
    rows = [
        [f"DB-2007-X{n}", "city", title, "BM-RL", "2007-01-05", f"2007-03-{27 + n}", "", ""]
        for n, title in enumerate(HOSTILE_TITLES, 1)
    ]
    returns = write_csv(tmp_path / "supervision_2007.csv", SUPERVISION_HEADER, rows)
    assert run_cli(monkeypatch, capsys, demo, "ingest", returns, "--as-of", "2007-03-31").code == 0
    out = tmp_path / "out"
    out.mkdir()
    run = run_cli(monkeypatch, capsys, demo, "bulletin", "--period", "2007-Q1", "-o", out / "b")
    assert run.code == 0, run.err
    # -layout: the raw mode joins "DB-2007-" and "X2" across a line end as a hyphenated word.
    flat = squeeze(pdf_text(out / "b.pdf"))
    paragraphs, cells = docx_text(out / "b.docx")
    titles_in_cells = [row[2] for row in cells if row[1].startswith("DB-2007-X")]
    assert titles_in_cells == list(HOSTILE_TITLES)
    for n, title in enumerate(HOSTILE_TITLES, 1):
        named = (
            f"人事劳动和社会保障局承办的“{title}”（DB-2007-X{n}），"
            f"办理时限2007年3月{27 + n}日，已超期{4 - n}天，尚未办结。"
        )
        assert squeeze(named) in flat, title
        assert named in paragraphs, title
