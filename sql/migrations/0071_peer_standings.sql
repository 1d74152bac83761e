-- 对标分析 (issue 14): each (indicator, month)'s standing of this zone among the
-- districts, kept by the load, so that the page reads a year's 2,400 stored rows
-- instead of comparing every figure of the year with its peers' on each request
-- (3.5 s p95 on 10 years × 200 indicators × 20 districts; docs/benchmarks.md).
--
-- core.peer_standings holds what mart.peer_standings_computed (sql/views/92)
-- derives from the current figures and register, for the whole warehouse. The
-- load keeps it in the transaction that moves a file's rows in or out of being
-- current (etl/loading/versions.py: refresh_derived), so it changes exactly when
-- the figures do: a rejected file, rolled back, leaves it as it was.
-- mart.peer_benchmark reads it for whoever reads every figure; anyone else (a
-- unit's reporter, who reads only their unit's figures) gets the standings
-- computed from the figures they may see, as before.

create table core.peer_standings (
    year                     integer not null,
    period                   text    not null,
    indicator_code           text    not null,
    -- The register's current version, as the standing was ranked and named by:
    -- a register file that changes any of these re-derives the indicator's months.
    indicator_name           text    not null,
    measure                  text    not null,
    direction                text    not null,
    followed                 boolean not null,
    basis                    text    not null,
    zone_value               numeric not null,
    rank                     bigint  not null,
    districts_ranked         bigint  not null,
    peers_missing            bigint  not null,
    best_peer_code           text,
    best_peer_name           text,
    best_peer_value          numeric,
    gap                      numeric,
    gap_rate                 numeric,
    -- Last month's row's (the same year's: January has none).
    previous_gap_rate        numeric,
    zone_growth              numeric,
    growth_rank              bigint,
    growth_districts_ranked  bigint,
    best_growth_peer_code    text,
    best_growth_peer_name    text,
    best_peer_growth         numeric,
    growth_gap               numeric,
    previous_growth_gap      numeric,
    -- A year's rows in the order the page reads them: an index scan, no sort.
    primary key (year, indicator_code, period)
);
-- The load re-derives an indicator's months; the page and the brief read one month.
create index peer_standings_indicator on core.peer_standings (indicator_code, period);
create index peer_standings_period on core.peer_standings (period);

-- Whether the session reads every indicator figure, so that the stored standings
-- (derived from all of them) are what it would compute itself: any role the
-- dashboard's restrictive policies do not bind (the ETL, the owner, a superuser),
-- and, on the dashboard's role, leaders and stewards (sql/migrations/0070).
create function auth.reads_every_figure() returns boolean
language sql stable
as $$
    select auth.has_role('leader')
        or auth.has_role('steward')
        or not pg_has_role(current_user, 'ducha_dashboard', 'MEMBER')
        or exists (select from pg_roles
                   where rolname = current_user and (rolsuper or rolbypassrls))
$$;

alter table core.peer_standings enable row level security;
alter table core.peer_standings force row level security;
create policy everyone on core.peer_standings using (true) with check (true);
-- Standings compare every district's figures: only those who read them all read
-- the standings (the policy's check runs once per query, not once per row).
create policy dashboard_standings on core.peer_standings as restrictive to ducha_dashboard
    using ((select auth.reads_every_figure()));
grant select on core.peer_standings to ducha_dashboard;

-- Re-derive the standings a file's rows can change, after they moved in or out of
-- being current: for a figures file, each (indicator, month) it holds; for a
-- register file, every month of each indicator it holds whose current version
-- (its name, measure, direction, whether leaders follow it, whether there is one)
-- differs from what its stored standings were made with. Then last month's gaps
-- for those months and the months after them.
create function core.refresh_peer_standings(file bigint) returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    codes     text[];
    periods   text[];
    registers text[];
begin
    select coalesce(array_agg(distinct figures.indicator_code), '{}'),
           coalesce(array_agg(distinct figures.period), '{}')
    into codes, periods
    from core.indicator_figures as figures
    where figures.file_id = file;

    if cardinality(codes) > 0 then
        delete from core.peer_standings as stored
        where stored.indicator_code = any(codes) and stored.period = any(periods)
            and exists (select from core.indicator_figures as figures
                        where figures.file_id = file
                            and figures.indicator_code = stored.indicator_code
                            and figures.period = stored.period);
        -- The computed view's filters on its grouping columns reach the figures'
        -- index: only these indicators and months are compared.
        insert into core.peer_standings (
            year, period, indicator_code, indicator_name, measure, direction, followed,
            basis, zone_value, rank, districts_ranked, peers_missing, best_peer_code,
            best_peer_name, best_peer_value, gap, gap_rate, zone_growth, growth_rank,
            growth_districts_ranked, best_growth_peer_code, best_growth_peer_name,
            best_peer_growth, growth_gap
        )
        select
            computed.year, computed.period, computed.indicator_code,
            computed.indicator_name, computed.measure, computed.direction,
            computed.followed, computed.basis, computed.zone_value, computed.rank,
            computed.districts_ranked, computed.peers_missing, computed.best_peer_code,
            computed.best_peer_name, computed.best_peer_value, computed.gap,
            computed.gap_rate, computed.zone_growth, computed.growth_rank,
            computed.growth_districts_ranked, computed.best_growth_peer_code,
            computed.best_growth_peer_name, computed.best_peer_growth,
            computed.growth_gap
        from mart.peer_standings_computed as computed
        where computed.indicator_code = any(codes) and computed.period = any(periods)
            and exists (select from core.indicator_figures as figures
                        where figures.file_id = file
                            and figures.indicator_code = computed.indicator_code
                            and figures.period = computed.period);
    end if;

    select coalesce(array_agg(register.indicator_code), '{}')
    into registers
    from (select distinct indicator_code from core.indicators where file_id = file)
        as register
    where exists (
        -- What the standings were made with, against the current version.
        select stored.indicator_name, stored.measure, stored.direction, stored.followed
        from core.peer_standings as stored
        where stored.indicator_code = register.indicator_code
        except
        select current.indicator_name, current.measure, current.direction,
               current.followed = 'yes'
        from core.indicators as current
        where current.is_current and current.indicator_code = register.indicator_code
    ) or (
        -- None stored yet: the indicator's months with a figure of this zone are
        -- ranked now (figures name only registered indicators, so these are
        -- those of a register withdrawn and approved again).
        not exists (select from core.peer_standings as stored
                    where stored.indicator_code = register.indicator_code)
        and exists (select from core.indicator_figures as figures
                    where figures.is_current
                        and figures.indicator_code = register.indicator_code)
    );

    if cardinality(registers) > 0 then
        delete from core.peer_standings where indicator_code = any(registers);
        insert into core.peer_standings (
            year, period, indicator_code, indicator_name, measure, direction, followed,
            basis, zone_value, rank, districts_ranked, peers_missing, best_peer_code,
            best_peer_name, best_peer_value, gap, gap_rate, zone_growth, growth_rank,
            growth_districts_ranked, best_growth_peer_code, best_growth_peer_name,
            best_peer_growth, growth_gap
        )
        select
            computed.year, computed.period, computed.indicator_code,
            computed.indicator_name, computed.measure, computed.direction,
            computed.followed, computed.basis, computed.zone_value, computed.rank,
            computed.districts_ranked, computed.peers_missing, computed.best_peer_code,
            computed.best_peer_name, computed.best_peer_value, computed.gap,
            computed.gap_rate, computed.zone_growth, computed.growth_rank,
            computed.growth_districts_ranked, computed.best_growth_peer_code,
            computed.best_growth_peer_name, computed.best_peer_growth,
            computed.growth_gap
        from mart.peer_standings_computed as computed
        where computed.indicator_code = any(registers);
    end if;

    update core.peer_standings as stored
    set (previous_gap_rate, previous_growth_gap) = (
        select last_month.gap_rate, last_month.growth_gap
        from core.peer_standings as last_month
        where last_month.year = stored.year
            and last_month.indicator_code = stored.indicator_code
            and last_month.period = to_char(
                to_date(stored.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM')
    )
    where stored.indicator_code = any(registers)
        or (stored.indicator_code = any(codes)
            and stored.period = any(periods || array(
                select to_char(to_date(month, 'YYYY-MM') + interval '1 month', 'YYYY-MM')
                from unnest(periods) as month)));
end
$$;

-- Every standing from core: for warehouses older than this migration, after a
-- migration that changes the districts, and for figures written into core other
-- than by the load (bench/peers.py's fill). sql/views/92 calls it whenever the
-- views are recreated: the stored standings are what that view computes, so a
-- changed view re-derives them. (PL/pgSQL, as the function above: the view is
-- created after the migrations.)
create function core.rebuild_peer_standings() returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from core.peer_standings;
    -- In the key's order, so a year's rows lie together.
    insert into core.peer_standings (
        year, period, indicator_code, indicator_name, measure, direction, followed,
        basis, zone_value, rank, districts_ranked, peers_missing, best_peer_code,
        best_peer_name, best_peer_value, gap, gap_rate, zone_growth, growth_rank,
        growth_districts_ranked, best_growth_peer_code, best_growth_peer_name,
        best_peer_growth, growth_gap, previous_gap_rate, previous_growth_gap
    )
    select
        computed.year, computed.period, computed.indicator_code, computed.indicator_name,
        computed.measure, computed.direction, computed.followed, computed.basis,
        computed.zone_value, computed.rank, computed.districts_ranked,
        computed.peers_missing, computed.best_peer_code, computed.best_peer_name,
        computed.best_peer_value, computed.gap, computed.gap_rate, computed.zone_growth,
        computed.growth_rank, computed.growth_districts_ranked,
        computed.best_growth_peer_code, computed.best_growth_peer_name,
        computed.best_peer_growth, computed.growth_gap,
        case when lag(computed.period) over by_month = to_char(
            to_date(computed.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
        ) then lag(computed.gap_rate) over by_month end,
        case when lag(computed.period) over by_month = to_char(
            to_date(computed.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
        ) then lag(computed.growth_gap) over by_month end
    from mart.peer_standings_computed as computed
    window by_month as (partition by computed.year, computed.indicator_code
                        order by computed.period)
    order by computed.year, computed.indicator_code, computed.period;
end
$$;

-- A steward's decision on the dashboard's role re-derives the standings too.
revoke all on function core.refresh_peer_standings(bigint) from public;
revoke all on function core.rebuild_peer_standings() from public;
grant execute on function core.refresh_peer_standings(bigint) to ducha_dashboard;
