-- Keys, indexes and summaries for loading and serving at scale (issue 5;
-- figures and method in docs/benchmarks.md).

-- ------------------------------------------------- core: file references --
-- core rows name the ingest.files row of their file. A foreign key checks that
-- row by row (2.3 s of a 5 s promotion of a million rows); these triggers
-- check it once per statement, over the rows it inserted, with the same error
-- (SQLSTATE 23503). Deleting a file that still has rows is refused likewise.

create function core.check_file_ids() returns trigger
language plpgsql
as $$
begin
    if exists (
        select 1
        from (select distinct file_id from new_rows) as inserted
        where not exists (
            select 1 from ingest.files as files where files.file_id = inserted.file_id
        )
    ) then
        raise exception 'rows of core.% name a file that is not in ingest.files', tg_table_name
            using errcode = 'foreign_key_violation';
    end if;
    return null;
end
$$;

create function ingest.check_files_unreferenced() returns trigger
language plpgsql
as $$
begin
    if exists (
        select 1 from old_rows as deleted
        where exists (select 1 from core.units as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.targets as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.target_progress as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.employment as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.disability_aid as t where t.file_id = deleted.file_id)
            or exists (select 1 from core.supervision as t where t.file_id = deleted.file_id)
    ) then
        raise exception 'a file whose rows are in core cannot be deleted from ingest.files'
            using errcode = 'foreign_key_violation';
    end if;
    return null;
end
$$;

create trigger files_unreferenced after delete on ingest.files
    referencing old table as old_rows
    for each statement execute function ingest.check_files_unreferenced();

-- ---------------------------------------------------------- core: keys --
-- The primary key leads with the version key (contract §2), so it also serves
-- the lookups of a key's versions that the separate *_key indexes did: one
-- index fewer to maintain per row loaded. Rows of one file are found through
-- a BRIN index on file_id (files arrive in file_id order; a few kB per table).
-- "One current version per key" becomes a unique index for the master data,
-- which also lets the planner drop the marts' unused joins to them.

alter table core.units drop constraint units_file_id_fkey;
create trigger units_file_ids after insert on core.units
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.units drop constraint units_pkey;
alter table core.units add constraint units_pkey primary key (unit_code, file_id);
drop index core.units_current;
create unique index units_current on core.units (unit_code) where is_current;
create index units_file on core.units using brin (file_id) with (autosummarize = on);

alter table core.targets drop constraint targets_file_id_fkey;
create trigger targets_file_ids after insert on core.targets
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.targets drop constraint targets_pkey;
alter table core.targets add constraint targets_pkey primary key (year, target_code, file_id);
drop index core.targets_current;
create unique index targets_current on core.targets (year, target_code) where is_current;
create index targets_file on core.targets using brin (file_id) with (autosummarize = on);

alter table core.target_progress drop constraint target_progress_file_id_fkey;
create trigger target_progress_file_ids after insert on core.target_progress
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.target_progress drop constraint target_progress_pkey;
alter table core.target_progress add constraint target_progress_pkey
    primary key (unit_code, period, target_code, file_id);
drop index core.target_progress_key;
create index target_progress_file on core.target_progress using brin (file_id)
    with (autosummarize = on);

alter table core.employment drop constraint employment_file_id_fkey;
create trigger employment_file_ids after insert on core.employment
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.employment drop constraint employment_pkey;
alter table core.employment add constraint employment_pkey
    primary key (unit_code, period, area_name, file_id);
drop index core.employment_key;
create index employment_file on core.employment using brin (file_id) with (autosummarize = on);

alter table core.disability_aid drop constraint disability_aid_file_id_fkey;
create trigger disability_aid_file_ids after insert on core.disability_aid
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.disability_aid drop constraint disability_aid_pkey;
alter table core.disability_aid add constraint disability_aid_pkey
    primary key (unit_code, period, program, file_id);
drop index core.disability_aid_key;
create index disability_aid_file on core.disability_aid using brin (file_id)
    with (autosummarize = on);

-- Supervision: the marts select by the year of registered_on
-- (mart.supervision_items.year): current items of a year, and every version
-- of a year's items in unit and item order for the drill-through (which then
-- stops after its first 5,000 rows instead of sorting the year's history).
alter table core.supervision drop constraint supervision_file_id_fkey;
create trigger supervision_file_ids after insert on core.supervision
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
alter table core.supervision drop constraint supervision_pkey;
alter table core.supervision add constraint supervision_pkey primary key (item_code, file_id);
drop index core.supervision_key;
drop index core.supervision_current;
create index supervision_current on core.supervision ((extract(year from registered_on)::integer))
    where is_current;
create index supervision_year_unit on core.supervision
    ((extract(year from registered_on)::integer), unit_code, item_code);
create index supervision_file on core.supervision using brin (file_id) with (autosummarize = on);
