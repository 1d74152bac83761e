"""Every label of the dashboard in zh-CN and English; enum labels reuse ``etl.kinds``.

The language lives in session state (and the URL's ``lang`` parameter, see
``filters``); ``t(key)`` reads it, so pages never pass it around for labels.
"""

from __future__ import annotations

import streamlit as st

from etl.kinds import (
    ASSESSMENT_ITEM_TYPES,
    DIRECTIONS,
    EVALUATION_TYPES,
    FIGURE_BASES,
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
    "scope.as_at": ("数据截至{as_at}", "Figures as at {as_at}"),
    "scope.all_units": ("全部单位", "all units"),
    "scope.yours": ("您可查看：{units}", "you see: {units}"),
    "scope.no_units": ("（未分配单位）", "(no units assigned)"),
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
    "guide.empty.reporter": (
        "数据仓库中还没有数据。请在“上传”页面上传本单位的报表；如有疑问，请联系数据管理员。",
        "The warehouse holds no figures yet. Upload your unit's returns on the Upload page,"
        " or ask the data steward.",
    ),
    "guide.empty.leader": (
        "各单位的报表尚未报送，暂无数据。报表经数据管理员装载后，这里会显示各项指标。",
        "The units have not submitted their returns yet. The figures appear here once the"
        " data steward has loaded them.",
    ),
    "guide.kind_missing.reporter": (
        "{year}年还没有“{kind}”报表。请在“上传”页面上传本单位的报表；如有疑问，请联系数据管理员。",
        "No {kind} returns for {year} yet. Upload your unit's return on the Upload page,"
        " or ask the data steward.",
    ),
    "guide.kind_missing.leader": (
        "{year}年的“{kind}”报表尚未报送。各单位报送、经数据管理员装载后，这里会显示数据。",
        "The {kind} returns for {year} have not been submitted yet. The figures appear"
        " here once the units submit them and the data steward has loaded them.",
    ),
    "guide.to_upload": ("前往“上传”页面", "Go to the Upload page"),
    "guide.lost": (
        "与数据仓库的连接中断了（{error}），本页未能显示完整。请稍后刷新页面；"
        "如果问题持续，请联系系统管理员。",
        "The connection to the warehouse was lost ({error}), so this page is incomplete."
        " Refresh the page in a moment; if it goes on, tell the system administrator.",
    ),
    "guide.not_upgraded": (
        "数据仓库的版本与本程序不符（{error}）。请先运行 `ducha db upgrade`。",
        "The warehouse does not match this version of the dashboard ({error})."
        " Run `ducha db upgrade` first.",
    ),
    "guide.query_failed": (
        "查询出错：{error}。这不是报表数据的问题，请把这条信息告诉系统管理员。",
        "A query failed: {error}. This is not a problem with the returns; tell the"
        " system administrator.",
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
    "drill.limited": (
        "只列出按单位、行排列的前 {count} 个版本；请在上方限定到一行查看其余版本。",
        "Only the first {count} versions, by unit and row, are listed; narrow to one row"
        " above to see the others.",
    ),
    "drill.empty": ("没有找到来源报表行。", "No return rows found."),
    "drill.title": ("来源报表", "Returns behind"),
    # cards
    "card.vs": ("较{previous}", "vs {previous}"),
    "card.vs_illustrative": ("较{previous}（示例数据）", "vs {previous} (illustrative data)"),
    "card.illustrative_before": (
        "{previous}为示例数据，变化仅作演示",
        "{previous}'s figures are illustrative: the change is a demonstration only",
    ),
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
    # sign-in (dashboard/signin.py)
    "signin.title": ("督查 · 登录", "Ducha · sign in"),
    "signin.account": ("账号", "Account"),
    "signin.password": ("密码", "Password"),
    "signin.submit": ("登录", "Sign in"),
    "signin.sso": ("使用单位统一身份认证登录", "Sign in with the office's single sign-on"),
    "signin.sso_unknown": (
        "该邮箱 {email} 没有对应的督查账号，请联系管理员",
        "No ducha account has the e-mail {email}: ask an administrator",
    ),
    "signin.expired": (
        "长时间未操作，已自动退出，请重新登录",
        "You were signed out after a long idle time: please sign in again",
    ),
    "signin.signed_in_as": ("当前用户：{name}（{roles}）", "Signed in: {name} ({roles})"),
    "signin.sign_out": ("退出登录", "Sign out"),
    "signin.change_password": ("修改密码", "Change password"),
    "signin.old_password": ("原密码", "Current password"),
    "signin.new_password": ("新密码", "New password"),
    "signin.new_again": ("再次输入新密码", "New password again"),
    "signin.save_password": ("保存新密码", "Save the new password"),
    "signin.differ": ("两次输入的新密码不一致", "The two new passwords differ"),
    "signin.password_changed": ("密码已修改", "Password changed"),
    "signin.no_pages": (
        "此账号没有可用的页面，请联系管理员",
        "This account has no page to show: ask an administrator",
    ),
    # the read replica's notice (dashboard/replica.py)
    "replica.down": (
        "只读副本暂不可用，本页数据直接读自主库",
        "The read replica is unavailable: this page reads from the primary",
    ),
    "replica.lagging": (
        "只读副本同步滞后，本页数据直接读自主库",
        "The read replica is behind: this page reads from the primary",
    ),
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


# ------------------------------------------------------------ stewardship --
# The data stewards' pages (数据管理): inbox, reports, approval, versions,
# the reporting calendar, uploads and ETL runs.

_LABELS.update(
    {
        # navigation
        "nav.leaders": ("领导看板", "Leaders' dashboard"),
        "nav.stewards": ("数据管理", "Data stewardship"),
        "nav.admin": ("系统管理", "Administration"),
        "page.accounts": ("账号与审计", "Accounts and audit"),
        "page.inbox": ("报表收件箱", "Submissions inbox"),
        "page.report": ("校验报告", "Validation report"),
        "page.approval": ("审核", "Approval"),
        "page.versions": ("版本历史", "Resubmission history"),
        "page.calendar": ("报送日历", "Reporting calendar"),
        "page.upload": ("上传", "Upload"),
        "page.runs": ("ETL 运行", "ETL runs"),
        # shared by the stewards' pages
        "steward.name": ("审核人姓名（必填）", "Your name (required)"),
        "steward.signed_as": (
            "签名：{name}（账号 {account}）",
            "Signed: {name} (account {account})",
        ),
        "steward.name.help": (
            "系统尚无登录：请填写您的姓名，它将与决定一起记录在案。",
            "There is no sign-in yet: your name is recorded with the decision.",
        ),
        "steward.name_required": (
            "请填写审核人姓名：没有姓名的决定不予记录。",
            "Type your name: a decision without a name is not recorded.",
        ),
        "steward.reason": ("理由（选填）", "Reason (optional)"),
        "steward.open_report": ("查看校验报告", "Open the validation report"),
        "steward.file": (
            "#{file_id} {file_name}（{kind}）",
            "#{file_id} {file_name} ({kind})",
        ),
        "steward.more": ("等 {count} 个", "… ({count} in all)"),
        "steward.range": ("{first} 至 {last}", "{first} to {last}"),
        "steward.failed": ("未能完成：{error}", "Not done: {error}"),
        "guide.no_files": (
            "还没有收到任何报表文件。可在“上传”页面上传，或运行 `ducha ingest 报表文件夹/`；"
            "想先看看效果，运行 `ducha demo` 加载 2006 年示例数据。",
            "No files received yet. Upload returns on the Upload page or run"
            " `ducha ingest FOLDER/`; `ducha demo` loads the 2006 demo returns.",
        ),
        # inbox
        "inbox.caption": (
            "收到的每一个文件，最新的在前；被拒收的文件不改动任何数据。",
            "Every file received, latest first; a rejected file changed nothing.",
        ),
        "inbox.files": ("收到文件", "Files received"),
        "inbox.accepted": ("已接收", "Accepted"),
        "inbox.rejected": ("已拒收", "Rejected"),
        "inbox.pending": ("待审核", "Awaiting approval"),
        "inbox.kind": ("报表类别", "Return kind"),
        "inbox.all_kinds": ("全部类别", "All kinds"),
        "inbox.status": ("处理结果", "Outcome"),
        "inbox.all_statuses": ("全部结果", "All outcomes"),
        "inbox.unit": ("单位", "Unit"),
        "inbox.all_units": ("全部单位", "All units"),
        "inbox.search": ("按文件名搜索", "Search file names"),
        "inbox.table": ("收到的报表", "Files received"),
        "inbox.no_match": ("没有符合筛选条件的文件。", "No file matches the filters."),
        "inbox.pick": ("打开文件的校验报告", "Open a file's validation report"),
        # validation report
        "report.pick": ("文件", "File"),
        "report.no_such_file": (
            "没有编号为 {file_id} 的文件，下面显示最新收到的文件。",
            "There is no file #{file_id}; the latest file is shown instead.",
        ),
        "report.meta": (
            "{kind} · 接收于 {received} · 截止日期 {as_of} · 文件编号 {file_id}",
            "{kind} · received {received} · as of {as_of} · file #{file_id}",
        ),
        "report.status": ("处理结果", "Outcome"),
        "report.rows": ("数据行数", "Data rows"),
        "report.errors": ("错误", "Errors"),
        "report.warnings": ("警告", "Warnings"),
        "report.expectations_failed": ("未通过的校验规则", "Expectations failed"),
        "report.covers": (
            "涉及单位：{units}；报告期：{periods}",
            "Units: {units}; periods: {periods}",
        ),
        "report.problems": ("问题", "Problems"),
        "report.no_problems": ("没有发现问题。", "No problems found."),
        "report.expectations": ("校验规则结果", "Expectation results"),
        "report.no_expectations": (
            "校验规则未运行：文件在读取时即被拒收，改正后可能还会发现其他问题。",
            "The expectations did not run: the file was rejected while being read, so more"
            " problems may show once it is corrected.",
        ),
        "report.download_xlsx": (
            "下载校验报告（Excel，发回单位）",
            "Download the report (Excel, for the unit)",
        ),
        "report.download_html": ("下载离线校验页面（HTML）", "Download the offline page (HTML)"),
        "original.download": ("下载原始文件（按收到时原样）", "Download the file as sent"),
        "original.not_kept": (
            "无法下载原始文件：收到于原件存档启用之前，或因存档已满被拒收；"
            "或文件含有您无权查看的其他单位的数据。",
            "The file as sent cannot be downloaded: it came before files were kept, or was"
            " refused when the archive was full; or it holds rows of units you do not see.",
        ),
        "original.pick": ("下载哪个版本的原始文件", "Download the file as sent of version"),
        "report.offline": ("离线校验页面", "Offline validation page"),
        "report.offline.caption": (
            "与 `ducha` 生成的离线页面相同：不联网也能打开，可直接发给单位。",
            "The page `ducha` writes for offline use: it opens without a network and can be"
            " sent to the unit as is.",
        ),
        "report.offline_too_big": (
            "该文件有 {problems} 个问题，页面过大，不在此显示；请用上方按钮下载离线校验页面。",
            "This file has {problems} problems, too many to show the page here: download the"
            " offline page with the button above.",
        ),
        "report.history": ("审核记录", "Decisions on this file"),
        "report.no_history": ("该文件还没有审核记录。", "No decisions on this file yet."),
        "report.not_decidable": (
            "被拒收的文件不能审核：请单位按上述问题改正后重新报送整份文件。",
            "A rejected file cannot be approved: the unit corrects the problems above and"
            " sends the whole file again.",
        ),
        # decisions
        "decide.title": ("审核", "Approve or withdraw"),
        "decide.current": ("当前审核状态：{approval}。", "Current approval: {approval}."),
        "decide.help": (
            "批准后本版本计入各项指标；撤回后恢复此前的版本。",
            "Approved, this version counts in the figures; withdrawn, the version before it"
            " counts again.",
        ),
        "decide.approve": ("批准", "Approve"),
        "decide.reject": ("撤回（驳回）", "Withdraw (reject)"),
        "decide.approved": (
            "已批准文件 #{file_id}（{file_name}），审核人：{who}。",
            "Approved file #{file_id} ({file_name}); steward: {who}.",
        ),
        "decide.rejected": (
            "已撤回文件 #{file_id}（{file_name}），审核人：{who}；此前的版本重新生效。",
            "Withdrew file #{file_id} ({file_name}); steward: {who}. The version before it"
            " counts again.",
        ),
        # approval page
        "approval.queue": ("待审核的报表", "Returns awaiting approval"),
        "approval.none_pending": ("没有待审核的报表。", "No return is awaiting approval."),
        "approval.policy": (
            "须经审核才生效的报表类别：{kinds}（可在“报送日历”页面修改）。",
            "Kinds that need a steward's approval: {kinds} (change this on the Reporting"
            " calendar page).",
        ),
        "approval.policy_none": (
            "目前各类报表在通过校验后即自动生效；需要审核的类别可在“报送日历”页面设置。"
            "锁定的报告期再收到的报表也须审核。",
            "Every kind goes live once it passes validation; choose the kinds that need"
            " approval on the Reporting calendar page. Returns for a locked period always wait"
            " for approval.",
        ),
        "approval.not_decidable": (
            "文件 #{file_id} 未被接收，不能审核；下面显示可审核的文件。",
            "File #{file_id} was not accepted, so there is nothing to approve; the files that"
            " can be decided on are listed instead.",
        ),
        "approval.decide": ("审核一个文件", "Decide on a file"),
        "approval.pick": ("选择要审核的文件", "File to decide on"),
        "approval.no_files": (
            "还没有可审核的文件（已接收的文件才能审核）。",
            "No accepted file to decide on yet.",
        ),
        "approval.history": ("全部审核记录", "All decisions"),
        "approval.no_history": ("还没有审核记录。", "No decisions yet."),
        # period locks
        "locks.title": ("锁定报告期", "Period locks"),
        "locks.caption": (
            "锁定已审核的某单位某期报表后，该期再收到的报表须经审核批准才生效。",
            "Once an approved (kind, unit, period) is locked, a later return for it only counts"
            " after a steward approves it.",
        ),
        "locks.active": ("生效中的锁定", "Active locks"),
        "locks.none": ("没有生效中的锁定。", "No active locks."),
        "locks.nothing_to_release": ("没有需要解除的锁定。", "Nothing to release."),
        "locks.history": ("锁定记录", "Lock history"),
        "locks.lock_form": ("锁定一期报表", "Lock a period"),
        "locks.release_form": ("解除锁定", "Release a lock"),
        "locks.kind": ("报表类别", "Return kind"),
        "locks.unit": ("单位", "Unit"),
        "locks.period": ("报告期", "Period"),
        "locks.pick": ("要解除的锁定", "Lock to release"),
        "locks.lock": ("锁定", "Lock"),
        "locks.release": ("解除锁定", "Release"),
        "locks.nothing": (
            "还没有已审核的按期报表可以锁定。",
            "No approved periodic return to lock yet.",
        ),
        "locks.locked": ("已锁定：{what}。", "Locked: {what}."),
        "locks.released": (
            "已解除锁定：{what}。锁定期间收到的报表仍须逐一审核。",
            "Released: {what}. Returns held while it was locked still need approving one by one.",
        ),
        # versions
        "versions.caption": (
            "同一单位同一期的报表每次重新报送都留作一个版本；按接收顺序比较相邻版本。",
            "Each resubmission of a unit's return for a period is kept as a version;"
            " consecutive versions are compared in the order received.",
        ),
        "versions.resubmitted": ("多次报送的报表", "Returns sent more than once"),
        "versions.none_resubmitted": (
            "还没有单位重复报送同一期报表。",
            "No unit has sent a period's return more than once yet.",
        ),
        "versions.latest_only": (
            "只列出最近重新报送的 {count} 份；更早的可在下方按单位和报告期查看。",
            "Only the latest {count} resubmissions are listed; pick a unit and period below"
            " for earlier ones.",
        ),
        "versions.none": (
            "还没有按期报送的报表（目标进度、就业情况、残疾人救助）。",
            "No periodic returns yet (target progress, employment, disability aid).",
        ),
        "versions.kind": ("报表类别", "Return kind"),
        "versions.unit": ("单位", "Unit"),
        "versions.period": ("报告期", "Period"),
        "versions.list": ("各版本", "Versions"),
        "versions.changes": ("版本间变化", "Changes between versions"),
        "versions.single": (
            "这一期只收到一个版本。",
            "Only one version of this return was received.",
        ),
        "versions.no_changes": (
            "相邻版本之间没有数字变化。",
            "Consecutive versions do not differ.",
        ),
        # reporting calendar
        "cal.kind": ("报表类别", "Return kind"),
        "cal.year": ("年度", "Year"),
        "cal.empty": (
            "报送日历需要单位名录和至少一年的数据：请先装载单位名录（units）和目标库或按期报表。",
            "The calendar needs the unit register and a year of figures: load the units"
            " register and the targets or periodic returns first.",
        ),
        "cal.no_expected": (
            "{year}年没有单位应报“{kind}”（见下方报送要求中的应报单位类别）。",
            "No unit is expected to send {kind} returns in {year} (see the expected unit types"
            " in the reporting rules below).",
        ),
        "cal.expected": ("应报", "Expected"),
        "cal.reporting_rate": ("报送率", "Reporting rate"),
        "cal.on_time_rate": ("及时报送率", "On-time rate"),
        "cal.approved": ("已审核生效", "Approved"),
        "cal.received.detail": (
            "已报 {received} / 应报 {expected} 份",
            "{received} of {expected} received",
        ),
        "cal.on_time.detail": (
            "按时 {on_time} / 应报 {expected} 份",
            "{on_time} of {expected} on time",
        ),
        "cal.approved.detail": ("待审核 {pending} 份", "{pending} awaiting approval"),
        "cal.rates_caption": (
            "报送率 = 已报 / 应报；及时报送率 = 截止日前报送 / 应报（截止日 = 报告期末 + 报送期限）。",
            "Reporting rate = received / expected; on-time rate = received by the due date /"
            " expected (due date = end of the period + the deadline).",
        ),
        "cal.by_period": ("各报告期报送情况", "Returns by period"),
        "cal.grid": ("单位 × 报告期", "Units × periods"),
        "cal.details": ("报送明细", "Returns by unit and period"),
        "cal.settings": ("报送要求", "Reporting rules"),
        "cal.edit": ("修改报送要求", "Change a kind's rules"),
        "cal.edit_kind": ("报表类别", "Return kind"),
        "cal.deadline_days": (
            "报送期限（报告期结束后天数）",
            "Deadline (days after the period ends)",
        ),
        "cal.requires_approval": ("须经审核后生效", "Needs a steward's approval"),
        "cal.save": ("保存", "Save"),
        "cal.saved": ("已保存“{kind}”的报送要求。", "Saved the rules for {kind}."),
        "cal.unchanged": ("报送要求没有改动，未作记录。", "Nothing changed; nothing was recorded."),
        "cal.changes": ("报送要求修改记录", "Changes to the reporting rules"),
        # upload
        "upload.caption": (
            "与 `ducha ingest` 相同的流程：每个文件整体装载或整体拒收；单位名录、目标库先装载。",
            "The same pipeline as `ducha ingest`: each file is loaded whole or rejected whole;"
            " the unit register and targets go first.",
        ),
        "upload.files": (
            "报表文件（CSV 或 Excel，可多选）",
            "Return files (CSV or Excel, several at once)",
        ),
        "upload.kind": ("报表类别", "Kind of return"),
        "upload.auto": ("按表头自动识别", "Recognise from the header"),
        "upload.as_of": (
            "截止日期（督办事项按此日期判断是否超期）",
            "As-of date (supervision items are judged at it)",
        ),
        "upload.submit": ("校验并装载", "Validate and load"),
        "upload.choose_first": ("请先选择要上传的文件。", "Choose the files to upload first."),
        "upload.results": ("装载结果", "Results"),
        "upload.accepted": ("{file}：已接收，{rows} 行。", "{file}: accepted, {rows} rows."),
        "upload.accepted_with_warnings": (
            "{file}：已接收，{rows} 行，有 {warnings} 个警告，请核实。",
            "{file}: accepted, {rows} rows, with {warnings} warnings to check.",
        ),
        "upload.pending": ("须经审核批准后生效。", "It counts once a steward approves it."),
        "upload.rejected": (
            "{file}：已拒收，{errors} 个错误；数据仓库未作任何改动。",
            "{file}: rejected, {errors} errors; nothing in the warehouse changed.",
        ),
        "upload.refused": (
            "{file}：未装载——{reason}",
            "{file}: not loaded — {reason}",
        ),
        "upload.limit": (
            "每个文件不超过 {limit} MB，文件名不超过 {chars} 个字符。",
            "Each file at most {limit} MB, its name at most {chars} characters.",
        ),
        "upload.bad_limit": (
            "上传已停用：{error}",
            "Uploads are off: {error}",
        ),
        "upload.duplicate": (
            "{file}：相同内容的文件已经载入（文件编号 #{file_id}），未作改动。",
            "{file}: the same bytes are already loaded (file #{file_id}); nothing changed.",
        ),
        "upload.templates": ("空白报表模板", "Blank templates"),
        "upload.templates.caption": (
            "每类报表一个 Excel 模板，含填写说明和下拉选项；单位代码取自当前单位名录。",
            "One Excel template per kind, with instructions and drop-downs; unit codes come"
            " from the current unit register.",
        ),
        # ETL runs
        "runs.caption": (
            "`ducha run --inbox 收件夹/` 每次定时装载的记录。",
            "Every scheduled load by `ducha run --inbox FOLDER/`.",
        ),
        "runs.none": (
            "还没有定时装载记录。运行 `ducha run --inbox 收件夹/`（或按 README 配置 cron / systemd）"
            "后会在此列出。",
            "No scheduled runs yet. They are listed here once `ducha run --inbox FOLDER/` runs"
            " (from cron or systemd, see the README).",
        ),
        "runs.count": ("运行次数", "Runs"),
        "runs.last": ("最近一次", "Last run"),
        "runs.failed": ("失败或中断", "Failed or interrupted"),
        "runs.rows": ("累计装载行数", "Rows loaded"),
        "runs.failures": (
            "有 {count} 次运行失败或中断（运行编号 {runs}），原因见“信息”列。",
            "{count} runs failed or were interrupted (runs {runs}); the Message column says why.",
        ),
        "runs.rejections": (
            "有 {count} 次运行含被拒收的文件（运行编号 {runs}），可在下方查看。",
            "{count} runs had rejected files (runs {runs}); see them below.",
        ),
        "runs.table": ("运行记录", "Runs"),
        "runs.pick": ("查看某次运行处理的文件", "Files of a run"),
        "runs.run": (
            "第 {run_id} 次运行（{started}）",
            "Run {run_id} ({started})",
        ),
        "runs.files": ("本次运行处理的文件", "Files of this run"),
        "runs.no_files": (
            "这次运行没有新文件（内容相同的文件只计数，不另行记录）。",
            "This run loaded no new file (files with the same bytes are counted, not recorded).",
        ),
    }
)

_COLUMNS_EN.update(
    {
        "file_id": "File id",
        "units": "Units",
        "periods": "Periods",
        "file_status": "Outcome",
        "approval": "Approval",
        "row_count": "Rows",
        "error_count": "Errors",
        "warning_count": "Warnings",
        "run_id": "Run",
        "decided_by": "Steward",
        "changed_by": "Changed by",
        "changed_at": "Changed at",
        "old_deadline_days": "Deadline before (days)",
        "new_deadline_days": "Deadline after (days)",
        "old_requires_approval": "Approval before",
        "new_requires_approval": "Approval after",
        "decided_at": "Decided at",
        "action": "Decision",
        "reason": "Reason",
        "locked_by": "Locked by",
        "locked_at": "Locked at",
        "released_by": "Released by",
        "released_at": "Released at",
        "release_reason": "Release reason",
        "severity": "Severity",
        "column_label": "Column",
        "value": "Value",
        "rule": "Rule",
        "message_zh": "Message (zh)",
        "message_en": "Message (en)",
        "expectation_type": "Expectation",
        "expectation_result": "Result",
        "element_count": "Rows checked",
        "unexpected_count": "Unexpected",
        "kwargs": "Arguments",
        "versions": "Versions",
        "change": "Change",
        "figure": "Figure",
        "old_value": "Old",
        "new_value": "New",
        "from_file": "From version",
        "to_file": "To version",
        "expected": "Expected",
        "received": "Received",
        "on_time": "On time",
        "approved": "Approved",
        "pending": "Awaiting approval",
        "reporting_rate": "Reporting rate",
        "on_time_report_rate": "On-time rate",
        "report_due_on": "Due on",
        "first_received_at": "First received",
        "latest_file_name": "Latest file",
        "calendar_status": "Status",
        "locked": "Locked",
        "frequency": "Frequency",
        "deadline_days": "Deadline (days)",
        "requires_approval": "Needs approval",
        "expected_unit_types": "Expected from",
        "started_at": "Started",
        "finished_at": "Finished",
        "duration_seconds": "Duration (s)",
        "inbox": "Inbox",
        "host": "Host",
        "run_status": "Status",
        "files_seen": "Files",
        "files_accepted": "Accepted",
        "files_rejected": "Rejected",
        "files_duplicate": "Duplicates",
        "rows_loaded": "Rows loaded",
        "message": "Message",
    }
)

_COLUMNS_ZH.update(
    {
        "file_id": "文件编号",
        "units": "单位",
        "periods": "报告期",
        "file_status": "处理结果",
        "approval": "审核",
        "row_count": "数据行数",
        "error_count": "错误",
        "warning_count": "警告",
        "run_id": "运行编号",
        "decided_by": "审核人",
        "changed_by": "修改人",
        "changed_at": "修改时间",
        "old_deadline_days": "原报送期限(天)",
        "new_deadline_days": "新报送期限(天)",
        "old_requires_approval": "原须经审核",
        "new_requires_approval": "新须经审核",
        "decided_at": "审核时间",
        "action": "决定",
        "reason": "理由",
        "locked_by": "锁定人",
        "locked_at": "锁定时间",
        "released_by": "解除人",
        "released_at": "解除时间",
        "release_reason": "解除理由",
        "severity": "级别",
        "column_label": "列",
        "value": "值",
        "rule": "规则",
        "message_zh": "说明（中文）",
        "message_en": "说明（英文）",
        "expectation_type": "规则类型",
        "expectation_result": "结果",
        "element_count": "检查行数",
        "unexpected_count": "不符合行数",
        "kwargs": "参数",
        "versions": "版本数",
        "change": "变化",
        "figure": "指标",
        "old_value": "原值",
        "new_value": "新值",
        "from_file": "原版本",
        "to_file": "新版本",
        "expected": "应报",
        "received": "已报",
        "on_time": "按时",
        "approved": "已审核",
        "pending": "待审核",
        "reporting_rate": "报送率",
        "on_time_report_rate": "及时报送率",
        "report_due_on": "报送截止日",
        "first_received_at": "首次报送时间",
        "latest_file_name": "最新文件",
        "calendar_status": "报送状态",
        "locked": "已锁定",
        "frequency": "报送频率",
        "deadline_days": "报送期限(天)",
        "requires_approval": "须经审核",
        "expected_unit_types": "应报单位类别",
        "started_at": "开始时间",
        "finished_at": "结束时间",
        "duration_seconds": "耗时(秒)",
        "inbox": "收件夹",
        "host": "主机",
        "run_status": "运行状态",
        "files_seen": "文件数",
        "files_accepted": "接收",
        "files_rejected": "拒收",
        "files_duplicate": "重复",
        "rows_loaded": "装载行数",
        "message": "信息",
    }
)

_ENUMS_ZH.update(
    {
        "file_status": {
            "accepted": "已接收",
            "accepted_with_warnings": "有警告",
            "rejected": "已拒收",
            "superseded": "已被替代",
            "pending": "待审核",
            "withdrawn": "已撤回",
            "validating": "校验中",
            "interrupted": "已中断",
        },
        "approval": {"approved": "已批准", "pending": "待审核", "rejected": "已撤回"},
        "severity": {"error": "错误", "warning": "警告"},
        "action": {"approve": "批准", "reject": "撤回"},
        "expectation_result": {"passed": "通过", "failed": "未通过"},
        "change": {"added": "新增", "removed": "删除", "changed": "修改"},
        "calendar_status": {
            "on_time": "按时报送",
            "late": "迟报",
            "pending": "待审核",
            "withdrawn": "已撤回",
            "missing": "未报",
            "not_due": "未到期",
        },
        "frequency": {"month": "按月", "quarter": "按季", "year": "按年", "": "不定期"},
        "run_status": {
            "running": "运行中",
            "succeeded": "成功",
            "rejected_files": "有拒收文件",
            "failed": "失败",
            "interrupted": "已中断",
        },
    }
)

_ENUMS_EN.update(
    {
        "file_status": {
            "accepted": "accepted",
            "accepted_with_warnings": "accepted with warnings",
            "rejected": "rejected",
            "superseded": "superseded",
            "pending": "pending approval",
            "withdrawn": "withdrawn",
            "validating": "being validated",
            "interrupted": "interrupted",
        },
        "approval": {"approved": "approved", "pending": "pending", "rejected": "withdrawn"},
        "severity": {"error": "error", "warning": "warning"},
        "action": {"approve": "approve", "reject": "withdraw"},
        "expectation_result": {"passed": "passed", "failed": "failed"},
        "change": {"added": "added", "removed": "removed", "changed": "changed"},
        "calendar_status": {
            "on_time": "on time",
            "late": "late",
            "pending": "pending approval",
            "withdrawn": "withdrawn",
            "missing": "missing",
            "not_due": "not due",
        },
        "frequency": {
            "month": "monthly",
            "quarter": "quarterly",
            "year": "yearly",
            "": "not periodic",
        },
        "run_status": {
            "running": "running",
            "succeeded": "succeeded",
            "rejected_files": "rejected files",
            "failed": "failed",
            "interrupted": "interrupted",
        },
    }
)


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


# ------------------------------------------- 督办预警 and 督查通报 (issue 13) --

_LABELS.update(
    {
        "page.bulletins": ("督查通报", "Bulletins"),
        "warn.header": ("督办预警", "Warnings"),
        "warn.caption": (
            "蓝色：距办理时限 {days} 天以内（含当天）；黄色：此前已用时超过 {share} 未办结；"
            "红色：已超期。按各事项的截止日期计算。",
            "Blue: due within {days} days (the due day included); yellow: before that, more than"
            " {share} of the time gone with no close; red: overdue. As of each item's as-of date.",
        ),
        "warn.colour_filter": ("预警颜色", "Colour"),
        "warn.all_colours": ("全部颜色", "All colours"),
        "warn.none": ("没有预警事项。", "No item carries a warning."),
        "warn.todo": ("单位待办清单", "A unit's to-do list"),
        "warn.todo_unit": ("承办单位", "Responsible unit"),
        "warn.todo_empty": ("该单位没有预警事项。", "This unit has no warned item."),
        "warn.overview": (
            "督办预警：红 {red} · 黄 {yellow} · 蓝 {blue}",
            "Warnings: red {red} · yellow {yellow} · blue {blue}",
        ),
        "bul.kind": ("通报类型", "Kind"),
        "bul.period": ("报告期", "Period"),
        "bul.published": (
            "本期已于 {at} 由 {by} 发布（第 {no} 期），下载的是存档原件。",
            "Published as issue {no} by {by} at {at}; the downloads are the archived bytes.",
        ),
        "bul.draft": ("草稿：第 {no} 期，尚未发布。", "Draft of issue {no}, not published."),
        "bul.preview": ("预览", "Preview"),
        "bul.requirements": ("四、工作要求", "IV. Requirements"),
        "bul.save": ("保存工作要求", "Save the requirements"),
        "bul.saved": ("已保存。", "Saved."),
        "bul.publish": ("发布本期通报", "Publish this issue"),
        "bul.published_now": ("已发布第 {no} 期。", "Issue {no} published."),
        "bul.render": ("生成 PDF 和 Word", "Render PDF and Word"),
        "bul.pdf": ("下载 PDF", "Download PDF"),
        "bul.docx": ("下载 Word", "Download Word"),
        "bul.archive": ("通报存档", "Archive"),
        "bul.archive_empty": ("还没有发布的通报。", "No bulletin has been published yet."),
        "bul.archive_pick": ("选择一期", "Pick an issue"),
        "bul.no_items": ("{error}", "{error}"),
        "bul.problems": ("三、存在问题", "III. Problems"),
        "bul.overview_text": ("一、总体情况", "I. Overview"),
        "bul.units": ("二、进展情况", "II. Progress by unit"),
    }
)
_COLUMNS_ZH.update(
    {
        "warning": "预警",
        "days_to_due": "距时限(天)",
        "elapsed_share": "已用时",
        "issue_no": "期号",
        "published_by": "发布人",
        "published_at": "发布时间",
        "pdf_sha256": "PDF SHA-256",
        "docx_sha256": "Word SHA-256",
        "bulletin_kind": "通报类型",
    }
)
_COLUMNS_EN.update(
    {
        "warning": "Warning",
        "days_to_due": "Days to due",
        "elapsed_share": "Time gone",
        "issue_no": "Issue",
        "published_by": "Published by",
        "published_at": "Published at",
        "pdf_sha256": "PDF SHA-256",
        "docx_sha256": "Word SHA-256",
        "bulletin_kind": "Bulletin",
    }
)
_ENUMS_ZH.update(
    {
        "warning": {"red": "红色", "yellow": "黄色", "blue": "蓝色"},
        "bulletin_kind": {"supervision": "督查通报", "meeting": "两委会议决事项落实情况"},
    }
)
_ENUMS_EN.update(
    {
        "warning": {"red": "red", "yellow": "yellow", "blue": "blue"},
        "bulletin_kind": {"supervision": "supervision bulletin", "meeting": "meeting decisions"},
    }
)


# ------------------------------------------------ 目标绩效考核 (issue 12) --

_LABELS.update(
    {
        "page.assessment": ("目标考核", "Assessment"),
        "assess.year": ("考核年度", "Assessment year"),
        "assess.empty": (
            "还没有考核方案。数据管理员用 ducha demo 载入示例，或在数据仓库中建立该年度的考核方案"
            "（etl/assessment.py 的默认方案），再载入“考核评估得分”和“考核加减分事项”报表。",
            "No assessment scheme yet. A steward loads the demo (ducha demo), or creates the"
            " year's scheme (etl/assessment.py's defaults), then loads the evaluation-score and"
            " bonus/deduction returns.",
        ),
        "assess.no_results": (
            "{year} 年度的考核方案还没有考核单位。",
            "The {year} scheme has no assessed units yet.",
        ),
        "assess.scheme": (
            "考核方案：{title}（{status}，{by} {at}）",
            "Scheme: {title} ({status}, {by} {at})",
        ),
        "assess.illustrative": (
            "示例数据：先进、合格单位的个数和点名的单位、第四名取自年鉴；各单位的得分、其余单位的"
            "名称和等次为示例。",
            "Illustrative: the counts of 先进 and 合格 units, the units named and the fourth place"
            " are the yearbook's; every score, the other units' names and grades are illustrative.",
        ),
        "assess.assessed": ("考核单位", "Units assessed"),
        "assess.external": (
            "{body}{assessment}：第 {rank} 名{out_of}{title}",
            "{body}, {assessment}: ranked {rank}{out_of}{title}",
        ),
        "assess.external_title": ("外部考核排名", "External rankings"),
        "assess.ranking": ("{name} 排名", "{name}: ranking"),
        "assess.scorecard": ("单位考核计分卡", "A unit's scorecard"),
        "assess.pick_unit": ("单位", "Unit"),
        "assess.parts": ("得分构成", "Parts of the total"),
        "assess.targets": ("目标计分（累进计分）", "Targets' points (progressive scoring)"),
        "assess.evaluations": ("评估得分", "Evaluations"),
        "assess.items": ("加减分及一票否决事项", "Bonus, deduction and veto items"),
        "assess.no_items": ("没有加减分事项。", "No bonus or deduction items."),
        "assess.total_line": (
            "总分 {total} = 各部分加权得分之和；类内第 {rank} 名（共 {size} 个单位），等次：{grade}",
            "Total {total} = the sum of the weighted parts; rank {rank} of {size} in class,"
            " grade: {grade}",
        ),
        "assess.summary_export": (
            "下载考核结果汇总表（Excel）",
            "Download the results table (Excel)",
        ),
        "assess.scorecard_export": ("下载本单位计分卡（Excel）", "Download this scorecard (Excel)"),
        "assess.summary_title": ("考核结果汇总表", "Results table"),
        "assess.drafts": ("方案草案与已发布方案对比", "Draft versus published scheme"),
        "assess.draft_pick": ("草案", "Draft"),
        "assess.no_drafts": ("本年度没有草案。", "No draft for this year."),
        "assess.changes": (
            "按草案，{changed} 个单位的排名或等次会变化。",
            "Under the draft, {changed} units change rank or grade.",
        ),
        "assess.new_draft": ("新建草案（数据管理员）", "New draft (stewards)"),
        "assess.share": ("{name}：先进比例上限", "{name}: share that may be 先进"),
        "assess.advanced_min": ("{name}：先进最低分", "{name}: lowest total for 先进"),
        "assess.make_draft": (
            "保存为草案（署名：{account}）",
            "Save as a draft (signed {account})",
        ),
        "assess.publish": (
            "发布此草案（署名：{account}）",
            "Publish this draft (signed {account})",
        ),
        "assess.published_now": ("已发布。", "Published."),
        "assess.drafted": ("已保存草案 {scheme}。", "Draft {scheme} saved."),
        "assess.note": ("说明", "Note"),
        "assess.frozen": (
            "已发布结果：{by} 于 {at} 发布，此后保持不变（校验码 {digest}）。",
            "Published results: published by {by} on {at} and kept as they were (digest {digest}).",
        ),
        "assess.not_published": (
            "{year} 年度结果尚未发布：以下为按当前数据计算的得分，会随数据变化。",
            "The {year} results are not published yet: the scores below follow today's data.",
        ),
        "assess.changed_since": (
            "发布后数据有变化：按当前数据，{changed} 个单位的得分、排名或等次与已发布结果不同"
            "（页面仍显示已发布结果）：{units}",
            "Data changed since publication: on today's data {changed} units' total, rank or"
            " grade differ from the published results (the page still shows those): {units}",
        ),
        "assess.changed_table": ("发布后数据有变化的单位", "Units changed since publication"),
        "assess.republish": (
            "按当前数据重新发布（署名：{account}）",
            "Publish again on today's data (signed {account})",
        ),
        "assess.republished": (
            "已重新发布；此前的发布结果仍保留。",
            "Published again; the earlier publication is kept.",
        ),
        "assess.scorecard_live": (
            "目标、评估和事项明细为当前数据。",
            "The targets, evaluations and items below are today's data.",
        ),
        "assess.record_ranking": (
            "登记外部考核排名（数据管理员）",
            "Record an external ranking (stewards)",
        ),
        "assess.ranking_year": ("年度", "Year"),
        "assess.ranking_body": ("考核机关", "Assessing body"),
        "assess.ranking_assessment": ("考核名称", "Assessment"),
        "assess.ranking_rank": ("名次", "Rank"),
        "assess.ranking_out_of": ("参评单位数（0：不详）", "Out of (0: not known)"),
        "assess.ranking_title": ("称号", "Title awarded"),
        "assess.ranking_save": ("登记（署名：{account}）", "Record (signed {account})"),
        "assess.ranking_saved": ("已登记。", "Recorded."),
        "assess.ranking_invalid": (
            "名次须 ≥ 1，参评单位数不得小于名次，考核机关和考核名称不能为空。",
            "The rank must be at least 1, out of no fewer than the rank; the assessing body and"
            " the assessment are required.",
        ),
    }
)
_COLUMNS_ZH.update(
    {
        "class_name": "考核类别",
        "total": "总分",
        "rank_in_class": "类内排名",
        "grade": "等次",
        "vetoed": "一票否决",
        "previous_rank": "上年排名",
        "rank_change": "名次变化",
        "part": "考核内容",
        "raw": "原始得分",
        "weighted": "加权得分",
        "extra_points": "超额加分",
        "deducted_points": "未完成扣分",
        "capped_label": "达到加分上限",
        "target_points": "计分",
        "vetoed_label": "一票否决",
        "draft_total": "草案总分",
        "draft_rank": "草案排名",
        "draft_grade": "草案等次",
        "published_total": "已发布总分",
        "current_total": "当前数据总分",
        "published_rank": "已发布排名",
        "current_rank": "当前数据排名",
        "published_grade": "已发布等次",
        "current_grade": "当前数据等次",
        "assessing_body": "考核机关",
        "assessment": "考核名称",
        "out_of": "参评单位数",
        "award_title": "称号",
    }
)
_COLUMNS_EN.update(
    {
        "class_name": "Class",
        "total": "Total",
        "rank_in_class": "Rank in class",
        "grade": "Grade",
        "vetoed": "Vetoed",
        "previous_rank": "Last year's rank",
        "rank_change": "Places gained",
        "part": "Part",
        "raw": "Raw score",
        "weighted": "Weighted",
        "extra_points": "Extra points",
        "deducted_points": "Points deducted",
        "capped_label": "At the cap",
        "target_points": "Points earned",
        "vetoed_label": "Vetoed",
        "draft_total": "Draft total",
        "draft_rank": "Draft rank",
        "draft_grade": "Draft grade",
        "published_total": "Published total",
        "current_total": "Total on today's data",
        "published_rank": "Published rank",
        "current_rank": "Rank on today's data",
        "published_grade": "Published grade",
        "current_grade": "Grade on today's data",
        "assessing_body": "Assessing body",
        "assessment": "Assessment",
        "out_of": "Out of",
        "award_title": "Title awarded",
        "evaluation_type": "Evaluation",
        "score": "Score",
        "raters": "Raters",
        "item_type": "Item type",
        "points": "Points",
        "reason": "Reason",
        "document": "Document",
    }
)
_ENUMS_ZH.update(
    {
        "grade": {"advanced": "先进", "pass": "合格", "fail": "不合格"},
        "part": {
            "targets": "目标完成",
            "leaders": "领导评估",
            "satisfaction": "政务服务满意度评估",
            "integrity": "党风廉政建设评估",
            "bonus": "加分",
            "deduction": "扣分",
        },
        "evaluation_type": EVALUATION_TYPES,
        "item_type": ASSESSMENT_ITEM_TYPES,
        "scheme_status": {"draft": "草案", "published": "已发布", "superseded": "已被替代"},
    }
)
_ENUMS_EN.update(
    {
        "grade": {"advanced": "advanced", "pass": "pass", "fail": "fail"},
        "part": {
            "targets": "targets",
            "leaders": "leaders' evaluation",
            "satisfaction": "service satisfaction",
            "integrity": "clean government",
            "bonus": "bonus",
            "deduction": "deduction",
        },
        "evaluation_type": {
            "leaders": "leaders' evaluation",
            "satisfaction": "service satisfaction",
            "integrity": "clean government",
        },
        "item_type": {"bonus": "bonus", "deduction": "deduction", "veto": "veto"},
        "scheme_status": {"draft": "draft", "published": "published", "superseded": "superseded"},
    }
)
_ENUMS_EN["kind"].update(
    {
        "assessment_evaluations": "assessment evaluations",
        "assessment_items": "assessment bonus and deduction items",
    }
)


# ------------------------------------------------------- 对标分析 (issue 14) --

_LABELS.update(
    {
        "page.peers": ("对标分析", "Peer benchmark"),
        "peer.caption": (
            "本区与成都市五城区逐月对比主要经济指标：排名、最佳区县及差距。",
            "This zone against the city's five urban districts, month by month: rank, the best"
            " peer and the gap to it.",
        ),
        "peer.illustrative": (
            "示例数据：本页各区县数据为演示用的示例数据（非真实统计），仅用于展示对标分析功能。",
            "Illustrative figures: the districts' figures on this page are made up for the demo"
            " (not real statistics); they only show how the benchmark works.",
        ),
        "peer.empty": (
            "{year} 年还没有可查看的对标指标数据。先载入对标指标库（`ducha ingest 文件 --kind"
            " indicators`），再载入各区县指标数据（`--kind indicator_figures`）；或运行"
            " `ducha demo` 加载示例数据。同级区县数据仅领导和数据管理员可见。",
            "No peer-benchmark figures to show for {year}. Load the indicator register"
            " (`ducha ingest FILE --kind indicators`), then the districts' figures"
            " (`--kind indicator_figures`), or run `ducha demo` for illustrative ones. Peer"
            " districts' figures are shown to leaders and stewards.",
        ),
        "peer.empty.leader": (
            "{year} 年的对标指标数据尚未装载。各区县的月度数据经统计部门汇编、数据管理员装载后，"
            "这里会显示本区各项指标的排名和与最佳区县的差距。",
            "The peer-benchmark figures for {year} have not been loaded yet. Once the"
            " districts' monthly figures are compiled and the data steward has loaded them,"
            " this page shows this zone's rank and its gap to the best district.",
        ),
        "peer.empty.reporter": (
            "同级区县的对标数据仅领导和数据管理员可以查看；{year} 年没有本单位报送的对标指标数据。"
            "如本单位负责汇编对标指标数据，请在“上传”页面上传“对标指标数据”报表；"
            "如有疑问，请联系数据管理员。",
            "Peer districts' benchmark figures are shown to leaders and data stewards; your"
            " unit has sent none for {year}. If your unit compiles them, upload the"
            ' "indicator figures" return on the Upload page; otherwise ask the data steward.',
        ),
        "peer.year": ("年度", "Year"),
        "peer.month": ("月份", "Month"),
        "peer.indicator": ("指标", "Indicator"),
        "peer.first": ("排名第一的指标", "Indicators ranked first"),
        "peer.not_first": ("未居第一的指标", "Indicators not first"),
        "peer.narrowed": ("差距较上月缩小", "Gap narrowed since last month"),
        "peer.of": ("共 {total} 项指标", "of {total} indicators"),
        "peer.heatmap": ("各指标逐月排名", "Rank by indicator and month"),
        "peer.heatmap.caption": (
            "格中数字为本区在当月报送数据的区县中的名次（并列取较好名次）；绿色为第一。",
            "Each cell is this zone's rank among the districts that reported that month (ties"
            " share the better rank); green is first.",
        ),
        "peer.lines": ("{indicator}：各区县逐月数值", "{indicator}: each district by month"),
        "peer.gap_chart": ("{indicator}：与最佳区县的差距", "{indicator}: gap to the best peer"),
        "peer.gap_chart.caption": (
            "差距率 =（最佳区县值 − 本区值）÷ 最佳区县值，按指标方向计；正数为落后，负数为领先。",
            "Gap rate = (best peer − this zone) ÷ best peer, in the indicator's direction;"
            " positive is behind, negative ahead.",
        ),
        "peer.table": ("{month} 对标情况", "Standing in {month}"),
        "peer.sources": ("数据来源：{indicator}（{month}）", "Sources: {indicator} ({month})"),
        "peer.brief": ("月度对标简报", "Monthly comparison brief"),
        "peer.brief.caption": (
            "列出本区未居第一的指标、与最佳区县的差距及变化趋势（一页）。",
            "The indicators where this zone is not first, the gap and the trend (one page).",
        ),
        "peer.brief.pdf": ("下载简报 PDF", "Download the brief (PDF)"),
        "peer.brief.xlsx": ("下载简报 Excel", "Download the brief (Excel)"),
        "peer.brief.failed": ("简报生成失败：{error}", "The brief could not be made: {error}"),
        "peer.zone": ("本区", "this zone"),
        "peer.gap_rate": ("差距率", "Gap rate"),
        "peer.rank": ("名次", "Rank"),
    }
)

_COLUMNS_ZH.update(
    {
        "indicator_code": "指标代码",
        "indicator_name": "指标名称",
        "zone_value": "本区数值",
        "districts_ranked": "参与排名区县数",
        "peers_missing": "未报区县数",
        "best_peer_name": "最佳区县",
        "best_peer_value": "最佳区县数值",
        "gap": "差距",
        "gap_rate": "差距率",
        "gap_narrowed": "差距较上月缩小",
        "zone_growth": "本区同比增长",
        "growth_rank": "增速排名",
        "best_growth_peer_name": "增速最佳区县",
        "best_peer_growth": "最佳增速",
        "growth_gap": "增速差距",
        "growth_gap_narrowed": "增速差距较上月缩小",
        "district_name": "区县",
        "figure_value": "指标值",
        "yoy_growth": "同比增长",
        "figure_source": "数据来源",
        "basis": "数据口径",
    }
)
_COLUMNS_EN.update(
    {
        "indicator_code": "Indicator code",
        "indicator_name": "Indicator",
        "zone_value": "This zone",
        "districts_ranked": "Districts ranked",
        "peers_missing": "Peers missing",
        "best_peer_name": "Best peer",
        "best_peer_value": "Best peer's value",
        "gap": "Gap",
        "gap_rate": "Gap rate",
        "gap_narrowed": "Gap narrowed since last month",
        "zone_growth": "This zone's YoY growth",
        "growth_rank": "Growth rank",
        "best_growth_peer_name": "Best peer by growth",
        "best_peer_growth": "Best peer's growth",
        "growth_gap": "Growth gap",
        "growth_gap_narrowed": "Growth gap narrowed",
        "district_name": "District",
        "figure_value": "Value",
        "yoy_growth": "YoY growth",
        "figure_source": "Source",
        "basis": "Basis",
    }
)
_ENUMS_ZH.update(
    {
        "narrowed": {"True": "是", "False": "否"},
        "basis": dict(FIGURE_BASES),
    }
)
_ENUMS_EN.update(
    {
        "narrowed": {"True": "yes", "False": "no"},
        "basis": {code: code for code in FIGURE_BASES},
    }
)
