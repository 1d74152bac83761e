-- 对标分析 (issue 14): this zone against the peer districts, per indicator and month.
--
-- mart.districts, mart.indicators: the registers (current versions).
-- mart.indicator_figures: every district's current figure, with where it came
--   from (the source named in the return, and the file it arrived in).
-- mart.peer_years: the years holding figures.
-- mart.peer_benchmark: one row per (indicator, month) for which this zone has a
--   figure: its rank among the districts that reported that month (ties share
--   the better rank: 1 + the districts strictly better), the best peer and its
--   value, the gap to it, and whether the gap narrowed since last month; the
--   same for year-on-year growth.
--
-- "Better" follows the indicator's direction: higher values for `higher`, lower
-- for `lower`, and the same for growth. The gap is how far this zone is behind
-- the best peer, in the indicator's measure: positive when behind, 0 when tied,
-- negative when ahead (then rank is 1). gap_rate is the gap over the best
-- peer's value (NULL when that is 0); growth_gap is in fractions (0.012 = 1.2
-- points). gap_narrowed compares gap_rate, not gap, so that cumulative figures,
-- which grow through the year, compare fairly; last month is the month before
-- in the same year (January has none: year-to-date figures start again).
--
-- mart.peer_standings_computed: the same standing per (indicator, month), computed
--   from the figures the reader may see; core.peer_standings (sql/migrations/0071)
--   keeps it for the whole warehouse, maintained by the load, and
--   mart.peer_benchmark reads that for readers who see every figure.
--
-- No WITH, and the year is a grouping and partitioning column at every level, so
-- a page's filter on year reaches core.peer_standings' key, or, computed,
-- core.indicator_figures' index before any comparing is done.
drop view if exists mart.peer_benchmark;
drop view if exists mart.peer_standings_computed;
drop view if exists mart.peer_standing;  -- an earlier draft's
drop view if exists mart.peer_years;
drop view if exists mart.indicator_figures;
drop view if exists mart.indicators;
drop view if exists mart.districts;

create view mart.districts as
select district_code, district_name, name_en, is_home, sort_order
from core.districts;

create view mart.indicators as
select
    indicator_code,
    indicator_name,
    measure,
    direction,
    followed = 'yes' as followed,
    unit_code
from core.indicators
where is_current;

create view mart.indicator_figures as
select
    figures.year,
    figures.period,
    figures.indicator_code,
    figures.district_code,
    districts.district_name,
    districts.name_en as district_name_en,
    districts.is_home,
    figures.value,
    figures.basis,
    figures.yoy_growth,
    figures.source,
    figures.unit_code,
    figures.file_id,
    files.file_name,
    files.received_at
from core.indicator_figures as figures
inner join core.districts as districts on districts.district_code = figures.district_code
inner join ingest.files as files on files.file_id = figures.file_id
where figures.is_current;

-- The years holding current figures, walked down the year index (a loose
-- index scan, one probe per year), not read off every figure.
create view mart.peer_years as
with recursive walked as (
    select min(year) as year from core.indicator_figures where is_current
    union all
    select (
        select min(figures.year) from core.indicator_figures as figures
        where figures.is_current and figures.year > walked.year
    )
    from walked
    where walked.year is not null
)
select year from walked where year is not null;

-- Each (indicator, month) for which this zone has a figure, ranked among the
-- figures the reader may see, with the names the registers give: what
-- core.peer_standings stores for the whole warehouse (sql/migrations/0071), and
-- what a reader who sees only some figures (a unit's reporter) is shown instead.
-- One month at a time (last month's gaps are added where it is read), so a
-- filter on the month reaches the figures' index.
create view mart.peer_standings_computed as
select
    grouped.year,
    grouped.period,
    grouped.indicator_code,
    grouped.indicator_name,
    grouped.measure,
    grouped.direction,
    grouped.followed,
    grouped.basis,
    grouped.zone_value,
    grouped.rank,
    grouped.districts_ranked,
    (select count(*) from core.districts where not is_home) - grouped.districts_ranked + 1
        as peers_missing,
    grouped.best[1] as best_peer_code,
    best_peer.district_name as best_peer_name,
    grouped.best_value[1] as best_peer_value,
    grouped.sign * (grouped.best_value[1] - grouped.zone_value) as gap,
    grouped.sign * (grouped.best_value[1] - grouped.zone_value)
        / nullif(abs(grouped.best_value[1]), 0) as gap_rate,
    grouped.zone_growth,
    case when grouped.zone_growth is not null then grouped.growth_rank end as growth_rank,
    case when grouped.zone_growth is not null then grouped.growth_districts_ranked end
        as growth_districts_ranked,
    grouped.best_growth[1] as best_growth_peer_code,
    best_growth_peer.district_name as best_growth_peer_name,
    grouped.best_growth_value[1] as best_peer_growth,
    grouped.sign * (grouped.best_growth_value[1] - grouped.zone_growth) as growth_gap
from (
    -- Each of this zone's figures against the peers' of the same indicator and
    -- month: one join and one aggregate, whose ordered parts sort the twenty-odd
    -- peers of a group (best first; ties by the districts' order). peer.year =
    -- home.year follows from the period, and lets a filter on year reach both
    -- sides' index.
    select
        home.year,
        home.period,
        home.indicator_code,
        min(home.indicator_name) as indicator_name,
        min(home.measure) as measure,
        min(home.direction) as direction,
        bool_and(home.followed) as followed,
        min(home.basis) as basis,
        min(home.sign) as sign,
        min(home.value) as zone_value,
        min(home.yoy_growth) as zone_growth,
        1 + count(peer.value) filter (where home.sign * (peer.value - home.value) > 0)
            as rank,
        1 + count(peer.value) as districts_ranked,
        1 + count(peer.yoy_growth) filter (
            where home.sign * (peer.yoy_growth - home.yoy_growth) > 0
        ) as growth_rank,
        1 + count(peer.yoy_growth) as growth_districts_ranked,
        array_agg(peer.district_code
                  order by home.sign * peer.value desc, peer_district.sort_order,
                      peer.district_code) filter (where peer.value is not null) as best,
        array_agg(peer.value
                  order by home.sign * peer.value desc, peer_district.sort_order,
                      peer.district_code) filter (where peer.value is not null)
            as best_value,
        array_agg(peer.district_code
                  order by home.sign * peer.yoy_growth desc, peer_district.sort_order,
                      peer.district_code) filter (where peer.yoy_growth is not null)
            as best_growth,
        array_agg(peer.yoy_growth
                  order by home.sign * peer.yoy_growth desc, peer_district.sort_order,
                      peer.district_code) filter (where peer.yoy_growth is not null)
            as best_growth_value
    from (
        select figures.*, indicators.indicator_name, indicators.measure,
               indicators.direction, indicators.followed = 'yes' as followed,
               case when indicators.direction = 'lower' then -1 else 1 end as sign
        from core.indicator_figures as figures
        inner join core.districts as home_district
            on home_district.district_code = figures.district_code
            and home_district.is_home
        inner join core.indicators as indicators
            on indicators.is_current
            and indicators.indicator_code = figures.indicator_code
        where figures.is_current
    ) as home
    left join core.indicator_figures as peer
        on peer.is_current
        and peer.year = home.year
        and peer.indicator_code = home.indicator_code
        and peer.period = home.period
        and peer.district_code <> home.district_code
    left join core.districts as peer_district
        on peer_district.district_code = peer.district_code
    group by home.year, home.period, home.indicator_code
) as grouped
left join core.districts as best_peer on best_peer.district_code = grouped.best[1]
left join core.districts as best_growth_peer
    on best_growth_peer.district_code = grouped.best_growth[1];

-- The page's standings: the stored ones for a reader who sees every figure
-- (leaders, stewards, the ETL), else those computed from what the reader sees,
-- with last month's gaps (the same indicator's row of the month before, in the
-- same year: January has none, as year-to-date figures start again). The two
-- branches' conditions are evaluated once per query; the branch not taken is
-- not run.
create view mart.peer_benchmark as
select
    stored.year,
    stored.period,
    stored.indicator_code,
    stored.indicator_name,
    stored.measure,
    stored.direction,
    stored.followed,
    stored.basis,
    stored.zone_value,
    stored.rank,
    stored.districts_ranked,
    stored.peers_missing,
    stored.best_peer_code,
    stored.best_peer_name,
    stored.best_peer_value,
    stored.gap,
    stored.gap_rate,
    stored.previous_gap_rate,
    stored.gap_rate < stored.previous_gap_rate as gap_narrowed,
    stored.zone_growth,
    stored.growth_rank,
    stored.growth_districts_ranked,
    stored.best_growth_peer_code,
    stored.best_growth_peer_name,
    stored.best_peer_growth,
    stored.growth_gap,
    stored.previous_growth_gap,
    stored.growth_gap < stored.previous_growth_gap as growth_gap_narrowed
from core.peer_standings as stored
where (select auth.reads_every_figure())
union all
select
    live.year,
    live.period,
    live.indicator_code,
    live.indicator_name,
    live.measure,
    live.direction,
    live.followed,
    live.basis,
    live.zone_value,
    live.rank,
    live.districts_ranked,
    live.peers_missing,
    live.best_peer_code,
    live.best_peer_name,
    live.best_peer_value,
    live.gap,
    live.gap_rate,
    live.previous_gap_rate,
    live.gap_rate < live.previous_gap_rate,
    live.zone_growth,
    live.growth_rank,
    live.growth_districts_ranked,
    live.best_growth_peer_code,
    live.best_growth_peer_name,
    live.best_peer_growth,
    live.growth_gap,
    live.previous_growth_gap,
    live.growth_gap < live.previous_growth_gap
from (
    select
        computed.*,
        -- The row before, when it is last month's (not two months back).
        case when lag(computed.period) over by_month = to_char(
            to_date(computed.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
        ) then lag(computed.gap_rate) over by_month end as previous_gap_rate,
        case when lag(computed.period) over by_month = to_char(
            to_date(computed.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
        ) then lag(computed.growth_gap) over by_month end as previous_growth_gap
    from mart.peer_standings_computed as computed
    where not (select auth.reads_every_figure())
    window by_month as (partition by computed.year, computed.indicator_code
                        order by computed.period)
) as live;

-- The stored standings are what mart.peer_standings_computed derives: whenever
-- the views are recreated (an upgrade that changed them, or a warehouse from
-- before sql/migrations/0071), they are derived again.
select core.rebuild_peer_standings();
