"""督查通报 page and the 督办预警 panel under AppTest, on the 2006 demo returns.

Expected warning counts are computed here from the items' dates in
mart.supervision_items with the office's default rule (blue: due within 7 days;
yellow: before that, more than half the time gone; red: overdue).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from etl.accounts import Person
from tests.apptest import start_app, table
from tests.conftest import create_database, drop_database
from tests.helpers import query


@pytest.fixture
def demo(server_url, demo_template, worker_id) -> Iterator[str]:
    name = f"ducha_bdash_{worker_id}_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name, template=demo_template)
    drop_database(server_url, name)


def open_page(monkeypatch, url: str, page: str):
    at = start_app(monkeypatch, url, {"year": "2006"})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected_colours(url: str) -> dict[str, str]:
    colours = {}
    for code, registered, due, as_of in query(
        url,
        "select item_code, registered_on, due_on, as_of from mart.supervision_items"
        " where closed_on is null and year = 2006",
    ):
        if due < as_of:
            colours[code] = "red"
        elif due - as_of <= timedelta(days=7):
            colours[code] = "blue"
        elif (as_of - registered) * 2 > due - registered:
            colours[code] = "yellow"
    return colours


def test_supervision_page_shows_and_filters_the_warnings(monkeypatch, demo):
    colours = expected_colours(demo)
    assert colours  # the demo's year ends with items near their due dates
    at = open_page(monkeypatch, demo, "screens/supervision.py")
    labels = {"red": ":red[●] 红色", "yellow": ":orange[●] 黄色", "blue": ":blue[●] 蓝色"}
    for colour, label in labels.items():
        shown = [m.value for m in at.metric if m.label == label]
        assert shown == [str(sum(c == colour for c in colours.values()))], (colour, shown)
    warned = table(at, "supervision_warnings")
    assert sorted(warned["事项编号"]) == sorted(colours)

    at.multiselect(key="warn_colours").set_value(["blue"]).run()
    blue = table(at, "supervision_warnings")
    assert sorted(blue["事项编号"]) == sorted(c for c, v in colours.items() if v == "blue")

    unit = query(
        demo,
        "select unit_code from mart.supervision_items where item_code = %s",
        (sorted(colours)[0],),
    )[0][0]
    at.selectbox(key="warn_unit").set_value(unit).run()
    todo = table(at, "supervision_todo")
    units_of = dict(query(demo, "select item_code, unit_code from mart.supervision_items"))
    assert sorted(todo["事项编号"]) == sorted(c for c in colours if units_of[c] == unit)


def test_overview_counts_the_warnings(monkeypatch, demo):
    colours = expected_colours(demo)
    at = start_app(monkeypatch, demo, {"year": "2006"})
    assert not at.exception
    counts = {c: sum(v == c for v in colours.values()) for c in ("red", "yellow", "blue")}
    line = f"督办预警：红 {counts['red']} · 黄 {counts['yellow']} · 蓝 {counts['blue']}"
    assert line in [c.value for c in at.caption]


def test_bulletin_page_previews_edits_and_publishes(monkeypatch, demo):
    at = open_page(monkeypatch, demo, "screens/bulletins.py")
    assert [w.value for w in at.warning] == ["草稿：第 1 期，尚未发布。"]
    preview = "\n".join(t.value for t in at.text)
    assert "市委市政府督办立项45件、办结43件、未到期2件、超期0件" in preview
    assert "办结率" in preview

    text = "请各单位 **不加粗** <b>照原样</b>"
    at.text_area(key="bul_req_supervision_2006-Q4").input(text).run()
    at.button(key="bul_save").click().run()
    # Signed by the signed-in account (tests.apptest.STEWARD), not a typed name.
    assert query(demo, "select requirements, changed_by from ingest.bulletin_drafts") == [
        (text, "tester")
    ]
    at.button(key="bul_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert query(
        demo,
        "select kind, period, year, issue_no, published_by, requirements from ingest.bulletins",
    ) == [("supervision", "2006-Q4", 2006, 1, "tester", text)]
    assert any("由 tester 发布（第 1 期）" in s.value for s in at.success)
    archive = table(at, "bulletin_archive")
    assert list(archive["期号"]) == [1] and list(archive["发布人"]) == ["tester"]
    pdf_sha = query(demo, "select pdf_sha256 from ingest.bulletins")[0][0]
    assert list(archive["PDF SHA-256"]) == [pdf_sha]


def test_bulletin_page_meeting_variant(monkeypatch, demo):
    at = open_page(monkeypatch, demo, "screens/bulletins.py")
    at.selectbox(key="bul_kind").set_value("meeting").run()
    assert not at.exception
    preview = "\n".join(t.value for t in at.text)
    # "跟踪落实党工委管委会办公会议决事项27件"
    assert "2006年共立项两委办公会议决事项27件" in preview
    assert "市委市政府督办" not in preview


@pytest.mark.parametrize(
    "person",
    [
        Person("lingdao", "领导", ("leader",), ()),
        Person("sy-steward", "石羊数据管理员", ("steward",), ("JD-SY",)),
    ],
    ids=["leader", "steward-of-one-unit"],
)
def test_only_a_steward_of_every_unit_may_publish(monkeypatch, demo, person):
    """The page offers no publish button, and the warehouse refuses the write if tried."""
    import psycopg

    from dashboard.queries import Access, person_connection

    at = start_app(monkeypatch, demo, {"year": "2006"}, person=person)
    at.switch_page("screens/bulletins.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b for b in at.button if b.key in ("bul_save", "bul_publish")] == []
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        person_connection(Access.of(demo, person)) as conn,
    ):
        conn.execute(
            "insert into ingest.bulletin_drafts (kind, period, requirements, changed_by)"
            " values ('supervision', '2006-Q4', 'x', %s)",
            (person.account,),
        )
    assert query(demo, "select count(*) from ingest.bulletin_drafts") == [(0,)]
