-- One row per (year, target_code): the current target with its latest reported
-- progress (contract §4). A target nobody has reported on yet has NULL actuals.
-- The completion formula lives once, in mart.target_progress.
create view mart.target_completion as
-- No WITH (see mart.target_progress).
select
    targets.year,
    latest_progress.period,
    targets.unit_code,
    units.unit_name,
    units.unit_type,
    targets.target_code,
    targets.target_name,
    targets.source,
    targets.measure,
    targets.direction,
    targets.weight,
    targets.planned_value,
    latest_progress.actual_value,
    latest_progress.completion_rate,
    latest_progress.period_end,
    latest_progress.file_id
from core.targets as targets
left join (
    select distinct on (year, target_code) *
    from mart.target_progress
    order by year, target_code, period_end desc, file_id desc
) as latest_progress
    on latest_progress.year = targets.year
    and latest_progress.target_code = targets.target_code
left join core.units as units
    on units.unit_code = targets.unit_code
    and units.is_current
where targets.is_current;
