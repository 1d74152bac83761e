-- A file as sent holds every row its unit (or office) put in it, so it is as
-- revealing as the file's problems: the dashboard role reads its bytes only
-- for a file wholly within the person's units, or their own upload (the same
-- rule as ingest.problems, 0012). Before, a reporter of one unit could
-- download a return of several units because one of them was theirs.
drop policy dashboard_files on ingest.kept_files;
drop policy dashboard_files on ingest.kept_chunks;
create policy dashboard_files on ingest.kept_files as restrictive to ducha_dashboard
    using (sha256 in (select files.sha256 from ingest.files as files
                      where auth.file_wholly_in_scope(files.file_id)));
create policy dashboard_files on ingest.kept_chunks as restrictive to ducha_dashboard
    using (sha256 in (select files.sha256 from ingest.files as files
                      where auth.file_wholly_in_scope(files.file_id)));
