"""Names from files and people are shown as the text they are, and uploads have limits.

A unit's name from a units return, a steward's name and an uploaded file's name carry
Markdown, HTML, an image and a link. Wherever the dashboard shows them through
Markdown (captions, messages) the Markdown source is rendered here by an independent
CommonMark renderer (markdown-it-py): it must give back the name letter for letter
and no element. Chart labels are read back through HTML unescaping; tables and
pickers (plain text in the browser) must hold the name unchanged. The browser test
checks the same on the served pages.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st

from dashboard import charts, export, steward, uploads
from dashboard import format as fmt
from etl.accounts import Person
from etl.demo import DEMO_AS_OF, employment_rows
from etl.kinds import KINDS
from etl.load import ingest_files
from tests.apptest import rendered, start_app, table, texts
from tests.conftest import create_database, drop_database
from tests.helpers import query, run_cli, snapshot, write_csv

UNIT = "JD-SY"
HOSTILE_UNIT = (
    "**石羊** _街道_ [链接](http://127.0.0.1:9/a) ![x](http://127.0.0.1:9/pixel.png)"
    " <img src=http://127.0.0.1:9/x> <b>粗</b> :red[红] $x^2$ `c` &amp; #1"
)
HOSTILE_LABEL = f"{HOSTILE_UNIT} ({UNIT})"
# 安全生产监督管理局 has targets and supervision items, 石羊街道 employment and aid.
DEPARTMENT = "BM-AJ"
HOSTILE_DEPARTMENT = "<a href='http://127.0.0.1:9/d'>局</a> ![d](http://127.0.0.1:9/d.png) *安监*"
HOSTILE_DEPARTMENT_LABEL = f"{HOSTILE_DEPARTMENT} ({DEPARTMENT})"
HOSTILE_STEWARD = "**李** ![who](http://127.0.0.1:9/who.png) <i>审核</i>"
# Each leaders' page, and the unit whose figures it shows.
LEADERS = {
    "overview": ("screens/overview.py", UNIT),
    "targets": ("screens/targets.py", DEPARTMENT),
    "employment": ("screens/employment.py", UNIT),
    "disability_aid": ("screens/disability_aid.py", UNIT),
    "supervision": ("screens/supervision.py", DEPARTMENT),
}
LABELS = {UNIT: HOSTILE_LABEL, DEPARTMENT: HOSTILE_DEPARTMENT_LABEL}


def shown_literally(markdown: str, text: str) -> bool:
    """The Markdown renders as paragraphs of plain text that hold ``text`` verbatim."""
    words, elements = rendered(markdown)
    return text in words and elements <= {"p", "br"}


HOSTILE_TEXTS = [
    HOSTILE_UNIT,
    HOSTILE_STEWARD,
    "# 标题\n\n- 列表\n1. 有序\n> 引用\n    缩进代码\n---\n===",
    "<script>alert(1)</script><a href='http://127.0.0.1:9/'>x</a>",
    "a\\*b\\\\ \\[c] &lt; &#60; &copy; | x | y |\n|---|---|",
    "~~删~~ :material/home: :smile: $$x$$ <http://127.0.0.1:9/auto> www.example.com",
]


# ------------------------------------------------------------- the helpers --


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_plain_renders_as_the_text_it_is(text):
    words, elements = rendered(fmt.plain(text))
    # Control characters (the newlines here) are written out, the rest is kept.
    assert words == fmt.visible(text).strip()
    assert elements <= {"p"}


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_chart_text_has_no_markup(text):
    label = fmt.chart_text(text)
    assert "<" not in label and ">" not in label
    assert html.unescape(label) == fmt.visible(text)


def test_long_category_labels_are_shortened_on_the_axis_only():
    ticks = charts.short_ticks([HOSTILE_UNIT, "芳草街道", 3])
    assert ticks["tickvals"] == [fmt.chart_text(HOSTILE_UNIT), "芳草街道"]
    assert [html.unescape(text) for text in ticks["ticktext"]] == [
        HOSTILE_UNIT[: charts.TICK_CHARS - 1] + "…",
        "芳草街道",
    ]
    assert all("<" not in text for text in ticks["ticktext"])
    assert charts.short_ticks(["芳草街道", "石羊街道"]) == {}
    # Bars keep the full label for the hover; the axis shows it shortened.
    fig = charts.bars(
        pd.DataFrame({"unit": [HOSTILE_UNIT], "n": [1]}), "unit", [("n", "<b>件数</b>")]
    )
    assert list(fig.data[0].x) == [fmt.chart_text(HOSTILE_UNIT)]
    assert fig.data[0].name == "&lt;b&gt;件数&lt;/b&gt;"
    assert fig.layout.xaxis.ticktext == tuple(ticks["ticktext"][:1])


def test_controls_and_direction_marks_are_written_out():
    assert fmt.visible("甲\n乙\t丙\r\x07\u202egnp.exe") == "甲\\n乙\\t丙\\r\\u0007\\u202egnp.exe"
    assert fmt.visible(None) == "" and fmt.visible(float("nan")) == ""
    assert fmt.plain("a\nb") == "a\\\\nb"  # the backslash itself escaped, shown once


@pytest.mark.parametrize(
    ("stem", "suffix", "expected"),
    [
        ("问题_../../etc/passwd", ".csv", "问题_.._.._etc_passwd.csv"),
        ("..hidden", ".xlsx", "hidden.xlsx"),
        ('a<b>:"c"|d?*\n\te', ".csv", "a_b___c__d____e.csv"),
        ("", ".csv", "ducha.csv"),
    ],
)
def test_download_names_are_safe(stem, suffix, expected):
    assert fmt.file_name(stem, suffix) == expected


def test_download_names_are_shortened():
    name = fmt.file_name("报" * 300, ".xlsx")
    assert len(name) == fmt.FILE_NAME_CHARS and name.endswith(".xlsx")


@pytest.mark.parametrize(
    "sheet", ["'引号'", "History", "a\nb\x07c", "问题_" + "长" * 40 + "'", "[]:*?/\\"]
)
def test_xlsx_sheet_names_never_fail(sheet):
    import io

    import openpyxl
    import pandas as pd

    data = export.to_xlsx(pd.DataFrame({"名称": [HOSTILE_UNIT]}), sheet)
    book = openpyxl.load_workbook(io.BytesIO(data))
    name = book.sheetnames[0]
    assert 1 <= len(name) <= 31 and not name.startswith("'") and not name.endswith("'")
    assert name.lower() != "history" and name.isprintable()
    assert book.active["A2"].value == HOSTILE_UNIT


# ----------------------------------------------------------------- uploads --


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("C:\\Users\\李\\就业情况.xlsx", "就业情况.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("..", "upload"),
        ("...", "upload"),
        ("a\nFORGED ✓ accepted.csv", "a\\nFORGED ✓ accepted.csv"),
        ("\u202ecod.exe.csv", "\\u202ecod.exe.csv"),
    ],
)
def test_upload_names_keep_their_last_part_with_controls_written_out(sent, recorded):
    assert uploads.upload_name(sent) == recorded


def test_uploads_are_saved_under_generated_names(tmp_path):
    assert uploads.saved_as(tmp_path, 3, "就业情况.XLSX") == tmp_path / "00003.xlsx"
    assert uploads.saved_as(tmp_path, 0, "x" * 300 + ".csv") == tmp_path / "00000.csv"
    assert uploads.saved_as(tmp_path, 1, "a.c/sv\n") == tmp_path / "00001"
    assert uploads.saved_as(tmp_path, 2, "../..") == tmp_path / "00002"


def test_upload_limit_setting():
    assert uploads.max_upload_mb({}) == 50
    assert uploads.max_upload_mb({"DUCHA_MAX_UPLOAD_MB": " 12 "}) == 12
    for bad in ("0", "-1", "1.5", "fifty"):
        with pytest.raises(uploads.UploadLimitError, match="DUCHA_MAX_UPLOAD_MB"):
            uploads.max_upload_mb({"DUCHA_MAX_UPLOAD_MB": bad})


def test_refusals_name_the_limit_and_the_value():
    mb = 1024 * 1024
    assert uploads.refusal("a.csv", 2 * mb, 2) is None
    big = uploads.refusal("a.csv", 2 * mb + 1, 2)
    assert big.outcome == "rejected" and big.file_id is None
    assert big.flat() == [(None, None, "upload-too-large")]
    # The size rounded up: 1 byte over 2 MB is not "2.0 MB".
    assert big.problems[0].value == "2.1 MB"
    assert "文件大小 2.1 MB，超过上传上限 2 MB" in big.problems[0].message_zh
    assert "the file is 2.1 MB, over the upload limit of 2 MB" in big.problems[0].message_en
    long = uploads.refusal("名" * 256 + ".csv", 10, 2)
    assert long.flat() == [(None, None, "upload-name-too-long")]
    assert "260" in long.problems[0].message_en and "255" in long.problems[0].message_zh
    assert len(long.file_name) == 81
    assert uploads.refusal("名" * 251 + ".csv", 10, 2) is None  # 255 characters fit


def test_the_dashboard_command_passes_the_limit_to_streamlit(monkeypatch, capsys, warehouse):
    calls = []
    monkeypatch.setattr("etl.cli.os.execvpe", lambda *args: calls.append(args))
    monkeypatch.setattr("etl.cli.os.chdir", lambda path: None)
    monkeypatch.setenv("DUCHA_MAX_UPLOAD_MB", "7")
    assert run_cli(monkeypatch, capsys, warehouse, "dashboard").code == 0
    command = calls[0][1]
    assert command[command.index("--server.maxUploadSize") + 1] == "7"

    monkeypatch.setenv("DUCHA_MAX_UPLOAD_MB", "lots")
    run = run_cli(monkeypatch, capsys, warehouse, "dashboard")
    assert run.code == 2 and "DUCHA_MAX_UPLOAD_MB='lots'" in run.err
    assert len(calls) == 1 and "Traceback" not in run.err


def test_the_streamlit_config_limits_uploads_to_50_mb():
    import tomllib
    from pathlib import Path

    config = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text())["server"]["maxUploadSize"] == 50
    assert uploads.DEFAULT_MAX_UPLOAD_MB == 50


# ----------------------------------------------------------------- fixtures --


def _hostile_copy(server_url, demo_template, worker_id, tmp_path_factory) -> tuple[str, str]:
    """A copy of the demo where two units are renamed by a later units return."""
    name = f"ducha_plain_{worker_id}_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name, template=demo_template)
    units = write_csv(
        tmp_path_factory.mktemp("units") / "units_更名.csv",
        ["unit_code", "unit_name", "unit_type"],
        [[UNIT, HOSTILE_UNIT, "subdistrict"], [DEPARTMENT, HOSTILE_DEPARTMENT, "department"]],
    )
    assert ingest_files(url, [units], as_of=DEMO_AS_OF)[0].outcome == "accepted"
    assert query(
        url,
        "select unit_code, unit_name from mart.units where unit_code in (%s, %s) order by 1",
        (DEPARTMENT, UNIT),
    ) == [(DEPARTMENT, HOSTILE_DEPARTMENT), (UNIT, HOSTILE_UNIT)]
    return name, url


@pytest.fixture(scope="module")
def hostile(server_url, demo_template, worker_id, tmp_path_factory) -> Iterator[str]:
    name, url = _hostile_copy(server_url, demo_template, worker_id, tmp_path_factory)
    yield url
    drop_database(server_url, name)
    st.cache_data.clear()


@pytest.fixture
def hostile_own(server_url, demo_template, worker_id, tmp_path_factory) -> Iterator[str]:
    """The same, this test's own to change."""
    name, url = _hostile_copy(server_url, demo_template, worker_id, tmp_path_factory)
    yield url
    drop_database(server_url, name)
    st.cache_data.clear()


def open_page(
    monkeypatch, url, page: str, params: dict[str, str] | None = None, timeout=60, **signed_in
):
    at = start_app(monkeypatch, url, params, timeout=timeout, **signed_in)
    at.query_params.update(params or {})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_sources(at) -> list[str]:
    """Every Markdown source on the page: text, captions, messages, metric labels."""
    sources = [e.value for kind in ("markdown", "caption") for e in getattr(at, kind)]
    sources += [e.value for kind in ("info", "success", "warning", "error") for e in at.get(kind)]
    sources += [m.label for m in at.metric]
    return sources


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_strings(spec: dict) -> list[str]:
    """Every text a chart draws: category labels, trace names, titles, annotations."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("hovertemplate", "texttemplate"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec.get("data", []))
    layout = spec.get("layout", {})
    walk(layout.get("annotations", []))
    for axis in ("xaxis", "yaxis"):
        walk(layout.get(axis, {}).get("ticktext", []))
        walk(layout.get(axis, {}).get("title", {}))
    return found


def assert_no_markup_in_charts(at) -> list[str]:
    """No chart text carries a tag; returns the labels as shown (unescaped)."""
    shown = []
    for spec in chart_specs(at):
        for text in chart_strings(spec):
            assert "<" not in text, text
            shown.append(html.unescape(text))
    return shown


def assert_markdown_inert(at) -> None:
    """No Markdown source on the page renders an image, a link or markup from a name."""
    for source in markdown_sources(at):
        if any(mark in source for mark in ("石羊", "安监", "李", "粗")):
            _, elements = rendered(source)
            assert not elements & {"img", "a", "em", "strong", "b", "i", "code", "h1"}, source


# --------------------------------------------------------- leaders' pages --


@pytest.mark.parametrize("page", list(LEADERS))
def test_a_units_name_is_plain_text_on_every_leaders_page(monkeypatch, hostile, page):
    script, unit = LEADERS[page]
    at = open_page(monkeypatch, hostile, script, {"unit": unit})
    assert not [i.value for i in at.info if "没有数据" in i.value]  # the unit has figures here
    # The scope caption under the title names the chosen unit.
    captions = [c.value for c in at.caption]
    assert any(shown_literally(source, LABELS[unit]) for source in captions), captions
    assert_markdown_inert(at)
    assert_no_markup_in_charts(at)
    # The unit filter is a plain-text picker: the name as it is.
    assert LABELS[unit] in at.selectbox(key="unit").options


def test_charts_and_tables_show_the_name_as_it_is(monkeypatch, hostile):
    at = open_page(monkeypatch, hostile, LEADERS["targets"][0])
    ranked = table(at, "targets_units")
    assert HOSTILE_DEPARTMENT in set(ranked["单位名称"])  # the grid draws text, never markup
    assert HOSTILE_DEPARTMENT in assert_no_markup_in_charts(at)
    assert HOSTILE_DEPARTMENT_LABEL in at.selectbox(key="targets_pick_unit").options

    at = open_page(monkeypatch, hostile, LEADERS["employment"][0])
    assert HOSTILE_UNIT in set(table(at, "employment_units")["单位名称"])
    assert HOSTILE_UNIT in assert_no_markup_in_charts(at)
    # Hover templates name the trace by reference, never by embedding a label.
    for spec in chart_specs(at):
        for trace in spec["data"]:
            assert "石羊" not in trace.get("hovertemplate", "")

    at = open_page(monkeypatch, hostile, LEADERS["supervision"][0])
    assert HOSTILE_DEPARTMENT in set(table(at, "supervision_items")["单位名称"])
    assert_no_markup_in_charts(at)

    at = open_page(monkeypatch, hostile, LEADERS["disability_aid"][0])
    assert HOSTILE_UNIT in set(table(at, "aid_units")["单位名称"])


# ---------------------------------------------------------- stewards' pages --


def _units_file_id(url: str) -> int:
    return query(url, "select max(file_id) from ingest.files where file_name = 'units_更名.csv'")[
        0
    ][0]


def test_a_units_name_is_plain_text_on_the_stewards_pages(monkeypatch, hostile):
    file_id = str(_units_file_id(hostile))
    at = open_page(monkeypatch, hostile, "screens/steward_inbox.py")
    assert HOSTILE_LABEL in at.selectbox(key="inbox_unit").options
    both = f"{HOSTILE_DEPARTMENT}、{HOSTILE_UNIT}"  # the renaming file covers the two
    assert both in set(table(at, "steward_inbox")["单位"])
    assert_markdown_inert(at)

    for page in ("screens/steward_report.py", "screens/steward_approval.py"):
        at = open_page(monkeypatch, hostile, page, {"file": file_id})
        covers = [c.value for c in at.caption if "涉及单位" in c.value]
        assert len(covers) == 1 and shown_literally(covers[0], both), covers
        assert_markdown_inert(at)

    at.selectbox(key="lock_kind").set_value("employment").run()
    assert HOSTILE_LABEL in at.selectbox(key="lock_unit").options

    at = open_page(monkeypatch, hostile, "screens/steward_versions.py")
    at.selectbox(key="versions_kind").set_value("employment").run()
    assert HOSTILE_LABEL in at.selectbox(key="versions_unit").options

    at = open_page(monkeypatch, hostile, "screens/steward_calendar.py")
    at.selectbox(key="cal_kind").set_value("employment").run()
    assert not at.exception
    assert HOSTILE_UNIT in set(table(at, "calendar_details")["单位名称"])
    grid = chart_specs(at)[1]
    assert html.unescape(fmt.chart_text(HOSTILE_LABEL)) == HOSTILE_LABEL
    assert fmt.chart_text(HOSTILE_LABEL) in grid["data"][0]["y"]
    # On the axis the long name is cut and its code kept.
    ticks = [html.unescape(text) for text in grid["layout"]["yaxis"]["ticktext"]]
    assert f"{HOSTILE_UNIT[:19]}… ({UNIT})" in ticks and "芳草街道 (JD-FC)" in ticks
    assert HOSTILE_LABEL in assert_no_markup_in_charts(at)


def test_lock_and_decision_messages_show_names_as_they_are(monkeypatch, hostile_own):
    # A decision is signed with the signed-in person's name: here a hostile one.
    person = Person("hostile", HOSTILE_STEWARD, ("leader", "steward"), ())
    at = open_page(monkeypatch, hostile_own, "screens/steward_approval.py", person=person)
    at.selectbox(key="lock_kind").set_value("employment").run()
    at.selectbox(key="lock_unit").set_value(UNIT).run()
    at.selectbox(key="lock_period").set_value("2006-Q4")
    at.text_input(key="lock_reason").input("<img src=http://127.0.0.1:9/r>")
    at.button(key="lock_submit").click().run()
    assert not at.exception
    locked = [s.value for s in at.success if s.value.startswith("已锁定")]
    assert len(locked) == 1 and shown_literally(locked[0], HOSTILE_LABEL), locked
    assert query(hostile_own, "select locked_by, reason from ingest.period_locks") == [
        (HOSTILE_STEWARD, "<img src=http://127.0.0.1:9/r>")
    ]
    active = table(at, "locks_active")
    assert list(active["锁定人"]) == [HOSTILE_STEWARD]

    file_id = _units_file_id(hostile_own)
    at.query_params["file"] = str(file_id)
    at.switch_page("screens/steward_report.py").run()
    at.button(key="decide_reject").click().run()
    assert not at.exception
    decided = [s.value for s in at.success if s.value.startswith("已撤回")]
    assert len(decided) == 1 and shown_literally(decided[0], HOSTILE_STEWARD), decided
    assert shown_literally(decided[0], "units_更名.csv")
    assert list(table(at, "report_decisions")["审核人"]) == [HOSTILE_STEWARD]
    assert_markdown_inert(at)


# ----------------------------------------------------------- upload limits --

EMPLOYMENT_HEADER = list(KINDS["employment"].column_names)


def _employment_bytes(tmp_path, change: int) -> bytes:
    rows = [row for row in employment_rows(4) if row["unit_code"] == UNIT]
    rows[0] = rows[0] | {"employed": int(rows[0]["employed"]) + change}
    path = write_csv(
        tmp_path / f"e{change}.csv",
        EMPLOYMENT_HEADER,
        [[row[c] for c in EMPLOYMENT_HEADER] for row in rows],
    )
    return path.read_bytes()


def _files(url: str) -> list[tuple]:
    return query(url, "select file_id, file_name, outcome from ingest.files order by file_id")


def test_an_upload_over_the_limit_is_refused_and_changes_nothing(
    monkeypatch, hostile_own, tmp_path
):
    monkeypatch.setenv("DUCHA_MAX_UPLOAD_MB", "1")
    good = _employment_bytes(tmp_path, 1)
    # A valid return padded past 1 MB with blank lines: refused for its size alone.
    big = _employment_bytes(tmp_path, 2) + b"\r\n" * (1024 * 1024 // 2 + 1)
    before_files, before = _files(hostile_own), snapshot(hostile_own)
    at = open_page(monkeypatch, hostile_own, "screens/steward_upload.py", timeout=180)
    assert "每个文件不超过 1 MB，文件名不超过 255 个字符。" in texts(at.caption)
    at.file_uploader[0].set_value(
        [("big.csv", big, "text/csv"), ("就业_更正.csv", good, "text/csv")]
    )
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and shown_literally(errors[0], "big.csv：未装载——文件大小 1.1 MB")
    assert "超过上传上限 1 MB" in errors[0]
    accepted = [s.value for s in at.success]
    assert len(accepted) == 1 and shown_literally(accepted[0], "就业_更正.csv：已接收")
    problems = table(at, "upload_problems_0")
    assert list(problems["规则"]) == ["upload-too-large"] and list(problems["值"]) == ["1.1 MB"]
    # Only the valid file reached the warehouse.
    assert _files(hostile_own)[:-1] == before_files
    assert _files(hostile_own)[-1][1:] == ("就业_更正.csv", "accepted")
    assert snapshot(hostile_own) != before


def test_long_and_strange_upload_names(monkeypatch, hostile_own, tmp_path):
    long_name = "长" * 300 + ".csv"
    forged = "a\n✓ 已接收 accepted: FORGED.csv"
    hostile_name = "**粗** ![x](u.png) <img src=x> [a](b) `c`.csv"
    before_files = _files(hostile_own)
    at = open_page(monkeypatch, hostile_own, "screens/steward_upload.py", timeout=180)
    at.file_uploader[0].set_value(
        [
            (long_name, _employment_bytes(tmp_path, 1), "text/csv"),
            (forged, _employment_bytes(tmp_path, 2), "text/csv"),
            ("../../" + hostile_name, _employment_bytes(tmp_path, 3), "text/csv"),
        ]
    )
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "文件名有 304 个字符，超过上限 255 个" in errors[0]
    assert shown_literally(errors[0], "长" * 80 + "…")
    loaded = _files(hostile_own)[len(before_files) :]
    # Recorded under the names they were sent with: the last part, controls written out.
    assert sorted(name for _, name, _ in loaded) == sorted(
        ["a\\n✓ 已接收 accepted: FORGED.csv", hostile_name]
    )
    assert {outcome for _, _, outcome in loaded} == {"accepted"}
    messages = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any(shown_literally(m, hostile_name) for m in messages), messages
    assert any(shown_literally(m, "a\\n✓ 已接收 accepted: FORGED.csv") for m in messages)
    assert_markdown_inert(at)


def test_a_bad_upload_limit_setting_is_said_on_the_page(monkeypatch, hostile):
    monkeypatch.setenv("DUCHA_MAX_UPLOAD_MB", "0")
    at = open_page(monkeypatch, hostile, "screens/steward_upload.py")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and shown_literally(
        errors[0], "DUCHA_MAX_UPLOAD_MB='0' 不是有效的上传上限"
    )
    assert len(at.file_uploader) == 0


def test_summary_of_a_refused_upload():
    name = "**粗** ![x](p.png) <img src=x>.csv"
    level, sentence = steward.upload_summary(uploads.refusal(name, 60 * 1024 * 1024, 50))
    assert level == "error"
    assert shown_literally(sentence, f"{name}：未装载——文件大小 60.0 MB，超过上传上限 50 MB")
