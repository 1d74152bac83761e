"""The page frame (dashboard.frame), the signed-decision form (dashboard.steward.forms) and
the cached reads a write clears (dashboard.queries), against a real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
import streamlit as st
from psycopg import sql
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from dashboard import queries
from dashboard.signin import PERSON_KEY
from etl.accounts import Person
from etl.demo import DEMO_AS_OF
from tests.apptest import STEWARD, access, start_app, texts
from tests.conftest import EXAMPLES

LEADER = Person("boss", "领导", ("leader",), ())
REPORTER = Person("zhang", "张三", ("reporter",), ("JD-SY",))
LI = Person("li", "李管理", ("steward",), ())
UPLOAD_LINK = "前往“上传”页面"


def links(at: AppTest) -> list[str]:
    """The labels of the page's links (st.page_link)."""
    return [link.proto.label for link in at.get("page_link")]


# ------------------------------------------------------------- empty states --


@pytest.mark.parametrize(
    ("person", "says", "link"),
    [
        (STEWARD, "运行 ducha demo 可加载 2006 年示例数据", True),
        (REPORTER, "请在“上传”页面上传本单位的报表；如有疑问，请联系数据管理员", True),
        (LEADER, "各单位的报表尚未报送，暂无数据", False),
    ],
    ids=["steward", "reporter", "leader"],
)
def test_an_empty_warehouse_speaks_to_the_reader(monkeypatch, warehouse, person, says, link):
    at = start_app(monkeypatch, warehouse, person=person)
    assert not at.exception
    shown = texts(at.info)
    assert says in shown
    if person is not STEWARD:  # a command line is no help to someone without one
        assert "ducha" not in shown
    assert (UPLOAD_LINK in links(at)) is link


@pytest.mark.parametrize(
    ("person", "says"),
    [
        (
            STEWARD,
            "2006年还没有“就业情况”报表。加载方法：ducha ingest 文件.xlsx --kind employment",
        ),
        (REPORTER, "2006年还没有“就业情况”报表。请在“上传”页面上传本单位的报表"),
        (LEADER, "2006年的“就业情况”报表尚未报送"),
    ],
    ids=["steward", "reporter", "leader"],
)
def test_a_missing_kind_is_explained_to_the_reader(monkeypatch, warehouse, person, says):
    names = ("units.csv", "targets.csv", "supervision_2006.csv")
    from etl.load import ingest_files

    ingest_files(warehouse, [EXAMPLES / name for name in names], as_of=DEMO_AS_OF)
    at = start_app(monkeypatch, warehouse, person=person)
    at.switch_page("screens/employment.py").run()
    assert not at.exception
    assert says in texts(at.info)
    assert at.title[0].value == "就业指标"


def test_the_scope_line_names_the_units_a_person_sees(monkeypatch, make_demo):
    demo = make_demo().url
    at = start_app(monkeypatch, demo, person=REPORTER)
    # One unit, never "all units": the line names the reporter's unit and no other.
    assert "数据截至2006年12月31日 · 您可查看：石羊街道 (JD-SY)" in texts(at.caption)
    assert "全部单位" not in texts(at.caption)
    at = start_app(monkeypatch, demo, {"lang": "en"}, person=REPORTER)
    assert "all units" not in texts(at.caption)
    assert "you see: 石羊街道 (JD-SY)" in texts(at.caption)
    at = start_app(monkeypatch, demo, person=LEADER)  # every unit: "全部单位" says it already
    assert "数据截至2006年12月31日 · 全部单位" in texts(at.caption)
    assert "您可查看" not in texts(at.caption)


# --------------------------------------------- a warehouse lost, a failed query --


def _shut_out_the_dashboard(url: str) -> None:
    """The dashboard's role may no longer connect to this database, and its sessions end."""
    name = make_url(url).database
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("revoke connect on database {} from public, ducha_dashboard").format(
                sql.Identifier(name)
            )
        )
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = current_database() and usename = 'ducha_dashboard'"
        )


def test_a_warehouse_lost_mid_page_is_a_message_not_a_traceback(monkeypatch, make_demo):
    demo = make_demo().url
    at = start_app(monkeypatch, demo)
    at.switch_page("screens/targets.py").run()
    assert not at.exception and not at.error
    _shut_out_the_dashboard(demo)
    # The filters' reads stay cached, so the page begins; its own read finds the warehouse gone.
    queries.targets.clear()
    at.run()
    assert not at.exception
    assert at.title[0].value == "目标完成"
    assert "与数据仓库的连接中断了" in texts(at.error)
    assert not at.warning


def test_a_failed_query_is_an_error_not_an_old_warehouse(monkeypatch, make_demo):
    demo = make_demo().url
    with psycopg.connect(demo) as conn:
        conn.execute("revoke select on mart.supervision_items from public, ducha_dashboard")
    at = start_app(monkeypatch, demo)
    at.switch_page("screens/supervision.py").run()
    assert not at.exception
    assert at.title[0].value == "督办督查"
    shown = texts(at.error)
    assert "查询出错" in shown and "permission denied" in shown
    assert not any("ducha db upgrade" in warning.value for warning in at.warning)


def test_only_what_an_old_warehouse_lacks_reads_as_not_upgraded(warehouse):
    reader = access(warehouse)
    with pytest.raises(queries.WarehouseNotReady, match="no_such_view"):
        queries._read(reader, "select * from mart.no_such_view")
    with pytest.raises(queries.WarehouseNotReady, match="no_such_column"):
        queries._read(reader, "select no_such_column from mart.units")
    with pytest.raises(queries.QueryError, match="syntax error"):
        queries._read(reader, "selec 1")
    with pytest.raises(queries.QueryError, match="division by zero"):
        queries._read(reader, "select 1 / 0")


# ------------------------------------------------------------ signed forms --


def _signed_form_page():
    import streamlit as st

    from dashboard import steward

    done = st.session_state.setdefault("done", [])
    steward.show_flash()
    signed = steward.signed_form(
        "test_form",
        "test",
        [
            steward.Button("go", "执行", primary=True),
            steward.Button("stop", "停止", disabled=True),
        ],
        fields=lambda: st.text_input("事项", key="test_item"),
    )
    if signed is not None:

        def write(who: str, reason: str) -> int:
            if signed.fields == "refuse":
                raise ValueError("该报告期已锁定 / the period is locked")
            done.append((signed.action, who, reason, signed.fields))
            return len(done)

        result = steward.record(
            signed, write, lambda count: None if signed.fields == "same" else f"第{count}次已记录"
        )
        if result is not None:
            st.write(f"未变：{result}")


def signed_form_app() -> AppTest:
    at = AppTest.from_function(_signed_form_page, default_timeout=30)
    at.session_state[PERSON_KEY] = Person("li", "李管理", ("steward",), ())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_signed_form_is_signed_by_the_person_and_records_once():
    at = signed_form_app()
    assert "李管理" in texts(at.caption)  # the signer is shown, never typed
    assert [w.label for w in at.text_input] == ["事项", "理由（选填）"]
    assert at.button(key="test_stop").disabled
    at.text_input(key="test_item").input("甲")
    at.text_input(key="test_reason").input("已核实")
    at.button(key="test_go").click().run()
    assert not at.exception
    assert at.session_state["done"] == [("go", "李管理", "已核实", "甲")]
    assert texts(at.success) == "第1次已记录"  # left for the run after the write
    assert at.session_state["_ducha_steward_name"] == (1, "李管理")


def test_a_refused_signed_write_is_an_error_and_nothing_is_recorded():
    at = signed_form_app()
    at.text_input(key="test_item").input("refuse")
    at.button(key="test_go").click().run()
    assert not at.exception
    assert texts(at.error) == "未能完成：该报告期已锁定 / the period is locked"
    assert at.session_state["done"] == [] and not at.success
    assert "_ducha_steward_name" not in at.session_state


def test_a_signed_write_that_changes_nothing_lets_the_page_go_on():
    at = signed_form_app()
    at.text_input(key="test_item").input("same")
    at.button(key="test_go").click().run()
    assert not at.exception and not at.success
    assert [m.value for m in at.markdown] == ["未变：1"]


# ----------------------------------------------------------- cached reads --


def test_a_write_clears_only_the_reads_it_makes_stale(monkeypatch, make_demo):
    demo = make_demo()
    st.cache_data.clear()
    ran: list[str] = []
    real_read = queries._read

    def counted(reader, query, params=None):
        ran.append(query)
        return real_read(reader, query, params)

    monkeypatch.setattr(queries, "_read", counted)
    reader, writer = access(demo.url), access(demo.url, LI)  # two people
    year = queries.Scope(year=2006)

    def read_again() -> set[str]:
        """What a page of the reader's runs against the warehouse (not from the cache)."""
        ran.clear()
        queries.targets(reader, year)
        queries.locks(reader)
        queries.kind_settings(reader)
        return set(ran)

    assert read_again() == {queries._TARGETS, queries._LOCKS, queries._KIND_SETTINGS}
    assert read_again() == set()  # all cached

    queries.lock_period(writer, "employment", "JD-SY", "2006-Q4", "李管理", None)
    assert read_again() == {queries._LOCKS}

    assert queries.update_kind_settings(writer, "employment", 20, False, "李管理")
    assert read_again() == {queries._KIND_SETTINGS}

    file_id = demo.file_id("disability_aid_2006-01.csv")
    queries.decide(writer, file_id, "reject", "李管理", None)
    assert read_again() == {queries._TARGETS}
