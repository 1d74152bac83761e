"""The demo data set: the seed's 2006 figures written as the return files units send.

``ducha demo`` records the 2005 assessment's scheme (:func:`record_demo_assessment`),
calls :func:`write_demo_returns` and ingests the files through the
normal pipeline with ``as_of=DEMO_AS_OF``. Every figure a leader will check comes
from ``shared/seed/chengdu-hitech-2006-target-supervision.md`` (quoted beside it);
what the seed does not give (planned values, mid-year progress, names of places
it does not mention, unit prices of some aid programs) is illustrative and says so.
Nothing is random: the detail is spread from the seed's totals by fixed formulas,
so two runs write identical bytes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import xlsxwriter

from etl import assessment, peer_demo, warehouse
from etl.kinds import KINDS, Kind

DEMO_YEAR = 2006
# The yearbook entry sums up the year: items still open at 2006-12-31 are "未到期待复".
DEMO_AS_OF = date(2006, 12, 31)
# Fixed document date inside the XLSX files, so their bytes do not depend on today.
_XLSX_CREATED = datetime(2007, 1, 8, 9, 0, 0)

# ---------------------------------------------------------------------------
# 单位名录. "对区内31家目标单位的目标完成情况进行考核，经贸发展局、投资服务局、
# 人事劳动和社会保障局等23个单位……投资集团公司、法院、检察院等8个单位" — the
# seed names some; the rest are the usual offices of a zone of that time.
# ---------------------------------------------------------------------------
UNITS: tuple[tuple[str, str, str], ...] = (
    # (unit_code, unit_name, unit_type)
    ("JD-FC", "芳草街道", "subdistrict"),
    ("JD-XJH", "肖家河街道", "subdistrict"),
    ("JD-SY", "石羊街道", "subdistrict"),
    ("JD-GX", "桂溪街道", "subdistrict"),
    ("JD-HZ", "合作街道", "subdistrict"),  # 高新西区
    ("BM-DZB", "党政办公室", "department"),  # home of 目标管理督查
    ("BM-JM", "经贸发展局", "department"),
    ("BM-TZ", "投资服务局", "department"),
    ("BM-RL", "人事劳动和社会保障局", "department"),
    ("BM-CZ", "财政局", "department"),
    ("BM-SY", "社会事业局", "department"),
    ("BM-GJ", "规划建设局", "department"),
    ("BM-CG", "城市管理局", "department"),
    ("BM-HB", "环境保护局", "department"),
    ("BM-AJ", "安全生产监督管理局", "department"),
    ("BM-KJ", "科技局", "department"),
    ("BM-NF", "农村发展局", "department"),
    ("BM-XQ", "高新西区管理办公室", "department"),
    ("ZS-TZJT", "投资集团公司", "affiliated"),
    ("ZS-FY", "法院", "affiliated"),
    ("ZS-JCY", "检察院", "affiliated"),
    ("ZS-GA", "公安分局", "affiliated"),
    ("ZS-GS", "工商分局", "affiliated"),
    ("ZS-DS", "地税局", "affiliated"),
    ("ZS-CL", "残疾人联合会", "affiliated"),
    ("ZS-RJY", "天府软件园有限公司", "affiliated"),
    # Five more, so the 2005 assessment has the seed's 31 目标单位; names illustrative.
    ("BM-JW", "纪工委监察局", "department"),
    ("BM-SJ", "审计局", "department"),
    ("ZS-GT", "国土资源分局", "affiliated"),
    ("ZS-ZJ", "质量技术监督分局", "affiliated"),
    ("ZS-XF", "消防大队", "affiliated"),
)

# ---------------------------------------------------------------------------
# 目标库 2006 and its progress. "承担成都市委、市政府下达主要工作目标69项（含11项
# 特色指标），为民办实事目标10项，网络、专项目标30项，四川省委、省政府目标43项……
# 各项目标均完成或超额完成" — so every year-end actual meets its planned value.
# The seed gives year-end actuals for the 10 为民办实事 only; planned values, the
# mid-year (2006-06, cumulative) figures and all figures of the other sources are
# illustrative. Rates are written in percent, as the units' forms carry them.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTarget:
    """One 2006 target with its half-year and year-end cumulative actuals."""

    code: str
    source: str
    name: str
    unit_code: str
    measure: str
    planned: str
    direction: str
    weight: str
    mid_year: str
    year_end: str
    note: str = ""


# fmt: off
TARGETS: tuple[DemoTarget, ...] = (
    # 为民办实事 — the seed's ten items, in its order (一 … 十).
    # 一 "5个建成入住的农民集中居住区就业率达95.6%，全部实现充分就业" (= the employment
    # returns: Q2 and Q4 employed / labor_force of the five areas).
    DemoTarget("SS-01", "livelihood", "农民集中居住区就业率", "BM-RL", "%", "95", "higher", "4",
               "93.3", "95.6", "5个农民集中居住区全部实现充分就业"),
    # 二 "财政支出768.5万元……免费义务教育；财政支出70.3万元……'两免一补'、'帮困助学'"
    DemoTarget("SS-02", "livelihood", "免费义务教育和帮困助学财政投入", "BM-SY", "万元", "800",
               "higher", "4", "420.6", "838.8", "768.5万元+70.3万元"),
    # 三 "为全区2469名残疾人提供康复服务并建立康复训练档案"
    DemoTarget("SS-03", "livelihood", "残疾人康复服务人数", "ZS-CL", "人", "2400", "higher", "3",
               "1180", "2469", "建立5个社区残疾人康复活动中心（站）"),
    # 四 "对应提供法律援助的农民工援助率达100%"
    DemoTarget("SS-04", "livelihood", "农民工法律援助率", "BM-RL", "%", "100", "higher", "3",
               "100", "100", "受理农民工投诉举报139起"),
    # 五 "完成新北小区5280平方米健身主题游园的建设；完成站南组团仁和片区22000平方米游园建设"
    DemoTarget("SS-05", "livelihood", "游园建设面积", "BM-CG", "平方米", "27280", "higher", "3",
               "5280", "27280", "新北小区5280平方米+仁和片区22000平方米"),
    # 六 "发展和培育通威、嘉禾……华高药业等11家年销售收入5000万元以上的农业产业化经营龙头企业"
    DemoTarget("SS-06", "livelihood", "年销售收入5000万元以上农业产业化龙头企业", "BM-NF", "家",
               "10", "higher", "3", "8", "11", "带动农户面达60%"),
    # 七 "失地农民和农村富余劳动力向非农产业转移3861人" (= the employment returns'
    # labor_transferred, Q1+Q2 and the year).
    DemoTarget("SS-07", "livelihood", "失地农民和农村富余劳动力转移就业", "BM-RL", "人", "3500",
               "higher", "4", "1807", "3861", "引导性培训5702人，职业技能培训5612人"),
    # 八 "为226名奖励扶助对象发放奖金13.6万元"
    DemoTarget("SS-08", "livelihood", "农村计划生育家庭奖励扶助对象", "BM-SY", "人", "226",
               "higher", "2", "226", "226", "发放奖金13.6万元；叶酸片571瓶"),
    # 九 "向顺江学校和西区二小分别赠送价值49917元、16598元的图书和12767元、7239元的体育
    # 文化用品" — 49917+16598+12767+7239 = 86521 元.
    DemoTarget("SS-09", "livelihood", "向农村学校赠送图书和体育文化用品", "BM-SY", "元", "80000",
               "higher", "2", "49917", "86521", "顺江学校、西区二小"),
    # 十 "完成13个小游园和4条林荫道路的植被增绿工作，新增乔木5000余株"
    DemoTarget("SS-10", "livelihood", "小游园和林荫道路植被增绿", "BM-CG", "处", "17", "higher",
               "2", "6", "17", "新增乔木5000余株；破墙透绿2.48公里"),
    # 特色指标 — "汇总上报特色指标11项" (科技部国家高新区评价指标体系); values illustrative.
    DemoTarget("TS-01", "characteristic", "技工贸总收入", "BM-JM", "亿元", "900", "higher", "6",
               "431.5", "952.6"),
    DemoTarget("TS-02", "characteristic", "高新技术产业产值", "BM-JM", "亿元", "600", "higher",
               "6", "287.4", "638.2"),
    DemoTarget("TS-03", "characteristic", "规模以上工业增加值", "BM-JM", "亿元", "160", "higher",
               "5", "76.8", "171.3"),
    DemoTarget("TS-04", "characteristic", "出口创汇", "BM-JM", "亿美元", "18", "higher", "4",
               "8.9", "19.6"),
    DemoTarget("TS-05", "characteristic", "软件及服务外包收入", "ZS-RJY", "亿元", "80", "higher",
               "4", "37.2", "86.5"),
    DemoTarget("TS-06", "characteristic", "新认定高新技术企业", "BM-KJ", "家", "60", "higher", "3",
               "24", "68"),
    DemoTarget("TS-07", "characteristic", "专利申请量", "BM-KJ", "件", "1800", "higher", "3",
               "820", "1936"),
    DemoTarget("TS-08", "characteristic", "孵化器在孵企业", "BM-KJ", "家", "500", "higher", "3",
               "512", "548"),
    DemoTarget("TS-09", "characteristic", "企业研发投入占销售收入比重", "BM-KJ", "%", "5",
               "higher", "3", "4.8", "5.3"),
    DemoTarget("TS-10", "characteristic", "新增留学人员创业企业", "BM-KJ", "家", "30", "higher",
               "2", "14", "33"),
    DemoTarget("TS-11", "characteristic", "实际利用外资", "BM-TZ", "亿美元", "3", "higher", "4",
               "1.6", "3.4"),
    # 市委市政府目标 — a handful of the 58 besides the characteristic ones; illustrative.
    DemoTarget("CS-01", "city", "地区生产总值", "BM-JM", "亿元", "260", "higher", "8", "124.6",
               "278.4"),
    DemoTarget("CS-02", "city", "全社会固定资产投资", "BM-GJ", "亿元", "180", "higher", "8",
               "86.2", "192.7"),
    DemoTarget("CS-03", "city", "地方财政一般预算收入", "BM-CZ", "亿元", "20", "higher", "8",
               "10.8", "21.9"),
    DemoTarget("CS-04", "city", "招商引资到位资金", "BM-TZ", "亿元", "150", "higher", "6",
               "78.5", "163.2"),
    DemoTarget("CS-05", "city", "城镇新增就业", "BM-RL", "人", "8000", "higher", "4", "4120",
               "8640"),
    DemoTarget("CS-06", "city", "城镇登记失业率", "BM-RL", "%", "4.2", "lower", "3", "3.9", "3.6"),
    DemoTarget("CS-07", "city", "农民人均纯收入", "BM-NF", "元", "5500", "higher", "4", "2860",
               "5820"),
    DemoTarget("CS-08", "city", "社会消费品零售总额", "BM-JM", "亿元", "90", "higher", "3",
               "43.1", "95.8"),
    # 街道目标突出"四位一体" — two subdistricts' own targets.
    DemoTarget("CS-09", "city", "社区文化活动中心建设", "JD-FC", "个", "6", "higher", "2", "3",
               "6"),
    DemoTarget("CS-10", "city", "城市管理综合整治示范街", "JD-XJH", "条", "3", "higher", "2", "1",
               "3"),
    # 网络、专项目标 — "分解下达'产业发展年'、'招商引资'、'规范化服务型政府建设'、'推进城乡
    # 一体化'、'促进充分就业'工作等54项专项目标".
    DemoTarget("ZX-01", "special", "产业发展年：新开工重点产业项目", "BM-JM", "个", "40",
               "higher", "3", "21", "44"),
    DemoTarget("ZX-02", "special", "招商引资：新签约重大项目", "BM-TZ", "个", "50", "higher", "3",
               "26", "57"),
    DemoTarget("ZX-03", "special", "规范化服务型政府建设：行政审批事项按时办结率", "BM-DZB", "%",
               "98", "higher", "3", "99.2", "99.5"),
    # "5个建成入住的农民集中居住区"
    DemoTarget("ZX-04", "special", "推进城乡一体化：建成入住农民集中居住区", "BM-GJ", "个", "5",
               "higher", "3", "3", "5"),
    # "纳入考核的4个街道全部实现比较充分就业"
    DemoTarget("ZX-05", "special", "促进充分就业：实现比较充分就业的街道", "BM-RL", "个", "4",
               "higher", "3", "2", "4"),
    # "全面动态消除'零就业'家庭"
    DemoTarget("ZX-06", "special", "促进充分就业：零就业家庭动态消除率", "BM-RL", "%", "100",
               "higher", "2", "57.1", "100"),
    # "立项督办件45件，实际办结43件" — 43/45 = 95.6% (= the supervision return).
    DemoTarget("ZX-07", "special", "市委市政府督办件办结率", "BM-DZB", "%", "95", "higher", "2",
               "79.2", "95.6", "立项督办件45件，实际办结43件，未到期待复2件"),
    # 四川省委、省政府目标 — a handful of the 43; illustrative. Lower is better for the first four.
    DemoTarget("SW-01", "provincial", "生产安全事故死亡人数", "BM-AJ", "人", "3", "lower", "4",
               "1", "2"),
    DemoTarget("SW-02", "provincial", "万元地区生产总值综合能耗", "BM-JM", "吨标准煤", "0.62",
               "lower", "3", "0.61", "0.60"),
    DemoTarget("SW-03", "provincial", "化学需氧量排放量", "BM-HB", "吨", "1200", "lower", "3",
               "560", "1130"),
    DemoTarget("SW-04", "provincial", "人口自然增长率", "BM-SY", "‰", "5", "lower", "2", "4.1",
               "4.3"),
    DemoTarget("SW-05", "provincial", "新型农村合作医疗参合率", "BM-SY", "%", "90", "higher", "3",
               "92.5", "96.0"),
    DemoTarget("SW-06", "provincial", "审判案件结案率", "ZS-FY", "%", "90", "higher", "2", "88.4",
               "93.2"),
    DemoTarget("SW-07", "provincial", "批捕、起诉案件按期办结率", "ZS-JCY", "%", "100", "higher",
               "2", "100", "100"),
)
# fmt: on

# "主要工作目标69项（含11项特色指标），为民办实事目标10项，网络、专项目标30项，四川省委、
# 省政府目标43项": the register holds the seed's counts. Beyond the targets above, the
# rest are illustrative: "<unit>年度重点工作目标（示例）", spread over the units in turn,
# each met or exceeded ("各项目标均完成或超额完成").
REGISTER_COUNTS = {
    "city": 58,
    "characteristic": 11,
    "livelihood": 10,
    "special": 30,
    "provincial": 43,
}
_FILLER_PREFIX = {"city": "CS", "special": "ZX", "provincial": "SW"}


def _filler_targets() -> tuple[DemoTarget, ...]:
    names = {code: name for code, name, _ in UNITS}
    owners = [code for code, _, _ in UNITS[:26]]  # the units with 2006 returns
    written = {source: sum(t.source == source for t in TARGETS) for source in REGISTER_COUNTS}
    fillers = []
    turn = 0
    for source, prefix in _FILLER_PREFIX.items():
        for number in range(written[source] + 1, REGISTER_COUNTS[source] + 1):
            unit = owners[turn % len(owners)]
            planned = 4 + turn % 5
            fillers.append(
                DemoTarget(
                    f"{prefix}-{number:02d}",
                    source,
                    f"{names[unit]}年度重点工作目标（示例）{number}",
                    unit,
                    "项",
                    str(planned),
                    "higher",
                    "1",
                    str(planned // 2),
                    str(planned + turn % 2),
                )
            )
            turn += 1
    return tuple(fillers)


TARGETS = TARGETS + _filler_targets()

# ---------------------------------------------------------------------------
# 2005年度目标绩效综合考核. "对区内31家目标单位的目标完成情况进行考核，经贸发展局、投资
# 服务局、人事劳动和社会保障局等23个单位被评为'2005年度目标绩效考核先进单位'；投资集团
# 公司、法院、检察院等8个单位被评为'2005年度目标绩效考核合格单位'" and "成都高新区管委会
# 在2005年度市级政府部门目标综合考核中排名第四，并被评为'完成2005年度工作目标任务先进
# 单位'". The grades and the fourth place are the seed's; every score behind them
# (targets, progress, evaluations, items) and the other units' grades are
# illustrative, scored by the default scheme (etl/assessment.py).
# ---------------------------------------------------------------------------
ASSESSMENT_YEAR = 2005
# The seed's 8 合格单位: the three it names and five illustrative ones.
QUALIFIED_2005 = ("ZS-TZJT", "ZS-FY", "ZS-JCY", "JD-HZ", "BM-SJ", "ZS-GT", "ZS-ZJ", "ZS-XF")
ADVANCED_NAMED_2005 = ("BM-JM", "BM-TZ", "BM-RL")
EXTERNAL_RANKING_2005 = assessment.ExternalRanking(
    year=ASSESSMENT_YEAR,
    assessing_body="成都市委、市政府",
    assessment="2005年度市级政府部门目标综合考核",
    rank=4,
    out_of=None,  # the seed does not say of how many
    title="完成2005年度工作目标任务先进单位",
)
DEMO_SIGNER = "ducha-demo"


def _assessed_2005() -> list[tuple[int, str, str]]:
    """(position, unit_code, unit_type) of the 31 units assessed for 2005."""
    return [(i, code, kind) for i, (code, _, kind) in enumerate(UNITS)]


def assessment_target_rows() -> list[Row]:
    """目标库 2005: two targets a unit (illustrative), 分值 5 and 3."""
    names = {code: name for code, name, _ in UNITS}
    rows: list[Row] = []
    for _, code, _ in _assessed_2005():
        for number, weight in ((1, "5"), (2, "3")):
            rows.append(
                {
                    "year": ASSESSMENT_YEAR,
                    "target_code": f"K05-{code}-{number}",
                    "target_name": f"{names[code]}2005年度工作目标（示例）{number}",
                    "source": "city",
                    "unit_code": code,
                    "measure": "%",
                    "planned_value": "100",
                    "direction": "higher",
                    "weight": weight,
                }
            )
    return rows


def assessment_progress_rows() -> list[Row]:
    """目标进度 2005-12: 先进 units at or over plan, 合格 units a little under it."""
    rows: list[Row] = []
    for i, code, _ in _assessed_2005():
        qualified = code in QUALIFIED_2005
        actuals = ("92", "95") if qualified else (str(100 + i % 4), "100")
        for number, actual in zip((1, 2), actuals, strict=True):
            rows.append(
                {
                    "period": f"{ASSESSMENT_YEAR}-12",
                    "unit_code": code,
                    "target_code": f"K05-{code}-{number}",
                    "actual_value": actual,
                    "note": "示例",
                }
            )
    return sorted(rows, key=lambda row: (str(row["unit_code"]), str(row["target_code"])))


def assessment_evaluation_rows() -> list[Row]:
    """领导评估, 政务服务满意度评估, 党风廉政建设评估 of 2005 (illustrative scores)."""
    rows: list[Row] = []
    for i, code, _ in _assessed_2005():
        if code in QUALIFIED_2005:
            scores = (80 + i % 5, 78 + i % 4, 85 + i % 3)
        else:
            scores = (90 + i % 7, 88 + i % 5, 92 + i % 4)
        for kind, score, raters in zip(
            ("leaders", "satisfaction", "integrity"), scores, (15, 120, 12), strict=True
        ):
            rows.append(
                {
                    "year": ASSESSMENT_YEAR,
                    "unit_code": code,
                    "evaluation_type": kind,
                    "score": Decimal(score),
                    "raters": raters,
                    "note": "示例",
                }
            )
    return rows


def assessment_item_rows() -> list[Row]:
    """加减分事项 of 2005 (illustrative)."""
    return [
        {
            "year": ASSESSMENT_YEAR,
            "item_code": "2005-JF-01",
            "unit_code": "BM-JM",
            "item_type": "bonus",
            "points": Decimal(2),
            "reason": "获省级表彰（示例）",
            "document": "示例文件〔2005〕1号",
        },
        {
            "year": ASSESSMENT_YEAR,
            "item_code": "2005-JF-02",
            "unit_code": "BM-TZ",
            "item_type": "bonus",
            "points": Decimal(1),
            "reason": "招商引资工作获市级通报表扬（示例）",
            "document": "示例文件〔2005〕2号",
        },
        {
            "year": ASSESSMENT_YEAR,
            "item_code": "2005-KF-01",
            "unit_code": "ZS-XF",
            "item_type": "deduction",
            "points": Decimal(1),
            "reason": "考核材料报送迟延（示例）",
            "document": "",
        },
    ]


def record_demo_assessment(url: str) -> None:
    """The 2005 scheme (defaults, a draft) and the zone's external ranking, once.

    Written before the returns are loaded: the assessment returns name the
    year's assessed units, so the scheme must be there first. It is published
    after them (:func:`publish_demo_assessment`): publishing freezes the results.
    """
    members = {
        code: "subdistrict" if kind == "subdistrict" else "department"
        for _, code, kind in _assessed_2005()
    }
    with warehouse.connect(url) as conn:
        exists = conn.execute(
            "select 1 from assess.schemes where year = %s", (ASSESSMENT_YEAR,)
        ).fetchone()
        if exists is None:
            assessment.create_scheme(
                conn,
                ASSESSMENT_YEAR,
                DEMO_SIGNER,
                members=members,
                title="成都高新区目标管理实施细则（2005年版）（示例方案）",
                note="示例 illustrative: the default scheme, not the office's own figures",
            )
        ranked = conn.execute(
            "select 1 from assess.external_rankings where year = %s", (ASSESSMENT_YEAR,)
        ).fetchone()
        if ranked is None:
            assessment.record_external_ranking(conn, EXTERNAL_RANKING_2005, DEMO_SIGNER)


def publish_demo_assessment(url: str) -> None:
    """Publish the 2005 scheme on the loaded returns (freezing its results), once."""
    with warehouse.connect(url) as conn:
        draft = conn.execute(
            "select scheme_id from assess.schemes where year = %s and status = 'draft'"
            " and not exists (select from assess.schemes where year = %s and status <> 'draft')"
            " order by scheme_id limit 1",
            (ASSESSMENT_YEAR, ASSESSMENT_YEAR),
        ).fetchone()
        if draft is not None:
            assessment.publish(conn, int(draft[0]), DEMO_SIGNER)


# ---------------------------------------------------------------------------
# 就业情况 — quarterly returns of the subdistricts for the five resettlement areas.
# "5个建成入住的农民集中居住区就业率达95.6%" → the Q4 stocks below: 4780 / 5000.
# Only 新北小区 and 站南(仁和片区) are named in the seed; the other areas are illustrative.
# ---------------------------------------------------------------------------
RESETTLEMENT_AREAS: tuple[tuple[str, str, int, int, int], ...] = (
    # (unit_code, area_name, labor_force at 2006-12-31, employed at 2006-12-31,
    #  零就业家庭 at 2006-03-31 — eliminated one a quarter, none left at year end)
    ("JD-SY", "新北小区", 1240, 1188, 3),
    ("JD-SY", "站南仁和新居", 1085, 1036, 1),
    ("JD-GX", "顺江小区", 960, 919, 2),
    ("JD-GX", "桂溪新居", 905, 862, 0),
    ("JD-HZ", "合作新居", 810, 775, 1),
)
# Quarter-end employment rates climb 1.1 points a quarter to the year-end figure.
EMPLOYMENT_RATE_STEP = Fraction(11, 1000)

# Zone-wide flows per quarter (Q1…Q4), spread over the areas by labor force.
EMPLOYMENT_FLOWS: dict[str, tuple[int, int, int, int]] = {
    # "'就业援助110'自开通后，总计为104人推荐就业，其中95人成功上岗，成功上岗率91.3%"
    "aid_referrals": (18, 29, 31, 26),  # = 104
    "aid_placements": (16, 26, 29, 24),  # = 95
    # "全年接受应届高校毕业生1802人" — most arrive after July's graduation.
    "graduates_hired": (96, 285, 1061, 360),  # = 1802
    # "全年开发农村劳动力引导性培训5702人；开展职业技能培训5612人" — 5702+5612 = 11314
    "trainees": (2380, 3150, 3096, 2688),  # = 11314
    # "失地农民和农村富余劳动力向非农产业转移3861人"
    "labor_transferred": (742, 1065, 1118, 936),  # = 3861
}

# ---------------------------------------------------------------------------
# 残疾人救助发放 — monthly returns.
# "将残疾人特困补助由50元/月提高到100元/月，为3244人次（289户）特困残疾人发放专项
# 生活补助金324400元" — 324400 / 3244 = 100 元 a person-time, so the whole year is
# paid at the new standard. One beneficiary a household: the 289 households are the
# "289名特困残疾人" who also got the 医疗爱心卡. The roll grew to 289 by December.
# ---------------------------------------------------------------------------
HARDSHIP_PROGRAM = "特困生活补助"
HARDSHIP_STANDARD_YUAN = Decimal(100)
# Households on the roll at the end of 2006, by subdistrict (sum 289).
HARDSHIP_ROLL: tuple[tuple[str, int], ...] = (
    ("JD-FC", 41),
    ("JD-XJH", 47),
    ("JD-SY", 78),
    ("JD-GX", 72),
    ("JD-HZ", 51),
)
# Households not yet on the roll, month by month (Jan…Dec): 289×12 − 224 = 3244 person-times.
HARDSHIP_NOT_YET_ENROLLED = (34, 32, 30, 28, 26, 24, 20, 14, 8, 5, 3, 0)

# The 残联's other programs: (month, program, persons, 元 a person or None, amount 元).
OTHER_AID: tuple[tuple[int, str, int, Decimal | None, Decimal], ...] = (
    # "为全区289名特困残疾人每人提供500元的残疾人医疗爱心卡"
    (3, "医疗爱心卡", 289, Decimal(500), Decimal(144500)),
    # "为71名残疾人发放轮椅" — price per chair as in shared/examples (6 chairs, 3150 元).
    (5, "辅助器具", 71, Decimal(525), Decimal(37275)),
    # "为全区2469名残疾人提供康复服务……提供价值55万元的残疾人家庭康复药箱"
    (6, "康复药箱", 2469, None, Decimal(550000)),
    # "资助565名贫困残疾人加入农村医疗保障和少儿互助金" — 20 元 each is illustrative.
    (7, "参保资助", 565, Decimal(20), Decimal(11300)),
    # "为11名贫困残疾人实施白内障复明手术" — 800 元 an operation is illustrative.
    (9, "复明手术", 11, Decimal(800), Decimal(8800)),
    # "为2名残疾人家庭子女提供奖学金4000元"
    (9, "助学金", 2, Decimal(2000), Decimal(4000)),
)
DISABLED_FEDERATION = "ZS-CL"

# ---------------------------------------------------------------------------
# 督办事项 — one return for the year, ingested as of DEMO_AS_OF.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionPlan:
    """How one source's items are spread over the year."""

    source: str
    prefix: str  # item_code is DB-2006-<prefix><nnn>
    count: int
    open_at_year_end: int  # the last ones, registered late in the year, due in 2007
    late: frozenset[int]  # indexes closed after their due date
    limits_days: tuple[int, ...]  # 办理时限 cycle, in days after registration
    first_registered: date
    spacing_days: Decimal  # between registrations (between meetings, for 两委会议决事项)


SUPERVISION_PLANS: tuple[SupervisionPlan, ...] = (
    # "全年共承办成都市委、市政府领导批示交办事项和其他重要督办事项57件。其中，立项督办件
    # 45件，实际办结43件，未到期待复2件。"
    SupervisionPlan(
        "city", "C", 45, 2, frozenset({8, 21}), (30, 45, 60), date(2006, 1, 9), Decimal("7.5")
    ),
    # "共办理主要领导批示交办的西芯大道改造、天府软件园整改、西区企业电力供应等事项80余件"
    SupervisionPlan(
        "leader",
        "L",
        82,
        2,
        frozenset({13, 37, 58, 70}),
        (10, 15, 20, 30),
        date(2006, 1, 12),
        Decimal("4.1"),
    ),
    # "跟踪落实党工委管委会办公会议决事项27件"
    SupervisionPlan(
        "meeting", "H", 27, 1, frozenset({11}), (30, 60, 45), date(2006, 1, 16), Decimal(23)
    ),
    # "办理落实成都市人大第十四届四次会议代表建议4件" — answered within three months.
    SupervisionPlan("deputy", "R", 4, 0, frozenset(), (92,), date(2006, 3, 6), Decimal(2)),
    # "政协成都市委员会第十二届四次会议委员提案5件，成都市武侯区政协委员提案1件"
    SupervisionPlan("cppcc", "Z", 6, 0, frozenset(), (92,), date(2006, 3, 6), Decimal(3)),
)

# Subjects of the items, with the unit that handles them.
CITY_SUBJECTS: tuple[tuple[str, str], ...] = (
    # "城乡一体化、就业和社保、大气和水环境综合整治等成都市委市政府重大决策的督察落实"
    ("城乡一体化", "BM-NF"),
    ("促进充分就业", "BM-RL"),
    ("失地农民社会保障", "BM-RL"),
    ("大气环境综合整治", "BM-HB"),
    ("水环境综合整治", "BM-HB"),
    ("高新西区项目促建", "BM-XQ"),  # "高新西区项目促建的督查力度"
    ("产业发展年", "BM-JM"),
    ("招商引资", "BM-TZ"),
    ("规范化服务型政府建设", "BM-DZB"),
    ("农民集中居住区建设", "BM-GJ"),
    ("安全生产隐患排查治理", "BM-AJ"),
    ("清理拖欠农民工工资", "BM-RL"),
    ("天府软件园建设", "ZS-RJY"),
    ("中小企业融资服务", "ZS-TZJT"),
    ("社会治安综合治理", "ZS-GA"),
)
CITY_FORMS = ("关于{}工作的督办", "{}推进情况督查", "市政府常务会议关于{}的决定事项落实")

LEADER_SUBJECTS: tuple[tuple[str, str], ...] = (
    # "西芯大道改造、天府软件园整改、西区企业电力供应等事项80余件"
    ("西芯大道改造", "ZS-TZJT"),
    ("天府软件园整改", "ZS-RJY"),
    ("西区企业电力供应", "BM-XQ"),
    ("新北小区健身主题游园建设", "BM-CG"),
    ("站南组团仁和片区游园建设", "BM-CG"),
    ("蓝草路—华姿路林荫街区打造", "BM-CG"),
    ("紫荆休闲文化街区建设改造", "BM-CG"),
    ("建筑工地农民工欠薪投诉处理", "BM-RL"),
    ("农业产业化龙头企业培育", "BM-NF"),
    ("“就业援助110”运行", "BM-RL"),
    ("社区残疾人康复活动中心建设", "ZS-CL"),
    ("破墙透绿工程", "BM-CG"),
    ("高新西区重点项目促建", "BM-XQ"),
    ("农民集中居住区配套建设", "BM-GJ"),
)
LEADER_ASPECTS = (
    "进度",
    "有关问题协调",
    "落实情况",
    "进展情况报告",
    "专题会议议定事项",
    "群众反映问题办理",
)

MEETING_SUBJECTS: tuple[tuple[str, str], ...] = (
    # "按季度定期通报各项工作的进展情况" and "逐月分析汇总主要经济指标运行情况" recur.
    ("目标运行情况季度通报", "BM-DZB"),
    ("主要经济指标运行分析", "BM-JM"),
    ("农民集中居住区配套设施完善", "BM-GJ"),
    ("失地农民就业培训", "BM-RL"),
    ("西区企业用电保障", "BM-XQ"),
    ("天府软件园二期建设", "ZS-RJY"),
    ("特困残疾人专项救助", "ZS-CL"),
    ("农村计划生育家庭奖励扶助", "BM-SY"),
    ("城市环境综合整治", "BM-CG"),
)
# 管委会办公会 about every three weeks; "共编发《两委办公会议决事项落实情况》6期".
MEETINGS_IN_YEAR = 14

DEPUTY_ITEMS: tuple[tuple[str, str], ...] = (
    ("关于加快农民集中居住区配套设施建设的建议", "BM-GJ"),
    ("关于加强失地农民职业技能培训的建议", "BM-RL"),
    ("关于改善天府软件园周边交通出行条件的建议", "BM-GJ"),
    ("关于加大府河高新段水环境治理力度的建议", "BM-HB"),
)
CPPCC_ITEMS: tuple[tuple[str, str], ...] = (
    ("关于支持高新技术企业自主创新的提案", "BM-KJ"),
    ("关于加快发展软件及服务外包产业的提案", "ZS-RJY"),
    ("关于完善中小企业融资担保体系的提案", "ZS-TZJT"),
    ("关于做好失地农民社会保障工作的提案", "BM-RL"),
    ("关于加强社区残疾人康复服务的提案", "ZS-CL"),
    # "成都市武侯区政协委员提案1件"
    ("关于改善石羊片区居民就医条件的提案（武侯区政协）", "BM-SY"),
)

# Public holidays of 2006 and early 2007: nothing is registered or closed on them.
_HOLIDAYS = frozenset(
    date(year, month, day)
    for year, month, first, last in (
        (2006, 1, 1, 3),
        (2006, 1, 29, 31),
        (2006, 2, 1, 4),
        (2006, 5, 1, 7),
        (2006, 10, 1, 7),
        (2007, 1, 1, 3),
    )
    for day in range(first, last + 1)
)


def _is_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in _HOLIDAYS


def _next_workday(day: date) -> date:
    while not _is_workday(day):
        day += timedelta(days=1)
    return day


def _previous_workday(day: date) -> date:
    while not _is_workday(day):
        day -= timedelta(days=1)
    return day


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """Split an integer total in proportion to weights (largest remainder, ties by order)."""
    whole = sum(weights)
    shares = [total * weight // whole for weight in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


# ---------------------------------------------------------------------------
# Rows, by kind (English column names; the writers choose the header language).
# ---------------------------------------------------------------------------

Row = dict[str, object]


def unit_rows() -> list[Row]:
    """单位名录."""
    return [{"unit_code": c, "unit_name": n, "unit_type": t} for c, n, t in UNITS]


def target_rows() -> list[Row]:
    """目标库 2005 (the assessment's, illustrative) and 2006."""
    return assessment_target_rows() + [
        {
            "year": DEMO_YEAR,
            "target_code": t.code,
            "target_name": t.name,
            "source": t.source,
            "unit_code": t.unit_code,
            "measure": t.measure,
            "planned_value": t.planned,
            "direction": t.direction,
            "weight": t.weight,
        }
        for t in TARGETS
    ]


def target_progress_rows(period: str) -> list[Row]:
    """目标进度 for 2006-06 or 2006-12 (cumulative year to date), by unit."""
    year_end = period == f"{DEMO_YEAR}-12"
    rows: list[Row] = [
        {
            "period": period,
            "unit_code": t.unit_code,
            "target_code": t.code,
            "actual_value": t.year_end if year_end else t.mid_year,
            "note": t.note if year_end else "",
        }
        for t in TARGETS
    ]
    return sorted(rows, key=lambda row: (str(row["unit_code"]), str(row["target_code"])))


def employment_rows(quarter: int) -> list[Row]:
    """就业情况 for one quarter: stocks at its end, flows within it."""
    quarters_to_go = 4 - quarter
    # Families kept moving in: each area's labor force grew by a sixtieth a quarter.
    labor_forces = [
        labor_force - quarters_to_go * (labor_force // 60)
        for _, _, labor_force, _, _ in RESETTLEMENT_AREAS
    ]
    flows = {name: per_quarter[quarter - 1] for name, per_quarter in EMPLOYMENT_FLOWS.items()}
    spread = {
        name: _split(flows[name], labor_forces)
        for name in ("graduates_hired", "trainees", "labor_transferred")
    }
    # Placements are spread first and the unplaced referrals added to them, so no
    # row places more people than it referred.
    placed = _split(flows["aid_placements"], labor_forces)
    unplaced = _split(flows["aid_referrals"] - flows["aid_placements"], labor_forces)
    rows = []
    for i, (unit_code, area, labor_end, employed_end, zero_q1) in enumerate(RESETTLEMENT_AREAS):
        labor_force = labor_forces[i]
        rate = Fraction(employed_end, labor_end) - quarters_to_go * EMPLOYMENT_RATE_STEP
        employed = int(labor_force * rate)
        rows.append(
            {
                "period": f"{DEMO_YEAR}-Q{quarter}",
                "unit_code": unit_code,
                "area_name": area,
                "labor_force": labor_force,
                "employed": employed,
                "zero_employment_households": max(0, zero_q1 - (quarter - 1)),
                "aid_referrals": placed[i] + unplaced[i],
                "aid_placements": placed[i],
                "graduates_hired": spread["graduates_hired"][i],
                "trainees": spread["trainees"][i],
                "labor_transferred": spread["labor_transferred"][i],
            }
        )
    return rows


def disability_aid_rows(month: int) -> list[Row]:
    """残疾人救助发放 for one month: the subdistricts' hardship subsidy, then the 残联's."""
    period = f"{DEMO_YEAR}-{month:02d}"
    roll = [households for _, households in HARDSHIP_ROLL]
    paid = _split(sum(roll) - HARDSHIP_NOT_YET_ENROLLED[month - 1], roll)
    rows: list[Row] = [
        {
            "period": period,
            "unit_code": unit_code,
            "program": HARDSHIP_PROGRAM,
            "households": persons,
            "person_times": persons,
            "standard_yuan": HARDSHIP_STANDARD_YUAN,
            "amount_yuan": persons * HARDSHIP_STANDARD_YUAN,
        }
        for (unit_code, _), persons in zip(HARDSHIP_ROLL, paid, strict=True)
    ]
    rows.extend(
        {
            "period": period,
            "unit_code": DISABLED_FEDERATION,
            "program": program,
            "households": persons,
            "person_times": persons,
            "standard_yuan": standard,
            "amount_yuan": amount,
        }
        for aid_month, program, persons, standard, amount in OTHER_AID
        if aid_month == month
    )
    return rows


def _meeting_number(plan: SupervisionPlan, index: int) -> int:
    """Which 两委办公会 of the year decided the index-th item (about two items each)."""
    return index * MEETINGS_IN_YEAR // plan.count + 1


def _title_and_unit(plan: SupervisionPlan, index: int) -> tuple[str, str]:
    """An item's title and handling unit, varied by fixed formulas."""
    if plan.source == "city":
        subject, unit = CITY_SUBJECTS[index % len(CITY_SUBJECTS)]
        # Each subject comes up three times a year, each time in another form.
        form = CITY_FORMS[(index + index // len(CITY_SUBJECTS)) % len(CITY_FORMS)]
        return form.format(subject), unit
    if plan.source == "leader":
        subject, unit = LEADER_SUBJECTS[index % len(LEADER_SUBJECTS)]
        # Each round of instructions on a subject is about its next aspect.
        round_ = index // len(LEADER_SUBJECTS)
        aspect = LEADER_ASPECTS[(index % len(LEADER_SUBJECTS) + round_) % len(LEADER_ASPECTS)]
        return subject + aspect, unit
    if plan.source == "meeting":
        subject, unit = MEETING_SUBJECTS[index % len(MEETING_SUBJECTS)]
        return f"两委办公会（{DEMO_YEAR}年第{_meeting_number(plan, index)}次）议决：{subject}", unit
    return (DEPUTY_ITEMS if plan.source == "deputy" else CPPCC_ITEMS)[index]


def _registered_on(plan: SupervisionPlan, index: int) -> date:
    if plan.source == "meeting":
        # Items of one meeting share its date.
        meetings_before = _meeting_number(plan, index) - 1
        day = plan.first_registered + timedelta(days=int(meetings_before * plan.spacing_days))
    elif index >= plan.count - plan.open_at_year_end:
        # The open ones came in December: 12-04, 12-15, …
        nth_open = index - (plan.count - plan.open_at_year_end)
        day = date(DEMO_YEAR, 12, 4) + timedelta(days=11 * nth_open)
    else:
        day = plan.first_registered + timedelta(days=int(index * plan.spacing_days))
    return _next_workday(day)


def supervision_rows() -> list[Row]:
    """督办事项 of 2006, as known at DEMO_AS_OF."""
    rows: list[Row] = []
    last_workday = _previous_workday(DEMO_AS_OF)
    for plan in SUPERVISION_PLANS:
        for i in range(plan.count):
            title, unit_code = _title_and_unit(plan, i)
            registered = _registered_on(plan, i)
            still_open = i >= plan.count - plan.open_at_year_end
            # Items still open at year end got the longest time limit, into 2007.
            limit = (
                max(plan.limits_days) if still_open else plan.limits_days[i % len(plan.limits_days)]
            )
            due = _next_workday(registered + timedelta(days=limit))
            closed: date | None = None
            if not still_open:
                if i in plan.late:
                    closed_day = due + timedelta(days=3 + i % 6)
                else:
                    # Most close well inside the limit, a week or three early.
                    closed_day = registered + timedelta(days=max(1, limit - 5 - (i * 7) % 17))
                closed = _previous_workday(min(closed_day, last_workday))
            # Written feedback exists only for deputies' suggestions and proposals:
            # "代表、委员对办理结果的书面反馈基本满意率达100%".
            satisfaction = ""
            if plan.source in ("deputy", "cppcc"):
                satisfaction = "basically" if i % 3 == 1 else "satisfied"
            rows.append(
                {
                    "item_code": f"DB-{DEMO_YEAR}-{plan.prefix}{i + 1:03d}",
                    "source": plan.source,
                    "title": title,
                    "unit_code": unit_code,
                    "registered_on": registered,
                    "due_on": due,
                    "closed_on": closed,
                    "satisfaction": satisfaction,
                }
            )
    return rows


# ---------------------------------------------------------------------------
# Writers. CSVs are UTF-8 with BOM (what Excel opens without garbling Chinese);
# some carry Chinese headers and labels, some English ones, as units send them.
# ---------------------------------------------------------------------------


def _cell(kind: Kind, column: str, value: object, chinese: bool) -> object:
    """A value as a unit would type it: enums as label or code, dates ISO, blanks empty."""
    if value is None or value == "":
        return ""
    spec = kind.column(column)
    if spec.enum is not None and chinese:
        return spec.enum[str(value)]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and spec.max_decimals is not None:
        return f"{value:.{spec.max_decimals}f}"
    return value


def _header(kind: Kind, chinese: bool) -> list[str]:
    return [column.zh if chinese else column.name for column in kind.columns]


def _table(kind: Kind, rows: Iterable[Row], chinese: bool) -> list[list[object]]:
    return [
        [_cell(kind, name, row.get(name), chinese) for name in kind.column_names] for row in rows
    ]


def _write_csv(path: Path, kind: Kind, rows: Iterable[Row], chinese: bool) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header(kind, chinese))
        writer.writerows(_table(kind, rows, chinese))
    return path


def _write_xlsx(path: Path, kind: Kind, rows: Iterable[Row], chinese: bool) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": _XLSX_CREATED, "title": kind.zh})
    sheet = workbook.add_worksheet(kind.zh)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, _header(kind, chinese), bold)
    for row_no, values in enumerate(_table(kind, rows, chinese), start=1):
        sheet.write_row(row_no, 0, values)
    sheet.set_column(0, len(kind.columns) - 1, 16)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return path


def write_demo_returns(folder: Path) -> list[Path]:
    """Write the 2006 demo returns into folder; return them in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    masters = [
        _write_csv(folder / "units.csv", KINDS["units"], unit_rows(), chinese=False),
        _write_csv(folder / "targets.csv", KINDS["targets"], target_rows(), chinese=True),
    ]
    returns = [
        _write_csv(
            folder / f"disability_aid_{DEMO_YEAR}-{month:02d}.csv",
            KINDS["disability_aid"],
            disability_aid_rows(month),
            chinese=True,
        )
        for month in range(1, 13)
    ]
    returns += [
        _write_xlsx(
            folder / f"employment_{DEMO_YEAR}-Q{quarter}.xlsx",
            KINDS["employment"],
            employment_rows(quarter),
            chinese=True,
        )
        for quarter in range(1, 5)
    ]
    returns.append(
        _write_csv(
            folder / f"supervision_{DEMO_YEAR}.csv",
            KINDS["supervision"],
            supervision_rows(),
            chinese=True,
        )
    )
    # 对标分析: the register, a year of illustrative figures (etl/peer_demo.py), a revision.
    masters.append(
        _write_csv(
            folder / "indicators.csv",
            KINDS["indicators"],
            peer_demo.indicator_rows(),
            chinese=True,
        )
    )
    returns += [
        _write_csv(
            folder / f"indicator_figures_{DEMO_YEAR}-{month:02d}.csv",
            KINDS["indicator_figures"],
            peer_demo.figure_rows(month),
            chinese=True,
        )
        for month in range(1, 13)
    ]
    returns.append(
        _write_csv(
            folder / f"indicator_figures_{DEMO_YEAR}-06_revised.csv",
            KINDS["indicator_figures"],
            peer_demo.revision_rows(),
            chinese=False,
        )
    )
    returns += [
        _write_csv(
            folder / f"target_progress_{ASSESSMENT_YEAR}-12.csv",
            KINDS["target_progress"],
            assessment_progress_rows(),
            chinese=True,
        ),
        _write_csv(
            folder / f"assessment_evaluations_{ASSESSMENT_YEAR}.csv",
            KINDS["assessment_evaluations"],
            assessment_evaluation_rows(),
            chinese=True,
        ),
        _write_xlsx(
            folder / f"assessment_items_{ASSESSMENT_YEAR}.xlsx",
            KINDS["assessment_items"],
            assessment_item_rows(),
            chinese=True,
        ),
    ]
    returns += [
        _write_csv(
            folder / f"target_progress_{period}.csv",
            KINDS["target_progress"],
            target_progress_rows(period),
            chinese=False,
        )
        for period in (f"{DEMO_YEAR}-06", f"{DEMO_YEAR}-12")
    ]
    return masters + sorted(returns, key=lambda path: path.name)


# The demo's accounts, one per main role; the reporter reports for 石羊街道.
DEMO_REPORTER_UNIT = "JD-SY"
DEMO_ACCOUNTS = (
    # (account, display name, roles, units)
    ("demo-leader", "示例领导", ("leader",), ()),
    ("demo-steward", "示例数据管理员", ("steward",), ()),
    ("demo-reporter", "示例填报员（石羊街道）", ("reporter",), (DEMO_REPORTER_UNIT,)),
)


def make_demo_accounts(url: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet, each with a fresh random password;
    return (account, roles, password) of those made. Only ever called for a demo warehouse."""
    import secrets

    from etl.accounts import add_account, list_accounts

    existing = {a.account for a in list_accounts(url)}
    made = []
    for account, display, roles, units in DEMO_ACCOUNTS:
        if account in existing:
            continue
        password = secrets.token_urlsafe(9)
        add_account(
            url,
            account,
            list(roles),
            list(units),
            display_name=display,
            password=password,
            is_demo=True,
            actor="demo",
        )
        made.append((account, ",".join(roles), password))
    return made
