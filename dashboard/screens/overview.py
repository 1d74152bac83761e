"""总览 Overview: the six headline figures against the previous period, targets by source."""

import streamlit as st

from dashboard import charts, figures, frame, queries, tables, warning_colours
from dashboard import format as fmt
from dashboard.i18n import column, enum, t
from dashboard.tables import Col

page = frame.open("page.overview")
scope, url, language = page.scope, page.url, page.language
previous = scope.previous()
previous_label = fmt.period_label(previous.period or str(previous.year), language)


def card(
    slot,
    label: str,
    value: str,
    delta: str | None,
    detail: str,
    inverse: bool = False,
    before=None,
):
    """One headline figure, its change against the previous period and a line of detail.

    ``before``: the previous period's rows; a change drawn from illustrative rows
    (the demo's 2005 targets) is marked as such."""
    marked = bool(delta) and before is not None and figures.illustrative(before)
    vs = "card.vs_illustrative" if marked else "card.vs"
    with slot:
        st.metric(
            label,
            value,
            delta=delta,
            delta_color="inverse" if inverse else "normal",
            delta_description=t(vs, previous=previous_label) if delta else None,
            border=True,
        )
        # Say a change is missing on the card only when other cards do have one.
        missing = not delta and not nothing_before
        if missing:
            detail = f"{detail} · {t('card.no_previous', previous=previous_label)}"
        if marked:
            detail = f"{detail} · {t('card.illustrative_before', previous=previous_label)}"
        st.caption(detail)


now_targets, before_targets = queries.targets(url, scope), queries.targets(url, previous)
now_jobs, before_jobs = queries.employment(url, scope), queries.employment(url, previous)
now_aid, before_aid = queries.disability_aid(url, scope), queries.disability_aid(url, previous)
now_items = queries.supervision_items(url, scope)
before_items = queries.supervision_items(url, previous)
nothing_before = all(
    frame.empty for frame in (before_targets, before_jobs, before_aid, before_items)
)
if nothing_before:
    st.caption(t("card.no_previous_all", previous=previous_label))


def change(now: dict, before: dict, name: str, frame_before) -> float | None:
    """now - before for one figure, or None when the previous period has no returns."""
    if frame_before.empty or now.get(name) is None or before.get(name) is None:
        return None
    return now[name] - before[name]


targets_now = figures.target_summary(now_targets)
targets_before = figures.target_summary(before_targets)
jobs_now = figures.employment_summary(now_jobs)
jobs_before = figures.employment_summary(before_jobs)
aid_now, aid_before = figures.aid_summary(now_aid), figures.aid_summary(before_aid)
items_now = figures.supervision_summary(now_items)
items_before = figures.supervision_summary(before_items)

top = st.columns(3)
bottom = st.columns(3)
card(
    top[0],
    t("card.target_completion"),
    fmt.percent(targets_now["completion_share"]),
    fmt.points(change(targets_now, targets_before, "completion_share", before_targets), language),
    t(
        "card.target_completion.detail",
        completed=fmt.count(targets_now["completed"]),
        targets=fmt.count(targets_now["targets"]),
    ),
    before=before_targets,
)
card(
    top[1],
    t("card.employment_rate"),
    fmt.percent(jobs_now["employment_rate"]),
    fmt.points(change(jobs_now, jobs_before, "employment_rate", before_jobs), language),
    t(
        "card.employment_rate.detail",
        employed=fmt.count(jobs_now["employed"]),
        labor_force=fmt.count(jobs_now["labor_force"]),
    ),
    before=before_jobs,
)
card(
    top[2],
    t("card.placement_rate"),
    fmt.percent(jobs_now["placement_rate"]),
    fmt.points(change(jobs_now, jobs_before, "placement_rate", before_jobs), language),
    t(
        "card.placement_rate.detail",
        placements=fmt.count(jobs_now["aid_placements"]),
        referrals=fmt.count(jobs_now["aid_referrals"]),
    ),
    before=before_jobs,
)
card(
    bottom[0],
    t("card.aid_disbursed"),
    fmt.yuan_short(aid_now["amount_yuan"], language),
    fmt.signed_yuan(change(aid_now, aid_before, "amount_yuan", before_aid), language),
    t(
        "card.aid_disbursed.detail",
        amount=fmt.yuan(aid_now["amount_yuan"], language),
        person_times=fmt.count(aid_now["person_times"]),
    ),
    before=before_aid,
)
# 市委市政府督办 are the items the city assesses (the yearbook's 45 / 43), so
# the card names them besides the total.
city_items = figures.supervision_summary(now_items[now_items["source"] == "city"])
closure_detail = t(
    "card.closure_rate.detail",
    closed=fmt.count(items_now["closed"]),
    registered=fmt.count(items_now["registered"]),
)
if city_items["registered"]:
    closure_detail += t(
        "card.closure_rate.city",
        closed=fmt.count(city_items["closed"]),
        registered=fmt.count(city_items["registered"]),
        rate=fmt.percent(city_items["closure_rate"]),
    )
card(
    bottom[1],
    t("card.closure_rate"),
    fmt.percent(items_now["closure_rate"]),
    fmt.points(change(items_now, items_before, "closure_rate", before_items), language),
    closure_detail,
    before=before_items,
)
card(
    bottom[2],
    t("card.overdue"),
    fmt.count(items_now["overdue"]),
    fmt.signed(change(items_now, items_before, "overdue", before_items), language),
    t("card.overdue.detail", open=fmt.count(items_now["open_not_due"])),
    inverse=True,
    before=before_items,
)
with bottom[2]:
    warning_colours.overview_line(url, scope)

st.subheader(t("overview.by_source"))
if now_targets.empty:
    page.missing("targets")
else:
    by_source = figures.completion_by(now_targets, ["source"])
    chart_frame = by_source.assign(
        label=by_source["source"].map(lambda s: enum("target_source", s))
    )
    charts.show(
        charts.bars(
            chart_frame, "label", [("targets", column("targets"))], y_title=column("targets")
        ),
        "overview_sources",
    )
    tables.show(
        by_source,
        [
            Col("source", "enum:target_source"),
            Col("targets", "int"),
            Col("reported", "int"),
            Col("completed", "int"),
            Col("completion_share", "rate"),
        ],
        key="overview_sources",
        title=t("overview.by_source"),
        drill=tables.Drill("targets", now_targets, "target_code"),
    )

st.subheader(t("overview.data_status"))
loads = queries.load_status(url)
not_loaded = loads.loc[loads["accepted"] == 0, "kind"].tolist()
if not_loaded:
    st.info(t("guide.partial", kinds="、".join(enum("kind", kind) for kind in not_loaded)))
tables.show(
    loads,
    [
        Col("kind", "enum:kind"),
        Col("accepted", "int"),
        Col("rejected", "int"),
        Col("last_received_at", "datetime"),
    ],
    key="overview_loads",
    title=t("overview.data_status"),
)

# Where the zone stood in higher bodies' assessments (目标考核, assess.external_rankings).
rankings = queries.external_rankings(url)
if not rankings.empty:
    st.subheader(t("assess.external_title"))
    tables.show(
        rankings,
        [
            Col("year"),
            Col("assessing_body"),
            Col("assessment"),
            Col("rank", "int"),
            Col("out_of", "int"),
            Col("award_title"),
        ],
        key="overview_external_rankings",
        title=t("assess.external_title"),
    )
