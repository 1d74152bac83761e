-- 外部考核排名 (issue 12, item 6): a steward records where the zone stood in a
-- higher body's assessment, from `ducha assessment ranking add` or the page.
-- Recording it again for the same (year, body, assessment) corrects it; the
-- row it replaces is kept in assess.external_ranking_history with who
-- replaced it and when, so every version stays (append-only, as auth.audit).

create table assess.external_ranking_history (
    history_id       bigint generated always as identity primary key,
    ranking_id       bigint      not null,
    year             integer     not null,
    assessing_body   text        not null,
    assessment       text        not null,
    rank             integer     not null,
    out_of           integer,
    title            text,
    illustrative     boolean     not null,
    recorded_by      text        not null,
    recorded_at      timestamptz not null,
    replaced_by      text        not null,
    replaced_at      timestamptz not null default now()
);
create index external_ranking_history_ranking
    on assess.external_ranking_history (ranking_id, history_id);

-- Security definer: the dashboard's role may correct a ranking but never
-- write the history itself.
create function assess.keep_external_ranking() returns trigger
language plpgsql security definer set search_path = pg_catalog, assess as $$
begin
    insert into assess.external_ranking_history (
        ranking_id, year, assessing_body, assessment, rank, out_of, title, illustrative,
        recorded_by, recorded_at, replaced_by)
    values (
        old.ranking_id, old.year, old.assessing_body, old.assessment, old.rank, old.out_of,
        old.title, old.illustrative, old.recorded_by, old.recorded_at,
        case when tg_op = 'UPDATE' then new.recorded_by
             else coalesce(nullif(current_setting('ducha.account', true), ''),
                           session_user::text) end);
    return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger external_rankings_kept before update or delete on assess.external_rankings
    for each row execute function assess.keep_external_ranking();

create trigger external_ranking_history_append_only
    before update or delete on assess.external_ranking_history
    for each row execute function assess.refuse_frozen_change();
create trigger external_ranking_history_no_truncate
    before truncate on assess.external_ranking_history
    for each statement execute function assess.refuse_frozen_change();

alter table assess.external_ranking_history enable row level security;
alter table assess.external_ranking_history force row level security;
create policy everyone on assess.external_ranking_history using (true) with check (true);
grant select on assess.external_ranking_history to ducha_dashboard;

-- A steward of every unit corrects a ranking under their own name.
create policy steward_corrects on assess.external_rankings as restrictive for update
    to ducha_dashboard
    using (auth.has_role('steward') and auth.all_units())
    with check (
        auth.has_role('steward') and auth.all_units()
        and recorded_by = current_setting('ducha.account', true)
    );
grant update (rank, out_of, title, illustrative, recorded_by, recorded_at)
    on assess.external_rankings to ducha_dashboard;
