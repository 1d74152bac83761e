-- A unit reporter's upload may write only their own units' rows, and the
-- warehouse itself refuses the rest (issue 10). The upload loads through the
-- ETL's connection (it stages into tables the dashboard role may not touch),
-- opened for that upload alone with the uploader's units in the session
-- setting ducha.upload_units (dashboard.queries.ingest_uploads). While that
-- setting is non-empty, every row promoted into core, and every earlier
-- version it retires, must belong to one of those units, and master data
-- (units, targets) is refused outright: only a steward of every unit, who
-- uploads with no such setting, loads it. `ducha ingest` and `ducha run` never
-- set it, so the trigger's WHEN clause skips them without calling anything.

create function auth.check_upload_scope() returns trigger
language plpgsql
as $$
declare
    units text[] := string_to_array(current_setting('ducha.upload_units', true), ',');
begin
    if tg_table_name in ('units', 'targets') then
        raise exception '%只能由负责全部单位的数据管理员载入 / % returns are loaded by a steward of every unit',
            case tg_table_name when 'units' then '单位名录' else '目标库' end, tg_table_name
            using errcode = 'insufficient_privilege';
    end if;
    if tg_op = 'UPDATE' and not (old.unit_code = any(units)) then
        raise exception '不能改动其他单位的数据：% （上传者的单位 %） / not one of the uploader''s units: % (the uploader reports for %)',
            old.unit_code, array_to_string(units, '、'), old.unit_code, array_to_string(units, ', ')
            using errcode = 'insufficient_privilege';
    end if;
    if not (new.unit_code = any(units)) then
        raise exception '不能报送其他单位的数据：% （上传者的单位 %） / not one of the uploader''s units: % (the uploader reports for %)',
            new.unit_code, array_to_string(units, '、'), new.unit_code, array_to_string(units, ', ')
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end
$$;

do $$
declare
    name text;
begin
    foreach name in array array[
        'core.units', 'core.targets', 'core.target_progress', 'core.employment',
        'core.disability_aid', 'core.supervision'
    ] loop
        execute format(
            'create trigger upload_scope before insert or update on %s for each row'
            ' when (coalesce(current_setting(''ducha.upload_units'', true), '''') <> '''')'
            ' execute function auth.check_upload_scope()', name);
    end loop;
end
$$;
