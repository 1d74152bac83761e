"""账号与审计 Accounts and audit (admins): every account, and the audit record with
filters and CSV/Excel export. Accounts are changed with `ducha user`."""

from datetime import date, timedelta

import streamlit as st

from dashboard import export, queries, steward
from dashboard.i18n import lang

url = steward.url()
zh = lang() == "zh"


def _(zh_text: str, en_text: str) -> str:
    return zh_text if zh else en_text


st.title(_("账号与审计", "Accounts and audit"))
st.caption(
    _(
        "账号的新建、停用和密码设置请用命令行 ducha user（见 README）。",
        "Accounts are created, disabled and given passwords with `ducha user` (see the README).",
    )
)

st.subheader(_("账号", "Accounts"))
st.dataframe(queries.accounts(url), hide_index=True, key="accounts_table")

st.subheader(_("审计记录", "Audit record"))
today = date.today()
columns = st.columns(4)
since = columns[0].date_input(_("起始日期", "From"), today - timedelta(days=30), key="audit_since")
until = columns[1].date_input(_("截止日期", "To"), today, key="audit_until")
account = columns[2].text_input(_("账号", "Account"), key="audit_account", max_chars=200)
action = columns[3].selectbox(
    _("类别", "Kind"),
    ["", "sign_in", "sign_in.failed", "sign_in.locked", "account", "decision"],
    key="audit_action",
)
rows = queries.audit(url, since, until, account.strip() or None, action or None)
st.dataframe(rows, hide_index=True, key="audit_table")
st.caption(_(f"{len(rows)} 条", f"{len(rows)} rows"))
downloads = st.columns(2)
downloads[0].download_button(
    "CSV", export.to_csv(rows), file_name="audit.csv", mime="text/csv", key="audit_csv"
)
downloads[1].download_button(
    "Excel",
    export.to_xlsx(rows, "audit"),
    file_name="audit.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_xlsx",
)
