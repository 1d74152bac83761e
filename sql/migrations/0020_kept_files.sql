-- Files as sent (issue 16): the bytes of every file received, stored once per
-- SHA-256 whatever its outcome, and every receipt of them: when, how, by whom.
-- A file's bytes are split into chunks of 1 MiB, so a file of any size is
-- written and read back without holding it whole in memory (and under bytea's
-- 1 GB limit).

create table ingest.kept_files (
    sha256       text        primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   bigint      not null check (size_bytes >= 0),
    chunk_count  integer     not null check (chunk_count >= 0),
    kept_at      timestamptz not null default now()
);

create table ingest.kept_chunks (
    sha256    text    not null references ingest.kept_files on delete cascade,
    chunk_no  integer not null check (chunk_no >= 0),
    content   bytea   not null,
    primary key (sha256, chunk_no)
);

create table ingest.receipts (
    receipt_id    bigint generated always as identity primary key,
    received_at   timestamptz not null default now(),
    file_name     text        not null,
    sha256        text        not null,
    size_bytes    bigint      not null,
    -- how it came: the dashboard's upload page, a scheduled inbox run, `ducha ingest`.
    channel       text        not null check (channel in ('upload', 'inbox', 'command_line')),
    -- who sent it: free text (or unknown) until sign-in exists; then the account's name.
    sent_by       text,
    -- the load it started; NULL when the same bytes were already accepted (duplicate_of).
    file_id       bigint      references ingest.files on delete cascade,
    duplicate_of  bigint      references ingest.files on delete cascade,
    check ((file_id is null) <> (duplicate_of is null))
);
create index receipts_sha256 on ingest.receipts (sha256);
create index receipts_file on ingest.receipts (file_id);
create index receipts_duplicate_of on ingest.receipts (duplicate_of);
