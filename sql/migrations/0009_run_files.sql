-- What each scheduled run has in hand (etl/run.py), so that a file which kills
-- the process outright cannot kill every later run too.
--
-- A run records a file (by its hash) before it reads it, and marks it when
-- done. When a run dies, the next one finds the dead run still 'running' and
-- its file still 'reading': that file is 'crashed', and a later run that meets
-- the same bytes rejects them without reading them again ('reported').

create table ingest.run_files (
    run_file_id  bigint generated always as identity primary key,
    run_id       bigint      not null references ingest.runs,
    -- As shown in logs and reports (etl.names.shown_name): one line, valid UTF-8.
    file_name    text        not null,
    sha256       text        not null,
    size_bytes   bigint      not null,
    -- reading: the run is reading or loading it; waiting: read (for the load
    -- order), its turn not come; done: filed away; stopped: the run stopped
    -- cleanly (interrupted, or the warehouse failed) with it in hand;
    -- crashed: the run died with it in hand; reported: rejected for that since.
    state        text        not null default 'reading'
        check (state in ('reading', 'waiting', 'done', 'stopped', 'crashed', 'reported')),
    -- The ingest.files row of the file's load or rejection, once there is one.
    file_id      bigint      references ingest.files on delete set null,
    changed_at   timestamptz not null default now()
);
create index run_files_run on ingest.run_files (run_id);
create index run_files_crashed on ingest.run_files (sha256) where state = 'crashed';

-- Entries of the inbox left alone: symbolic links, fifos and other special
-- files, subfolders, Office lock files, files that are not returns.
alter table ingest.runs add column files_skipped integer not null default 0;
