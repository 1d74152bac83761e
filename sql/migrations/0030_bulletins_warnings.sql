-- 督查通报 (bulletins), blue/yellow/red warnings and their reminders (issue 13).

-- The office's own settings, one row: the name printed on its bulletins and
-- the warning rule. blue: an open item within near_due_days of its due date;
-- yellow: before that, more than behind_share of the time between
-- registered_on and due_on gone with no close; red: overdue.
create table ingest.office_settings (
    singleton       boolean     primary key default true check (singleton),
    issuing_office  text        not null default '成都高新区党工委管委会督查室'
        check (btrim(issuing_office) <> ''),
    near_due_days   integer     not null default 7 check (near_due_days between 0 and 365),
    behind_share    numeric     not null default 0.5 check (behind_share > 0 and behind_share < 1),
    changed_by      text,
    changed_at      timestamptz not null default now()
);
insert into ingest.office_settings default values;

-- The steward's 工作要求 text for an issue not yet published.
create table ingest.bulletin_drafts (
    kind          text        not null check (kind in ('supervision', 'meeting')),
    period        text        not null,
    requirements  text        not null default '',
    changed_by    text        not null check (btrim(changed_by) <> ''),
    changed_at    timestamptz not null default now(),
    primary key (kind, period)
);

-- A published bulletin, as issued: its bytes are what was sent and are served
-- again unchanged, whatever the data says later. Issue numbers run per (kind, year).
create table ingest.bulletins (
    bulletin_id   bigint      generated always as identity primary key,
    kind          text        not null check (kind in ('supervision', 'meeting')),
    year          integer     not null,
    issue_no      integer     not null check (issue_no > 0),
    period        text        not null,
    requirements  text        not null,
    pdf           bytea       not null,
    pdf_sha256    text        not null check (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    docx          bytea       not null,
    docx_sha256   text        not null check (docx_sha256 ~ '^[0-9a-f]{64}$'),
    published_by  text        not null check (btrim(published_by) <> ''),
    published_at  timestamptz not null default now(),
    unique (kind, year, issue_no),
    unique (kind, period)
);

-- Reminders sent by `ducha remind`: an item is reminded once per colour.
create table ingest.reminders (
    reminder_id  bigint      generated always as identity primary key,
    item_code    text        not null,
    colour       text        not null check (colour in ('blue', 'yellow', 'red')),
    unit_code    text        not null,
    recipient    text        not null,
    as_of        date        not null,
    sent_at      timestamptz not null default now(),
    unique (item_code, colour)
);

-- 联系邮箱: the unit register's optional e-mail, where reminders go.
alter table staging.units add column email text;
alter table core.units add column email text;
