-- Return kind assessment_items 考核加减分事项 (etl/kinds.py; issue 12): a bonus,
-- deduction or veto (一票否决) of one unit in the year's assessment, with its
-- reason and the document it rests on. Version key (year, item_code).

create table staging.assessment_items (
    file_id bigint not null, row_no integer not null,
    year bigint, item_code text, unit_code text, item_type text, points numeric,
    reason text, document text
) partition by list (file_id);
create table staging.assessment_items_default partition of staging.assessment_items default;

create table core.assessment_items (
    file_id bigint not null, row_no integer not null,
    year integer not null, item_code text not null, unit_code text not null,
    item_type text not null check (item_type in ('bonus', 'deduction', 'veto')),
    points numeric(6, 2) not null check (points >= 0),
    reason text not null, document text,
    is_current boolean not null default false,
    primary key (year, item_code, file_id)
);
create trigger assessment_items_file_ids after insert on core.assessment_items
    referencing new table as new_rows
    for each statement execute function core.check_file_ids();
create index assessment_items_current on core.assessment_items (year, unit_code)
    where is_current;
create index assessment_items_file on core.assessment_items using brin (file_id)
    with (autosummarize = on);

insert into ingest.kind_settings (kind, frequency, expected_unit_types)
values ('assessment_items', null, null);

alter table core.assessment_items enable row level security;
alter table core.assessment_items force row level security;
create policy everyone on core.assessment_items using (true) with check (true);
create policy dashboard_units on core.assessment_items as restrictive to ducha_dashboard
    using (auth.in_scope(unit_code)) with check (auth.in_scope(unit_code));
create policy steward_updates on core.assessment_items as restrictive for update
    to ducha_dashboard
    using (auth.has_role('steward')) with check (auth.has_role('steward'));
grant select, update (is_current) on core.assessment_items to ducha_dashboard;
