-- Performance (issue 5; figures and method in docs/benchmarks.md).

-- ------------------------------------------------------------- staging --
-- Each staging.<kind> becomes a table partitioned by file_id. A load creates an
-- unlogged partition of its own, staging.<kind>_f<file_id>, with no index,
-- COPYs its rows into it and drops it when the file is promoted or rejected
-- (etl/load.py): no WAL for rows that live seconds, and no DELETE and VACUUM
-- of a million rows afterwards. Rows staged without a partition of their own
-- land in the default partition, and are deleted as before.

alter table staging.units rename to units_0003;
create table staging.units (like staging.units_0003) partition by list (file_id);
create table staging.units_default partition of staging.units default;
insert into staging.units select * from staging.units_0003;
drop table staging.units_0003;

alter table staging.targets rename to targets_0003;
create table staging.targets (like staging.targets_0003) partition by list (file_id);
create table staging.targets_default partition of staging.targets default;
insert into staging.targets select * from staging.targets_0003;
drop table staging.targets_0003;

alter table staging.target_progress rename to target_progress_0003;
create table staging.target_progress (like staging.target_progress_0003)
    partition by list (file_id);
create table staging.target_progress_default partition of staging.target_progress default;
insert into staging.target_progress select * from staging.target_progress_0003;
drop table staging.target_progress_0003;

alter table staging.employment rename to employment_0003;
create table staging.employment (like staging.employment_0003) partition by list (file_id);
create table staging.employment_default partition of staging.employment default;
insert into staging.employment select * from staging.employment_0003;
drop table staging.employment_0003;

alter table staging.disability_aid rename to disability_aid_0003;
create table staging.disability_aid (like staging.disability_aid_0003)
    partition by list (file_id);
create table staging.disability_aid_default partition of staging.disability_aid default;
insert into staging.disability_aid select * from staging.disability_aid_0003;
drop table staging.disability_aid_0003;

alter table staging.supervision rename to supervision_0003;
create table staging.supervision (like staging.supervision_0003) partition by list (file_id);
create table staging.supervision_default partition of staging.supervision default;
insert into staging.supervision select * from staging.supervision_0003;
drop table staging.supervision_0003;
