-- Scheduled ETL runs over an inbox folder (`ducha run --inbox DIR`).

create table ingest.runs (
    run_id          bigint generated always as identity primary key,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    inbox           text        not null,
    host            text        not null,
    pid             integer     not null,
    -- running: still going, or died (a run holding no lock is not running:
    -- see etl/run.py); succeeded: every file accepted; rejected_files: some
    -- file was rejected; failed: the run itself stopped on an error.
    status          text        not null default 'running'
        check (status in ('running', 'succeeded', 'rejected_files', 'failed', 'interrupted')),
    files_seen      integer     not null default 0,
    files_accepted  integer     not null default 0,
    files_rejected  integer     not null default 0,
    files_duplicate integer     not null default 0,
    rows_loaded     bigint      not null default 0,
    message         text
);
create index runs_started on ingest.runs (started_at desc);

alter table ingest.files add column run_id bigint references ingest.runs;
