-- The years with any current figures: those of mart.target_completion,
-- mart.employment, mart.disability_aid and mart.supervision_items. Each is
-- walked year by year down its "current" index (a loose index scan: one
-- probe per year), instead of reading every current row of the four views.
drop view if exists mart.years;
create view mart.years as
with recursive

target_years as (
    select min(year) as year from core.targets where is_current
    union all
    select (
        select min(targets.year) from core.targets
        where targets.is_current and targets.year > walked.year
    )
    from target_years as walked
    where walked.year is not null
),

employment_years as (
    select min(year) as year from core.employment where is_current
    union all
    select (
        select min(employment.year) from core.employment
        where employment.is_current and employment.year > walked.year
    )
    from employment_years as walked
    where walked.year is not null
),

aid_years as (
    select min(year) as year from core.disability_aid where is_current
    union all
    select (
        select min(aid.year) from core.disability_aid as aid
        where aid.is_current and aid.year > walked.year
    )
    from aid_years as walked
    where walked.year is not null
),

supervision_years as (
    select min(year) as year from core.supervision where is_current
    union all
    select (
        select min(item.year) from core.supervision as item
        where item.is_current and item.year > walked.year
    )
    from supervision_years as walked
    where walked.year is not null
)

select year from target_years where year is not null
union
select year from employment_years where year is not null
union
select year from aid_years where year is not null
union
select year from supervision_years where year is not null;
