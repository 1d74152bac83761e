-- Who changed a kind's reporting rules, when, from what to what: a deadline
-- or an approval policy decides which returns count as on time and which go
-- live, so a change is a steward's decision like an approval and is kept.
create table ingest.kind_settings_changes (
    change_id               bigint generated always as identity primary key,
    kind                    text        not null references ingest.kind_settings (kind),
    old_deadline_days       integer     not null,
    new_deadline_days       integer     not null check (new_deadline_days >= 0),
    old_requires_approval   boolean     not null,
    new_requires_approval   boolean     not null,
    changed_by              text        not null check (btrim(changed_by) <> ''),
    changed_at              timestamptz not null default now(),
    reason                  text
);
create index kind_settings_changes_kind on ingest.kind_settings_changes (kind, changed_at desc);
