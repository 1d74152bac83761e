-- 对标分析 (issue 14): the main economic indicators, this zone's and the peer
-- districts', month by month, to find "与成都市五城区最佳成绩的差距".
--
-- core.districts: the districts compared, a register kept by migrations (the
--   city's districts change once in decades); is_home marks this zone.
-- core.indicators: the indicator register, master data loaded as returns of the
--   kind `indicators` (etl/kinds.py), versioned like units.
-- core.indicator_figures: the figures, returns of the kind `indicator_figures`,
--   one version per (period, district, indicator): a revised figure supersedes
--   that figure alone.

-- ------------------------------------------------------------ districts --
create table core.districts (
    district_code  text    primary key check (district_code ~ '^[A-Z0-9-]{2,20}$'),
    district_name  text    not null unique,
    name_en        text    not null,
    is_home        boolean not null default false,
    sort_order     integer not null default 100
);
-- One home district: this zone.
create unique index districts_one_home on core.districts (is_home) where is_home;

insert into core.districts (district_code, district_name, name_en, is_home, sort_order) values
    ('GXQ', '成都高新区', 'Chengdu Hi-tech Zone', true, 0),
    ('JJQ', '锦江区', 'Jinjiang District', false, 1),
    ('QYQ', '青羊区', 'Qingyang District', false, 2),
    ('JNQ', '金牛区', 'Jinniu District', false, 3),
    ('WHQ', '武侯区', 'Wuhou District', false, 4),
    ('CHQ', '成华区', 'Chenghua District', false, 5);

-- ------------------------------------------------------------- staging --
-- Partitioned by file_id as every staging table (sql/migrations/0004).
create table staging.indicators (
    file_id bigint not null, row_no integer not null,
    indicator_code text, indicator_name text, measure text, direction text, followed text,
    unit_code text
) partition by list (file_id);
create table staging.indicators_default partition of staging.indicators default;

create table staging.indicator_figures (
    file_id bigint not null, row_no integer not null,
    period text, district_code text, indicator_code text, value numeric, basis text,
    yoy_growth numeric, source text, unit_code text
) partition by list (file_id);
create table staging.indicator_figures_default partition of staging.indicator_figures default;

-- ----------------------------------------------------------------- core --
create table core.indicators (
    file_id bigint not null, row_no integer not null,
    indicator_code text not null, indicator_name text not null, measure text not null,
    direction text not null check (direction in ('higher', 'lower')),
    followed text not null check (followed in ('yes', 'no')),
    unit_code text not null,
    is_current boolean not null default false,
    primary key (indicator_code, file_id)
);
create unique index indicators_current on core.indicators (indicator_code) where is_current;
create index indicators_file on core.indicators using brin (file_id) with (autosummarize = on);
create trigger indicators_file_ids after insert on core.indicators
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();

create table core.indicator_figures (
    file_id bigint not null, row_no integer not null,
    period text not null check (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
    district_code text not null references core.districts,
    indicator_code text not null, value numeric not null,
    basis text not null check (basis in ('cumulative', 'monthly')),
    yoy_growth numeric, source text not null, unit_code text not null,
    -- The marts select a year's figures.
    year integer generated always as (core.period_year(period)) stored,
    is_current boolean not null default false,
    primary key (period, district_code, indicator_code, file_id)
);
-- The marts compare the districts' current figures of one indicator and month.
create unique index indicator_figures_current
    on core.indicator_figures (indicator_code, period, district_code)
    include (value, yoy_growth)
    where is_current;
create index indicator_figures_year on core.indicator_figures (year, district_code)
    where is_current;
-- The page's lines: one indicator through a year, every district.
create index indicator_figures_indicator_year on core.indicator_figures (indicator_code, year)
    where is_current;
create index indicator_figures_file on core.indicator_figures using brin (file_id)
    with (autosummarize = on);
create trigger indicator_figures_file_ids after insert on core.indicator_figures
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();

-- A file whose rows are in these tables is not deleted (as 0005 does for the others).
create function ingest.check_files_unreferenced_benchmark() returns trigger
language plpgsql
as $$
begin
    if exists (
        select 1 from old_rows as deleted
        where exists (select 1 from core.indicators as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.indicator_figures as t
                       where t.file_id = deleted.file_id)
    ) then
        raise exception 'a file whose rows are in core cannot be deleted from ingest.files'
            using errcode = 'foreign_key_violation';
    end if;
    return null;
end
$$;
create trigger files_unreferenced_benchmark after delete on ingest.files
    referencing old table as old_rows
    for each statement execute function ingest.check_files_unreferenced_benchmark();

-- Neither kind is in the reporting calendar (no frequency): the calendar expects
-- each unit's periodic return of a sliced kind, and these figures are compiled
-- by one office from the districts' bulletins as they come out.
insert into ingest.kind_settings (kind) values ('indicators'), ('indicator_figures');

-- ------------------------------------------------------ row-level security --
-- As 0012: a permissive policy for everyone (the ETL), restrictive ones for the
-- dashboard's role.
do $$
declare
    name text;
begin
    foreach name in array array['core.districts', 'core.indicators', 'core.indicator_figures']
    loop
        execute format('alter table %s enable row level security', name);
        execute format('alter table %s force row level security', name);
        execute format('create policy everyone on %s using (true) with check (true)', name);
    end loop;
end
$$;

-- The register of districts and of indicators is no unit's data: every
-- signed-in person reads it (a reporter sees what the codes in a template mean).
-- Peer districts' figures are not any unit's data either, but a comparison for
-- leaders: leaders and stewards read them all; anyone else (a reporter) only
-- the rows their own unit sent, as with any return.
-- The role checks are scalar subqueries: evaluated once per query, not once per
-- figure (the benchmark page compares half a million of them).
create policy dashboard_figures on core.indicator_figures as restrictive to ducha_dashboard
    using ((select auth.has_role('leader')) or (select auth.has_role('steward'))
           or auth.in_scope(unit_code))
    with check ((select auth.has_role('leader')) or (select auth.has_role('steward'))
                or auth.in_scope(unit_code));
-- Writes: a steward's decision moves is_current; nothing else is written.
create policy steward_updates on core.indicators as restrictive for update to ducha_dashboard
    using (auth.has_role('steward')) with check (auth.has_role('steward'));
create policy steward_updates on core.indicator_figures as restrictive for update
    to ducha_dashboard
    using (auth.has_role('steward')) with check (auth.has_role('steward'));

grant select on core.districts, core.indicators, core.indicator_figures to ducha_dashboard;
grant update (is_current) on core.indicators, core.indicator_figures to ducha_dashboard;
