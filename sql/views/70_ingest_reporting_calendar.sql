-- The reporting calendar (DHIS2's expected vs on-time returns): for each
-- periodic kind, each expected unit and each period of every year the
-- warehouse holds, whether a return came, on time, and whether it is approved.
-- A return answers for a period when its period ends on the same day, so a
-- '2006-12' or '2006' return answers for 2006-Q4 as well.
drop view if exists ingest.reporting_calendar;
create view ingest.reporting_calendar as
with settings as (
    select kind, frequency, deadline_days, expected_unit_types
    from ingest.kind_settings
    where frequency is not null
),

years as (
    select year from core.targets
    union
    select year from core.target_progress
    union
    select year from core.employment
    union
    select year from core.disability_aid
),

periods as (
    select
        settings.kind,
        years.year,
        case settings.frequency
            when 'month' then years.year || '-' || lpad(n::text, 2, '0')
            when 'quarter' then years.year || '-Q' || n
            else years.year::text
        end as period
    from settings
    cross join years
    cross join lateral generate_series(
        1, case settings.frequency when 'month' then 12 when 'quarter' then 4 else 1 end
    ) as n
),

units as (
    select unit_code, unit_name, unit_type from core.units where is_current
),

expected as (
    select
        periods.kind,
        periods.year,
        periods.period,
        core.period_end(periods.period) as period_end,
        units.unit_code,
        units.unit_name,
        units.unit_type,
        core.period_end(periods.period) + settings.deadline_days as due_on
    from periods
    inner join settings on settings.kind = periods.kind
    inner join units on units.unit_type = any(settings.expected_unit_types)
    where periods.kind <> 'target_progress'
        or exists (
            select 1 from core.targets
            where targets.is_current
                and targets.year = periods.year
                and targets.unit_code = units.unit_code
        )
),

slices as (
    select distinct 'target_progress' as kind, unit_code, period_end, file_id, is_current
    from core.target_progress
    union
    select distinct 'employment', unit_code, period_end, file_id, is_current
    from core.employment
    union
    select distinct 'disability_aid', unit_code, period_end, file_id, is_current
    from core.disability_aid
),

received as (
    select
        slices.kind,
        slices.unit_code,
        slices.period_end,
        count(distinct slices.file_id) as versions,
        min(files.received_at) as first_received_at,
        max(files.file_id) as latest_file_id,
        bool_or(slices.is_current) as has_current,
        bool_or(files.approval = 'pending') as has_pending
    from slices
    inner join ingest.files as files on files.file_id = slices.file_id
    group by slices.kind, slices.unit_code, slices.period_end
),

locks as (
    select kind, unit_code, core.period_end(period) as period_end
    from ingest.period_locks
    where released_at is null
)

select
    expected.kind,
    expected.year,
    expected.period,
    expected.period_end,
    expected.unit_code,
    expected.unit_name,
    expected.unit_type,
    expected.due_on,
    received.first_received_at,
    received.latest_file_id,
    latest.file_name as latest_file_name,
    latest.approval as latest_approval,
    coalesce(received.versions, 0) as versions,
    received.first_received_at is not null as received,
    received.first_received_at::date <= expected.due_on as on_time,
    coalesce(received.has_current, false) as approved,
    locks.unit_code is not null as locked,
    case
        when received.has_current then 'approved'
        when received.has_pending then 'pending'
        when received.versions > 0 then 'withdrawn'
        when expected.due_on < current_date then 'missing'
        else 'not_due'
    end as status
from expected
left join received
    on received.kind = expected.kind
    and received.unit_code = expected.unit_code
    and received.period_end = expected.period_end
left join ingest.files as latest on latest.file_id = received.latest_file_id
left join locks
    on locks.kind = expected.kind
    and locks.unit_code = expected.unit_code
    and locks.period_end = expected.period_end;
