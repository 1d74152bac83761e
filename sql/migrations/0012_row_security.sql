-- Row-level security behind every mart, drill-through and steward view, and
-- the dashboard role's privileges (issue 10).
--
-- Each table gets one permissive policy for everyone (so the ETL, which owns
-- the tables and is bound by FORCE ROW LEVEL SECURITY too, keeps seeing and
-- writing every row) and restrictive policies for ducha_dashboard only, which
-- are ANDed with it: the person's units for reading, a steward's role (and
-- their signature) for writing. The mart views become security_invoker in
-- sql/views/99_access.sql, so they read the tables with these policies.

-- ------------------------------------------------ signed decisions --
-- From now on a decision names the account that made it (signed_by); those
-- recorded before sign-in existed keep the name that was typed, marked so.
alter table ingest.decisions
    add column signed_by text,
    add column typed_name boolean not null default false;
update ingest.decisions set typed_name = true;

alter table ingest.period_locks
    add column signed_by text,
    add column released_signed_by text,
    add column typed_name boolean not null default false;
update ingest.period_locks set typed_name = true;

alter table ingest.kind_settings_changes
    add column signed_by text,
    add column typed_name boolean not null default false;
update ingest.kind_settings_changes set typed_name = true;

-- The account that uploaded a file from the dashboard (NULL: command line or run).
alter table ingest.files add column submitted_by text;

-- ------------------------------------------------------------ policies --
do $$
declare
    name text;
begin
    -- Tables with a unit_code: read within the person's units.
    foreach name in array array[
        'core.units', 'core.targets', 'core.target_progress', 'core.employment',
        'core.disability_aid', 'core.supervision', 'ingest.slices', 'ingest.period_locks'
    ] loop
        execute format('alter table %s enable row level security', name);
        execute format('alter table %s force row level security', name);
        execute format('create policy everyone on %s using (true) with check (true)', name);
        execute format(
            'create policy dashboard_units on %s as restrictive to ducha_dashboard'
            ' using (auth.in_scope(unit_code)) with check (auth.in_scope(unit_code))', name);
    end loop;

    -- Tables the dashboard reads whole, or filters below.
    foreach name in array array[
        'ingest.files', 'ingest.file_coverage', 'ingest.problems', 'ingest.expectation_results',
        'ingest.decisions', 'ingest.kind_settings', 'ingest.kind_settings_changes', 'ingest.runs',
        'auth.accounts', 'auth.account_roles', 'auth.account_units', 'auth.audit'
    ] loop
        execute format('alter table %s enable row level security', name);
        execute format('alter table %s force row level security', name);
        execute format('create policy everyone on %s using (true) with check (true)', name);
    end loop;

    -- Writes a steward makes (approve, withdraw, lock, release, rules):
    -- refused for anyone else, whatever the page asked.
    foreach name in array array[
        'core.units', 'core.targets', 'core.target_progress', 'core.employment',
        'core.disability_aid', 'core.supervision', 'ingest.slices', 'ingest.file_coverage',
        'ingest.files', 'ingest.kind_settings', 'ingest.period_locks'
    ] loop
        execute format(
            'create policy steward_updates on %s as restrictive for update to ducha_dashboard'
            ' using (auth.has_role(''steward'')) with check (auth.has_role(''steward''))', name);
    end loop;
end
$$;

-- A file is seen by a person who sees every unit, who uploaded it (a rejected
-- upload covers no unit), or one of whose units it covers: a return of many
-- units shows each reporter their own rows only (the core policies above).
create policy dashboard_units on ingest.file_coverage as restrictive to ducha_dashboard
    using (auth.all_units() or unit_codes && auth.scope_units());
create policy dashboard_units on ingest.files as restrictive to ducha_dashboard
    using (
        auth.all_units()
        or submitted_by = current_setting('ducha.account', true)
        or exists (select from ingest.file_coverage as coverage
                   where coverage.file_id = files.file_id)
    );
-- A file's problems quote its cells, any unit's: only for a file wholly within
-- the person's units, or their own upload.
create function auth.file_wholly_in_scope(file bigint) returns boolean
language sql stable
as $$
    select auth.all_units()
        or exists (select from ingest.files as f
                   where f.file_id = file
                       and f.submitted_by = current_setting('ducha.account', true))
        or exists (select from ingest.file_coverage as c
                   where c.file_id = file and c.unit_codes <@ auth.scope_units())
$$;
create policy dashboard_units on ingest.problems as restrictive to ducha_dashboard
    using (auth.file_wholly_in_scope(file_id));
create policy dashboard_units on ingest.expectation_results as restrictive to ducha_dashboard
    using (auth.file_wholly_in_scope(file_id));
create policy dashboard_units on ingest.decisions as restrictive to ducha_dashboard
    using (auth.all_units() or file_id in (select file_id from ingest.files))
    with check (auth.has_role('steward') and signed_by = current_setting('ducha.account', true));
-- Runs list files of every unit: for those who see every unit.
create policy dashboard_units on ingest.runs as restrictive to ducha_dashboard
    using (auth.all_units());
-- Locks and rules changes are signed by the account that makes them.
create policy steward_signs on ingest.period_locks as restrictive for insert to ducha_dashboard
    with check (auth.has_role('steward') and signed_by = current_setting('ducha.account', true));
create policy steward_signs on ingest.kind_settings_changes as restrictive for insert
    to ducha_dashboard
    with check (auth.has_role('steward') and signed_by = current_setting('ducha.account', true));
-- Accounts: an admin sees every account, anyone else only their own.
create policy dashboard_accounts on auth.accounts as restrictive to ducha_dashboard
    using (auth.has_role('admin') or account = current_setting('ducha.account', true));
create policy dashboard_accounts on auth.account_roles as restrictive to ducha_dashboard
    using (auth.has_role('admin') or account = current_setting('ducha.account', true));
create policy dashboard_accounts on auth.account_units as restrictive to ducha_dashboard
    using (auth.has_role('admin') or account = current_setting('ducha.account', true));
-- The audit: written by anyone under their own name, read by admins.
create policy dashboard_audit on auth.audit as restrictive for select to ducha_dashboard
    using (auth.has_role('admin'));
create policy dashboard_audit_writes on auth.audit as restrictive for insert to ducha_dashboard
    with check (account = current_setting('ducha.account', true));

-- ---------------------------------------------------------- privileges --
-- Nothing by default; then exactly what the dashboard reads and writes.
-- Staging is never granted: uploads load through the ETL's connection.
revoke all on schema ingest, core, staging, mart, auth from ducha_dashboard;
grant usage on schema ingest, core, mart, auth to ducha_dashboard;
grant select on all tables in schema core to ducha_dashboard;
grant select on ingest.files, ingest.file_coverage, ingest.problems, ingest.expectation_results,
    ingest.decisions, ingest.kind_settings, ingest.kind_settings_changes, ingest.runs,
    ingest.slices, ingest.period_locks
    to ducha_dashboard;
-- A steward's decision moves is_current and the summaries' counts.
grant update (is_current) on all tables in schema core to ducha_dashboard;
grant update (approval) on ingest.files to ducha_dashboard;
grant update (current_rows) on ingest.slices, ingest.file_coverage to ducha_dashboard;
grant update (deadline_days, requires_approval) on ingest.kind_settings to ducha_dashboard;
grant insert on ingest.decisions, ingest.kind_settings_changes, ingest.period_locks
    to ducha_dashboard;
grant update (released_by, released_at, release_reason, released_signed_by)
    on ingest.period_locks to ducha_dashboard;
-- Never the password hash: the columns without it.
grant select (account, display_name, email, disabled, is_demo, created_at, updated_at)
    on auth.accounts to ducha_dashboard;
grant select on auth.account_roles, auth.account_units to ducha_dashboard;
grant select, insert on auth.audit to ducha_dashboard;
grant execute on function auth.file_wholly_in_scope(bigint), auth.password_salt(text), auth.sign_in(text, text, text),
    auth.person_by_email(text, text), auth.change_password(text, text, text)
    to ducha_dashboard;
