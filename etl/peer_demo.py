"""The demo's 对标分析 figures: a year of ILLUSTRATIVE indicator figures.

The seed says the office "逐月分析汇总主要经济指标运行情况，全面查找与成都市五城区
最佳成绩的差距" but gives no figures, so every figure here is made up: plausible in
size for 2006, not the districts' real statistics. Each figure's source says so
(示例数据 illustrative), and so do the page and the README.

Nothing is random: values follow fixed formulas, so two runs write identical
bytes. What the formulas give, by design: this zone first in some indicators
(industry, exports, foreign investment), behind in others (retail, local revenue,
unemployment), some gaps narrowing through the year and some widening; 成华区
publishes January and February together, so it has no 2006-01 figures; and 武侯区
revises its June GDP in a later file (the revision supersedes the first figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEMO_YEAR = 2006
# 党政办公室 compiles the comparison (etl/demo.py: "home of 目标管理督查").
COMPILING_UNIT = "BM-DZB"
ILLUSTRATIVE_ZH = "示例数据，非真实统计"
ILLUSTRATIVE_EN = "illustrative figures, not real statistics"

# (code, name) in the order of core.districts (sql/migrations/0070).
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("GXQ", "成都高新区"),
    ("JJQ", "锦江区"),
    ("QYQ", "青羊区"),
    ("JNQ", "金牛区"),
    ("WHQ", "武侯区"),
    ("CHQ", "成华区"),
)
HOME = "GXQ"


@dataclass(frozen=True)
class DemoIndicator:
    """One indicator: its register row and each district's year-end figure and pace."""

    code: str
    name: str
    measure: str
    direction: str  # higher | lower
    followed: bool
    unit_code: str
    basis: str  # cumulative | monthly
    # District -> (year-end value, pace, growth). For cumulative figures the
    # month-m value is year_end × (m/12)^pace: a pace below 1 front-loads the
    # year, so a district with a lower pace than its rival is ahead early and
    # its lead shrinks. For monthly figures (rates) the value drifts by `pace`
    # per month from year_end − 11 × pace. growth: year-on-year, a fraction.
    figures: dict[str, tuple[str, str, str]]


INDICATORS: tuple[DemoIndicator, ...] = (
    DemoIndicator(
        "GDP", "地区生产总值", "亿元", "higher", True, "BM-JM", "cumulative",
        {"GXQ": ("418.6", "1.04", "0.192"), "JJQ": ("268.2", "1.00", "0.138"),
         "QYQ": ("310.5", "1.00", "0.135"), "JNQ": ("295.1", "1.00", "0.141"),
         "WHQ": ("436.0", "0.98", "0.146"), "CHQ": ("188.7", "1.00", "0.129")},
    ),
    DemoIndicator(
        "IND-VA", "规模以上工业增加值", "亿元", "higher", True, "BM-JM", "cumulative",
        {"GXQ": ("236.4", "1.00", "0.265"), "JJQ": ("21.3", "1.00", "0.102"),
         "QYQ": ("35.8", "1.00", "0.118"), "JNQ": ("64.2", "1.00", "0.155"),
         "WHQ": ("98.7", "1.00", "0.171"), "CHQ": ("72.5", "1.00", "0.142")},
    ),
    DemoIndicator(
        "FAI", "全社会固定资产投资", "亿元", "higher", True, "BM-TZ", "cumulative",
        {"GXQ": ("212.0", "1.10", "0.284"), "JJQ": ("168.4", "1.00", "0.221"),
         "QYQ": ("176.9", "1.00", "0.203"), "JNQ": ("201.3", "1.00", "0.236"),
         "WHQ": ("224.8", "0.96", "0.215"), "CHQ": ("187.2", "1.00", "0.262")},
    ),
    DemoIndicator(
        "RETAIL", "社会消费品零售总额", "亿元", "higher", False, "BM-JM", "cumulative",
        {"GXQ": ("61.3", "1.00", "0.171"), "JJQ": ("231.6", "1.00", "0.158"),
         "QYQ": ("205.4", "1.00", "0.149"), "JNQ": ("148.9", "1.00", "0.153"),
         "WHQ": ("176.2", "1.00", "0.161"), "CHQ": ("96.5", "1.00", "0.147")},
    ),
    DemoIndicator(
        "REVENUE", "地方财政一般预算收入", "亿元", "higher", True, "BM-CZ", "cumulative",
        {"GXQ": ("24.6", "1.06", "0.312"), "JJQ": ("19.8", "1.00", "0.186"),
         "QYQ": ("25.3", "0.97", "0.174"), "JNQ": ("17.9", "1.00", "0.192"),
         "WHQ": ("21.4", "1.00", "0.201"), "CHQ": ("11.2", "1.00", "0.165")},
    ),
    DemoIndicator(
        "FDI", "实际利用外资", "亿美元", "higher", True, "BM-TZ", "cumulative",
        {"GXQ": ("5.82", "1.00", "0.536"), "JJQ": ("0.71", "1.00", "0.121"),
         "QYQ": ("0.93", "1.00", "0.184"), "JNQ": ("0.64", "1.00", "0.097"),
         "WHQ": ("1.25", "1.00", "0.215"), "CHQ": ("0.58", "1.00", "0.133")},
    ),
    DemoIndicator(
        "EXPORT", "进出口总额", "亿美元", "higher", False, "BM-JM", "cumulative",
        {"GXQ": ("38.4", "1.00", "0.418"), "JJQ": ("3.2", "1.00", "0.087"),
         "QYQ": ("4.1", "1.00", "0.112"), "JNQ": ("2.7", "1.00", "0.095"),
         "WHQ": ("6.3", "1.00", "0.143"), "CHQ": ("1.9", "1.00", "0.074")},
    ),
    DemoIndicator(
        "INCOME", "城镇居民人均可支配收入", "元", "higher", True, "BM-RL", "cumulative",
        {"GXQ": ("12580", "1.00", "0.121"), "JJQ": ("12960", "1.00", "0.118"),
         "QYQ": ("12745", "1.00", "0.117"), "JNQ": ("12210", "1.00", "0.112"),
         "WHQ": ("12580", "1.00", "0.124"), "CHQ": ("11930", "1.00", "0.109")},
    ),
    DemoIndicator(
        "UNEMP", "城镇登记失业率", "%", "lower", True, "BM-RL", "monthly",
        {"GXQ": ("2.10", "-0.03", "-0.080"), "JJQ": ("2.60", "-0.01", "-0.040"),
         "QYQ": ("2.30", "-0.02", "-0.050"), "JNQ": ("2.90", "-0.01", "-0.030"),
         "WHQ": ("1.90", "0.01", "-0.020"), "CHQ": ("3.10", "-0.02", "-0.060")},
    ),
    DemoIndicator(
        "ENERGY", "万元地区生产总值能耗", "吨标准煤", "lower", False, "BM-HB", "monthly",
        {"GXQ": ("0.42", "-0.002", "-0.048"), "JJQ": ("0.61", "-0.001", "-0.031"),
         "QYQ": ("0.58", "-0.001", "-0.035"), "JNQ": ("0.83", "-0.002", "-0.027"),
         "WHQ": ("0.55", "-0.001", "-0.029"), "CHQ": ("0.97", "-0.001", "-0.022")},
    ),
)  # fmt: skip

# 成华区 publishes January and February together: no 2006-01 figures.
MISSING = {("CHQ", 1)}
# 武侯区's June GDP as first published, before the revision in a later file.
REVISED = ("WHQ", "GDP", 6)
FIRST_PUBLISHED_GDP = Decimal("210.00")

_BULLETIN = {
    "GXQ": "成都高新区统计局统计月报",
    "JJQ": "锦江区统计局统计月报",
    "QYQ": "青羊区统计局统计月报",
    "JNQ": "金牛区统计局统计月报",
    "WHQ": "武侯区统计局统计月报",
    "CHQ": "成华区统计局统计月报",
}


def _value(indicator: DemoIndicator, district: str, month: int) -> Decimal:
    year_end, pace, _growth = (Decimal(x) for x in indicator.figures[district])
    places = Decimal("0.01") if year_end < 100 else Decimal("0.1")
    if year_end >= 1000:
        places = Decimal("1")
    if indicator.basis == "monthly":
        places = Decimal("0.001") if year_end < 1 else Decimal("0.01")
        return (year_end - (12 - month) * pace).quantize(places)
    share = Decimal(month / 12) ** pace
    return (year_end * share).quantize(places)


def _growth(indicator: DemoIndicator, district: str, month: int) -> Decimal:
    _year_end, _pace, growth = (Decimal(x) for x in indicator.figures[district])
    # A little movement month to month, the same for everyone in a month.
    return (growth + Decimal((month % 4) - 1) / 500).quantize(Decimal("0.0001"))


def indicator_rows() -> list[dict[str, object]]:
    """The register (对标指标库) rows."""
    return [
        {
            "indicator_code": i.code,
            "indicator_name": i.name,
            "measure": i.measure,
            "direction": i.direction,
            "followed": "yes" if i.followed else "no",
            "unit_code": i.unit_code,
        }
        for i in INDICATORS
    ]


def _source(district: str, month: int) -> str:
    return f"{_BULLETIN[district]} {DEMO_YEAR}年{month}月（{ILLUSTRATIVE_ZH}）"


def figure_rows(month: int) -> list[dict[str, object]]:
    """Every district's figures for ``month`` as first compiled."""
    rows: list[dict[str, object]] = []
    for indicator in INDICATORS:
        for district, _name in DISTRICTS:
            if (district, month) in MISSING:
                continue
            value = _value(indicator, district, month)
            if (district, indicator.code, month) == REVISED:
                value = FIRST_PUBLISHED_GDP
            rows.append(
                {
                    "period": f"{DEMO_YEAR}-{month:02d}",
                    "district_code": district,
                    "indicator_code": indicator.code,
                    "value": value,
                    "basis": indicator.basis,
                    "yoy_growth": f"{_growth(indicator, district, month) * 100:.2f}%",
                    "source": _source(district, month),
                    "unit_code": COMPILING_UNIT,
                }
            )
    return rows


def revision_rows() -> list[dict[str, object]]:
    """武侯区's revised June GDP: one row, superseding the first figure alone."""
    district, code, month = REVISED
    indicator = next(i for i in INDICATORS if i.code == code)
    return [
        {
            "period": f"{DEMO_YEAR}-{month:02d}",
            "district_code": district,
            "indicator_code": code,
            "value": _value(indicator, district, month),
            "basis": indicator.basis,
            "yoy_growth": f"{_growth(indicator, district, month) * 100:.2f}%",
            "source": f"{_BULLETIN[district]} {DEMO_YEAR}年7月（修订6月数）（{ILLUSTRATIVE_ZH}）",
            "unit_code": COMPILING_UNIT,
        }
    ]
