-- The years with any current figures: those of mart.target_completion,
-- mart.employment, mart.disability_aid and mart.supervision_items. The core
-- tables are partitioned by year (sql/migrations/0090): each year's partition
-- is asked once for one current row (a probe of its "current" index; LIMIT 1
-- keeps PostgreSQL from turning the probes into a join over every current
-- row), instead of reading every current row of the four views.
drop view if exists mart.years;
create view mart.years as
select y.year
from core.partition_years('core.targets') as y (year)
cross join lateral (
    select from core.targets as t where t.year = y.year and t.is_current limit 1
) as held
union
select y.year
from core.partition_years('core.employment') as y (year)
cross join lateral (
    select from core.employment as e where e.year = y.year and e.is_current limit 1
) as held
union
select y.year
from core.partition_years('core.disability_aid') as y (year)
cross join lateral (
    select from core.disability_aid as a where a.year = y.year and a.is_current limit 1
) as held
union
select y.year
from core.partition_years('core.supervision') as y (year)
cross join lateral (
    select from core.supervision as s where s.year = y.year and s.is_current limit 1
) as held;
