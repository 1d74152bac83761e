-- One row per (year, target_code, period): every current progress report of a
-- current target, so a page can show completion as at any period and a
-- target's history. completion_rate follows contract §4 (as mart.target_completion).
drop view if exists mart.target_progress;
create view mart.target_progress as
-- No WITH: a view with a CTE is planned on its own, so a query selecting a few
-- of its columns would still join and compute them all (docs/benchmarks.md).
select
    progress.year,
    progress.period,
    progress.period_end,
    targets.unit_code,
    units.unit_name,
    units.unit_type,
    targets.target_code,
    targets.target_name,
    targets.source,
    targets.measure,
    targets.direction,
    targets.planned_value,
    progress.actual_value,
    case
        when targets.direction = 'lower' then
            case when progress.actual_value = 0 then 1::numeric
                 else targets.planned_value / progress.actual_value end
        else progress.actual_value / targets.planned_value
    end as completion_rate,
    progress.note,
    progress.file_id,
    progress.row_no
from core.target_progress as progress
inner join core.targets as targets
    on targets.year = progress.year
    and targets.target_code = progress.target_code
    and targets.is_current
left join core.units as units
    on units.unit_code = targets.unit_code
    and units.is_current
where progress.is_current;
