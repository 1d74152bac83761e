-- One row per (period, unit_code, program), current versions only.
create view mart.disability_aid as
-- No WITH (see mart.target_progress).
select
    aid.year,
    aid.period,
    aid.unit_code,
    units.unit_name,
    units.unit_type,
    aid.program,
    aid.households,
    aid.person_times,
    aid.standard_yuan,
    aid.amount_yuan,
    aid.period_end,
    aid.file_id,
    aid.row_no
from core.disability_aid as aid
left join core.units as units
    on units.unit_code = aid.unit_code
    and units.is_current
where aid.is_current;
