-- Accounts, roles and unit scope (issue 10). Who may see and do what is kept
-- here and enforced by PostgreSQL itself: the dashboard connects as
-- ducha_dashboard (no superuser, no ownership, no BYPASSRLS) and sets the
-- signed-in person's scope per transaction:
--   set_config('ducha.account', 'wang', true)
--   set_config('ducha.roles', 'leader,steward', true)
--   set_config('ducha.units', '*' | 'JD-SY,JD-ZH', true)
-- Row-level security (0011) reads those settings; unset means no rows.

create schema if not exists auth;

-- The dashboard's login role is cluster-wide: several warehouses (the test
-- suite's many databases, created in parallel) share it, so it is created
-- once, and a concurrent creation elsewhere is not an error.
do $$
begin
    if not exists (select from pg_roles where rolname = 'ducha_dashboard') then
        begin
            create role ducha_dashboard
                login nosuperuser nocreatedb nocreaterole noinherit nobypassrls noreplication;
        exception when duplicate_object or unique_violation then
            null;
        end;
    end if;
end
$$;

-- ------------------------------------------------------------- accounts --

create table auth.accounts (
    account        text primary key check (account ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$'),
    display_name   text not null check (btrim(display_name) <> '' and length(display_name) <= 100),
    email          text check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 254),
    -- argon2id, encoded ($argon2id$v=19$m=…,t=…,p=…$salt$hash); NULL: signs in
    -- through the office's OpenID Connect provider only, or no password set yet.
    password_hash  text check (password_hash like '$argon2id$%'),
    disabled       boolean not null default false,
    -- Made by `ducha demo`: exists only in a demo warehouse.
    is_demo        boolean not null default false,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create unique index accounts_email on auth.accounts (lower(email)) where email is not null;

create table auth.account_roles (
    account  text not null references auth.accounts on delete cascade,
    role     text not null check (role in ('leader', 'steward', 'reporter', 'admin')),
    primary key (account, role)
);

-- The units a steward or reporter covers. A steward with none covers every
-- unit; a reporter with none sees nothing. Leaders and admins see every unit.
create table auth.account_units (
    account    text not null references auth.accounts on delete cascade,
    unit_code  text not null check (unit_code ~ '^[A-Z0-9-]{2,20}$'),
    primary key (account, unit_code)
);

-- Lock-out: so many failures within so many minutes lock an account until the
-- oldest of them leaves the window. One row; the owner may change it.
create table auth.policy (
    only_row          boolean primary key default true check (only_row),
    lockout_failures  integer not null default 5 check (lockout_failures > 0),
    lockout_minutes   integer not null default 15 check (lockout_minutes > 0)
);
insert into auth.policy default values;

create table auth.sign_in_attempts (
    attempt_id    bigint generated always as identity primary key,
    account       text        not null,
    attempted_at  timestamptz not null default now(),
    succeeded     boolean     not null,
    address       text
);
create index sign_in_attempts_account on auth.sign_in_attempts (account, attempted_at desc);

-- ---------------------------------------------------------------- audit --
-- Append only: sign-ins (success and failure, with time and address),
-- decisions and account changes. account is who acted (the name given, cut
-- to 200 characters, for a failed sign-in of an unknown name).
create table auth.audit (
    audit_id  bigint generated always as identity primary key,
    at        timestamptz not null default now(),
    account   text,
    action    text not null check (action ~ '^[a-z_.]{1,60}$'),
    target    text,
    address   text,
    detail    jsonb not null default '{}'
);
create index audit_at on auth.audit (at desc);
create index audit_account on auth.audit (account, at desc);

-- Belt and braces beside the privileges: nobody, not even the owner by
-- mistake, edits or removes the record.
create function auth.refuse_audit_change() returns trigger
language plpgsql
as $$
begin
    raise exception '审计记录只能追加 / the audit record is append-only (% refused)', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_append_only before update or delete on auth.audit
    for each row execute function auth.refuse_audit_change();
create trigger audit_no_truncate before truncate on auth.audit
    for each statement execute function auth.refuse_audit_change();

-- ---------------------------------------------------------------- scope --
-- The signed-in person's scope, as the dashboard set it for this transaction.
-- Plain SQL functions, inlined into the policies that call them.

create function auth.has_role(wanted text) returns boolean
language sql stable parallel safe
as $$
    select coalesce(wanted = any(string_to_array(current_setting('ducha.roles', true), ',')),
                    false)
$$;

create function auth.all_units() returns boolean
language sql stable parallel safe
as $$ select coalesce(current_setting('ducha.units', true) = '*', false) $$;

create function auth.scope_units() returns text[]
language sql stable parallel safe
as $$
    select coalesce(string_to_array(nullif(current_setting('ducha.units', true), ''), ','),
                    '{}')
$$;

create function auth.in_scope(unit text) returns boolean
language sql stable parallel safe
as $$
    select coalesce(current_setting('ducha.units', true) = '*', false)
        or unit = any(auth.scope_units())
$$;
