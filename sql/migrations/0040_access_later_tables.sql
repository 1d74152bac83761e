-- Row-level security and the dashboard role's privileges for the tables that
-- came after sign-in's 0010-0012 (files as sent, 0020; bulletins and warnings,
-- 0030), in the same way as 0012: a permissive policy for everyone (the ETL,
-- bound by FORCE ROW LEVEL SECURITY too), restrictive ones for ducha_dashboard.

do $$
declare
    name text;
begin
    foreach name in array array[
        'ingest.kept_files', 'ingest.kept_chunks', 'ingest.receipts',
        'ingest.office_settings', 'ingest.bulletin_drafts', 'ingest.bulletins'
    ] loop
        execute format('alter table %s enable row level security', name);
        execute format('alter table %s force row level security', name);
        execute format('create policy everyone on %s using (true) with check (true)', name);
    end loop;
end
$$;

-- A file as sent is read by whoever may see the file (ingest.files' own
-- policies decide, read with the person's rights).
create policy dashboard_files on ingest.kept_files as restrictive to ducha_dashboard
    using (sha256 in (select files.sha256 from ingest.files as files));
create policy dashboard_files on ingest.kept_chunks as restrictive to ducha_dashboard
    using (sha256 in (select files.sha256 from ingest.files as files));
create policy dashboard_files on ingest.receipts as restrictive to ducha_dashboard
    using (
        file_id in (select files.file_id from ingest.files as files)
        or duplicate_of in (select files.file_id from ingest.files as files)
    );

-- 督查通报 cover every unit: drafted and published by a steward of every unit.
create policy steward_writes on ingest.bulletin_drafts as restrictive for insert
    to ducha_dashboard
    with check (auth.has_role('steward') and auth.all_units());
create policy steward_updates on ingest.bulletin_drafts as restrictive for update
    to ducha_dashboard
    using (auth.has_role('steward') and auth.all_units())
    with check (auth.has_role('steward') and auth.all_units());
create policy steward_writes on ingest.bulletins as restrictive for insert to ducha_dashboard
    with check (
        auth.has_role('steward') and auth.all_units()
        and published_by = current_setting('ducha.account', true)
    );

grant select on ingest.kept_files, ingest.kept_chunks, ingest.receipts, ingest.office_settings,
    ingest.bulletin_drafts, ingest.bulletins
    to ducha_dashboard;
grant insert, update on ingest.bulletin_drafts to ducha_dashboard;
grant insert on ingest.bulletins to ducha_dashboard;
do $$
begin
    execute format(
        'grant usage on sequence %s to ducha_dashboard',
        pg_get_serial_sequence('ingest.bulletins', 'bulletin_id')
    );
end
$$;
