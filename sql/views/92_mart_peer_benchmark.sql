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
-- Every window is partitioned by year first and there is no WITH, so a page's
-- filter on year reaches core.indicator_figures before any ranking is done.
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
        home.*,
        lag(home.period) over by_month as lag_period,
        lag(home.gap_rate) over by_month as lag_gap_rate,
        lag(home.growth_gap) over by_month as lag_growth_gap
    from (
        select
            ranked.year,
            ranked.period,
            ranked.indicator_code,
            ranked.indicator_name,
            ranked.measure,
            ranked.direction,
            ranked.followed,
            ranked.basis,
            ranked.value as zone_value,
            ranked.rank,
            ranked.reporting as districts_ranked,
            peers.total - (ranked.reporting - 1) as peers_missing,
            best.code as best_peer_code,
            best.name as best_peer_name,
            best.value as best_peer_value,
            ranked.sign * (best.value - ranked.value) as gap,
            ranked.sign * (best.value - ranked.value) / nullif(abs(best.value), 0) as gap_rate,
            ranked.yoy_growth as zone_growth,
            case when ranked.yoy_growth is not null then ranked.growth_rank end as growth_rank,
            case when ranked.yoy_growth is not null then ranked.growth_reporting end
                as growth_districts_ranked,
            best_growth.code as best_growth_peer_code,
            best_growth.name as best_growth_peer_name,
            best_growth.growth as best_peer_growth,
            ranked.sign * (best_growth.growth - ranked.yoy_growth) as growth_gap
        from (
            -- Every district's figure, ranked within its indicator and month.
            -- Every window is partitioned by year first, so a filter on year
            -- reaches the figures' index before any window is computed.
            select
                figures.*,
                rank() over (
                    partition by figures.year, figures.indicator_code, figures.period
                    order by figures.sign * figures.value desc
                ) as rank,
                count(*) over same_month as reporting,
                rank() over (
                    partition by figures.year, figures.indicator_code, figures.period
                    order by figures.sign * figures.yoy_growth desc nulls last
                ) as growth_rank,
                count(figures.yoy_growth) over same_month as growth_reporting,
                -- The best peer: peers first (is_home false), best first.
                first_value(
                    case when not figures.is_home then
                        array[figures.district_code, figures.district_name,
                              figures.value::text]
                    end
                ) over best_first as best_peer,
                first_value(
                    case when not figures.is_home and figures.yoy_growth is not null then
                        array[figures.district_code, figures.district_name,
                              figures.yoy_growth::text]
                    end
                ) over best_growth_first as best_growth_peer
            from (
                select
                    f.year,
                    f.period,
                    f.indicator_code,
                    indicators.indicator_name,
                    indicators.measure,
                    indicators.direction,
                    indicators.followed = 'yes' as followed,
                    f.basis,
                    f.district_code,
                    districts.district_name,
                    districts.is_home,
                    districts.sort_order,
                    f.value,
                    f.yoy_growth,
                    case when indicators.direction = 'lower' then -1 else 1 end as sign
                from core.indicator_figures as f
                inner join core.districts as districts
                    on districts.district_code = f.district_code
                inner join core.indicators as indicators
                    on indicators.is_current and indicators.indicator_code = f.indicator_code
                where f.is_current
            ) as figures
            window
                same_month as (partition by figures.year, figures.indicator_code, figures.period),
                best_first as (
                    partition by figures.year, figures.indicator_code, figures.period
                    order by figures.is_home, figures.sign * figures.value desc,
                        figures.sort_order, figures.district_code
                ),
                best_growth_first as (
                    partition by figures.year, figures.indicator_code, figures.period
                    order by figures.is_home, figures.yoy_growth is null,
                        figures.sign * figures.yoy_growth desc,
                        figures.sort_order, figures.district_code
                )
        ) as ranked
        cross join lateral (
            select ranked.best_peer[1] as code, ranked.best_peer[2] as name,
                   ranked.best_peer[3]::numeric as value
        ) as best
        cross join lateral (
            select ranked.best_growth_peer[1] as code, ranked.best_growth_peer[2] as name,
                   ranked.best_growth_peer[3]::numeric as growth
        ) as best_growth
        cross join (select count(*) as total from core.districts where not is_home) as peers
        where ranked.is_home
    ) as home
    window by_month as (partition by home.year, home.indicator_code order by home.period)
) as standing
-- Last month's figures only when the row before is that month (not two months back).
left join lateral (
    select standing.lag_gap_rate as gap_rate, standing.lag_growth_gap as growth_gap
    where standing.lag_period = to_char(
        to_date(standing.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM'
    )
) as last_month on true;
