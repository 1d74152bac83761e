-- Return kind assessment_evaluations 考核评估得分 (etl/kinds.py; issue 12): a
-- unit's score in one evaluation of the year's assessment (领导评估, 政务服务
-- 满意度评估, 党风廉政建设评估) and how many raters gave it.
-- Version key (year, unit_code, evaluation_type).

create table staging.assessment_evaluations (
    file_id bigint not null, row_no integer not null,
    year bigint, unit_code text, evaluation_type text, score numeric, raters bigint, note text
) partition by list (file_id);
create table staging.assessment_evaluations_default
    partition of staging.assessment_evaluations default;

create table core.assessment_evaluations (
    file_id bigint not null, row_no integer not null,
    year integer not null, unit_code text not null, evaluation_type text not null,
    score numeric(5, 2) not null check (score between 0 and 100),
    raters integer not null check (raters >= 1),
    note text,
    is_current boolean not null default false,
    primary key (year, unit_code, evaluation_type, file_id)
);
create trigger assessment_evaluations_file_ids after insert on core.assessment_evaluations
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
create index assessment_evaluations_current on core.assessment_evaluations (year)
    where is_current;
create index assessment_evaluations_file on core.assessment_evaluations using brin (file_id)
    with (autosummarize = on);

insert into ingest.kind_settings (kind, frequency, expected_unit_types)
values ('assessment_evaluations', null, null);

-- A file whose rows are in core cannot be deleted: from now on checked over
-- every core table with a file_id, so a new kind needs no change here.
create or replace function ingest.check_files_unreferenced() returns trigger
language plpgsql
as $$
declare
    kind_table regclass;
    found boolean;
begin
    for kind_table in
        select format('%I.%I', c.table_schema, c.table_name)::regclass
        from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'core' and c.column_name = 'file_id'
          and t.table_type = 'BASE TABLE'
    loop
        execute format(
            'select exists (select 1 from old_rows as deleted'
            ' where exists (select 1 from %s as t where t.file_id = deleted.file_id))',
            kind_table
        ) into found;
        if found then
            raise exception 'a file whose rows are in core cannot be deleted from ingest.files'
                using errcode = 'foreign_key_violation';
        end if;
    end loop;
    return null;
end
$$;

-- Access as for every core table (0012).
alter table core.assessment_evaluations enable row level security;
alter table core.assessment_evaluations force row level security;
create policy everyone on core.assessment_evaluations using (true) with check (true);
create policy dashboard_units on core.assessment_evaluations as restrictive to ducha_dashboard
    using (auth.in_scope(unit_code)) with check (auth.in_scope(unit_code));
create policy steward_updates on core.assessment_evaluations as restrictive for update
    to ducha_dashboard
    using (auth.has_role('steward')) with check (auth.has_role('steward'));
grant select, update (is_current) on core.assessment_evaluations to ducha_dashboard;
