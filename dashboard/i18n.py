"""Every label of the dashboard in zh-CN and English; enum labels reuse ``etl.kinds``.

The language lives in session state (and the URL's ``lang`` parameter, see
``filters``); ``t(key)`` reads it, so pages never pass it around for labels.
"""

from __future__ import annotations

import streamlit as st

from etl.kinds import (
    DIRECTIONS,
    KINDS,
    SATISFACTION,
    SUPERVISION_SOURCES,
    TARGET_SOURCES,
    UNIT_TYPES,
)

LANGS = ("zh", "en")
LANG_KEY = "lang"

_LABELS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app.title": ("督查 · 目标管理督查", "Ducha · target management and supervision"),
    "page.overview": ("总览", "Overview"),
    "page.targets": ("目标完成", "Target completion"),
    "page.employment": ("就业指标", "Employment"),
    "page.aid": ("残疾人救助", "Disability aid"),
    "page.supervision": ("督办督查", "Supervision"),
    # the language switch is labelled in both languages so either reader finds it
    "lang.label": ("Language · 语言", "Language · 语言"),
    # filters
    "filter.header": ("筛选", "Filters"),
    "filter.year": ("年度", "Year"),
    "filter.period": ("报告期", "Period"),
    "filter.whole_year": ("全年", "Whole year"),
    "filter.unit_type": ("单位类别", "Unit type"),
    "filter.unit": ("单位", "Unit"),
    "filter.all": ("全部", "All"),
    "filter.share": (
        "筛选条件保存在地址栏中，复制链接即可分享当前视图。",
        "The filters are kept in the address bar: copy the link to share this view.",
    ),
    "scope.caption": ("数据截至{as_at} · {units}", "Figures as at {as_at} · {units}"),
    "scope.all_units": ("全部单位", "all units"),
    # guidance
    "guide.unreachable": (
        "无法连接数据仓库：{error}。请检查环境变量 DATABASE_URL；不设置时使用内置数据库"
        "（位于 $DUCHA_HOME，默认 ./.ducha）。",
        "Cannot reach the warehouse: {error}. Check DATABASE_URL; when it is unset the"
        " embedded database under $DUCHA_HOME (default ./.ducha) is used.",
    ),
    "guide.not_migrated": (
        "数据仓库尚未初始化或版本过旧（缺少 {views}）。请先运行 `ducha db upgrade`。",
        "The warehouse is not set up or is out of date (missing {views})."
        " Run `ducha db upgrade` first.",
    ),
    "guide.empty": (
        "数据仓库中还没有数据。运行 `ducha demo` 可加载 2006 年示例数据；"
        "正式使用时运行 `ducha ingest 报表文件夹/` 加载各单位报表"
        "（程序会先装载单位名录，再装载目标库，然后是其他报表）。",
        "The warehouse holds no figures yet. Run `ducha demo` to load the 2006 demo"
        " returns, or `ducha ingest FOLDER/` to load the units' returns (the unit"
        " register is loaded first, then the targets, then the other returns).",
    ),
    "guide.kind_missing": (
        "{year}年还没有“{kind}”报表。加载方法：`ducha ingest 文件.xlsx --kind {code}`"
        "（列名见数据契约第 1 节，中英文表头均可）。",
        "No {kind} returns for {year} yet. Load them with"
        " `ducha ingest FILE.xlsx --kind {code}` (columns in the data contract, section 1;"
        " Chinese or English headers).",
    ),
    "guide.no_match": (
        "当前筛选条件下没有数据，请调整年度、报告期或单位。",
        "Nothing matches the current filters: change the year, period or unit.",
    ),
    "guide.partial": (
        "尚未装载的报表：{kinds}。相应页面会提示加载方法。",
        "Returns not loaded yet: {kinds}. Their pages explain how to load them.",
    ),
    # tables
    "table.csv": ("下载 CSV", "Download CSV"),
    "table.xlsx": ("下载 Excel", "Download Excel"),
    "table.rows": ("共 {rows} 行", "{rows} rows"),
    "table.first_rows": (
        "显示前 {shown} 行，共 {rows} 行；下载可得全部",
        "First {shown} of {rows} rows shown; the downloads hold them all",
    ),
    "drill.toggle": ("查看来源报表", "Show the returns behind this table"),
    "drill.row": ("限定到一行", "Narrow to one row"),
    "drill.all_rows": ("表中全部行", "All rows of the table"),
    "drill.caption": (
        "列出每个收到的版本：“当前”版本计入上表，被替代或撤回的版本留作追溯。",
        "Every version received: the current one counts in the table above;"
        " superseded and withdrawn ones are kept for the record.",
    ),
    "drill.empty": ("没有找到来源报表行。", "No return rows found."),
    "drill.title": ("来源报表", "Returns behind"),
    # cards
    "card.vs": ("较{previous}", "vs {previous}"),
    "card.no_previous": ("上期（{previous}）无数据", "no figures for {previous}"),
    "card.no_previous_all": (
        "上期（{previous}）无数据，不显示变化。",
        "No figures for {previous}: no changes shown.",
    ),
    "card.target_completion": ("目标完成率", "Targets completed"),
    "card.target_completion.detail": (
        "{completed} / {targets} 项目标已完成",
        "{completed} of {targets} targets completed",
    ),
    "card.employment_rate": ("就业率", "Employment rate"),
    "card.employment_rate.detail": (
        "已就业 {employed} / 劳动力 {labor_force} 人",
        "{employed} of {labor_force} in work",
    ),
    "card.placement_rate": ("援助成功上岗率", "Job-aid placement rate"),
    "card.placement_rate.detail": (
        "成功上岗 {placements} / 推荐 {referrals} 人",
        "{placements} placed of {referrals} referred",
    ),
    "card.aid_disbursed": ("残疾人救助发放", "Disability aid disbursed"),
    "card.aid_disbursed.detail": (
        "{amount}，{person_times} 人次",
        "{amount}, {person_times} person-times",
    ),
    "card.closure_rate": ("督办办结率", "Supervision closure rate"),
    "card.closure_rate.detail": (
        "办结 {closed} / 立项 {registered} 件",
        "{closed} of {registered} items closed",
    ),
    "card.closure_rate.city": (
        "；其中市委市政府督办办结 {closed} / {registered} 件（{rate}）",
        "; city supervision: {closed} of {registered} closed ({rate})",
    ),
    "card.overdue": ("超期未办结", "Overdue items"),
    "card.overdue.detail": ("未到期待复 {open} 件", "{open} open, not yet due"),
    "unit.items": ("件", "items"),
    "unit.people": ("人", "people"),
    "unit.households": ("户", "households"),
    # overview
    "overview.by_source": ("目标来源分布", "Targets by source"),
    "overview.data_status": ("报表装载情况", "Returns loaded"),
    # targets
    "targets.thresholds": ("红黄绿标准", "Status thresholds"),
    "targets.thresholds.text": (
        "序时进度 {pace}（截至{as_at}）。绿：完成率 ≥ 序时进度；"
        "黄：完成率 ≥ 序时进度 × {amber}；红：低于黄线；灰：尚未报送进度。",
        "Time progress {pace} (as at {as_at}). Green: completion ≥ time progress;"
        " amber: completion ≥ time progress × {amber}; red: below amber;"
        " grey: no progress reported yet.",
    ),
    "targets.amber": ("黄灯下限（占序时进度 %）", "Amber floor (% of time progress)"),
    "targets.by_unit": ("各单位完成情况", "Completion by unit"),
    "targets.by_unit_type": ("按单位类别", "By unit type"),
    "targets.by_source": ("按目标来源", "By source"),
    "targets.ranking": ("单位排名", "Unit ranking"),
    "targets.trend": ("各报告期完成情况", "Completion by period"),
    "targets.unit_targets": ("单位目标明细", "A unit's targets"),
    "targets.pick_unit": ("选择单位", "Unit"),
    "targets.history": ("目标进度历史", "A target's progress history"),
    "targets.pick_target": ("选择目标", "Target"),
    "targets.no_history": ("该目标尚未报送进度。", "No progress reported for this target yet."),
    "status.green": ("绿", "green"),
    "status.amber": ("黄", "amber"),
    "status.red": ("红", "red"),
    "status.grey": ("未报送", "not reported"),
    # employment
    "emp.line": ("充分就业标准线（%）", "Full-employment line (%)"),
    "emp.zero_households": ("零就业家庭", "Zero-employment households"),
    "emp.graduates": ("接收高校毕业生", "Graduates hired"),
    "emp.trainees": ("培训人数", "Trainees"),
    "emp.transferred": ("转移就业人数", "Labour transferred"),
    "emp.by_unit": ("各单位就业率", "Employment rate by unit"),
    "emp.by_area": ("各社区/集中居住区就业率", "Employment rate by community or area"),
    "emp.trend": ("就业率与上岗率趋势", "Employment and placement rates by period"),
    "emp.line_label": ("充分就业线 {line}", "full employment {line}"),
    "emp.meets": (
        "{met} / {areas} 个社区/居住区达到充分就业",
        "{met} of {areas} areas at full employment",
    ),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # disability aid
    "aid.program": ("救助项目", "Program"),
    "aid.all_programs": ("全部项目", "All programs"),
    "aid.programs": ("救助项目数", "Programs"),
    "aid.person_times": ("救助人次", "Person-times"),
    "aid.households": ("户数（单月最多）", "Households (busiest month)"),
    "aid.amount": ("发放金额", "Amount disbursed"),
    "aid.per_person_time": ("人均每次金额", "Amount per person-time"),
    "aid.by_month": ("按月发放", "Disbursed by month"),
    "aid.by_program": ("按救助项目", "By program"),
    "aid.by_unit": ("按单位", "By unit"),
    "aid.standard": ("补助标准变化", "Subsidy standard over time"),
    # supervision
    "sup.source": ("事项来源", "Source"),
    "sup.all_sources": ("全部来源", "All sources"),
    "sup.registered": ("立项督办", "Registered"),
    "sup.closed": ("已办结", "Closed"),
    "sup.open_not_due": ("未到期待复", "Open, not yet due"),
    "sup.overdue": ("超期未办结", "Overdue"),
    "sup.closure_rate": ("办结率", "Closure rate"),
    "sup.on_time_rate": ("按期办结率", "On-time rate"),
    "sup.satisfaction_rate": ("满意率（含基本满意）", "Satisfaction (incl. basically)"),
    "sup.by_source": ("按事项来源", "By source"),
    "sup.overdue_list": ("超期事项", "Overdue items"),
    "sup.no_overdue": ("没有超期未办结的事项。", "No item is overdue."),
    "sup.items": ("事项查询", "Item search"),
    "sup.search": ("搜索编号、名称或承办单位", "Search code, title or unit"),
    "sup.status_filter": ("状态", "Status"),
    "sup.status_placeholder": ("全部状态", "All statuses"),
    # chart axes
    "axis.rate": ("比率", "Rate"),
}

# Column headers. Chinese ones come from the return kinds where a column is one
# of the contract's; the rest are the dashboard's own.
_COLUMNS_EN: dict[str, str] = {
    "year": "Year",
    "period": "Period",
    "unit_code": "Unit code",
    "unit_name": "Unit",
    "unit_type": "Unit type",
    "target_code": "Target code",
    "target_name": "Target",
    "source": "Source",
    "measure": "Measure",
    "planned_value": "Planned",
    "actual_value": "Actual (year to date)",
    "completion_rate": "Completion rate",
    "direction": "Direction",
    "weight": "Weight",
    "note": "Note",
    "area_name": "Community / area",
    "labor_force": "Labour force",
    "employed": "Employed",
    "employment_rate": "Employment rate",
    "zero_employment_households": "Zero-employment households",
    "aid_referrals": "Aid referrals",
    "aid_placements": "Aid placements",
    "placement_rate": "Placement rate",
    "graduates_hired": "Graduates hired",
    "trainees": "Trainees",
    "labor_transferred": "Labour transferred",
    "program": "Program",
    "households": "Households",
    "person_times": "Person-times",
    "standard_yuan": "Standard (yuan per person-time)",
    "amount_yuan": "Amount (yuan)",
    "amount_per_person_time": "Amount per person-time (yuan)",
    "item_code": "Item code",
    "title": "Title",
    "registered_on": "Registered on",
    "due_on": "Due on",
    "closed_on": "Closed on",
    "satisfaction": "Feedback",
    "status": "Status",
    "days_overdue": "Days overdue",
    "registered": "Registered",
    "closed": "Closed",
    "open_not_due": "Open, not due",
    "overdue": "Overdue",
    "closure_rate": "Closure rate",
    "on_time_rate": "On-time rate",
    "satisfaction_rate": "Satisfaction rate",
    "kind": "Return kind",
    "item_key": "Row key",
    "file_name": "File",
    "row_no": "Row",
    "received_at": "Received at",
    "as_of": "As of",
    "version_status": "Version",
    "accepted": "Files accepted",
    "rejected": "Files rejected",
    "last_received_at": "Last received",
    "targets": "Targets",
    "reported": "Reported",
    "completed": "Completed",
    "completion_share": "Share completed",
    "mean_completion_rate": "Mean completion rate",
    "rag": "Status",
    "rank": "Rank",
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "grey": "Not reported",
    "meets_line": "At full employment",
    "pace": "Time progress",
}

_COLUMNS_ZH: dict[str, str] = {
    "year": "年度",
    "period": "报告期",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "unit_type": "单位类别",
    "source": "来源",
    "actual_value": "累计完成值",
    "completion_rate": "完成率",
    "employment_rate": "就业率",
    "placement_rate": "成功上岗率",
    "amount_per_person_time": "人均每次金额(元)",
    "status": "状态",
    "days_overdue": "超期天数",
    "registered": "立项",
    "closed": "办结",
    "open_not_due": "未到期待复",
    "overdue": "超期",
    "closure_rate": "办结率",
    "on_time_rate": "按期办结率",
    "satisfaction_rate": "满意率",
    "kind": "报表类别",
    "item_key": "行键",
    "file_name": "文件名",
    "row_no": "行号",
    "received_at": "接收时间",
    "as_of": "截止日期",
    "version_status": "版本",
    "accepted": "已接收文件",
    "rejected": "被拒文件",
    "last_received_at": "最近接收",
    "targets": "目标数",
    "reported": "已报送",
    "completed": "已完成",
    "completion_share": "目标完成率",
    "mean_completion_rate": "平均完成率",
    "rag": "状态",
    "rank": "排名",
    "green": "绿",
    "amber": "黄",
    "red": "红",
    "grey": "未报送",
    "meets_line": "达到充分就业",
    "pace": "序时进度",
}
for _kind in KINDS.values():
    for _column in _kind.columns:
        _COLUMNS_ZH.setdefault(_column.name, _column.zh)

_ENUMS_ZH: dict[str, dict[str, str]] = {
    "unit_type": UNIT_TYPES,
    "target_source": TARGET_SOURCES,
    "supervision_source": SUPERVISION_SOURCES,
    "satisfaction": SATISFACTION,
    "direction": DIRECTIONS,
    "status": {"closed": "已办结", "open": "未到期待复", "overdue": "超期未办结"},
    "version_status": {
        "current": "当前",
        "superseded": "已被替代",
        "withdrawn": "已撤回",
        "pending": "待审核",
    },
    "rag": {"green": "绿", "amber": "黄", "red": "红", "grey": "未报送"},
    "kind": {name: kind.zh for name, kind in KINDS.items()},
    "yes_no": {"yes": "是", "no": "否"},
}

_ENUMS_EN: dict[str, dict[str, str]] = {
    "unit_type": {
        "subdistrict": "Subdistrict",
        "department": "Department",
        "affiliated": "Affiliated unit",
    },
    "target_source": {
        "city": "City targets",
        "characteristic": "Characteristic indicators",
        "livelihood": "Livelihood projects",
        "special": "Network and special targets",
        "provincial": "Provincial targets",
    },
    "supervision_source": {
        "city": "City supervision",
        "leader": "Leaders' instructions",
        "meeting": "Committee decisions",
        "deputy": "Deputies' suggestions",
        "cppcc": "CPPCC proposals",
    },
    "satisfaction": {
        "satisfied": "satisfied",
        "basically": "basically satisfied",
        "unsatisfied": "unsatisfied",
    },
    "direction": {"higher": "higher is better", "lower": "lower is better"},
    "status": {"closed": "closed", "open": "open, not due", "overdue": "overdue"},
    "version_status": {
        "current": "current",
        "superseded": "superseded",
        "withdrawn": "withdrawn",
        "pending": "pending approval",
    },
    "rag": {"green": "green", "amber": "amber", "red": "red", "grey": "not reported"},
    "kind": {
        "units": "unit register",
        "targets": "targets",
        "target_progress": "target progress",
        "employment": "employment",
        "disability_aid": "disability aid",
        "supervision": "supervision items",
    },
    "yes_no": {"yes": "yes", "no": "no"},
}


def lang() -> str:
    """The reader's language: "zh" (default) or "en"."""
    chosen = st.session_state.get(LANG_KEY, "zh")
    return chosen if chosen in LANGS else "zh"


def t(key: str, **values: object) -> str:
    """The label for ``key`` in the reader's language, with ``values`` filled in."""
    zh, en = _LABELS[key]
    text = zh if lang() == "zh" else en
    return text.format(**values) if values else text


def column(name: str) -> str:
    """A column header."""
    labels = _COLUMNS_ZH if lang() == "zh" else _COLUMNS_EN
    return labels.get(name, name)


def enum(group: str, code: object) -> str:
    """An enum code's label (e.g. enum("unit_type", "subdistrict") -> "街道"); unknown codes as is."""
    if code is None or code != code:  # None or NaN
        return ""
    labels = (_ENUMS_ZH if lang() == "zh" else _ENUMS_EN)[group]
    return labels.get(str(code), str(code))
