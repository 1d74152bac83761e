-- Drill-through: every version of every row received, current or not, with the
-- file it came from (ingest.files). item_key is the row's key within its kind:
-- target_code, area_name, program, item_code or unit_code. figures holds the
-- row's own values, so a page can show what each version said.
--
-- Written without WITH, so PostgreSQL pulls the view into the query that
-- reads it: a drill-through for one kind and year then walks that kind's
-- index in order and computes figures only for the rows it returns.
drop view if exists mart.return_rows;
create view mart.return_rows as
select
    received.kind,
    received.year,
    received.period,
    received.period_end,
    received.unit_code,
    received.item_key,
    files.file_id,
    files.file_name,
    received.row_no,
    files.received_at,
    files.as_of,
    files.approval,
    case
        when received.is_current then 'current'
        when files.approval = 'pending' then 'pending'
        when files.approval = 'rejected' then 'withdrawn'
        else 'superseded'
    end as version_status,
    received.figures
from (
    select
        'units' as kind, null::integer as year, null::text as period,
        null::date as period_end, unit_code, unit_code as item_key,
        file_id, row_no, is_current,
        to_jsonb(units) - array['file_id', 'row_no', 'is_current'] as figures
    from core.units as units

    union all

    select
        'targets', year, null, null, unit_code, target_code,
        file_id, row_no, is_current,
        to_jsonb(targets) - array['file_id', 'row_no', 'is_current']
    from core.targets as targets

    union all

    select
        'target_progress', year, period, period_end, unit_code, target_code,
        file_id, row_no, is_current,
        to_jsonb(progress) - array['file_id', 'row_no', 'is_current', 'year', 'period_end']
    from core.target_progress as progress

    union all

    select
        'employment', year, period, period_end, unit_code, area_name,
        file_id, row_no, is_current,
        to_jsonb(employment) - array['file_id', 'row_no', 'is_current', 'year', 'period_end']
    from core.employment as employment

    union all

    select
        'disability_aid', year, period, period_end, unit_code, program,
        file_id, row_no, is_current,
        to_jsonb(aid) - array['file_id', 'row_no', 'is_current', 'year', 'period_end']
    from core.disability_aid as aid

    union all

    select
        'supervision', extract(year from registered_on)::integer, null, null,
        unit_code, item_code,
        file_id, row_no, is_current,
        to_jsonb(item) - array['file_id', 'row_no', 'is_current']
    from core.supervision as item
) as received
inner join ingest.files as files on files.file_id = received.file_id;
