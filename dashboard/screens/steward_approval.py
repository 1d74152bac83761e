"""审核 Approval: returns awaiting a steward, approve or withdraw a file, the decisions
made, and period locks (a locked period's later returns wait for approval)."""

import streamlit as st

from dashboard import format as fmt
from dashboard import queries, steward, tables
from dashboard.i18n import enum, lang, t
from dashboard.tables import Col

url = steward.url()

st.title(t("page.approval"))
steward.show_flash()

settings = queries.kind_settings(url)
needing = settings.loc[settings["requires_approval"], "kind"].tolist()
if needing:
    st.caption(t("approval.policy", kinds=steward.joined(enum("kind", k) for k in needing)))
else:
    st.caption(t("approval.policy_none"))

files = queries.files(url)
register = queries.units(url)
names = steward.unit_names(register)

st.subheader(t("approval.queue"))
pending = files[files["status"] == "pending"]
if pending.empty:
    st.success(t("approval.none_pending"))
else:
    tables.show(
        steward.describe_files(pending, register),
        steward.FILE_COLS,
        key="approval_queue",
        title=t("approval.queue"),
    )

st.subheader(t("approval.decide"))
accepted = files[files["outcome"].isin(steward.ACCEPTED)]
# Pending files first, then the latest.
accepted = accepted.assign(waiting=accepted["status"] != "pending").sort_values(
    ["waiting", "file_id"], ascending=[True, False]
)
file = steward.pick_file(
    accepted, "approval_file", t("approval.pick"), unknown="approval.not_decidable"
)
if file is None:
    steward.keep_params()
    st.info(t("approval.no_files") if not files.empty else t("guide.no_files"))
else:
    steward.covers_caption(file, names)
    steward.report_link(int(file["file_id"]))
    steward.decision_form(url, file)

st.subheader(t("approval.history"))
history = queries.decisions(url)
if history.empty:
    st.caption(t("approval.no_history"))
else:
    tables.show(history, steward.DECISION_COLS, key="approval_history", title=t("approval.history"))

# ------------------------------------------------------------ period locks --

st.subheader(t("locks.title"))
st.caption(t("locks.caption"))
locks = queries.locks(url)
active = locks[locks["lock_status"] == "active"]
lock_cols = [
    Col("kind", "enum:kind"),
    Col("unit_code"),
    Col("unit_name"),
    Col("period", "period"),
    Col("locked_by"),
    Col("locked_at", "datetime"),
    Col("reason"),
]
if active.empty:
    st.caption(t("locks.none"))
else:
    tables.show(active, lock_cols, key="locks_active", title=t("locks.active"))


def _what(kind: str, unit: str, period: str) -> str:
    unit_name = names.get(unit, unit)
    return f"{enum('kind', kind)} · {unit_name} ({unit}) · {fmt.period_label(period, lang())}"


lock_box, release_box = st.columns(2)
with lock_box:
    st.markdown(f"**{t('locks.lock_form')}**")
    reported = queries.slice_units(url)
    lockable = reported[reported["has_current"]]
    if lockable.empty:
        st.caption(t("locks.nothing"))
    else:
        kinds = list(dict.fromkeys(lockable["kind"]))
        steward.keep_valid("lock_kind", kinds)
        kind = st.selectbox(
            t("locks.kind"),
            kinds,
            key="lock_kind",
            format_func={k: enum("kind", k) for k in kinds}.__getitem__,
        )
        units = lockable.loc[lockable["kind"] == kind, "unit_code"].tolist()
        steward.keep_valid("lock_unit", units)
        unit = st.selectbox(
            t("locks.unit"),
            units,
            key="lock_unit",
            format_func={u: steward.unit_label(u, names) for u in units}.__getitem__,
        )
        of_unit = queries.slices(url, kind, unit)
        periods = of_unit.loc[of_unit["has_current"], "period"].tolist()
        steward.keep_valid("lock_period", periods)
        signed = steward.signed_form(
            "lock_form",
            "lock",
            [steward.Button("submit", t("locks.lock"))],
            fields=lambda: st.selectbox(
                t("locks.period"),
                periods,
                key="lock_period",
                index=len(periods) - 1,
                format_func={p: fmt.period_label(p, lang()) for p in periods}.__getitem__,
            ),
        )
        if signed is not None:
            period = signed.fields
            steward.record(
                signed,
                lambda who, reason: queries.lock_period(url, kind, unit, period, who, reason),
                lambda _lock_id: t("locks.locked", what=fmt.plain(_what(kind, unit, period))),
            )

with release_box:
    st.markdown(f"**{t('locks.release_form')}**")
    if active.empty:
        st.caption(t("locks.nothing_to_release"))
    else:
        choices = {
            int(row["lock_id"]): _what(row["kind"], row["unit_code"], row["period"])
            for _, row in active.iterrows()
        }
        signed = steward.signed_form(
            "release_form",
            "release",
            [steward.Button("submit", t("locks.release"))],
            fields=lambda: st.selectbox(
                t("locks.pick"), list(choices), key="release_pick", format_func=choices.__getitem__
            ),
        )
        if signed is not None:
            lock_id = signed.fields
            chosen = active.loc[active["lock_id"] == lock_id].iloc[0]
            steward.record(
                signed,
                lambda who, reason: queries.release_period(
                    url, chosen["kind"], chosen["unit_code"], chosen["period"], who, reason
                ),
                lambda _none: t("locks.released", what=fmt.plain(choices[lock_id])),
            )

released = locks[locks["lock_status"] == "released"]
if not released.empty:
    tables.show(
        released,
        [
            *lock_cols,
            Col("released_by"),
            Col("released_at", "datetime"),
            Col("release_reason"),
        ],
        key="locks_history",
        title=t("locks.history"),
    )
