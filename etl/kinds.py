"""The one description of every return kind (contract §1), written as data.

Everything else is derived from it: header mapping, cell parsers, the Great
Expectations suites in ``expectations/``, staging tables' columns, templates and
the report's column names. Adding a column is one edit here plus a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

ColumnType = Literal["text", "int", "number", "date", "period", "enum"]

UNIT_TYPES = {"subdistrict": "街道", "department": "部门", "affiliated": "直属单位"}
TARGET_SOURCES = {
    "city": "市委市政府目标",
    "characteristic": "特色指标",
    "livelihood": "为民办实事",
    "special": "网络专项目标",
    "provincial": "省委省政府目标",
}
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
SUPERVISION_SOURCES = {
    "city": "市委市政府督办",
    "leader": "上级领导批示",
    "meeting": "两委会议决事项",
    "deputy": "人大代表建议",
    "cppcc": "政协委员提案",
}
# An address a mail server will take: one @, a dotted domain, no spaces.
EMAIL_REGEX = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
SATISFACTION = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
# 目标绩效考核's bonus, deduction and veto (一票否决) items.
ASSESSMENT_ITEM_TYPES = {"bonus": "加分", "deduction": "扣分", "veto": "一票否决"}
# 目标绩效考核's evaluations (《实施细则》: 领导评估、政务服务满意度评估、党风廉政建设评估).
EVALUATION_TYPES = {
    "leaders": "领导评估",
    "satisfaction": "政务服务满意度评估",
    "integrity": "党风廉政建设评估",
}
# 对标分析: whether leaders follow an indicator, and whether a figure is the year
# to date or the month alone.
YES_NO = {"yes": "是", "no": "否"}
FIGURE_BASES = {"cumulative": "累计", "monthly": "当月"}


@dataclass(frozen=True)
class Column:
    """One column of a return: its names, type and cell-level rules."""

    name: str
    zh: str
    type: ColumnType
    required: bool = True
    enum: dict[str, str] | None = None  # code -> Chinese label
    default: str | None = None  # used when the cell is empty
    minimum: Decimal | int | None = None
    exclusive_minimum: bool = False
    maximum: Decimal | int | None = None
    regex: str | None = None
    max_length: int | None = None
    max_decimals: int | None = None
    unique: bool = False  # unique within the file
    rate: bool = False  # may carry a trailing %
    period_granularity: Literal["month"] | None = None
    # Kept as written (only trimmed): no width folding of what a person typed.
    verbatim: bool = False

    @property
    def sql_type(self) -> str:
        return {
            "text": "text",
            "enum": "text",
            "period": "text",
            "int": "bigint",
            "number": "numeric",
            "date": "date",
        }[self.type]

    def label(self) -> str:
        return f"{self.zh} ({self.name})"


def needed(column: Column) -> bool:
    """A column the unit must fill and the header must have: required, and no default."""
    return column.required and column.default is None


@dataclass(frozen=True)
class PairRule:
    """column_a must relate to column_b (both present); `a <= b` and so on."""

    column_a: str
    op: Literal["<=", ">="]
    column_b: str
    slug: str
    zh: str
    en: str


@dataclass(frozen=True)
class Reference:
    """A set-based rule checked against the warehouse (unknown unit or target).

    ``query`` selects the offending rows as (row_no, value, other) from
    ``{staged}`` (staging.<kind>) for ``%(file_id)s``, at most ``%(cap)s`` of
    them; ``detail_zh``/``detail_en`` follow the message with ``{value}`` and
    ``{other}`` filled in. Without a query, etl/validate.py has one for the slug.
    """

    slug: str
    columns: tuple[str, ...]
    zh: str
    en: str
    query: str | None = None
    detail_zh: str = "：“{value}”"
    detail_en: str = ": '{value}'"


@dataclass(frozen=True)
class Kind:
    """A return kind: its columns, keys and rules."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    unique_together: tuple[tuple[str, ...], ...] = ()
    pair_rules: tuple[PairRule, ...] = ()
    references: tuple[Reference, ...] = ()
    # The version key (contract §2): a later file for the same key supersedes.
    version_key: tuple[str, ...] = ()
    # Slice kinds: a return is the unit's whole report for (unit, period).
    sliced: bool = False
    master: bool = False
    # Returns about units rather than from them (assessment scores and items): like
    # master data, loaded only by a steward of every unit, never by a unit's own upload.
    office_only: bool = False
    load_order: int = 10
    extra_rules: tuple[str, ...] = field(default=())
    # The column that names a row within its return (mart.return_rows.item_key).
    item_column: str = "unit_code"
    # Where a row's year comes from when the kind has no period: a year column
    # or a date column (its year); None: the kind has no year. A non-sliced
    # kind's summaries are kept per that year.
    year_column: str | None = None
    # The public view leaders read the kind through (contract §4), if any.
    mart_view: str | None = None
    # Summaries derived from the kind's current rows besides the slice and file
    # counts (sql/migrations/0006): SQL functions of a file_id, run in the
    # transaction that changes which of that file's rows are current.
    derived: tuple[str, ...] = ()
    # core.<kind> is partitioned by year (sql/migrations/0090): the load makes
    # the partitions of the years a file reports on before its rows go in.
    year_partitioned: bool = False

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def units_report(self) -> bool:
        """Whether a unit reporter may upload it (for their own units only, migration 0046)."""
        return not (self.master or self.office_only)

    @property
    def period_grain(self) -> str | None:
        """The grain its period column takes ("month"), "any", or None without a period."""
        for column in self.columns:
            if column.type == "period":
                return column.period_granularity or "any"
        return None

    def __post_init__(self) -> None:
        # A kind described wrongly fails at import, not in the middle of a load.
        names = {column.name for column in self.columns}
        for name in (self.item_column, self.year_column, *self.version_key):
            if name is not None and name not in names:
                raise ValueError(f"kind {self.name}: no column {name!r}")
        if self.sliced and self.period_grain is None:
            raise ValueError(f"kind {self.name}: a sliced kind needs a period column")
        if self.year_partitioned and not self.sliced and self.year_column is None:
            raise ValueError(f"kind {self.name}: a kind partitioned by year needs a year")


def _unit_ref(column: str = "unit_code") -> Reference:
    return Reference(
        slug="unknown-unit",
        columns=(column,),
        zh="单位代码不在单位名录中",
        en="unit code is not in the unit register",
    )


UNITS = Kind(
    name="units",
    zh="单位名录",
    master=True,
    load_order=0,
    version_key=("unit_code",),
    mart_view="mart.units",
    columns=(
        Column("unit_code", "单位代码", "text", regex=r"^[A-Z0-9-]{2,20}$", unique=True),
        Column("unit_name", "单位名称", "text", unique=True),
        Column("unit_type", "单位类别", "enum", enum=UNIT_TYPES),
        # Where `ducha remind` sends the unit's digest of warned 督办事项.
        Column("email", "联系邮箱", "text", required=False, regex=EMAIL_REGEX),
    ),
)

TARGETS = Kind(
    name="targets",
    year_partitioned=True,
    zh="目标库",
    master=True,
    load_order=1,
    version_key=("year", "target_code"),
    item_column="target_code",
    year_column="year",
    mart_view="mart.target_completion",
    unique_together=(("year", "target_code"),),
    references=(_unit_ref(),),
    columns=(
        Column("year", "年度", "int", minimum=2000, maximum=2100),
        Column("target_code", "目标编号", "text"),
        Column("target_name", "目标名称", "text"),
        Column("source", "目标来源", "enum", enum=TARGET_SOURCES),
        Column("unit_code", "责任单位", "text"),
        Column("measure", "计量单位", "text"),
        Column("planned_value", "年度目标值", "number", minimum=0, exclusive_minimum=True),
        Column("direction", "指标方向", "enum", enum=DIRECTIONS, default="higher"),
        Column("weight", "分值", "number", required=False, minimum=0),
    ),
)

TARGET_PROGRESS = Kind(
    name="target_progress",
    year_partitioned=True,
    zh="目标进度",
    sliced=True,
    item_column="target_code",
    mart_view="mart.target_progress",
    version_key=("unit_code", "period"),
    unique_together=(("period", "unit_code", "target_code"),),
    references=(
        _unit_ref(),
        Reference(
            slug="unknown-target",
            columns=("target_code",),
            zh="目标编号不是该年度的目标",
            en="target code is not a target of that year",
        ),
        Reference(
            slug="not-responsible-unit",
            columns=("unit_code",),
            zh="该单位不是此目标的责任单位",
            en="unit is not the target's responsible unit",
        ),
    ),
    columns=(
        Column("period", "报告期", "period"),
        Column("unit_code", "单位代码", "text"),
        Column("target_code", "目标编号", "text"),
        Column("actual_value", "累计完成值", "number", minimum=0),
        Column("note", "备注", "text", required=False),
    ),
)

EMPLOYMENT = Kind(
    name="employment",
    year_partitioned=True,
    zh="就业情况",
    sliced=True,
    item_column="area_name",
    mart_view="mart.employment",
    version_key=("unit_code", "period"),
    unique_together=(("period", "unit_code", "area_name"),),
    references=(_unit_ref(),),
    pair_rules=(
        PairRule(
            "employed",
            "<=",
            "labor_force",
            "employed-le-labor-force",
            "已就业人数不能大于有就业愿望劳动力",
            "employed must not exceed labor_force",
        ),
        PairRule(
            "aid_placements",
            "<=",
            "aid_referrals",
            "placements-le-referrals",
            "成功上岗人数不能大于援助推荐人数",
            "aid_placements must not exceed aid_referrals",
        ),
    ),
    columns=(
        Column("period", "报告期", "period"),
        Column("unit_code", "单位代码", "text"),
        Column("area_name", "社区/集中居住区", "text"),
        Column("labor_force", "有就业愿望劳动力", "int", minimum=0),
        Column("employed", "已就业人数", "int", minimum=0),
        Column("zero_employment_households", "零就业家庭户数", "int", minimum=0),
        Column("aid_referrals", "援助推荐人数", "int", minimum=0),
        Column("aid_placements", "成功上岗人数", "int", minimum=0),
        Column("graduates_hired", "接收高校毕业生", "int", required=False, minimum=0),
        Column("trainees", "培训人数", "int", required=False, minimum=0),
        Column("labor_transferred", "转移就业人数", "int", required=False, minimum=0),
    ),
)

DISABILITY_AID = Kind(
    name="disability_aid",
    year_partitioned=True,
    zh="残疾人救助发放",
    sliced=True,
    item_column="program",
    mart_view="mart.disability_aid",
    version_key=("unit_code", "period"),
    unique_together=(("period", "unit_code", "program"),),
    references=(_unit_ref(),),
    # §1.5: amount ≠ person_times × standard (beyond 0.01) is a warning.
    extra_rules=("amount-mismatch",),
    pair_rules=(
        PairRule(
            "person_times",
            ">=",
            "households",
            "person-times-ge-households",
            "人次不能少于户数",
            "person_times must not be less than households",
        ),
    ),
    columns=(
        Column("period", "发放月份", "period", period_granularity="month"),
        Column("unit_code", "单位代码", "text"),
        Column("program", "救助项目", "text"),
        Column("households", "户数", "int", minimum=0),
        Column("person_times", "人次", "int", minimum=0),
        Column(
            "standard_yuan",
            "发放标准(元/人次)",
            "number",
            required=False,
            minimum=0,
            exclusive_minimum=True,
        ),
        Column("amount_yuan", "发放金额(元)", "number", minimum=0, max_decimals=2),
    ),
)

SUPERVISION = Kind(
    name="supervision",
    year_partitioned=True,
    zh="督办事项",
    version_key=("item_code",),
    item_column="item_code",
    year_column="registered_on",
    mart_view="mart.supervision_items",
    references=(_unit_ref(),),
    pair_rules=(
        PairRule(
            "due_on",
            ">=",
            "registered_on",
            "due-on-ge-registered-on",
            "办理时限不能早于立项日期",
            "due_on must not be before registered_on",
        ),
        PairRule(
            "closed_on",
            ">=",
            "registered_on",
            "closed-on-ge-registered-on",
            "办结日期不能早于立项日期",
            "closed_on must not be before registered_on",
        ),
        PairRule(
            "closed_on",
            "<=",
            "as_of",
            "closed-on-le-as-of",
            "办结日期不能晚于报表截止日期(as-of)",
            "closed_on must not be after the as-of date",
        ),
    ),
    columns=(
        Column("item_code", "事项编号", "text", unique=True),
        Column("source", "事项来源", "enum", enum=SUPERVISION_SOURCES),
        Column("title", "事项名称", "text", max_length=500, verbatim=True),
        Column("unit_code", "承办单位", "text"),
        Column("registered_on", "立项日期", "date"),
        Column("due_on", "办理时限", "date"),
        Column("closed_on", "办结日期", "date", required=False),
        Column("satisfaction", "反馈意见", "enum", required=False, enum=SATISFACTION),
    ),
)

# A unit outside the year's assessed list (the members of the year's scheme,
# assess.assessed_units, sql/migrations/0060). An unknown unit is reported as such, not twice.
_ASSESSED_UNIT = Reference(
    slug="not-assessed-unit",
    columns=("unit_code",),
    zh="该单位不在该年度的考核单位名单中",
    en="unit is not on the year's list of assessed units",
    detail_zh="：“{value}”（{other} 年度）",
    detail_en=": '{value}' (year {other})",
    query="""
        with outside as materialized (
            select distinct unit_code, year from {staged}
            where file_id = %(file_id)s and unit_code is not null and year is not null
            except
            select unit_code, year from assess.assessed_units
        )
        select s.row_no, s.unit_code as value, s.year::text as other
        from {staged} as s
        join outside as o on o.unit_code = s.unit_code and o.year = s.year
        where s.file_id = %(file_id)s
          and exists (
              select 1 from core.units as u where u.is_current and u.unit_code = s.unit_code
          )
        order by s.row_no
        limit %(cap)s
    """,
)

# 考核评估得分: a unit's score in one evaluation of the year's assessment.
ASSESSMENT_EVALUATIONS = Kind(
    name="assessment_evaluations",
    office_only=True,
    zh="考核评估得分",
    version_key=("year", "unit_code", "evaluation_type"),
    unique_together=(("year", "unit_code", "evaluation_type"),),
    item_column="evaluation_type",
    year_column="year",
    mart_view="mart.assessment_evaluations",
    references=(_unit_ref(), _ASSESSED_UNIT),
    columns=(
        Column("year", "考核年度", "int", minimum=2000, maximum=2100),
        Column("unit_code", "单位代码", "text"),
        Column("evaluation_type", "评估类型", "enum", enum=EVALUATION_TYPES),
        Column("score", "得分", "number", minimum=0, maximum=100, max_decimals=2),
        Column("raters", "评估人数", "int", minimum=1),
        Column("note", "备注", "text", required=False),
    ),
)

# 考核加减分事项: a bonus, deduction or veto of one unit in the year's assessment,
# with its reason and the document it rests on.
ASSESSMENT_ITEMS = Kind(
    name="assessment_items",
    office_only=True,
    zh="考核加减分事项",
    version_key=("year", "item_code"),
    unique_together=(("year", "item_code"),),
    item_column="item_code",
    year_column="year",
    mart_view="mart.assessment_items",
    references=(_unit_ref(), _ASSESSED_UNIT),
    columns=(
        Column("year", "考核年度", "int", minimum=2000, maximum=2100),
        Column("item_code", "事项编号", "text"),
        Column("unit_code", "单位代码", "text"),
        Column("item_type", "事项类型", "enum", enum=ASSESSMENT_ITEM_TYPES),
        # A veto's points are not counted (write 0).
        Column("points", "分值", "number", minimum=0, maximum=100, max_decimals=2),
        Column("reason", "事由", "text", max_length=500, verbatim=True),
        Column("document", "文件依据", "text", required=False, max_length=200),
    ),
)

# 对标分析 (issue 14): the main economic indicators, this zone's and the peer
# districts' (成都市五城区), month by month. The register says what each
# indicator is and which unit answers for it; the figures are compiled by a unit
# (the statistics office, say) from the bulletins each district publishes.
INDICATORS = Kind(
    name="indicators",
    zh="对标指标库",
    master=True,
    load_order=2,
    version_key=("indicator_code",),
    item_column="indicator_code",
    mart_view="mart.indicators",
    # A changed direction re-ranks the indicator's months (sql/migrations/0071).
    derived=("core.refresh_peer_standings",),
    references=(_unit_ref(),),
    columns=(
        Column("indicator_code", "指标代码", "text", regex=r"^[A-Z0-9-]{2,30}$", unique=True),
        Column("indicator_name", "指标名称", "text", unique=True),
        Column("measure", "计量单位", "text"),
        Column("direction", "指标方向", "enum", enum=DIRECTIONS, default="higher"),
        Column("followed", "领导关注", "enum", enum=YES_NO, default="no"),
        Column("unit_code", "责任单位", "text"),
    ),
)

INDICATOR_FIGURES = Kind(
    name="indicator_figures",
    zh="对标指标数据",
    # One figure is its own version: a peer's revised figure supersedes that
    # figure alone, not the month's others (which come from other bulletins).
    version_key=("period", "district_code", "indicator_code"),
    unique_together=(("period", "district_code", "indicator_code"),),
    item_column="indicator_code",
    year_column="period",
    mart_view="mart.peer_benchmark",
    # Each (indicator, month)'s standing, what the page reads (sql/migrations/0071).
    derived=("core.refresh_peer_standings",),
    references=(
        _unit_ref(),
        Reference(
            slug="unknown-district",
            columns=("district_code",),
            zh="区县代码不在对标区县名录中",
            en="district code is not in the register of districts",
        ),
        Reference(
            slug="unknown-indicator",
            columns=("indicator_code",),
            zh="指标代码不在对标指标库中",
            en="indicator code is not in the indicator register",
        ),
    ),
    # Growth that disagrees with last year's figure is a warning, not a rejection:
    # a peer's bulletin may have revised last year quietly.
    extra_rules=("growth-mismatch",),
    columns=(
        Column("period", "报告期", "period", period_granularity="month"),
        Column("district_code", "区县代码", "text"),
        Column("indicator_code", "指标代码", "text"),
        Column("value", "指标值", "number"),
        Column("basis", "数据口径", "enum", enum=FIGURE_BASES, default="cumulative"),
        Column("yoy_growth", "同比增长", "number", required=False, rate=True),
        Column("source", "数据来源", "text", max_length=500),
        Column("unit_code", "填报单位", "text"),
    ),
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        UNITS,
        TARGETS,
        TARGET_PROGRESS,
        EMPLOYMENT,
        DISABILITY_AID,
        SUPERVISION,
        ASSESSMENT_EVALUATIONS,
        ASSESSMENT_ITEMS,
        INDICATORS,
        INDICATOR_FIGURES,
    )
}


def kind_by_any_name(name: str) -> Kind | None:
    """Look a kind up by its English code or Chinese name."""
    cleaned = name.strip()
    for kind in KINDS.values():
        if cleaned in (kind.name, kind.zh):
            return kind
    return None
