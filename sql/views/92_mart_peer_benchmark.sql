-- 对标分析 (issue 14): this zone against the peer districts, per indicator and month.
--
-- mart.districts, mart.indicators: the registers (current versions).
-- mart.indicator_figures: every district's current figure, with where it came
--   from (the source named in the return, and the file it arrived in).
-- mart.peer_standing: one row per (indicator, month) for which this zone has a
--   figure: its rank among the districts that reported that month (ties share
--   the better rank: 1 + the peers strictly better), the best peer and its value,
--   the gap to it; the same for year-on-year growth.
-- mart.peer_benchmark: mart.peer_standing with last month's gaps beside, and
--   whether the gap narrowed since.
--
-- "Better" follows the indicator's direction: higher values for `higher`, lower
-- for `lower`, and the same for growth. The gap is how far this zone is behind
-- the best peer, in the indicator's measure: positive when behind, 0 when tied,
-- negative when ahead (then rank is 1). gap_rate is the gap over the best
-- peer's value (NULL when that is 0); growth_gap is in fractions (0.012 = 1.2
-- points). gap_narrowed compares gap_rate, not gap, so that cumulative figures,
-- which grow through the year, compare fairly.
--
-- Written with LATERAL subqueries and no WITH, so a page's filter on year or
-- indicator reaches core.indicator_figures' index before any ranking is done.
drop view if exists mart.peer_benchmark;
drop view if exists mart.peer_standing;
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

create view mart.peer_standing as
select
    home.year,
    home.period,
    to_char(to_date(home.period, 'YYYY-MM') - interval '1 month', 'YYYY-MM') as previous_period,
    home.indicator_code,
    indicators.indicator_name,
    indicators.measure,
    indicators.direction,
    indicators.followed = 'yes' as followed,
    home.basis,
    home.value as zone_value,
    1 + peers.better as rank,
    1 + peers.reporting as districts_ranked,
    peers.missing as peers_missing,
    best.district_code as best_peer_code,
    best.district_name as best_peer_name,
    best.value as best_peer_value,
    direction.sign * (best.value - home.value) as gap,
    direction.sign * (best.value - home.value) / nullif(abs(best.value), 0) as gap_rate,
    home.yoy_growth as zone_growth,
    case when home.yoy_growth is not null then 1 + peers.growth_better end as growth_rank,
    case when home.yoy_growth is not null then 1 + peers.growth_reporting end
        as growth_districts_ranked,
    best_growth.district_code as best_growth_peer_code,
    best_growth.district_name as best_growth_peer_name,
    best_growth.yoy_growth as best_peer_growth,
    direction.sign * (best_growth.yoy_growth - home.yoy_growth) as growth_gap
from core.indicator_figures as home
inner join core.districts as home_district
    on home_district.district_code = home.district_code and home_district.is_home
inner join core.indicators as indicators
    on indicators.is_current and indicators.indicator_code = home.indicator_code
cross join lateral (
    select case when indicators.direction = 'lower' then -1 else 1 end as sign
) as direction
cross join lateral (
    select
        count(*) filter (where direction.sign * (peer.value - home.value) > 0) as better,
        count(*) as reporting,
        (select count(*) from core.districts where not is_home) - count(*) as missing,
        count(*) filter (
            where direction.sign * (peer.yoy_growth - home.yoy_growth) > 0
        ) as growth_better,
        count(peer.yoy_growth) as growth_reporting
    from core.indicator_figures as peer
    where peer.is_current
        and peer.indicator_code = home.indicator_code
        and peer.period = home.period
        and peer.district_code <> home.district_code
) as peers
left join lateral (
    select peer.district_code, districts.district_name, peer.value
    from core.indicator_figures as peer
    inner join core.districts as districts on districts.district_code = peer.district_code
    where peer.is_current
        and peer.indicator_code = home.indicator_code
        and peer.period = home.period
        and peer.district_code <> home.district_code
    order by direction.sign * peer.value desc, districts.sort_order, peer.district_code
    limit 1
) as best on true
left join lateral (
    select peer.district_code, districts.district_name, peer.yoy_growth
    from core.indicator_figures as peer
    inner join core.districts as districts on districts.district_code = peer.district_code
    where peer.is_current
        and peer.indicator_code = home.indicator_code
        and peer.period = home.period
        and peer.district_code <> home.district_code
        and peer.yoy_growth is not null
    order by direction.sign * peer.yoy_growth desc, districts.sort_order, peer.district_code
    limit 1
) as best_growth on true
where home.is_current;

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
from mart.peer_standing as standing
left join mart.peer_standing as last_month
    on last_month.indicator_code = standing.indicator_code
    and last_month.period = standing.previous_period;
