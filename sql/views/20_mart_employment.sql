-- One row per (period, unit_code, area_name), current versions only.
create view mart.employment as
-- No WITH (see mart.target_progress).
select
    employment.year,
    employment.period,
    employment.unit_code,
    units.unit_name,
    units.unit_type,
    employment.area_name,
    employment.labor_force,
    employment.employed,
    employment.employed::numeric / nullif(employment.labor_force, 0) as employment_rate,
    employment.aid_referrals,
    employment.aid_placements,
    employment.aid_placements::numeric / nullif(employment.aid_referrals, 0) as placement_rate,
    employment.zero_employment_households,
    employment.graduates_hired,
    employment.trainees,
    employment.labor_transferred,
    employment.period_end,
    employment.file_id,
    employment.row_no
from core.employment as employment
left join core.units as units
    on units.unit_code = employment.unit_code
    and units.is_current
where employment.is_current;
