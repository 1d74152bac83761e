"""对标分析 at benchmark scale: 10 years × 12 months × 200 indicators × 20 districts.

    .venv/bin/python bench/peers.py                  # its own embedded server, ~500k figures
    .venv/bin/python bench/marts.py                  # fills these too (its last ten years)

The figures are filled straight in SQL, as bench/marts.py fills the other kinds:
200 indicators (one in five lower-is-better), 14 more peer districts beside the six
of sql/migrations/0070 (20 in all), each month's figures in one file and a
correction file that revises one figure in twenty (so the marts pick current
versions among superseded ones). Then the 对标分析 page's queries
(dashboard/queries.py: _PEER_*) are timed as the page runs them, signed in as a
leader through the dashboard's role, so row-level security is paid for: p50 and
p95 over the page's parameter sets (each of the ten years; the indicators
cycling).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings
from datetime import date

import psycopg
from _common import ROOT, ducha, fresh_server, machine, median, percentile, run
from psycopg import sql

GOAL_MS = 100.0
YEARS = 10
INDICATORS = 200
DISTRICTS = 20

FILL = """
insert into core.districts (district_code, district_name, name_en, is_home, sort_order)
select 'P' || lpad(n::text, 2, '0'), '对标区县' || n, 'Peer district ' || n, false, 100 + n
from generate_series(1, {districts} - (select count(*) from core.districts)) as n;

create temporary table bench_districts as
select district_code, row_number() over (order by sort_order, district_code) as n
from core.districts;

insert into ingest.files (file_name, sha256, kind, size_bytes, received_at, finished_at,
                          as_of, row_count, outcome, approval)
values ('indicators.csv', md5('indicators'), 'indicators', 0, now(), now(),
        make_date({first}, 1, 2), {indicators}, 'accepted', 'approved');

insert into core.indicators (file_id, row_no, indicator_code, indicator_name, measure,
                             direction, followed, unit_code, is_current)
select (select max(file_id) from ingest.files where kind = 'indicators'), i + 1,
       'I-' || lpad(i::text, 3, '0'), '对标指标' || i, (array['亿元', '%', '元', '万人'])[i % 4 + 1],
       case when i % 5 = 0 then 'lower' else 'higher' end,
       case when i % 4 = 0 then 'yes' else 'no' end, {unit}, true
from generate_series(1, {indicators}) as i;

create temporary table bench_figure_files as
select y || '-' || lpad(m::text, 2, '0') as period, part
from generate_series({first}, {last}) as y, generate_series(1, 12) as m,
     unnest(array['main', 'fix']) as part;

insert into ingest.files (file_name, sha256, kind, size_bytes, received_at, finished_at,
                          as_of, row_count, outcome, approval)
select 'indicator_figures_' || period || '_' || part || '.csv', md5(period || part),
       'indicator_figures', 0, core.period_end(period) + 20, core.period_end(period) + 20,
       core.period_end(period) + 20, 0, 'accepted', 'approved'
from bench_figure_files
order by period, part;

create temporary table bench_figure_file_ids as
select files.file_id, f.period, f.part
from bench_figure_files as f
join ingest.files as files
    on files.file_name = 'indicator_figures_' || f.period || '_' || f.part || '.csv';

insert into core.indicator_figures (file_id, row_no, period, district_code, indicator_code,
                                    value, basis, yoy_growth, source, unit_code, is_current)
select f.file_id, i * 100 + d.n, f.period, d.district_code, 'I-' || lpad(i::text, 3, '0'),
       round((100 + (i * 37 + d.n * 13) % 1000) * substr(f.period, 6, 2)::int / 12.0
             * case f.part when 'fix' then 1.01 else 1 end, 2),
       'cumulative', ((i + d.n * 3 + substr(f.period, 6, 2)::int) % 30 - 5) / 100.0,
       d.district_code || ' 统计月报 ' || f.period, {unit},
       f.part = 'fix' or (i + d.n) % 20 <> 0
from bench_figure_file_ids as f
cross join generate_series(1, {indicators}) as i
cross join bench_districts as d
where f.part = 'main' or (i + d.n) % 20 = 0;
"""


def fill(url: str, first: int, last: int, unit: str = "BM-DZB") -> float:
    """Fill the register, the districts and the figures of the years ``first``–``last``,
    compiled by ``unit``; return the seconds it took."""
    values = {
        "first": first,
        "last": last,
        "indicators": INDICATORS,
        "districts": DISTRICTS,
        "unit": unit,
    }
    literals = {name: sql.Literal(value) for name, value in values.items()}
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL(FILL).format(**literals))
        conn.execute("analyze core.indicator_figures, core.indicators, core.districts")
        total, current = conn.execute(
            "select count(*), count(*) filter (where is_current) from core.indicator_figures"
        ).fetchone()
        print(f"  core.indicator_figures {total:>11,} rows {current:>11,} current", flush=True)
        # The standings the load keeps file by file (sql/migrations/0071), built
        # here in one go, as the other summaries are (bench/marts.py).
        step = time.perf_counter()
        conn.execute("select core.rebuild_peer_standings()")
        conn.execute("analyze core.peer_standings")
        standings = conn.execute("select count(*) from core.peer_standings").fetchone()[0]
        print(
            f"  core.peer_standings    {standings:>11,} rows"
            f" (rebuilt in {time.perf_counter() - step:.1f} s)",
            flush=True,
        )
    return time.perf_counter() - started


def time_page(url: str, years: list[int], samples: int) -> list[dict[str, object]]:
    """p50/p95 of each 对标分析 query as the page issues it, as a leader."""
    from dashboard import queries
    from etl.accounts import Person

    leader = queries.Access.of(url, Person("bench", "bench", ("leader",), ()))
    indicators = [f"I-{i:03d}" for i in range(1, INDICATORS + 1, 17)]
    calls = {
        "_PEER_YEARS": (queries._PEER_YEARS, lambda k: {}),
        "_PEER_RANKS": (queries._PEER_RANKS, lambda k: {"year": years[k % len(years)]}),
        "_PEER_MONTH": (
            queries._PEER_MONTH,
            lambda k: {
                "year": years[k % len(years)],
                "month": f"{years[k % len(years)]}-{k % 12 + 1:02d}",
            },
        ),
        "_PEER_FIGURES": (
            queries._PEER_FIGURES,
            lambda k: {"year": years[k % len(years)], "indicator": indicators[k % len(indicators)]},
        ),
        "_ILLUSTRATIVE": (queries._ILLUSTRATIVE, lambda k: {"year": years[k % len(years)]}),
    }
    results = []
    for name, (text, params) in calls.items():
        for k in range(len(years)):  # warm
            queries._read(leader, text, params(k))
        ms, rows = [], 0
        for k in range(samples):
            started = time.perf_counter()
            frame = queries._read(leader, text, params(k))
            ms.append((time.perf_counter() - started) * 1000)
            rows = max(rows, len(frame))
        result = {"name": name, "p50": median(ms), "p95": percentile(ms, 0.95), "rows": rows}
        print(
            f"  {name:18s} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms"
            f"  (n={samples}, up to {rows:,} rows)"
            + ("" if result["p95"] <= GOAL_MS else "  > goal"),
            flush=True,
        )
        results.append(result)
    queries.engine(leader.url).dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40, help="timed runs per query (40)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in ("cache_data_api", "cache_resource_api"):
        logging.getLogger(f"streamlit.runtime.caching.{name}").disabled = True
    first, last = 2016, 2016 + YEARS - 1
    with fresh_server("peers") as server:
        url = server.database("ducha")
        run([*ducha(), "db", "upgrade"], dict(os.environ, DATABASE_URL=url))
        # The compiling unit the figures name.
        with psycopg.connect(url) as conn:
            file_id = conn.execute(
                "insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome,"
                " approval) values ('units.csv', md5('units'), 'units', 0, current_date,"
                " 'accepted', 'approved') returning file_id"
            ).fetchone()[0]
            conn.execute(
                "insert into core.units (file_id, row_no, unit_code, unit_name, unit_type,"
                " is_current) values (%s, 2, 'BM-DZB', '党政办公室', 'department', true)",
                (file_id,),
            )
        print(f"machine: {machine(url)}")
        print(f"project: {ROOT}; {date.today()}")
        print(
            f"fill ({YEARS} years × 12 months × {INDICATORS} indicators × {DISTRICTS} districts):"
        )
        print(f"  filled in {fill(url, first, last):.0f} s\n")
        print(f"对标分析 queries ({args.samples} samples each, warm, as a leader):")
        results = time_page(url, list(range(first, last + 1)), args.samples)
    over = [r["name"] for r in results if float(r["p95"]) > GOAL_MS]
    print(
        f"\n{len(results) - len(over)} of {len(results)} queries at p95 <= {GOAL_MS:.0f} ms"
        + (f"; over: {', '.join(map(str, over))}" if over else "")
    )


if __name__ == "__main__":
    main()
