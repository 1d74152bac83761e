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
-- No WITH, and the year is a grouping and partitioning column at every level, so
-- a page's filter on year reaches core.indicator_figures' index before any
-- comparing is done.
drop view if exists mart.peer_benchmark;
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

create view mart.peer_benchmark as
select
    standing.year,
    standing.period,
    standing.indicator_code,
    standing.indicator_name,
    standing.measure,
    standing.direction,
    standing.followed,
    standing.basis,
    standing.zone_value,
    standing.rank,
    standing.districts_ranked,
    standing.peers_missing,
    standing.best_peer_code,
    standing.best_peer_name,
    standing.best_peer_value,
    standing.gap,
    standing.gap_rate,
    last_month.gap_rate as previous_gap_rate,
    standing.gap_rate < last_month.gap_rate as gap_narrowed,
    standing.zone_growth,
    standing.growth_rank,
    standing.growth_districts_ranked,
    standing.best_growth_peer_code,
    standing.best_growth_peer_name,
    standing.best_peer_growth,
    standing.growth_gap,
    last_month.growth_gap as previous_growth_gap,
    standing.growth_gap < last_month.growth_gap as growth_gap_narrowed
from (
    -- This zone's rows, with the same indicator's row of the month before (in
    -- the same year: January has none, as year-to-date figures start again).
    select
        compared.*,
        compared.sign * (compared.best_peer_value - compared.zone_value) as gap,
        compared.sign * (compared.best_peer_value - compared.zone_value)
            / nullif(abs(compared.best_peer_value), 0) as gap_rate,
        compared.sign * (compared.best_peer_growth - compared.zone_growth) as growth_gap,
        lag(compared.period) over by_month as lag_period,
        lag(compared.sign * (compared.best_peer_value - compared.zone_value)
            / nullif(abs(compared.best_peer_value), 0)) over by_month as lag_gap_rate,
        lag(compared.sign * (compared.best_peer_growth - compared.zone_growth))
            over by_month as lag_growth_gap
    from (
        select
            grouped.year,
            grouped.period,
            grouped.indicator_code,
            indicators.indicator_name,
            indicators.measure,
            indicators.direction,
            indicators.followed = 'yes' as followed,
            grouped.basis,
            grouped.sign,
            grouped.zone_value,
            grouped.rank,
            grouped.districts_ranked,
            (select count(*) from core.districts where not is_home) - grouped.districts_ranked + 1
                as peers_missing,
            grouped.best[1][1] as best_peer_code,
            grouped.best[1][2] as best_peer_name,
            grouped.best[1][3]::numeric as best_peer_value,
            grouped.zone_growth,
            case when grouped.zone_growth is not null then grouped.growth_rank end
                as growth_rank,
            case when grouped.zone_growth is not null then grouped.growth_districts_ranked end
                as growth_districts_ranked,
            grouped.best_growth[1][1] as best_growth_peer_code,
            grouped.best_growth[1][2] as best_growth_peer_name,
            grouped.best_growth[1][3]::numeric as best_peer_growth
        from (
            -- Each of this zone's figures against the peers' of the same indicator
            -- and month: one join and one aggregate, whose two ordered parts sort
            -- the twenty-odd peers of a group. (peer.year = home.year follows
            -- from the period, and lets a filter on year reach both sides' index.)
            select
                home.year,
                home.period,
                home.indicator_code,
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
                array_agg(
                    array[peer.district_code, peer_district.district_name, peer.value::text]
                    order by home.sign * peer.value desc, peer_district.sort_order,
                        peer.district_code
                ) filter (where peer.value is not null) as best,
                array_agg(
                    array[peer.district_code, peer_district.district_name,
                          peer.yoy_growth::text]
                    order by home.sign * peer.yoy_growth desc, peer_district.sort_order,
                        peer.district_code
                ) filter (where peer.yoy_growth is not null) as best_growth
            from (
                select figures.*,
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
        inner join core.indicators as indicators
            on indicators.is_current and indicators.indicator_code = grouped.indicator_code
    ) as compared
    window by_month as (partition by compared.year, compared.indicator_code
                        order by compared.period)
) as standing
-- Last month's figures only when the row before is that month (not two months back).
left join lateral (
    select standing.lag_gap_rate as gap_rate, standing.lag_growth_gap as growth_gap
    where standing.lag_period = to_char(
        to_date(standing.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
    )
) as last_month on true;
