-- 目标绩效考核 (issue 12): each year's assessment scheme, kept as data.
--
-- A scheme is never edited in place: a steward's change is a new draft
-- (based_on the scheme it changes), signed by the account that made it, and
-- publishing one makes it the year's scheme (the one published before becomes
-- superseded). Every version stays, with who made and who published it.
-- The scores and grades are computed from it by the views in
-- sql/views/90_mart_assessment.sql; the defaults a new year gets are written
-- by etl/assessment.py (README, "目标绩效考核").

create schema assess;

create table assess.schemes (
    scheme_id        bigint generated always as identity primary key,
    year             integer     not null check (year between 2000 and 2100),
    status           text        not null default 'draft'
                                 check (status in ('draft', 'published', 'superseded')),
    title            text        not null,
    based_on         bigint      references assess.schemes,
    -- A target's 分值 when the targets return leaves it blank.
    default_target_weight numeric not null default 1 check (default_target_weight >= 0),
    -- Extra points above plan come to at most this share of the target's 分值.
    over_cap         numeric     not null default 0.1 check (over_cap >= 0),
    -- What a veto (一票否决) bars: 'advanced' (not 先进, at most 合格) or 'pass' (不合格).
    veto_bars        text        not null default 'advanced'
                                 check (veto_bars in ('advanced', 'pass')),
    created_by       text        not null check (created_by <> ''),
    created_at       timestamptz not null default now(),
    published_by     text,
    published_at     timestamptz,
    note             text,
    check ((status = 'draft') = (published_by is null and published_at is null))
);
create unique index schemes_one_published on assess.schemes (year) where status = 'published';

-- 分类考核: classes of units, each with its grade rules.
create table assess.classes (
    scheme_id        bigint  not null references assess.schemes on delete cascade,
    class_code       text    not null,
    name_zh          text    not null,
    name_en          text    not null,
    sort_order       integer not null default 0,
    advanced_min     numeric not null check (advanced_min >= 0),  -- 先进: total at least this
    pass_min         numeric not null check (pass_min >= 0),      -- 合格: total at least this
    -- At most this share of the class (rounded down) may be 先进.
    advanced_share   numeric not null check (advanced_share between 0 and 1),
    primary key (scheme_id, class_code),
    check (advanced_min >= pass_min)
);

-- The year's assessed units (目标单位), each in one class.
create table assess.members (
    scheme_id        bigint not null,
    unit_code        text   not null,
    class_code       text   not null,
    primary key (scheme_id, unit_code),
    foreign key (scheme_id, class_code) references assess.classes on delete cascade
);

-- Parts of the total and their weights. targets: 100 × points / 分值 of the
-- unit's targets; leaders, satisfaction, integrity: the evaluation's score
-- (0-100); bonus, deduction: the items' points, at most cap.
create table assess.parts (
    scheme_id        bigint  not null references assess.schemes on delete cascade,
    part             text    not null check (part in (
                                 'targets', 'leaders', 'satisfaction', 'integrity',
                                 'bonus', 'deduction')),
    weight           numeric not null check (weight >= 0),
    cap              numeric check (cap >= 0),
    primary key (scheme_id, part)
);

-- 累进计分: a target's points. Over plan, each percentage point of completion
-- between lower_rate and upper_rate (NULL: no upper bound) earns
-- share_per_point of the target's 分值 (up to over_cap in all); under plan,
-- each percentage point short inside the band costs share_per_point of it
-- (never below 0 points). Rates are completion rates (mart.target_completion:
-- lower-is-better targets already turned round).
create table assess.tiers (
    scheme_id        bigint  not null references assess.schemes on delete cascade,
    side             text    not null check (side in ('over', 'under')),
    lower_rate       numeric not null check (lower_rate >= 0),
    upper_rate       numeric,
    share_per_point  numeric not null check (share_per_point >= 0),
    primary key (scheme_id, side, lower_rate),
    check (upper_rate is null or upper_rate > lower_rate),
    check (side = 'over' and lower_rate >= 1 or side = 'under' and upper_rate <= 1)
);

-- The scheme each year is scored by: the published one, else the latest draft.
create view assess.year_schemes as
select distinct on (year) year, scheme_id, status
from assess.schemes
where status in ('draft', 'published')
order by year, status = 'published' desc, scheme_id desc;

-- The year's assessed units: what a return of the assessment kinds may name.
create view assess.assessed_units as
select ys.year, m.unit_code, m.class_code
from assess.year_schemes as ys
join assess.members as m on m.scheme_id = ys.scheme_id;

-- Where the zone itself stood in an assessment by a higher body (the city's
-- 2005 assessment of government departments: fourth).
create table assess.external_rankings (
    ranking_id       bigint generated always as identity primary key,
    year             integer     not null check (year between 2000 and 2100),
    assessing_body   text        not null check (assessing_body <> ''),
    assessment       text        not null check (assessment <> ''),
    rank             integer     not null check (rank >= 1),
    out_of           integer     check (out_of >= rank),
    title            text,
    illustrative     boolean     not null default false,
    recorded_by      text        not null check (recorded_by <> ''),
    recorded_at      timestamptz not null default now(),
    unique (year, assessing_body, assessment)
);

-- ------------------------------------------------------------ access --
-- As 0012 and 0040: everyone's permissive policy (the ETL too), restrictive
-- ones for the dashboard. Everyone signed in reads the scheme (it is the
-- office's published rule book); the members list within the person's units.
-- Only a steward of every unit writes, under their own name.
do $$
declare
    name text;
begin
    foreach name in array array[
        'assess.schemes', 'assess.classes', 'assess.members', 'assess.parts', 'assess.tiers',
        'assess.external_rankings'
    ] loop
        execute format('alter table %s enable row level security', name);
        execute format('alter table %s force row level security', name);
        execute format('create policy everyone on %s using (true) with check (true)', name);
    end loop;
    foreach name in array array['assess.classes', 'assess.parts', 'assess.tiers'] loop
        execute format(
            'create policy steward_writes on %s as restrictive for insert to ducha_dashboard'
            ' with check (auth.has_role(''steward'') and auth.all_units()'
            ' and exists (select from assess.schemes as s where s.scheme_id = %s.scheme_id'
            ' and s.status = ''draft''))', name, split_part(name, '.', 2));
    end loop;
end
$$;

create policy dashboard_units on assess.members as restrictive to ducha_dashboard
    using (auth.in_scope(unit_code));
create policy steward_writes on assess.members as restrictive for insert to ducha_dashboard
    with check (
        auth.has_role('steward') and auth.all_units()
        and exists (select from assess.schemes as s
                    where s.scheme_id = members.scheme_id and s.status = 'draft')
    );
create policy steward_signs on assess.schemes as restrictive for insert to ducha_dashboard
    with check (
        auth.has_role('steward') and auth.all_units() and status = 'draft'
        and created_by = current_setting('ducha.account', true)
    );
create policy steward_publishes on assess.schemes as restrictive for update to ducha_dashboard
    using (auth.has_role('steward') and auth.all_units())
    with check (
        auth.has_role('steward') and auth.all_units()
        -- the scheme it publishes is signed by the account; the one it supersedes
        -- keeps the name of whoever published that
        and (status <> 'published' or published_by = current_setting('ducha.account', true))
    );
create policy steward_signs on assess.external_rankings as restrictive for insert
    to ducha_dashboard
    with check (
        auth.has_role('steward') and auth.all_units()
        and recorded_by = current_setting('ducha.account', true)
    );

grant usage on schema assess to ducha_dashboard;
grant select on assess.schemes, assess.classes, assess.members, assess.parts, assess.tiers,
    assess.external_rankings, assess.year_schemes, assess.assessed_units
    to ducha_dashboard;
grant insert on assess.schemes, assess.classes, assess.members, assess.parts, assess.tiers,
    assess.external_rankings
    to ducha_dashboard;
grant update (status, published_by, published_at) on assess.schemes to ducha_dashboard;
do $$
begin
    execute format('grant usage on sequence %s to ducha_dashboard',
                   pg_get_serial_sequence('assess.schemes', 'scheme_id'));
    execute format('grant usage on sequence %s to ducha_dashboard',
                   pg_get_serial_sequence('assess.external_rankings', 'ranking_id'));
end
$$;
alter view assess.year_schemes set (security_invoker = true);
alter view assess.assessed_units set (security_invoker = true);
