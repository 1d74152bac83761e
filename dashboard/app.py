"""督查 dashboard: ``ducha dashboard`` serves it (``streamlit run dashboard/app.py``).

Two sections: the leaders' dashboard over the mart views, and the data stewards'
pages (数据管理: inbox, validation reports, approval, versions, calendar, upload,
ETL runs). The entry script checks the warehouse, draws the language switch and,
for the leaders' pages, the shared filters, then runs the chosen page from ``screens/``. (Not ``pages/``: Streamlit treats a
``pages/`` folder beside the entry script as an old-style multipage app and may
run a page without this script, so without the filters and checks below.)
"""

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from dashboard import filters, frame, guidance, queries, replica, signin, steward  # noqa: E402
from dashboard import format as fmt  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from etl.settings import WarehouseUnavailable  # noqa: E402

st.set_page_config(page_title="督查 ducha", layout="wide", initial_sidebar_state="expanded")
filters.language_switch()

_PAGES = [
    st.Page("screens/overview.py", title=t("page.overview"), url_path="overview", default=True),
    st.Page("screens/targets.py", title=t("page.targets"), url_path="targets"),
    st.Page("screens/employment.py", title=t("page.employment"), url_path="employment"),
    st.Page("screens/disability_aid.py", title=t("page.aid"), url_path="disability-aid"),
    st.Page("screens/supervision.py", title=t("page.supervision"), url_path="supervision"),
    st.Page("screens/bulletins.py", title=t("page.bulletins"), url_path="bulletins"),
    st.Page("screens/assessment.py", title=t("page.assessment"), url_path="assessment"),
    st.Page("screens/peer_benchmark.py", title=t("page.peers"), url_path="peer-benchmark"),
]
_STEWARD_PAGES = [
    st.Page("screens/steward_inbox.py", title=t("page.inbox"), url_path="inbox"),
    st.Page("screens/steward_report.py", title=t("page.report"), url_path="report"),
    st.Page("screens/steward_approval.py", title=t("page.approval"), url_path="approval"),
    st.Page("screens/steward_versions.py", title=t("page.versions"), url_path="versions"),
    st.Page("screens/steward_calendar.py", title=t("page.calendar"), url_path="calendar"),
    st.Page("screens/steward_upload.py", title=t("page.upload"), url_path="upload"),
    st.Page("screens/steward_runs.py", title=t("page.runs"), url_path="runs"),
]
try:
    warehouse = queries.warehouse_url()
    # Checked with the ETL's connection: before `ducha db upgrade` the
    # dashboard's role may not exist yet.
    missing = queries.missing_views(queries.Access(warehouse, "", "", "", warehouse))
except WarehouseUnavailable as exc:
    st.title(t("app.title"))
    st.error(t("guide.unreachable", error=fmt.plain(exc)))
    st.stop()
if missing:
    st.title(t("app.title"))
    st.warning(t("guide.not_migrated", views=", ".join(missing)))
    st.stop()

# Nobody gets further without signing in; from here every query runs as the
# dashboard's role in this person's scope (queries.Access).
_ACCOUNTS_PAGE = st.Page("screens/admin_accounts.py", title=t("page.accounts"), url_path="accounts")
person = signin.current(warehouse, [*_PAGES, *_STEWARD_PAGES, _ACCOUNTS_PAGE])
url = queries.Access.of(warehouse, person)

# Pages by role. Everyone reads the leaders' pages, within their own units (the
# warehouse's row-level security decides which rows); stewards get every
# stewards' page; reporters upload and see their own files' reports.
_REPORTER_PAGES = {"inbox", "report", "upload"}
navigation = {t("nav.leaders"): _PAGES}
if person.has("steward"):
    navigation[t("nav.stewards")] = _STEWARD_PAGES
elif person.has("reporter"):
    navigation[t("nav.stewards")] = [p for p in _STEWARD_PAGES if p.url_path in _REPORTER_PAGES]
if person.has("admin"):
    navigation[t("nav.admin")] = [_ACCOUNTS_PAGE]
page = st.navigation(navigation, expanded=True)
signin.sidebar(warehouse, person)
# With a read replica (DATABASE_READ_URL) that is down or behind, this page's
# reads come from the primary: a small notice says so.
replica_state = replica.notice(url)
if replica_state is not None:
    st.caption(f"⚠️ {replica.notice_text(replica_state)}")

if page.url_path in {steward_page.url_path for steward_page in _STEWARD_PAGES} | {"accounts"}:
    # The stewards' pages work on an empty warehouse too (uploading the unit
    # register comes first) and have no use for the leaders' filters; those
    # are kept in the session so a leaders' page finds them as they were.
    for key in filters.FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    steward.begin(url)
    with frame.guard():
        page.run()
    st.stop()

# Every leaders' page opens with dashboard.frame.open (title, scope line, these
# filters); a warehouse lost mid-page or a failed query ends it with a message.
with frame.guard():
    context = filters.sidebar(url)
    if context.scope is None:
        st.title(page.title)
        guidance.empty_warehouse(url)
    else:
        page.run()
