-- 目标绩效考核 (issue 12, item 5): publishing a year's results freezes them.
--
-- Publishing a scheme (etl/assessment.publish) records who and when in
-- assess.publications and copies the results and parts it gives at that
-- moment (mart.assessment_results_by_scheme / assessment_scores_by_scheme)
-- into assess.frozen_results and assess.frozen_scores, with a SHA-256 digest
-- of the copy. Later data (a re-loaded evaluation, item, target or progress
-- return) changes the live views only: the page shows the frozen results and
-- flags the units whose score, rank or grade the new data would change
-- (mart.assessment_publication_changes). Publishing again (a new draft) makes
-- a new frozen set; the earlier ones stay. The three tables are append-only,
-- for the owner too (as auth.audit).

create table assess.publications (
    publication_id   bigint generated always as identity primary key,
    scheme_id        bigint      not null unique references assess.schemes,
    year             integer     not null check (year between 2000 and 2100),
    published_by     text        not null check (published_by <> ''),
    published_at     timestamptz not null default now(),
    unit_count       integer     not null check (unit_count >= 0),
    -- SHA-256 (hex) of the frozen rows, as etl/assessment.publication_digest writes them.
    digest           text        not null check (digest ~ '^[0-9a-f]{64}$'),
    -- The transaction that published it: frozen rows may only be added by that one.
    made_in          bigint      not null default txid_current()
);
create index publications_year on assess.publications (year, publication_id desc);

create table assess.frozen_results (
    publication_id   bigint  not null references assess.publications,
    unit_code        text    not null,
    unit_name        text,
    class_code       text    not null,
    class_zh         text    not null,
    class_en         text    not null,
    sort_order       integer not null,
    total            numeric not null,
    rank_in_class    integer not null,
    class_size       integer not null,
    vetoed           boolean not null,
    grade            text    not null check (grade in ('advanced', 'pass', 'fail')),
    primary key (publication_id, unit_code)
);

create table assess.frozen_scores (
    publication_id   bigint  not null references assess.publications,
    unit_code        text    not null,
    part             text    not null,
    raw              numeric,
    weight           numeric not null,
    weighted         numeric not null,
    primary key (publication_id, unit_code, part),
    foreign key (publication_id, unit_code) references assess.frozen_results
);

create function assess.refuse_frozen_change() returns trigger
language plpgsql as $$
begin
    raise exception '已定格的考核记录不能修改或删除 / frozen assessment records cannot be changed (% on %)',
        tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;

do $$
declare
    name text;
begin
    foreach name in array array['publications', 'frozen_results', 'frozen_scores'] loop
        execute format('create trigger %s_frozen before update or delete on assess.%s'
                       ' for each row execute function assess.refuse_frozen_change()',
                       name, name);
        execute format('create trigger %s_no_truncate before truncate on assess.%s'
                       ' for each statement execute function assess.refuse_frozen_change()',
                       name, name);
        execute format('alter table assess.%s enable row level security', name);
        execute format('alter table assess.%s force row level security', name);
        execute format('create policy everyone on assess.%s using (true) with check (true)',
                       name);
    end loop;
end
$$;

-- The dashboard: everyone signed in reads who published what and when; the
-- frozen rows within the person's units. Only a steward of every unit adds a
-- publication, under their own name, for a scheme they have just published in
-- the same transaction, and frozen rows only to that publication.
create policy steward_publishes on assess.publications as restrictive for insert
    to ducha_dashboard
    with check (
        auth.has_role('steward') and auth.all_units()
        and published_by = current_setting('ducha.account', true)
        and made_in = txid_current()
        and exists (select from assess.schemes as s
                    where s.scheme_id = publications.scheme_id and s.status = 'published'
                        and s.published_by = current_setting('ducha.account', true))
    );
do $$
declare
    name text;
begin
    foreach name in array array['frozen_results', 'frozen_scores'] loop
        execute format(
            'create policy dashboard_units on assess.%s as restrictive for select'
            ' to ducha_dashboard using (auth.in_scope(unit_code))', name);
        execute format(
            'create policy steward_freezes on assess.%s as restrictive for insert'
            ' to ducha_dashboard with check (auth.has_role(''steward'') and auth.all_units()'
            ' and exists (select from assess.publications as p'
            ' where p.publication_id = %s.publication_id and p.made_in = txid_current()'
            ' and p.published_by = current_setting(''ducha.account'', true)))', name, name);
    end loop;
end
$$;

grant select, insert on assess.publications, assess.frozen_results, assess.frozen_scores
    to ducha_dashboard;
do $$
begin
    execute format('grant usage on sequence %s to ducha_dashboard',
                   pg_get_serial_sequence('assess.publications', 'publication_id'));
end
$$;
