-- The unit register (单位名录), current versions: the dashboard's unit filter.
drop view if exists mart.units;
create view mart.units as
select
    unit_code,
    unit_name,
    unit_type,
    email
from core.units
where is_current;
