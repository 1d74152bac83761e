-- 目标绩效考核 (issue 12): a year's scores and grades, computed from the year's
-- scheme (assess.*, sql/migrations/0060) and the current rows of the targets,
-- their progress and the two assessment kinds. Every figure drills down: a
-- result's total is the sum of its parts (assessment_scores), the targets part
-- the sum of its targets' points (assessment_target_points), the other parts
-- the evaluations and items (assessment_evaluations, assessment_items); each
-- of those rows names its file, and mart.return_rows has every version.
--
-- The *_by_scheme views score every scheme, drafts included (a draft is
-- compared with the published one before it is published); the others keep
-- the year's own scheme (assess.year_schemes).

create view mart.assessment_evaluations as
select
    evaluations.year,
    evaluations.unit_code,
    units.unit_name,
    evaluations.evaluation_type,
    evaluations.score,
    evaluations.raters,
    evaluations.note,
    evaluations.file_id,
    evaluations.row_no
from core.assessment_evaluations as evaluations
left join core.units as units on units.unit_code = evaluations.unit_code and units.is_current
where evaluations.is_current;

create view mart.assessment_items as
select
    items.year,
    items.item_code,
    items.unit_code,
    units.unit_name,
    items.item_type,
    items.points,
    items.reason,
    items.document,
    items.file_id,
    items.row_no
from core.assessment_items as items
left join core.units as units on units.unit_code = items.unit_code and units.is_current
where items.is_current;

-- 累进计分: each assessed unit's targets with the points they earn.
-- over_share / under_share: the tiers' shares of the 分值 before the cap.
create view mart.assessment_target_points as
with scored as (
    select
        schemes.scheme_id,
        schemes.year,
        members.unit_code,
        members.class_code,
        completion.target_code,
        completion.target_name,
        completion.source,
        completion.measure,
        completion.direction,
        coalesce(completion.weight, schemes.default_target_weight) as weight,
        completion.planned_value,
        completion.actual_value,
        completion.completion_rate,
        completion.period,
        completion.file_id,
        schemes.over_cap,
        (
            select coalesce(sum(
                greatest(0, least(coalesce(completion.completion_rate, 0),
                                  coalesce(tiers.upper_rate, completion.completion_rate))
                            - tiers.lower_rate) * 100 * tiers.share_per_point), 0)
            from assess.tiers as tiers
            where tiers.scheme_id = schemes.scheme_id and tiers.side = 'over'
        ) as over_share,
        (
            select coalesce(sum(
                greatest(0, least(tiers.upper_rate, 1)
                            - greatest(coalesce(completion.completion_rate, 0), tiers.lower_rate))
                * 100 * tiers.share_per_point), 0)
            from assess.tiers as tiers
            where tiers.scheme_id = schemes.scheme_id and tiers.side = 'under'
        ) as under_share
    from assess.schemes as schemes
    join assess.members as members on members.scheme_id = schemes.scheme_id
    join mart.target_completion as completion
        on completion.year = schemes.year and completion.unit_code = members.unit_code
)

select
    scheme_id,
    year,
    unit_code,
    class_code,
    target_code,
    target_name,
    source,
    measure,
    direction,
    weight,
    planned_value,
    actual_value,
    completion_rate,
    period,
    file_id,
    over_share,
    under_share,
    over_share > over_cap as capped,
    round(weight * least(over_share, over_cap), 4) as extra_points,
    round(weight * least(under_share, 1), 4) as deducted_points,
    round(weight + weight * least(over_share, over_cap) - weight * least(under_share, 1), 4)
        as points
from scored;

-- Each assessed unit's parts: raw (0-100 for targets and evaluations, capped
-- points for bonus and deduction, a deduction negative) and weighted, both
-- rounded to 2 places, so a total is exactly the sum of the parts shown.
create view mart.assessment_scores_by_scheme as
-- year rides along in the keys (a scheme is of one year) so that a query for
-- one year is planned for that year's rows only (bench/marts.py).
with target_part as (
    select scheme_id, year, unit_code,
           100 * sum(points) / nullif(sum(weight), 0) as raw
    from mart.assessment_target_points
    group by scheme_id, year, unit_code
),

item_sums as (
    select year, unit_code,
           sum(points) filter (where item_type = 'bonus') as bonus,
           sum(points) filter (where item_type = 'deduction') as deduction
    from core.assessment_items
    where is_current
    group by year, unit_code
),

raw_parts as (
    select
        schemes.scheme_id,
        schemes.year,
        members.unit_code,
        members.class_code,
        parts.part,
        parts.weight,
        case parts.part
            when 'targets' then target_part.raw
            when 'bonus' then least(coalesce(item_sums.bonus, 0), coalesce(parts.cap, item_sums.bonus, 0))
            when 'deduction'
                then -least(coalesce(item_sums.deduction, 0),
                            coalesce(parts.cap, item_sums.deduction, 0))
            else evaluations.score
        end as raw
    from assess.schemes as schemes
    join assess.members as members on members.scheme_id = schemes.scheme_id
    join assess.parts as parts on parts.scheme_id = schemes.scheme_id
    left join target_part
        on target_part.scheme_id = schemes.scheme_id and target_part.year = schemes.year
        and target_part.unit_code = members.unit_code
    left join item_sums
        on item_sums.year = schemes.year and item_sums.unit_code = members.unit_code
    left join core.assessment_evaluations as evaluations
        on evaluations.is_current
        and evaluations.year = schemes.year
        and evaluations.unit_code = members.unit_code
        and evaluations.evaluation_type = parts.part
)

select
    raw_parts.scheme_id,
    raw_parts.year,
    raw_parts.unit_code,
    units.unit_name,
    raw_parts.class_code,
    raw_parts.part,
    round(raw_parts.raw, 2) as raw,
    raw_parts.weight,
    round(coalesce(round(raw_parts.raw, 2), 0) * raw_parts.weight, 2) as weighted
from raw_parts
left join core.units as units on units.unit_code = raw_parts.unit_code and units.is_current;

-- Totals, rank in class and grade. 先进: not vetoed, total at least the
-- class's advanced_min, and no more such units at or above this total than
-- the class's share allows (floor(share × class size)): units tied across the
-- boundary are all 合格, so the share is never exceeded. 合格: total at least
-- pass_min (and, where the scheme says a veto bars passing, not vetoed).
create view mart.assessment_results_by_scheme as
with totals as (
    select scheme_id, year, unit_code, min(unit_name) as unit_name, class_code,
           sum(weighted) as total
    from mart.assessment_scores_by_scheme
    group by scheme_id, year, unit_code, class_code
),

flagged as (
    select
        totals.*,
        classes.name_zh as class_zh,
        classes.name_en as class_en,
        classes.sort_order,
        schemes.status as scheme_status,
        schemes.veto_bars,
        classes.pass_min,
        exists (
            select from core.assessment_items as items
            where items.is_current and items.item_type = 'veto'
                and items.year = totals.year and items.unit_code = totals.unit_code
        ) as vetoed,
        classes.advanced_min,
        floor(classes.advanced_share * count(*) over (
            partition by totals.scheme_id, totals.year, totals.class_code)) as advanced_quota
    from totals
    join assess.schemes as schemes on schemes.scheme_id = totals.scheme_id
    join assess.classes as classes
        on classes.scheme_id = totals.scheme_id and classes.class_code = totals.class_code
),

counted as (
    select
        flagged.*,
        rank() over (partition by scheme_id, year, class_code order by total desc)
            as rank_in_class,
        count(*) over (partition by scheme_id, year, class_code) as class_size,
        sum(case when not vetoed and total >= advanced_min then 1 else 0 end) over (
            partition by scheme_id, year, class_code order by total desc
            range between unbounded preceding and current row
        ) as eligible_at_or_above
    from flagged
)

select
    scheme_id,
    scheme_status,
    year,
    unit_code,
    unit_name,
    class_code,
    class_zh,
    class_en,
    sort_order,
    total,
    rank_in_class,
    class_size,
    vetoed,
    case
        when not vetoed and total >= advanced_min and eligible_at_or_above <= advanced_quota
            then 'advanced'
        when total >= pass_min and not (vetoed and veto_bars = 'pass') then 'pass'
        else 'fail'
    end as grade
from counted;

create view mart.assessment_scores as
select scores.*
from mart.assessment_scores_by_scheme as scores
join assess.year_schemes as year_schemes on year_schemes.scheme_id = scores.scheme_id;

create view mart.assessment_results as
select results.*
from mart.assessment_results_by_scheme as results
join assess.year_schemes as year_schemes on year_schemes.scheme_id = results.scheme_id;

-- ------------------------------------------------- published, frozen --
-- Each publication (sql/migrations/0063), the year's current one marked: the
-- publication of the scheme the year is published under.
create view mart.assessment_publications as
select
    publications.publication_id,
    publications.scheme_id,
    publications.year,
    schemes.title,
    publications.published_by,
    publications.published_at,
    publications.unit_count,
    publications.digest,
    schemes.status = 'published' as is_current
from assess.publications as publications
join assess.schemes as schemes on schemes.scheme_id = publications.scheme_id;

-- The year's results as published: the frozen copy, not today's data.
create view mart.assessment_published_results as
select
    publications.publication_id,
    publications.scheme_id,
    publications.year,
    frozen.unit_code,
    frozen.unit_name,
    frozen.class_code,
    frozen.class_zh,
    frozen.class_en,
    frozen.sort_order,
    frozen.total,
    frozen.rank_in_class,
    frozen.class_size,
    frozen.vetoed,
    frozen.grade,
    publications.published_by,
    publications.published_at
from assess.frozen_results as frozen
join mart.assessment_publications as publications
    on publications.publication_id = frozen.publication_id
where publications.is_current;

create view mart.assessment_published_scores as
select
    publications.publication_id,
    publications.scheme_id,
    publications.year,
    frozen.unit_code,
    results.unit_name,
    results.class_code,
    frozen.part,
    frozen.raw,
    frozen.weight,
    frozen.weighted
from assess.frozen_scores as frozen
join assess.frozen_results as results
    on results.publication_id = frozen.publication_id and results.unit_code = frozen.unit_code
join mart.assessment_publications as publications
    on publications.publication_id = frozen.publication_id
where publications.is_current;

-- 发布后数据有变化: units whose total, rank, grade or veto today's data (the
-- same scheme scored now) would change from what was published, and units
-- on one side only. One row a changed unit; an unchanged year has none.
-- A rank or grade depends on the whole class: a person who sees only some
-- units (row-level security) is shown changes of totals and vetoes only,
-- never a rank or grade worked out from the part of the class they see.
create view mart.assessment_publication_changes as
with viewer as (
    select coalesce(nullif(current_setting('ducha.units', true), ''), '*') = '*' as whole_class
)

-- Per publication (a lateral join), so a query for one year scores that
-- year's scheme alone.
select
    publications.year,
    publications.scheme_id,
    publications.publication_id,
    compared.unit_code,
    compared.unit_name,
    compared.class_code,
    compared.published_total,
    compared.current_total,
    compared.published_rank,
    case when viewer.whole_class then compared.current_rank end as current_rank,
    compared.published_grade,
    case when viewer.whole_class then compared.current_grade end as current_grade,
    compared.published_vetoed,
    compared.current_vetoed
from mart.assessment_publications as publications
cross join viewer
cross join lateral (
    select
        coalesce(published.unit_code, live.unit_code) as unit_code,
        coalesce(live.unit_name, published.unit_name) as unit_name,
        coalesce(published.class_code, live.class_code) as class_code,
        published.total as published_total,
        live.total as current_total,
        published.rank_in_class as published_rank,
        live.rank_in_class as current_rank,
        published.grade as published_grade,
        live.grade as current_grade,
        published.vetoed as published_vetoed,
        live.vetoed as current_vetoed
    from (
        select * from assess.frozen_results as frozen
        where frozen.publication_id = publications.publication_id
    ) as published
    full join (
        select * from mart.assessment_results_by_scheme as results
        where results.scheme_id = publications.scheme_id and results.year = publications.year
    ) as live on live.unit_code = published.unit_code
    where published.unit_code is null
        or live.unit_code is null
        or published.total <> live.total
        or published.vetoed <> live.vetoed
        or viewer.whole_class
        and (published.rank_in_class <> live.rank_in_class or published.grade <> live.grade)
) as compared
where publications.is_current;
