"""目标绩效考核 schemes (issue 12): the defaults, drafts and publishing.

A scheme is the year's rule book (sql/migrations/0060): classes of units with
their grade rules, the parts and their weights, the tiers of 累进计分. It is
never edited in place: a change is a new draft based on the scheme it changes,
signed by the account that made it; publishing a draft makes it the year's
scheme and supersedes the one published before. The scores and grades are SQL
views (sql/views/90_mart_assessment.sql).

Every function takes an open connection and leaves the transaction to the
caller: the ETL's own, or the dashboard's with the person's scope set, so
row-level security decides whether the person may write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

from etl.warehouse import first_value

PARTS = ("targets", "leaders", "satisfaction", "integrity", "bonus", "deduction")
PART_NAMES = {
    "targets": ("目标完成", "Targets"),
    "leaders": ("领导评估", "Leaders' evaluation"),
    "satisfaction": ("政务服务满意度评估", "Service satisfaction"),
    "integrity": ("党风廉政建设评估", "Clean government"),
    "bonus": ("加分", "Bonus"),
    "deduction": ("扣分", "Deduction"),
}
GRADES = {"advanced": "先进", "pass": "合格", "fail": "不合格"}


@dataclass(frozen=True)
class AssessmentClass:
    """A class of units assessed together (分类考核) and its grade rules."""

    code: str
    name_zh: str
    name_en: str
    unit_types: tuple[str, ...]
    advanced_min: Decimal = Decimal("90")
    pass_min: Decimal = Decimal("60")
    advanced_share: Decimal = Decimal("0.8")


@dataclass(frozen=True)
class Tier:
    """A band of completion rates and the share of a target's 分值 per percentage point."""

    side: str  # "over" (above plan, extra points) or "under" (below plan, deducted)
    lower_rate: Decimal
    upper_rate: Decimal | None
    share_per_point: Decimal


# The defaults a new year's scheme starts from (README, "目标绩效考核"): the
# 《实施细则》's two classes, targets 60 %, the three evaluations 40 %, bonus
# and deduction points on top with caps, and progressive scoring in two bands
# each side of the plan.
DEFAULT_CLASSES = (
    AssessmentClass("subdistrict", "街道党工委、办事处", "Subdistricts", ("subdistrict",)),
    AssessmentClass(
        "department",
        "部门、直属单位",
        "Departments and affiliated units",
        ("department", "affiliated"),
    ),
)
DEFAULT_PARTS: Mapping[str, tuple[Decimal, Decimal | None]] = {
    # part: (weight, cap on the raw points)
    "targets": (Decimal("0.6"), None),
    "leaders": (Decimal("0.2"), None),
    "satisfaction": (Decimal("0.1"), None),
    "integrity": (Decimal("0.1"), None),
    "bonus": (Decimal("1"), Decimal("5")),
    "deduction": (Decimal("1"), Decimal("10")),
}
DEFAULT_TIERS = (
    Tier("over", Decimal("1"), Decimal("1.1"), Decimal("0.01")),
    Tier("over", Decimal("1.1"), None, Decimal("0.005")),
    Tier("under", Decimal("0.9"), Decimal("1"), Decimal("0.02")),
    Tier("under", Decimal("0"), Decimal("0.9"), Decimal("0.03")),
)
DEFAULT_OVER_CAP = Decimal("0.1")


class SchemeError(ValueError):
    """A scheme change that cannot be made (message in Chinese and English)."""


def create_scheme(
    conn: psycopg.Connection,
    year: int,
    signed_by: str,
    *,
    title: str | None = None,
    members: Mapping[str, str] | None = None,
    classes: tuple[AssessmentClass, ...] = DEFAULT_CLASSES,
    parts: Mapping[str, tuple[Decimal, Decimal | None]] = DEFAULT_PARTS,
    tiers: tuple[Tier, ...] = DEFAULT_TIERS,
    over_cap: Decimal = DEFAULT_OVER_CAP,
    default_target_weight: Decimal = Decimal("1"),
    veto_bars: str = "advanced",
    note: str | None = None,
) -> int:
    """A new draft scheme for ``year``; ``members`` maps unit_code to class (default: by type)."""
    if not signed_by.strip():
        raise SchemeError("方案须署名 / a scheme must be signed")
    inserted = conn.execute(
        "insert into assess.schemes (year, title, default_target_weight, over_cap, veto_bars,"
        " created_by, note) values (%s, %s, %s, %s, %s, %s, %s) returning scheme_id",
        (
            year,
            title or f"{year}年度目标绩效考核实施细则",
            default_target_weight,
            over_cap,
            veto_bars,
            signed_by,
            note,
        ),
    )
    scheme_id = int(first_value(inserted))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into assess.classes (scheme_id, class_code, name_zh, name_en, sort_order,"
            " advanced_min, pass_min, advanced_share) values (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    scheme_id,
                    c.code,
                    c.name_zh,
                    c.name_en,
                    i,
                    c.advanced_min,
                    c.pass_min,
                    c.advanced_share,
                )
                for i, c in enumerate(classes)
            ],
        )
        cur.executemany(
            "insert into assess.parts (scheme_id, part, weight, cap) values (%s, %s, %s, %s)",
            [(scheme_id, part, weight, cap) for part, (weight, cap) in parts.items()],
        )
        cur.executemany(
            "insert into assess.tiers (scheme_id, side, lower_rate, upper_rate, share_per_point)"
            " values (%s, %s, %s, %s, %s)",
            [(scheme_id, t.side, t.lower_rate, t.upper_rate, t.share_per_point) for t in tiers],
        )
    if members is None:
        by_type = {t: c.code for c in classes for t in c.unit_types}
        rows = conn.execute(
            "select unit_code, unit_type from core.units where is_current order by unit_code"
        ).fetchall()
        members = {code: by_type[kind] for code, kind in rows if kind in by_type}
    with conn.cursor() as cur:
        cur.executemany(
            "insert into assess.members (scheme_id, unit_code, class_code) values (%s, %s, %s)",
            [(scheme_id, unit, class_code) for unit, class_code in sorted(members.items())],
        )
    return int(scheme_id)


def draft_from(
    conn: psycopg.Connection,
    scheme_id: int,
    signed_by: str,
    *,
    weights: Mapping[str, Decimal] | None = None,
    class_rules: Mapping[str, Mapping[str, Decimal]] | None = None,
    note: str | None = None,
) -> int:
    """A new draft copying ``scheme_id`` with changed part weights and class rules."""
    if not signed_by.strip():
        raise SchemeError("方案须署名 / a scheme must be signed")
    allowed = {"advanced_min", "pass_min", "advanced_share"}
    for rules in (class_rules or {}).values():
        if set(rules) - allowed:
            raise SchemeError(
                f"未知的等次规则 / unknown grade rule: {sorted(set(rules) - allowed)}"
            )
    copied = conn.execute(
        "insert into assess.schemes (year, title, based_on, default_target_weight, over_cap,"
        " veto_bars, created_by, note)"
        " select year, title, scheme_id, default_target_weight, over_cap, veto_bars, %s, %s"
        " from assess.schemes where scheme_id = %s returning scheme_id",
        (signed_by, note, scheme_id),
    ).fetchone()
    if copied is None:
        raise SchemeError(f"没有该方案 / no such scheme: {scheme_id}")
    new_id = int(copied[0])
    # Copied with the changes applied on the way in: a scheme's rows are only
    # ever inserted (the dashboard role may not update them).
    changed_weights = Jsonb({part: str(weight) for part, weight in (weights or {}).items()})
    changed_rules = Jsonb(
        {code: {k: str(v) for k, v in rules.items()} for code, rules in (class_rules or {}).items()}
    )
    conn.execute(
        "insert into assess.classes (scheme_id, class_code, name_zh, name_en, sort_order,"
        " advanced_min, pass_min, advanced_share)"
        " select %(new)s, class_code, name_zh, name_en, sort_order,"
        "  coalesce((%(rules)s::jsonb -> class_code ->> 'advanced_min')::numeric, advanced_min),"
        "  coalesce((%(rules)s::jsonb -> class_code ->> 'pass_min')::numeric, pass_min),"
        "  coalesce((%(rules)s::jsonb -> class_code ->> 'advanced_share')::numeric,"
        "           advanced_share)"
        " from assess.classes where scheme_id = %(old)s",
        {"new": new_id, "old": scheme_id, "rules": changed_rules},
    )
    conn.execute(
        "insert into assess.parts (scheme_id, part, weight, cap)"
        " select %(new)s, part, coalesce((%(weights)s::jsonb ->> part)::numeric, weight), cap"
        " from assess.parts where scheme_id = %(old)s",
        {"new": new_id, "old": scheme_id, "weights": changed_weights},
    )
    conn.execute(
        "insert into assess.tiers (scheme_id, side, lower_rate, upper_rate, share_per_point)"
        " select %s, side, lower_rate, upper_rate, share_per_point"
        " from assess.tiers where scheme_id = %s",
        (new_id, scheme_id),
    )
    conn.execute(
        "insert into assess.members (scheme_id, unit_code, class_code)"
        " select %s, unit_code, class_code from assess.members where scheme_id = %s",
        (new_id, scheme_id),
    )
    return new_id


def publish(conn: psycopg.Connection, scheme_id: int, signed_by: str) -> int:
    """Make a draft the year's scheme, superseding the one published before, and freeze
    the results it gives now (:func:`freeze`); the new publication's id."""
    row = conn.execute(
        "select year, status from assess.schemes where scheme_id = %s for update", (scheme_id,)
    ).fetchone()
    if row is None:
        raise SchemeError(f"没有该方案 / no such scheme: {scheme_id}")
    year, status = row
    if status != "draft":
        raise SchemeError(f"只能发布草案 / only a draft can be published (scheme {scheme_id})")
    conn.execute(
        "update assess.schemes set status = 'superseded' where year = %s and status = 'published'",
        (year,),
    )
    conn.execute(
        "update assess.schemes set status = 'published', published_by = %s, published_at = now()"
        " where scheme_id = %s",
        (signed_by, scheme_id),
    )
    return freeze(conn, scheme_id, int(year), signed_by)


# What a publication freezes: mart.assessment_results_by_scheme and
# assessment_scores_by_scheme of the scheme, as they stand when it is published.
_FROZEN_RESULT_COLUMNS = (
    "unit_code",
    "unit_name",
    "class_code",
    "class_zh",
    "class_en",
    "sort_order",
    "total",
    "rank_in_class",
    "class_size",
    "vetoed",
    "grade",
)
_FROZEN_SCORE_COLUMNS = ("unit_code", "part", "raw", "weight", "weighted")


def publication_digest(results: list[tuple[object, ...]], scores: list[tuple[object, ...]]) -> str:
    """SHA-256 (hex) of a publication's frozen rows, each sorted, one tab-separated line a row."""
    lines = [
        "results\t" + "\t".join("" if v is None else str(v) for v in row)
        for row in sorted(results, key=lambda row: str(row[0]))
    ] + [
        "scores\t" + "\t".join("" if v is None else str(v) for v in row)
        for row in sorted(scores, key=lambda row: (str(row[0]), str(row[1])))
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def freeze(conn: psycopg.Connection, scheme_id: int, year: int, signed_by: str) -> int:
    """Copy what a just-published scheme gives into a new publication; its id."""
    results = conn.execute(
        f"select {', '.join(_FROZEN_RESULT_COLUMNS)} from mart.assessment_results_by_scheme"
        " where scheme_id = %s order by unit_code",
        (scheme_id,),
    ).fetchall()
    scores = conn.execute(
        f"select {', '.join(_FROZEN_SCORE_COLUMNS)} from mart.assessment_scores_by_scheme"
        " where scheme_id = %s order by unit_code, part",
        (scheme_id,),
    ).fetchall()
    inserted = conn.execute(
        "insert into assess.publications (scheme_id, year, published_by, unit_count, digest)"
        " values (%s, %s, %s, %s, %s) returning publication_id",
        (scheme_id, year, signed_by, len(results), publication_digest(results, scores)),
    )
    publication_id = int(first_value(inserted))
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into assess.frozen_results (publication_id, {', '.join(_FROZEN_RESULT_COLUMNS)})"
            f" values (%s{', %s' * len(_FROZEN_RESULT_COLUMNS)})",
            [(publication_id, *row) for row in results],
        )
        cur.executemany(
            f"insert into assess.frozen_scores (publication_id, {', '.join(_FROZEN_SCORE_COLUMNS)})"
            f" values (%s{', %s' * len(_FROZEN_SCORE_COLUMNS)})",
            [(publication_id, *row) for row in scores],
        )
    return publication_id


def verify_publication(conn: psycopg.Connection, publication_id: int) -> bool:
    """Whether a publication's frozen rows still hash to the digest recorded with them."""
    recorded = conn.execute(
        "select digest from assess.publications where publication_id = %s", (publication_id,)
    ).fetchone()
    if recorded is None:
        raise SchemeError(f"没有该发布记录 / no such publication: {publication_id}")
    results = conn.execute(
        f"select {', '.join(_FROZEN_RESULT_COLUMNS)} from assess.frozen_results"
        " where publication_id = %s",
        (publication_id,),
    ).fetchall()
    scores = conn.execute(
        f"select {', '.join(_FROZEN_SCORE_COLUMNS)} from assess.frozen_scores"
        " where publication_id = %s",
        (publication_id,),
    ).fetchall()
    return bool(recorded[0] == publication_digest(results, scores))


def republish(conn: psycopg.Connection, year: int, signed_by: str) -> int:
    """Publish the year's scheme again, unchanged, on today's data: a new frozen set."""
    row = conn.execute(
        "select scheme_id from assess.schemes where year = %s and status = 'published'", (year,)
    ).fetchone()
    if row is None:
        raise SchemeError(f"{year}年度尚无已发布方案 / no published scheme for {year}")
    draft = draft_from(
        conn, int(row[0]), signed_by, note="按当前数据重新发布 / republished on current data"
    )
    return publish(conn, draft, signed_by)


@dataclass(frozen=True)
class ExternalRanking:
    """Where the zone stood in a higher body's own assessment of a year."""

    year: int
    assessing_body: str
    assessment: str
    rank: int
    out_of: int | None
    title: str | None
    illustrative: bool = False


def check_external_ranking(ranking: ExternalRanking, recorded_by: str) -> None:
    """Refuse a ranking the warehouse would refuse, with a message in Chinese and English."""
    problems = []
    if not 2000 <= ranking.year <= 2100:
        problems.append(f"年度须在 2000–2100 之间 / the year must be 2000-2100: {ranking.year}")
    if not ranking.assessing_body.strip():
        problems.append("考核机关不能为空 / the assessing body is required")
    if not ranking.assessment.strip():
        problems.append("考核名称不能为空 / the assessment's name is required")
    if ranking.rank < 1:
        problems.append(f"名次须 ≥ 1 / the rank must be at least 1: {ranking.rank}")
    if ranking.out_of is not None and ranking.out_of < ranking.rank:
        problems.append(
            f"参评单位数不得小于名次 / out of must be at least the rank:"
            f" {ranking.out_of} < {ranking.rank}"
        )
    if not recorded_by.strip():
        problems.append("登记须署名 / a ranking must be signed")
    if problems:
        raise SchemeError("; ".join(problems))


def record_external_ranking(
    conn: psycopg.Connection, ranking: ExternalRanking, recorded_by: str
) -> bool:
    """Record (or correct) where the zone stood in a higher body's assessment; whether an
    earlier record was replaced (it is kept in assess.external_ranking_history)."""
    check_external_ranking(ranking, recorded_by)
    existed = conn.execute(
        "select 1 from assess.external_rankings"
        " where year = %s and assessing_body = %s and assessment = %s",
        (ranking.year, ranking.assessing_body, ranking.assessment),
    ).fetchone()
    conn.execute(
        "insert into assess.external_rankings (year, assessing_body, assessment, rank, out_of,"
        " title, illustrative, recorded_by) values (%s, %s, %s, %s, %s, %s, %s, %s)"
        " on conflict (year, assessing_body, assessment) do update set rank = excluded.rank,"
        " out_of = excluded.out_of, title = excluded.title,"
        " illustrative = excluded.illustrative, recorded_by = excluded.recorded_by,"
        " recorded_at = now()",
        (
            ranking.year,
            ranking.assessing_body,
            ranking.assessment,
            ranking.rank,
            ranking.out_of,
            ranking.title,
            ranking.illustrative,
            recorded_by,
        ),
    )
    return existed is not None
