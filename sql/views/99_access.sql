-- Run after every other view file: the views read their tables with the
-- reader's rights, so row-level security (sql/migrations/0012) applies to the
-- dashboard through them; and the dashboard role may read them. A view
-- recreated loses its grants, so they are given here, each time.
do $$
declare
    view regclass;
begin
    for view in
        select c.oid::regclass
        from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname in ('mart', 'ingest')
    loop
        execute format('alter view %s set (security_invoker = true)', view);
        execute format('grant select on %s to ducha_dashboard', view);
    end loop;
end
$$;
