-- ducha warehouse, first schema.
-- ingest: the bookkeeping of every file received; staging: rows as received;
-- core: every version of every row; mart: the public views (sql/views/).

create schema if not exists ingest;
create schema if not exists staging;
create schema if not exists core;
create schema if not exists mart;

-- ---------------------------------------------------------------- ingest --

create table ingest.files (
    file_id        bigint generated always as identity primary key,
    file_name      text        not null,
    sha256         text        not null,
    kind           text,
    size_bytes     bigint      not null,
    received_at    timestamptz not null default now(),
    finished_at    timestamptz,
    as_of          date        not null,
    row_count      integer,
    -- validating: rows are in staging, checks running; interrupted: the process
    -- died while validating (nothing reached core).
    outcome        text        not null default 'validating'
        check (outcome in ('validating', 'accepted', 'accepted_with_warnings',
                           'rejected', 'interrupted')),
    -- Only accepted files have an approval state; the marts show approved ones.
    approval       text
        check (approval in ('approved', 'pending', 'rejected')),
    error_count    integer     not null default 0,
    warning_count  integer     not null default 0
);
create index files_sha256 on ingest.files (sha256);
create index files_kind on ingest.files (kind, file_id);

create table ingest.problems (
    problem_id   bigint generated always as identity primary key,
    file_id      bigint not null references ingest.files on delete cascade,
    severity     text   not null check (severity in ('error', 'warning')),
    source       text   not null check (source in ('reader', 'expectation', 'warehouse')),
    row_no       integer,
    column_name  text,
    value        text,
    rule         text   not null,
    message_zh   text   not null,
    message_en   text   not null
);
create index problems_file on ingest.problems (file_id);

create table ingest.expectation_results (
    result_id         bigint generated always as identity primary key,
    file_id           bigint  not null references ingest.files on delete cascade,
    expectation_type  text    not null,
    column_name       text,
    kwargs            jsonb   not null default '{}',
    severity          text    not null check (severity in ('error', 'warning')),
    success           boolean not null,
    element_count     bigint,
    unexpected_count  bigint
);
create index expectation_results_file on ingest.expectation_results (file_id);

-- Per-kind policy (contract §2 "Approved"): whether a steward must approve.
create table ingest.kind_settings (
    kind               text primary key,
    requires_approval  boolean not null default false
);
insert into ingest.kind_settings (kind) values
    ('units'), ('targets'), ('target_progress'), ('employment'),
    ('disability_aid'), ('supervision');

create table ingest.decisions (
    decision_id  bigint generated always as identity primary key,
    file_id      bigint      not null references ingest.files on delete cascade,
    action       text        not null check (action in ('approve', 'reject')),
    decided_by   text        not null check (decided_by <> ''),
    decided_at   timestamptz not null default now(),
    reason       text
);
create index decisions_file on ingest.decisions (file_id);

-- ------------------------------------------------------------- periods --
-- period is 'YYYY', 'YYYY-Qn' or 'YYYY-MM' (contract §1).

create function core.period_year(period text) returns integer
language sql immutable strict parallel safe
as $$ select substr(period, 1, 4)::integer $$;

create function core.period_end(period text) returns date
language sql immutable strict parallel safe
as $$
    select case
        when period ~ '^\d{4}$' then make_date(substr(period, 1, 4)::int, 12, 31)
        when period ~ '^\d{4}-Q[1-4]$' then
            (make_date(substr(period, 1, 4)::int, substr(period, 7, 1)::int * 3, 1)
             + interval '1 month' - interval '1 day')::date
        when period ~ '^\d{4}-\d{2}$' then
            (make_date(substr(period, 1, 4)::int, substr(period, 6, 2)::int, 1)
             + interval '1 month' - interval '1 day')::date
    end
$$;

-- -------------------------------------------------------------- staging --
-- Rows as received and typed by the reader, with the file and the row number
-- the user sees. A cell that could not be typed is NULL here (the reader
-- reported it). Rows live here only while their file is being validated.

create table staging.units (
    file_id bigint not null, row_no integer not null,
    unit_code text, unit_name text, unit_type text
);
create table staging.targets (
    file_id bigint not null, row_no integer not null,
    year bigint, target_code text, target_name text, source text, unit_code text,
    measure text, planned_value numeric, direction text, weight numeric
);
create table staging.target_progress (
    file_id bigint not null, row_no integer not null,
    period text, unit_code text, target_code text, actual_value numeric, note text
);
create table staging.employment (
    file_id bigint not null, row_no integer not null,
    period text, unit_code text, area_name text,
    labor_force bigint, employed bigint, zero_employment_households bigint,
    aid_referrals bigint, aid_placements bigint,
    graduates_hired bigint, trainees bigint, labor_transferred bigint
);
create table staging.disability_aid (
    file_id bigint not null, row_no integer not null,
    period text, unit_code text, program text,
    households bigint, person_times bigint, standard_yuan numeric, amount_yuan numeric
);
create table staging.supervision (
    file_id bigint not null, row_no integer not null,
    item_code text, source text, title text, unit_code text,
    registered_on date, due_on date, closed_on date, satisfaction text,
    as_of date not null
);
create index on staging.units (file_id);
create index on staging.targets (file_id);
create index on staging.target_progress (file_id);
create index on staging.employment (file_id);
create index on staging.disability_aid (file_id);
create index on staging.supervision (file_id);

-- ----------------------------------------------------------------- core --
-- Every version of every row, kept. is_current marks the rows the marts show:
-- for each version key, the rows of the latest approved file (maintained by
-- the load and by stewards' decisions, see etl/load.py).

create table core.units (
    file_id bigint not null references ingest.files, row_no integer not null,
    unit_code text not null, unit_name text not null, unit_type text not null,
    is_current boolean not null default false,
    primary key (file_id, unit_code)
);
create index units_current on core.units (unit_code) where is_current;

create table core.targets (
    file_id bigint not null references ingest.files, row_no integer not null,
    year integer not null, target_code text not null, target_name text not null,
    source text not null, unit_code text not null, measure text not null,
    planned_value numeric not null, direction text not null, weight numeric,
    is_current boolean not null default false,
    primary key (file_id, year, target_code)
);
create index targets_current on core.targets (year, target_code) where is_current;

create table core.target_progress (
    file_id bigint not null references ingest.files, row_no integer not null,
    period text not null, year integer not null, period_end date not null,
    unit_code text not null, target_code text not null,
    actual_value numeric not null, note text,
    is_current boolean not null default false,
    primary key (file_id, unit_code, period, target_code)
);
create index target_progress_key on core.target_progress (unit_code, period);
create index target_progress_current on core.target_progress (year, target_code, period_end)
    where is_current;

create table core.employment (
    file_id bigint not null references ingest.files, row_no integer not null,
    period text not null, year integer not null, period_end date not null,
    unit_code text not null, area_name text not null,
    labor_force bigint not null, employed bigint not null,
    zero_employment_households bigint not null,
    aid_referrals bigint not null, aid_placements bigint not null,
    graduates_hired bigint, trainees bigint, labor_transferred bigint,
    is_current boolean not null default false,
    primary key (file_id, unit_code, period, area_name)
);
create index employment_key on core.employment (unit_code, period);
create index employment_current on core.employment (year, period) where is_current;

create table core.disability_aid (
    file_id bigint not null references ingest.files, row_no integer not null,
    period text not null, year integer not null, period_end date not null,
    unit_code text not null, program text not null,
    households bigint not null, person_times bigint not null,
    standard_yuan numeric, amount_yuan numeric(16, 2) not null,
    is_current boolean not null default false,
    primary key (file_id, unit_code, period, program)
);
create index disability_aid_key on core.disability_aid (unit_code, period);
create index disability_aid_current on core.disability_aid (year, period) where is_current;

create table core.supervision (
    file_id bigint not null references ingest.files, row_no integer not null,
    item_code text not null, source text not null, title text not null,
    unit_code text not null, registered_on date not null, due_on date not null,
    closed_on date, satisfaction text, as_of date not null,
    is_current boolean not null default false,
    primary key (file_id, item_code)
);
create index supervision_key on core.supervision (item_code);
create index supervision_current on core.supervision (registered_on) where is_current;
