-- Stewards' workspace: which returns are expected when, and locked periods.

-- Per kind: how often units report, which unit types must, and how many days
-- after the period's end a return is due. NULL frequency: not periodic
-- (master data, supervision registers).
alter table ingest.kind_settings
    add column frequency text check (frequency in ('month', 'quarter', 'year')),
    add column deadline_days integer not null default 10 check (deadline_days >= 0),
    add column expected_unit_types text[];

update ingest.kind_settings
set frequency = 'month', expected_unit_types = '{subdistrict}'
where kind = 'disability_aid';

update ingest.kind_settings
set frequency = 'quarter', expected_unit_types = '{subdistrict}', deadline_days = 15
where kind = 'employment';

-- Target progress is expected from every unit responsible for a target that year.
update ingest.kind_settings
set frequency = 'quarter', expected_unit_types = '{subdistrict,department,affiliated}',
    deadline_days = 15
where kind = 'target_progress';

-- A steward locks an approved (kind, unit, period): a later return for it is
-- held for approval (the steward's explicit release) instead of going live.
create table ingest.period_locks (
    lock_id         bigint generated always as identity primary key,
    kind            text        not null,
    unit_code       text        not null,
    period          text        not null,
    locked_by       text        not null check (locked_by <> ''),
    locked_at       timestamptz not null default now(),
    reason          text,
    released_by     text check (released_by <> ''),
    released_at     timestamptz,
    release_reason  text
);
create unique index period_locks_active on ingest.period_locks (kind, unit_code, period)
    where released_at is null;
