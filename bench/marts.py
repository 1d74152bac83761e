"""How fast the dashboard's queries answer on a warehouse of ten million fact rows.

    .venv/bin/python bench/marts.py                   # ~10M fact rows, 20 samples per query
    .venv/bin/python bench/marts.py --scale 0.1 --samples 8   # a quick run on ~1M
    .venv/bin/python bench/marts.py --page assessment        # only the 目标考核 page's queries

The warehouse is filled straight in SQL (generate_series into ``core`` and
``ingest.files``, then ``ingest.rebuild_summaries()`` and VACUUM ANALYZE), not through
return files: what is measured is serving, and loading ten million rows through
``ducha ingest`` is bench/ingest.py's business. The shape is twenty years
(2006–2025) of a city-scale office, with the history a versioned warehouse
keeps (see docs/benchmarks.md):

- 600 units (60 subdistricts, 480 departments, 60 affiliated);
- 2,000 targets a year, progress reported quarterly for every target;
- employment quarterly from each subdistrict for 50 areas, aid monthly for 7
  programs (the frequencies ingest.kind_settings expects);
- for those three, each period's consolidated return and a correction from a
  quarter of the units, which supersedes their rows of the first;
- the supervision register (督办事项台账) re-reported weekly: 330 items are
  registered a week and each weekly return lists every item of the year so far
  with its status that week, so an item has up to 52 versions, the last current.

Beside them, the 对标分析 figures of the last ten years, as bench/peers.py fills
them (its ``fill``): 200 indicators × 20 districts × 12 months a year, one figure
in twenty revised, and the standings the load keeps.

Every SQL text constant in ``dashboard/queries.py`` is a query the dashboard
issues; each is run as the dashboard runs it (``dashboard.queries._read``: its
engine as the dashboard's role, signed in as a leader and steward of every
unit, then a DataFrame) under four scopes (the latest year; one unit; one
quarter; one unit type; for the 对标分析 queries, one indicator each), warm,
``--samples`` times in all: p50 and p95 per query. Beside them ("db"), the same
runs fetched with psycopg and no DataFrame: what the database takes, apart from
what pandas takes.

目标考核 (issue 12): every year a published default scheme assessing all 600
units, three evaluations a unit, a bonus item for every tenth, the results
frozen as publishing freezes them, and a re-loaded evaluation for every 50th
unit of the latest year (so the page has changes since publication to flag).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import time
import warnings
from datetime import date
from typing import TYPE_CHECKING

import peers
import psycopg
from _common import ROOT, ducha, fresh_server, machine, median, percentile, run
from psycopg import sql

from etl.settings import connect

if TYPE_CHECKING:
    from dashboard.queries import Access

FIRST_YEAR = 2006
GOAL_MS = 100.0

FILL = [
    (
        "units",
        """
        create temporary table bench_units as
        select n, case
            when n <= 60 then 'JD-' || lpad(n::text, 3, '0')
            when n <= 540 then 'BM-' || lpad((n - 60)::text, 3, '0')
            else 'ZS-' || lpad((n - 540)::text, 3, '0') end as unit_code,
        case when n <= 60 then 'subdistrict' when n <= 540 then 'department'
             else 'affiliated' end as unit_type
        from generate_series(1, 600) as n;

        -- One row per return file, in the order they arrived (file_id follows).
        create temporary table bench_files as
        select 'units' as kind, null::text as period, 'main' as part,
               make_date({first}, 1, 2) as as_of, 600 as rows
        union all
        select 'targets', y::text, 'main', make_date(y, 1, 10), {targets}
        from generate_series({first}, {last}) as y
        union all
        select kind, period, part,
               core.period_end(period) + case part when 'main' then 5 else 12 end, 0
        from (
            select kind, y || '-Q' || q as period
            from generate_series({first}, {last}) as y, generate_series(1, 4) as q,
                 unnest(array['target_progress', 'employment']) as kind
            union all
            select 'disability_aid', y || '-' || lpad(m::text, 2, '0')
            from generate_series({first}, {last}) as y, generate_series(1, 12) as m
        ) as periods, unnest(array['main', 'fix']) as part
        union all
        select 'supervision', y || '-W' || lpad(w::text, 2, '0'), 'main',
               case when w = 52 then make_date(y, 12, 31) else make_date(y, 1, 1) + 7 * w - 1 end,
               {per_week} * w
        from generate_series({first}, {last}) as y, generate_series(1, 52) as w;

        insert into ingest.files (file_name, sha256, kind, size_bytes, received_at, finished_at,
                                  as_of, row_count, outcome, approval)
        select kind || coalesce('_' || period, '') || '_' || part || '.csv',
               md5(kind || coalesce(period, '') || part), kind, 0,
               as_of + interval '1 day 9 hours', as_of + interval '1 day 9 hours 1 minute',
               as_of, rows, 'accepted', 'approved'
        from bench_files
        order by as_of, kind, part;

        create temporary table bench_file_ids as
        select files.file_id, bench_files.*
        from bench_files
        join ingest.files as files
            on files.file_name = bench_files.kind || coalesce('_' || bench_files.period, '')
                || '_' || bench_files.part || '.csv';
        create index on bench_file_ids (kind, period, part);

        insert into core.units (file_id, row_no, unit_code, unit_name, unit_type, is_current)
        select (select file_id from bench_file_ids where kind = 'units'), n + 1, unit_code,
               unit_type || '单位' || n, unit_type, true
        from bench_units;
        """,
    ),
    (
        "targets",
        """
        insert into core.targets (file_id, row_no, year, target_code, target_name, source,
                                  unit_code, measure, planned_value, direction, weight,
                                  is_current)
        select f.file_id, i + 1, y, 'T-' || y || '-' || lpad(i::text, 5, '0'), '目标' || i,
               (array['city', 'characteristic', 'livelihood', 'special', 'provincial'])[i % 5 + 1],
               u.unit_code, (array['万元', '%', '人', '件', '平方米'])[i % 5 + 1], 100 + i % 900,
               case when i % 10 = 0 then 'lower' else 'higher' end, i % 10, true
        from generate_series({first}, {last}) as y
        cross join generate_series(1, {targets}) as i
        join bench_units as u on u.n = (i - 1) % 600 + 1
        join bench_file_ids as f on f.kind = 'targets' and f.period = y::text;
        """,
    ),
    (
        "target_progress",
        """
        insert into core.target_progress (file_id, row_no, period, year, period_end, unit_code,
                                          target_code, actual_value, is_current)
        select f.file_id, i + 1, f.period, y, core.period_end(f.period), u.unit_code,
               'T-' || y || '-' || lpad(i::text, 5, '0'),
               round((100 + i % 900) * q / 4.0 * (0.8 + (i % 5) / 10.0)
                     * case f.part when 'fix' then 1.01 else 1 end, 2),
               f.part = 'fix' or u.n % 4 <> 0
        from generate_series({first}, {last}) as y
        cross join generate_series(1, 4) as q
        cross join generate_series(1, {targets}) as i
        join bench_units as u on u.n = (i - 1) % 600 + 1
        join bench_file_ids as f
            on f.kind = 'target_progress' and f.period = y || '-Q' || q
            and (f.part = 'main' or u.n % 4 = 0);
        """,
    ),
    (
        "employment",
        """
        insert into core.employment (file_id, row_no, period, year, period_end, unit_code,
                                     area_name, labor_force, employed,
                                     zero_employment_households, aid_referrals, aid_placements,
                                     graduates_hired, trainees, labor_transferred, is_current)
        select f.file_id, a + 1, f.period, y, core.period_end(f.period), u.unit_code,
               '社区' || lpad(a::text, 3, '0'), 1000 + a, 900 + (u.n + a + q) % 100,
               (u.n + q) % 3, 10 + a % 7, 8 + a % 3, a % 5, 20, 8,
               f.part = 'fix' or u.n % 4 <> 0
        from generate_series({first}, {last}) as y
        cross join generate_series(1, 4) as q
        cross join bench_units as u
        cross join generate_series(1, {areas}) as a
        join bench_file_ids as f
            on f.kind = 'employment' and f.period = y || '-Q' || q
            and (f.part = 'main' or u.n % 4 = 0)
        where u.unit_type = 'subdistrict';
        """,
    ),
    (
        "disability_aid",
        """
        insert into core.disability_aid (file_id, row_no, period, year, period_end, unit_code,
                                         program, households, person_times, standard_yuan,
                                         amount_yuan, is_current)
        select f.file_id, p + 1, f.period, y,
               (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date, u.unit_code,
               (array['特困生活补助', '医疗爱心卡', '康复药箱', '辅助器具', '复明手术',
                      '参保资助', '助学金'])[p],
               20 + p, 22 + p, 100, (22 + p) * 100, f.part = 'fix' or u.n % 4 <> 0
        from generate_series({first}, {last}) as y
        cross join generate_series(1, 12) as m
        cross join bench_units as u
        cross join generate_series(1, 7) as p
        join bench_file_ids as f
            on f.kind = 'disability_aid' and f.period = y || '-' || lpad(m::text, 2, '0')
            and (f.part = 'main' or u.n % 4 = 0)
        where u.unit_type = 'subdistrict';
        """,
    ),
    (
        "supervision",
        """
        insert into core.supervision (file_id, row_no, item_code, source, title, unit_code,
                                      registered_on, due_on, closed_on, satisfaction, as_of,
                                      is_current, year)
        select f.file_id, i + 1, 'DB-' || y || '-' || lpad(i::text, 6, '0'),
               (array['city', 'leader', 'meeting', 'deputy', 'cppcc'])[i % 5 + 1],
               '督办事项' || y || '-' || i, u.unit_code, item.registered_on,
               item.registered_on + 20 + i % 60,
               case when item.closes_on <= f.as_of then item.closes_on end,
               case when item.closes_on <= f.as_of then
                   (array['satisfied', 'basically', 'unsatisfied', null])[i % 4 + 1] end,
               f.as_of, w = 52, extract(year from item.registered_on)::integer
        from generate_series({first}, {last}) as y
        cross join generate_series(1, 52) as w
        join bench_file_ids as f
            on f.kind = 'supervision' and f.period = y || '-W' || lpad(w::text, 2, '0')
        cross join lateral generate_series(1, {per_week} * w) as i
        join bench_units as u on u.n = (i - 1) % 600 + 1
        cross join lateral (
            select make_date(y, 1, 1) + ((i - 1) / {per_week}) * 7 + i % 7 as registered_on
        ) as registered
        cross join lateral (
            select registered.registered_on,
                   case when i % 10 <> 0 then registered.registered_on + 5 + (i * 7) % 80
                   end as closes_on
        ) as item;
        """,
    ),
    (
        "assessment",
        # 目标绩效考核 (issue 12): each year's published default scheme with every unit
        # assessed, three evaluations a unit and a bonus item for every tenth unit.
        # The rows name the units file (what is measured is serving, not the ledger).
        """
        insert into assess.schemes (year, status, title, created_by, published_by, published_at)
        select y, 'published', y || '年度目标绩效考核', 'bench', 'bench', now()
        from generate_series({first}, {last}) as y;
        insert into assess.classes (scheme_id, class_code, name_zh, name_en, sort_order,
                                    advanced_min, pass_min, advanced_share)
        select s.scheme_id, c.code, c.zh, c.en, c.sort_order, 90, 60, 0.8
        from assess.schemes as s
        cross join (values ('subdistrict', '街道', 'Subdistricts', 0),
                           ('department', '部门、直属单位', 'Departments', 1))
            as c (code, zh, en, sort_order);
        insert into assess.members (scheme_id, unit_code, class_code)
        select s.scheme_id, u.unit_code,
               case when u.unit_type = 'subdistrict' then 'subdistrict' else 'department' end
        from assess.schemes as s cross join bench_units as u;
        insert into assess.parts (scheme_id, part, weight, cap)
        select s.scheme_id, p.part, p.weight, p.cap
        from assess.schemes as s
        cross join (values ('targets', 0.6, null), ('leaders', 0.2, null),
                           ('satisfaction', 0.1, null), ('integrity', 0.1, null),
                           ('bonus', 1, 5), ('deduction', 1, 10)) as p (part, weight, cap);
        insert into assess.tiers (scheme_id, side, lower_rate, upper_rate, share_per_point)
        select s.scheme_id, t.side, t.lower_rate, t.upper_rate, t.share_per_point
        from assess.schemes as s
        cross join (values ('over', 1, 1.1, 0.01), ('over', 1.1, null, 0.005),
                           ('under', 0.9, 1, 0.02), ('under', 0, 0.9, 0.03))
            as t (side, lower_rate, upper_rate, share_per_point);
        insert into core.assessment_evaluations (file_id, row_no, year, unit_code,
                                                 evaluation_type, score, raters, is_current)
        select (select file_id from bench_file_ids where kind = 'units'), u.n * 3 + e, y,
               u.unit_code, (array['leaders', 'satisfaction', 'integrity'])[e],
               70 + (u.n * 7 + e + y) % 30, 10 + e, true
        from generate_series({first}, {last}) as y
        cross join bench_units as u cross join generate_series(1, 3) as e;
        insert into core.assessment_items (file_id, row_no, year, item_code, unit_code,
                                           item_type, points, reason, is_current)
        select (select file_id from bench_file_ids where kind = 'units'), u.n, y,
               'JF-' || y || '-' || u.n, u.unit_code, 'bonus', 1 + u.n % 4, '表彰', true
        from generate_series({first}, {last}) as y
        cross join bench_units as u where u.n % 10 = 0;
        """,
    ),
]

COUNTS = """
select 'core.' || kind, total, current from (
    select 'units' as kind, count(*) as total, count(*) filter (where is_current) as current
    from core.units
    union all select 'targets', count(*), count(*) filter (where is_current) from core.targets
    union all select 'target_progress', count(*), count(*) filter (where is_current)
    from core.target_progress
    union all select 'employment', count(*), count(*) filter (where is_current)
    from core.employment
    union all select 'disability_aid', count(*), count(*) filter (where is_current)
    from core.disability_aid
    union all select 'supervision', count(*), count(*) filter (where is_current)
    from core.supervision
) as counted
union all select 'ingest.files', count(*), null from ingest.files
"""

FACT_TABLES = ("core.target_progress", "core.employment", "core.disability_aid", "core.supervision")

_PARAM = re.compile(r"%\((\w+)\)s")


def fill(url: str, years: int, scale: float) -> float:
    """Fill the warehouse; print what it holds; return the seconds it took."""
    values = {
        "first": FIRST_YEAR,
        "last": FIRST_YEAR + years - 1,
        "targets": max(1, round(2000 * scale)),
        "areas": max(1, round(50 * scale)),
        "per_week": max(1, round(330 * scale)),
    }
    literals = {name: sql.Literal(value) for name, value in values.items()}
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        # The core tables are partitioned by year (sql/migrations/0090): the
        # load makes a year's partition when a return first reports on it.
        for table in ("targets", *(name.removeprefix("core.") for name in FACT_TABLES)):
            conn.execute(
                "select core.add_year_partitions(%s, array(select generate_series(%s::int, %s::int)))",
                (f"core.{table}", values["first"], values["last"]),
            )
        for name, statement in FILL:
            step = time.perf_counter()
            conn.execute(sql.SQL(statement).format(**literals))
            print(f"  filled {name:15s} {time.perf_counter() - step:6.1f} s", flush=True)
        # The summaries the load keeps file by file (sql/migrations/0006),
        # built here in one go.
        step = time.perf_counter()
        conn.execute("select ingest.rebuild_summaries()")
        print(f"  summaries              {time.perf_counter() - step:6.1f} s")
        conn.commit()
        # 对标分析: the last ten years (at most) of figures, with their standings.
        last = values["last"]
        step = time.perf_counter()
        peers.fill(url, max(FIRST_YEAR, last - peers.YEARS + 1), last, unit="BM-001")
        print(f"  filled 对标分析         {time.perf_counter() - step:6.1f} s")
        conn.autocommit = True
        step = time.perf_counter()
        conn.execute("vacuum analyze")
        print(f"  vacuum analyze         {time.perf_counter() - step:6.1f} s")
        # 目标绩效考核: each year's published results frozen as publishing does
        # (etl.assessment.freeze; once the statistics are gathered, as in a
        # warehouse in use), then a re-loaded evaluation for every 50th unit of
        # the latest year, so the page has changes since publication to flag.
        step = time.perf_counter()
        from etl import assessment

        schemes = conn.execute(
            "select scheme_id, year from assess.schemes where status = 'published' order by year"
        ).fetchall()
        for scheme_id, year in schemes:
            assessment.freeze(conn, scheme_id, year, "bench")
        conn.execute(
            "update core.assessment_evaluations set score = score - 9"
            " where year = %s and evaluation_type = 'leaders'"
            " and substr(unit_code, 4)::int %% 50 = 0",
            (values["last"],),
        )
        conn.execute("analyze assess.publications, assess.frozen_results, assess.frozen_scores")
        conn.execute("analyze core.assessment_evaluations")
        print(f"  publications           {time.perf_counter() - step:6.1f} s", flush=True)
        fact = 0
        for table, total, current in conn.execute(COUNTS):
            shown = f"{current:>11,} current" if current is not None else ""
            print(f"  {table:22s} {total:>11,} rows {shown}")
            if table in FACT_TABLES:
                fact += total
        print(f"  fact rows (progress, employment, aid, supervision): {fact:,}")
    return time.perf_counter() - started


def dashboard_queries() -> list[tuple[str, str]]:
    """Every SQL text constant of dashboard/queries.py that reads (name, text), in file order."""
    from dashboard import queries

    found = []
    for name, value in vars(queries).items():
        if not (name.startswith("_") and isinstance(value, str)):
            continue
        # Reads only: a write (also one in a WITH) is not a query a page waits on;
        # nor is _SET_SCOPE, the scope every read sets first (timed with each).
        if name == "_SET_SCOPE":
            continue
        if re.search(r"\bselect\b", value, re.I) and not re.search(
            r"^\s*(update|insert|delete)\b", value, re.I | re.M
        ):
            found.append((name, value))
    return found


def scopes(year: int, item_codes: list[str] | None = None) -> list[dict[str, object]]:
    """The parameter sets each query runs under: what the pages pass for four scopes.

    The drill-through gets what the pages give it: named periods (a trend's
    points, reaching back into the year before) and, for the supervision
    scope, the item codes of every item in the table (``item_codes``).
    """
    from dashboard import queries

    base = {
        "target_code": f"T-{year}-00007",
        "kind": "employment",
        "keys": None,
        "periods": [f"{year - 1}-Q4", f"{year}-Q1", f"{year}-Q2", f"{year}-01", f"{year}-02"],
        "units": None,
        "file_id": None,
        "views": list(queries.REQUIRED_VIEWS),
        "period": f"{year}-Q2",
        "limit": queries.RESUBMITTED_LIMIT,
        "rows_limit": queries.RETURN_ROWS_LIMIT,
        # 目标考核: the latest year's scheme (one a year, in year order).
        "scheme_id": year - FIRST_YEAR + 1,
        # 对标分析: the month and indicator whose standings, lines and sources the page shows.
        "indicator": "I-001",
        "month": f"{year}-06",
    }
    chosen = [
        queries.Scope(year=year),
        queries.Scope(year=year, unit="JD-007"),
        queries.Scope(year=year, period=f"{year}-Q2"),
        queries.Scope(year=year, unit_type="subdistrict"),
    ]
    kinds = ["target_progress", "employment", "disability_aid", "supervision"]
    params = []
    for index, scope in enumerate(chosen):
        merged = base | scope.params() | {"kind": kinds[index]}
        merged["indicator"] = f"I-{1 + 50 * index:03d}"
        merged["month"] = f"{year}-{3 * index + 3:02d}"
        if index == 1:
            merged["units"] = ["JD-007"]
        if index == 3:
            merged["keys"] = item_codes
        params.append(merged)
    return params


def time_query(
    access: Access,
    name: str,
    text: str,
    variants: list[dict[str, object]],
    samples: int,
    budget: float,
) -> dict[str, object]:
    """Warm the query under every scope, then time ``samples`` runs cycling through them,
    as the signed-in person ``access`` (the dashboard's role, row-level security paid)."""
    from dashboard import queries

    needed = set(_PARAM.findall(text))
    unknown = needed - set(variants[0])
    if unknown:
        return {"name": name, "skipped": f"unknown parameters {sorted(unknown)}"}
    if re.search(r"unit_code = %\(unit\)s", text) and "unit_type" not in needed:
        # Not the unit filter but a unit chosen on the page (a slice's versions).
        variants = [params | {"unit": params["unit"] or "JD-007"} for params in variants]
    for params in variants:  # warm: plans, caches, the engine's pool
        queries._read(access, text, params)
    seconds: list[float] = []
    rows = 0
    spent = time.perf_counter()
    while len(seconds) < samples:
        params = variants[len(seconds) % len(variants)]
        started = time.perf_counter()
        frame = queries._read(access, text, params)
        seconds.append(time.perf_counter() - started)
        rows = max(rows, len(frame))
        if time.perf_counter() - spent > budget and len(seconds) >= len(variants):
            break  # a slow query: enough samples to say so
    ms = [s * 1000 for s in seconds]
    # The same runs without the DataFrame: the database's answer, fetched.
    db: list[float] = []
    with connect(access.url, options="-c jit=off") as conn:
        for index in range(len(ms)):
            started = time.perf_counter()
            with conn.transaction():
                conn.execute(queries._SET_SCOPE, access.scope)
                conn.execute(text, variants[index % len(variants)]).fetchall()
            db.append((time.perf_counter() - started) * 1000)
    result = {
        "name": name,
        "p50": median(ms),
        "p95": percentile(ms, 0.95),
        "db50": median(db),
        "db95": percentile(db, 0.95),
        "n": len(ms),
    }
    print(
        f"  {name:22s} p50 {result['p50']:8.1f} ms  p95 {result['p95']:8.1f} ms"
        f"  (fetched without a DataFrame: p95 {result['db95']:7.1f} ms; n={len(ms)},"
        f" up to {rows:,} rows)",
        flush=True,
    )
    return result | {"rows": rows}


# The queries the 目标考核 page issues (dashboard/screens/assessment.py), for --page.
PAGES = {
    "assessment": (
        "_ASSESSMENT_YEARS",
        "_SCHEMES",
        "_ASSESSMENT_RESULTS",
        "_PUBLICATION",
        "_PUBLICATION_CHANGES",
        "_EXTERNAL_RANKINGS",
        "_ASSESSMENT_SCORES",
        "_ASSESSMENT_TARGETS",
        "_ASSESSMENT_EVALUATIONS",
        "_ASSESSMENT_ITEMS",
        "_SCHEME_RESULTS",
    ),
}


def time_queries(
    url: str, samples: int, budget: float, only: tuple[str, ...] | None = None
) -> list[dict[str, object]]:
    """p50/p95 of every dashboard query (or the ``only`` ones) as the dashboard runs it, for
    a person who sees every unit and every page (a leader and steward)."""
    from dashboard import queries
    from etl.accounts import Person

    access = queries.Access.of(url, Person("bench", "bench", ("leader", "steward"), ()))
    with connect(url) as conn:
        year = conn.execute("select max(year) from core.targets").fetchone()[0]
        items = conn.execute(
            "select item_code from mart.supervision_items"
            " where year = %s and unit_type = 'subdistrict'",
            (year,),
        ).fetchall()
    variants = scopes(year, [code for (code,) in items])
    results = [
        time_query(access, name, text, variants, samples, budget)
        for name, text in dashboard_queries()
        if only is None or name in only
    ]
    queries.engine(access.url).dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20, help="years of history (20)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume per year (1.0 = ~10M)")
    parser.add_argument("--samples", type=int, default=20, help="timed runs per query (20)")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per query before stopping early"
    )
    parser.add_argument(
        "--page",
        choices=sorted(PAGES),
        help="time only the queries this page issues (the fill is the same)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    # st.cache_data outside a Streamlit server warns once per cached function.
    for name in ("cache_data_api", "cache_resource_api"):
        logging.getLogger(f"streamlit.runtime.caching.{name}").disabled = True

    started = time.perf_counter()
    with fresh_server("marts") as server:
        url = server.database("ducha")
        run([*ducha(), "db", "upgrade"], dict(os.environ, DATABASE_URL=url))
        print(f"machine: {machine(url)}")
        print(f"project: {ROOT}; {date.today()}")
        print(f"fill ({args.years} years, scale {args.scale}):")
        seconds = fill(url, args.years, args.scale)
        print(f"  filled in {seconds:.0f} s\n")
        print(f"queries ({args.samples} samples each, warm):")
        results = time_queries(
            url, args.samples, args.budget, PAGES[args.page] if args.page else None
        )

    over = report("dashboard queries, as issued", results)
    met = len([r for r in results if "skipped" not in r]) - len(over)
    print(
        f"\n{met} of {met + len(over)} queries at p95 <= {GOAL_MS:.0f} ms"
        + (f"; over: {', '.join(over)}" if over else "")
        + f" (took {time.perf_counter() - started:.0f} s)"
    )


def report(title: str, results: list[dict[str, object]]) -> list[str]:
    """Print a table of results; return the names of those over the goal."""
    print(
        f"\n{title}\n{'query':22s} {'p50 ms':>8s} {'p95 ms':>8s} {'rows':>8s}"
        f"   {'db p50':>7s} {'db p95':>7s}"
    )
    over = []
    for r in results:
        if "skipped" in r:
            print(f"{r['name']:22s} skipped: {r['skipped']}")
            continue
        flag = "" if float(r["p95"]) <= GOAL_MS else "  > goal"  # type: ignore[arg-type]
        if flag:
            over.append(str(r["name"]))
        print(
            f"{r['name']:22s} {r['p50']:8.1f} {r['p95']:8.1f} {r['rows']:>8,}"
            f"   {r['db50']:7.1f} {r['db95']:7.1f}{flag}"
        )
    return over


if __name__ == "__main__":
    main()
