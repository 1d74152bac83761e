-- Summaries the load keeps in step with core, in the transaction that changes
-- core (etl/load.py), so the stewards' pages need not aggregate every version
-- of every row on each request (issue 5; docs/benchmarks.md).

-- One row per slice version: a periodic return's rows for one unit and one
-- period, in one file. current_rows > 0 exactly when that file's version of
-- the slice is the current one. What ingest.reporting_calendar reads.
create table ingest.slices (
    kind          text    not null,
    file_id       bigint  not null,
    unit_code     text    not null,
    period        text    not null,
    period_end    date    not null,
    year          integer not null,
    row_count     integer not null,
    current_rows  integer not null,
    primary key (file_id, unit_code, period)
);
create index slices_unit_period on ingest.slices (kind, unit_code, period_end);
create index slices_year on ingest.slices (year);

-- One row per accepted file of any kind: the units and periods it covers (as
-- mart.return_rows would aggregate them: the period, else the year) and how
-- many of its rows are current.
create table ingest.file_coverage (
    file_id       bigint primary key,
    kind          text   not null,
    unit_codes    text[] not null,
    periods       text[] not null,
    row_count     bigint not null,
    current_rows  bigint not null
);

-- Rebuild both from core: for warehouses older than this migration, and for
-- rows written into core other than by the load (bench/marts.py's fill).
create function ingest.rebuild_summaries() returns void
language sql
as $$
    truncate ingest.slices, ingest.file_coverage;

    insert into ingest.slices
        (kind, file_id, unit_code, period, period_end, year, row_count, current_rows)
    select kind, file_id, unit_code, period, period_end, year, count(*),
           count(*) filter (where is_current)
    from (
        select 'target_progress' as kind, file_id, unit_code, period, period_end, year, is_current
        from core.target_progress
        union all
        select 'employment', file_id, unit_code, period, period_end, year, is_current
        from core.employment
        union all
        select 'disability_aid', file_id, unit_code, period, period_end, year, is_current
        from core.disability_aid
    ) as rows
    group by kind, file_id, unit_code, period, period_end, year;

    insert into ingest.file_coverage (file_id, kind, unit_codes, periods, row_count, current_rows)
    select
        file_id,
        min(kind),
        array_agg(distinct unit_code order by unit_code),
        coalesce(array_agg(distinct period order by period) filter (where period is not null),
                 '{}'),
        sum(row_count),
        sum(current_rows)
    from (
        select kind, file_id, unit_code, period, row_count, current_rows from ingest.slices
        union all
        select 'targets', file_id, unit_code, year::text, count(*),
               count(*) filter (where is_current)
        from core.targets
        group by file_id, unit_code, year
        union all
        select 'supervision', file_id, unit_code,
               (extract(year from registered_on)::integer)::text, count(*),
               count(*) filter (where is_current)
        from core.supervision
        group by file_id, unit_code, extract(year from registered_on)::integer
        union all
        select 'units', file_id, unit_code, null, 1, is_current::integer
        from core.units
    ) as slices
    group by file_id;
$$;

select ingest.rebuild_summaries();
