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

-- Years and received returns come from ingest.slices, one row per slice
-- version that the load keeps in step with core (sql/migrations/0006), not
-- from every row of core (docs/benchmarks.md).
years as (
    select year from core.targets
    union
    select year from ingest.slices
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
-- The versions received for this expected return, looked up by its key (an
-- aggregate over the whole history of the kind took most of the time).
left join lateral (
    select
        count(distinct slices.file_id) as versions,
        min(files.received_at) as first_received_at,
        max(files.file_id) as latest_file_id,
        bool_or(slices.current_rows > 0) as has_current,
        bool_or(files.approval = 'pending') as has_pending
    from ingest.slices as slices
    inner join ingest.files as files on files.file_id = slices.file_id
    where slices.kind = expected.kind
        and slices.unit_code = expected.unit_code
        and slices.period_end = expected.period_end
) as received on true
left join ingest.files as latest on latest.file_id = received.latest_file_id
left join locks
    on locks.kind = expected.kind
    and locks.unit_code = expected.unit_code
    and locks.period_end = expected.period_end;
