"""督查 leaders' dashboard: ``ducha dashboard`` serves it (``streamlit run dashboard/app.py``).

The entry script checks the warehouse, draws the language switch and the shared
filters, then runs the chosen page from ``screens/``. (Not ``pages/``: Streamlit treats a
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

from dashboard import filters, guidance, queries  # noqa: E402
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
]
page = st.navigation(_PAGES)

try:
    url = queries.warehouse_url()
    missing = queries.missing_views(url)
except WarehouseUnavailable as exc:
    st.title(t("app.title"))
    st.error(t("guide.unreachable", error=exc))
    st.stop()
if missing:
    st.title(t("app.title"))
    st.warning(t("guide.not_migrated", views=", ".join(missing)))
    st.stop()

context = filters.sidebar(url)
if context.scope is None:
    st.title(page.title)
    guidance.empty_warehouse()
    st.stop()
page.run()
