-- The core tables of a year, partitioned by that year (issue 15 item 4): a
-- warehouse kept for decades gets a partition per year, and an old year can be
-- detached to archive (`ducha archive YEAR`) without touching the others.
--
-- core.targets, core.target_progress, core.employment and core.disability_aid
-- are partitioned by their `year` column (the target's year, the period's);
-- core.supervision by a new `year` column, the year of registered_on (the year
-- mart.supervision_items and mart.supervision_closure group by), which the
-- load fills and a check keeps true. A partition is core.<table>_y<year>, for
-- values from (year) to (year + 1). There is no DEFAULT partition: a row of a
-- year with no partition is refused, and the load makes the year's partition
-- first (core.add_year_partitions, below; etl/loading/promote.py).
--
-- Every query goes through the parent: its row-level security policies, its
-- grants and its triggers are those that apply. A partition itself grants the
-- dashboard's role nothing and has row-level security on, with no policy, so
-- even a grant given by mistake would show it no row.

-- ------------------------------------------------- making a year's partition --
-- Called by the load in the promotion's transaction, with the years the staged
-- file reports on; returns at once when they all have their partition. A new
-- one is created as a table of its own and then attached, which locks the
-- parent only in SHARE UPDATE EXCLUSIVE mode (CREATE TABLE ... PARTITION OF
-- would take ACCESS EXCLUSIVE, and hold it until the promotion commits): the
-- dashboard keeps reading and other kinds keep loading meanwhile. Two loads
-- that need the same new year queue on the advisory lock; the second finds the
-- partition made. A rejected file rolls its new partition back with the rest.
create function core.add_year_partitions(parent regclass, years integer[]) returns void
language plpgsql
as $$
declare
    year integer;
    parent_schema text;
    parent_name text;
    partition_name text;
begin
    select n.nspname, c.relname into parent_schema, parent_name
    from pg_class as c
    join pg_namespace as n on n.oid = c.relnamespace
    where c.oid = parent and c.relkind = 'p';
    if parent_name is null then
        raise exception '% is not a partitioned table', parent;
    end if;
    for year in select distinct y from unnest(years) as y where y is not null order by 1 loop
        partition_name := format('%s_y%s', parent_name, year);
        continue when exists (
            select from pg_inherits as i
            join pg_class as c on c.oid = i.inhrelid
            where i.inhparent = parent and c.relname = partition_name
        );
        perform pg_advisory_xact_lock(x'6479'::integer, hashtext(parent::text || year));
        continue when exists (
            select from pg_inherits as i
            join pg_class as c on c.oid = i.inhrelid
            where i.inhparent = parent and c.relname = partition_name
        );
        -- A table of that name that is no partition: the year was archived. The
        -- load rejects the file (an integrity error) with this message.
        if to_regclass(format('%I.%I', parent_schema, partition_name)) is not null then
            raise exception
                '% 年的数据已归档（%.%），须先重新挂回才能载入该年 / year % of % is archived as %.%: attach it again before loading into that year',
                year, parent_schema, partition_name, year, parent, parent_schema, partition_name
                using errcode = 'check_violation',
                      hint = format('alter table %s attach partition %I.%I for values from (%s) to (%s)',
                                    parent, parent_schema, partition_name, year, year + 1);
        end if;
        execute format('create table %I.%I (like %s including all)',
                       parent_schema, partition_name, parent);
        execute format('alter table %I.%I enable row level security', parent_schema, partition_name);
        execute format('alter table %I.%I force row level security', parent_schema, partition_name);
        execute format('alter table %s attach partition %I.%I for values from (%s) to (%s)',
                       parent, parent_schema, partition_name, year, year + 1);
    end loop;
end
$$;

-- The years of some periods: a query naming periods names their years too,
-- so that only those years' partitions are read (immutable, so folded into
-- a constant when the query is planned with its values).
create function core.period_years(periods text[]) returns integer[]
language sql immutable strict parallel safe
as $$ select array(select distinct core.period_year(p) from unnest(periods) as p) $$;

-- The years a partitioned table has a partition for, from the catalog
-- (mart.years asks each year's partition whether it holds a current row,
-- instead of walking an index across every partition year by year).
create function core.partition_years(parent regclass) returns setof integer
language sql stable strict rows 30
as $$
    select substring(pg_get_expr(c.relpartbound, c.oid) from 'FROM \((\d+)\)')::integer
    from pg_inherits as i
    join pg_class as c on c.oid = i.inhrelid
    where i.inhparent = parent
$$;

-- ------------------------------------------------------------ conversion --
-- Each table in place, with its rows: the old one renamed, the partitioned one
-- created with the same columns, a partition for every year it holds, the rows
-- copied, the old table dropped (and with it the views on it, which the
-- upgrade recreates from sql/views/), then the keys, indexes, triggers,
-- policies and grants the old one had (0005, 0007, 0012, 0046), built once
-- over the copied rows. A primary key of a partitioned table must hold the
-- partition key: `year` is appended to each (it follows from the period or
-- the date already in the key, so what is unique does not change).

-- core.targets (0001, 0005, 0012, 0046)
alter table core.targets rename to targets_0089;
create table core.targets (like core.targets_0089 including defaults including constraints)
    partition by range (year);
select core.add_year_partitions('core.targets', array(select distinct year from core.targets_0089));
insert into core.targets select * from core.targets_0089;
drop table core.targets_0089 cascade;
alter table core.targets add constraint targets_pkey primary key (year, target_code, file_id);
create unique index targets_current on core.targets (year, target_code) where is_current;
create index targets_file on core.targets using brin (file_id) with (autosummarize = on);

-- core.target_progress
alter table core.target_progress rename to target_progress_0089;
create table core.target_progress
    (like core.target_progress_0089 including defaults including constraints)
    partition by range (year);
select core.add_year_partitions(
    'core.target_progress', array(select distinct year from core.target_progress_0089));
insert into core.target_progress select * from core.target_progress_0089;
drop table core.target_progress_0089 cascade;
alter table core.target_progress add constraint target_progress_pkey
    primary key (unit_code, period, target_code, file_id, year);
create index target_progress_current on core.target_progress (year, target_code, period_end)
    where is_current;
create index target_progress_file on core.target_progress using brin (file_id)
    with (autosummarize = on);

-- core.employment
alter table core.employment rename to employment_0089;
create table core.employment (like core.employment_0089 including defaults including constraints)
    partition by range (year);
select core.add_year_partitions(
    'core.employment', array(select distinct year from core.employment_0089));
insert into core.employment select * from core.employment_0089;
drop table core.employment_0089 cascade;
alter table core.employment add constraint employment_pkey
    primary key (unit_code, period, area_name, file_id, year);
create index employment_current on core.employment (year, period) where is_current;
create index employment_file on core.employment using brin (file_id) with (autosummarize = on);

-- core.disability_aid
alter table core.disability_aid rename to disability_aid_0089;
create table core.disability_aid
    (like core.disability_aid_0089 including defaults including constraints)
    partition by range (year);
select core.add_year_partitions(
    'core.disability_aid', array(select distinct year from core.disability_aid_0089));
insert into core.disability_aid select * from core.disability_aid_0089;
drop table core.disability_aid_0089 cascade;
alter table core.disability_aid add constraint disability_aid_pkey
    primary key (unit_code, period, program, file_id, year);
create index disability_aid_current on core.disability_aid (year, period) where is_current;
create index disability_aid_file on core.disability_aid using brin (file_id)
    with (autosummarize = on);

-- core.supervision: year is that of registered_on, kept beside it so that a
-- year's items are one partition (the marts select by it, 0005 and 0007).
alter table core.supervision rename to supervision_0089;
create table core.supervision (
    like core.supervision_0089 including defaults including constraints,
    year integer not null,
    constraint supervision_year check (year = extract(year from registered_on)::integer)
) partition by range (year);
select core.add_year_partitions(
    'core.supervision',
    array(select distinct extract(year from registered_on)::integer from core.supervision_0089));
insert into core.supervision
select *, extract(year from registered_on)::integer from core.supervision_0089;
drop table core.supervision_0089 cascade;
alter table core.supervision add constraint supervision_pkey primary key (item_code, file_id, year);
create index supervision_current on core.supervision (year) where is_current;
create index supervision_year_unit on core.supervision (year, unit_code, item_code);
create index supervision_file on core.supervision using brin (file_id) with (autosummarize = on);
create statistics core.supervision_item_year (dependencies) on item_code, year
    from core.supervision;

-- ------------------------------------------- triggers, security, grants --
do $$
declare
    name text;
begin
    foreach name in array array[
        'targets', 'target_progress', 'employment', 'disability_aid', 'supervision'
    ] loop
        -- 0005: the rows inserted name files of ingest.files, checked per statement.
        execute format(
            'create trigger %I after insert on core.%I referencing new table as new_rows'
            ' for each statement execute function core.check_file_ids()',
            name || '_file_ids', name);
        -- 0046: an upload writes only the uploader's units.
        execute format(
            'create trigger upload_scope before insert or update on core.%I for each row'
            ' when (coalesce(current_setting(''ducha.upload_units'', true), '''') <> '''')'
            ' execute function auth.check_upload_scope()', name);
        -- 0012: everyone's permissive policy, the dashboard's restrictive ones.
        execute format('alter table core.%I enable row level security', name);
        execute format('alter table core.%I force row level security', name);
        execute format('create policy everyone on core.%I using (true) with check (true)', name);
        execute format(
            'create policy dashboard_units on core.%I as restrictive to ducha_dashboard'
            ' using (auth.in_scope(unit_code)) with check (auth.in_scope(unit_code))', name);
        execute format(
            'create policy steward_updates on core.%I as restrictive for update to ducha_dashboard'
            ' using (auth.has_role(''steward'')) with check (auth.has_role(''steward''))', name);
        execute format('grant select, update (is_current) on core.%I to ducha_dashboard', name);
        execute format('analyze core.%I', name);
    end loop;
end
$$;

-- -------------------------------------------------------------- archiving --
-- core.archive_year(y): each year-partitioned table's partition of year y
-- detached, all in the caller's transaction (`ducha archive YEAR`). Each stays
-- in core as the table it was (core.<table>_y<y>), with its rows, its indexes
-- and row-level security on with no policy: no mart, drill-through or page
-- reads it any more, the dashboard's role cannot, and backups keep it. The
-- other years are not touched. A DETACH locks the parent for a moment only
-- (no row is moved). ingest.files and its summaries keep the record of what
-- was received that year.
create function core.archive_year(archived integer)
returns table (archived_table text, archived_rows bigint)
language plpgsql
as $$
declare
    parent regclass;
    part regclass;
begin
    for parent, part in
        select i.inhparent::regclass, i.inhrelid::regclass
        from pg_inherits as i
        join pg_class as p on p.oid = i.inhparent
        join pg_class as c on c.oid = i.inhrelid
        where p.relnamespace = 'core'::regnamespace
            and pg_get_partkeydef(p.oid) = 'RANGE (year)'
            and c.relname = format('%s_y%s', p.relname, archived)
        order by p.relname
    loop
        execute format('select count(*) from %s', part) into archived_rows;
        execute format('alter table %s detach partition %s', parent, part);
        execute format(
            'comment on table %s is %L', part,
            format('%s 年的 %s，%s 归档 / year %s of %s, archived on %s',
                   archived, parent, current_date, archived, parent, current_date));
        archived_table := part::text;
        return next;
    end loop;
end
$$;

-- core.attach_year(y): what core.archive_year(y) detached, attached again.
-- Attaching checks every row lies in the year (a scan of the table).
create function core.attach_year(attached integer)
returns table (attached_table text, attached_rows bigint)
language plpgsql
as $$
declare
    parent regclass;
    part regclass;
begin
    for parent, part in
        select p.oid::regclass, c.oid::regclass
        from pg_class as p
        join pg_class as c
            on c.relnamespace = p.relnamespace
            and c.relname = format('%s_y%s', p.relname, attached)
        where p.relnamespace = 'core'::regnamespace and p.relkind = 'p'
            and pg_get_partkeydef(p.oid) = 'RANGE (year)'
            and c.relkind = 'r' and not c.relispartition
        order by p.relname
    loop
        execute format('alter table %s attach partition %s for values from (%s) to (%s)',
                       parent, part, attached, attached + 1);
        execute format('comment on table %s is null', part);
        execute format('select count(*) from %s', part) into attached_rows;
        attached_table := part::text;
        return next;
    end loop;
end
$$;

-- Making, detaching and attaching partitions is the ETL's and the operator's
-- business: no one else may even call these (the dashboard's role could not
-- carry them out anyway, owning nothing in core).
revoke execute on function core.add_year_partitions(regclass, integer[]) from public;
revoke execute on function core.archive_year(integer) from public;
revoke execute on function core.attach_year(integer) from public;
