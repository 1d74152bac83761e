"""How long each dashboard page takes on a warehouse of about a million rows.

Opt-in (``DUCHA_BENCH=1``): it fills ten years of synthetic current rows straight
into ``core`` (just over a million rows), then times a cold AppTest run of every page,
with no filter and with one unit chosen. Timings go to ``bench-output/dashboard.txt``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest
import streamlit as st

from tests.test_dashboard_app import PAGES, open_app

ROOT = Path(__file__).resolve().parents[1]
# Generous: two shared CPU cores; the point is that no page grows with the warehouse.
SECONDS_PER_PAGE = 15.0

pytestmark = pytest.mark.skipif(
    os.environ.get("DUCHA_BENCH") != "1", reason="benchmark: set DUCHA_BENCH=1 to run"
)

FILL = """
insert into ingest.files (file_name, sha256, kind, size_bytes, as_of, outcome, approval, row_count)
select 'bench_' || kind || '.csv', md5(kind), kind, 0, date '2015-12-31', 'accepted', 'approved', 0
from unnest(array['units', 'targets', 'target_progress', 'employment', 'disability_aid',
                  'supervision']) as kind;

create temporary table bench_files as select kind, file_id from ingest.files;

insert into core.units (file_id, row_no, unit_code, unit_name, unit_type, is_current)
select (select file_id from bench_files where kind = 'units'), i + 1,
       'U-' || lpad(i::text, 3, '0'), '单位' || i,
       (array['subdistrict', 'department', 'affiliated'])[i % 3 + 1], true
from generate_series(1, 200) as i;

insert into core.targets (file_id, row_no, year, target_code, target_name, source, unit_code,
                          measure, planned_value, direction, weight, is_current)
select (select file_id from bench_files where kind = 'targets'), j + 1, y, 'T-' || j, '目标' || j,
       (array['city', 'characteristic', 'livelihood', 'special', 'provincial'])[j % 5 + 1],
       'U-' || lpad((j % 200 + 1)::text, 3, '0'), '万元', 100, 'higher', 1, true
from generate_series(2006, 2015) as y, generate_series(1, 1000) as j;

insert into core.target_progress (file_id, row_no, period, year, period_end, unit_code,
                                  target_code, actual_value, is_current)
select (select file_id from bench_files where kind = 'target_progress'), j + 1,
       y || '-' || lpad(m::text, 2, '0'), y,
       (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date,
       'U-' || lpad((j % 200 + 1)::text, 3, '0'), 'T-' || j, 100 * m / 12.0 * (0.8 + (j % 5) / 10.0),
       true
from generate_series(2006, 2015) as y, generate_series(1, 12) as m,
     generate_series(1, 1000) as j;

insert into core.employment (file_id, row_no, period, year, period_end, unit_code, area_name,
                             labor_force, employed, zero_employment_households, aid_referrals,
                             aid_placements, graduates_hired, trainees, labor_transferred,
                             is_current)
select (select file_id from bench_files where kind = 'employment'), a + 1,
       y || '-' || lpad(m::text, 2, '0'), y,
       (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date,
       'U-' || lpad(u::text, 3, '0'), '社区' || a, 1000, 940 + (u + a + m) % 50, (u + m) % 3,
       10, 9, 5, 20, 8, true
from generate_series(2006, 2015) as y, generate_series(1, 12) as m,
     generate_series(1, 200) as u, generate_series(1, 12) as a;

insert into core.disability_aid (file_id, row_no, period, year, period_end, unit_code, program,
                                 households, person_times, standard_yuan, amount_yuan,
                                 is_current)
select (select file_id from bench_files where kind = 'disability_aid'), p + 1,
       y || '-' || lpad(m::text, 2, '0'), y,
       (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date,
       'U-' || lpad(u::text, 3, '0'),
       (array['特困生活补助', '医疗爱心卡', '康复药箱', '辅助器具', '复明手术', '参保资助',
              '助学金'])[p],
       20, 22, 100, 2200, true
from generate_series(2006, 2015) as y, generate_series(1, 12) as m,
     generate_series(1, 200) as u, generate_series(1, 7) as p;

insert into core.supervision (file_id, row_no, item_code, source, title, unit_code,
                              registered_on, due_on, closed_on, satisfaction, as_of, is_current)
select (select file_id from bench_files where kind = 'supervision'), i + 1,
       'DB-' || y || '-' || i,
       (array['city', 'leader', 'meeting', 'deputy', 'cppcc'])[i % 5 + 1],
       '督办事项' || i, 'U-' || lpad((i % 200 + 1)::text, 3, '0'),
       make_date(y, 1, 1) + (i % 330), make_date(y, 1, 1) + (i % 330) + 30,
       case when i % 20 = 0 then null else make_date(y, 1, 1) + (i % 330) + (i % 40) end,
       case when i % 7 = 0 then 'satisfied' end,
       make_date(y, 12, 31), true
from generate_series(2006, 2015) as y, generate_series(1, 42000) as i;

analyze;
"""

COUNT = """
select (select count(*) from core.units) + (select count(*) from core.targets)
     + (select count(*) from core.target_progress) + (select count(*) from core.employment)
     + (select count(*) from core.disability_aid) + (select count(*) from core.supervision)
"""


def test_every_page_stays_fast_on_a_million_rows(monkeypatch, warehouse):
    started = time.monotonic()
    with psycopg.connect(warehouse) as conn:
        conn.execute(FILL)
        rows = conn.execute(COUNT).fetchone()[0]
    fill_seconds = time.monotonic() - started
    assert rows >= 1_000_000

    lines = [f"warehouse: {rows:,} core rows, filled in {fill_seconds:.1f} s"]
    slowest = 0.0
    for label, params in (("all units", {}), ("one unit", {"unit": "U-007"})):
        for page in PAGES:
            st.cache_data.clear()  # cold: every query goes to PostgreSQL
            started = time.monotonic()
            at = open_app(monkeypatch, warehouse, page, params=params)
            seconds = time.monotonic() - started
            assert at.metric, page  # figures were drawn, not guidance
            slowest = max(slowest, seconds)
            lines.append(f"{page:15s} {label:9s} {seconds:6.2f} s")
    out = ROOT / "bench-output"
    out.mkdir(exist_ok=True)
    (out / "dashboard.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    assert slowest < SECONDS_PER_PAGE, lines
