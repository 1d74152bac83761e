"""目标考核's workbooks: the 考核结果汇总表 and one unit's scorecard (formula-safe, dashboard/export)."""

from __future__ import annotations

import pandas as pd

from dashboard import export, tables
from dashboard.i18n import column, enum, t
from dashboard.tables import Col

PART_ORDER = ("targets", "leaders", "satisfaction", "integrity", "bonus", "deduction")

PART_COLS = [
    Col("part", "enum:part"),
    Col("raw", "number"),
    Col("weight", "number"),
    Col("weighted", "number"),
]
TARGET_COLS = [
    Col("target_code"),
    Col("target_name"),
    Col("direction", "enum:direction"),
    Col("measure"),
    Col("planned_value", "number"),
    Col("actual_value", "number"),
    Col("completion_rate", "rate"),
    Col("weight", "number"),
    Col("extra_points", "number"),
    Col("deducted_points", "number"),
    Col("capped_label", "enum:yes_no"),
    Col("target_points", "number"),
]
EVALUATION_COLS = [
    Col("evaluation_type", "enum:evaluation_type"),
    Col("score", "number"),
    Col("raters", "int"),
    Col("note"),
]
ITEM_COLS = [
    Col("item_code"),
    Col("item_type", "enum:item_type"),
    Col("points", "number"),
    Col("reason"),
    Col("document"),
]


def summary_table(results: pd.DataFrame, scores: pd.DataFrame, language: str) -> pd.DataFrame:
    """考核结果汇总表: a row a unit in class and rank order, the weighted parts side by side."""
    parts = scores.pivot_table(index="unit_code", columns="part", values="weighted", aggfunc="sum")
    rows = results.merge(parts, left_on="unit_code", right_index=True, how="left")
    classes = rows["class_zh"] if language == "zh" else rows["class_en"]
    return pd.DataFrame(
        {
            column("rank"): range(1, len(rows) + 1),
            column("unit_code"): rows["unit_code"],
            column("unit_name"): rows["unit_name"],
            column("class_name"): classes,
            **{enum("part", p): rows.get(p) for p in PART_ORDER},
            column("total"): rows["total"],
            column("rank_in_class"): rows["rank_in_class"],
            column("grade"): rows["grade"].map(lambda g: enum("grade", g)),
            column("vetoed"): rows["vetoed"].map(lambda v: enum("yes_no", "yes" if v else "no")),
        }
    ).reset_index(drop=True)


def summary_workbook(
    year: int, results: pd.DataFrame, scores: pd.DataFrame, language: str
) -> bytes:
    return export.to_xlsx(
        summary_table(results, scores, language), f"{year}{t('assess.summary_title')}"
    )


def with_labels(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets with their yes/no column for the cap."""
    targets = targets.copy()
    targets["capped_label"] = targets["capped"].map(lambda capped: "yes" if capped else "no")
    return targets


def scorecard_workbook(
    parts: pd.DataFrame, targets: pd.DataFrame, evaluations: pd.DataFrame, items: pd.DataFrame
) -> bytes:
    """One unit's scorecard: parts, targets' points, evaluations, items, one sheet each."""
    sheets = []
    for title, frame, cols in (
        (t("assess.parts"), parts, PART_COLS),
        (t("assess.targets"), with_labels(targets), TARGET_COLS),
        (t("assess.evaluations"), evaluations, EVALUATION_COLS),
        (t("assess.items"), items, ITEM_COLS),
    ):
        rates = [column(c.name) for c in cols if c.kind == "rate"]
        sheets.append((title, tables.labelled(frame, cols), rates))
    return export.to_xlsx_book(sheets)
