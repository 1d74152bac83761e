-- One row per item_code (督办事项), its current version, with its status as of
-- the date of the return that last reported it.
create view mart.supervision_items as
-- No WITH (see mart.target_progress).
select
    item.item_code,
    item.source,
    item.title,
    item.unit_code,
    units.unit_name,
    units.unit_type,
    item.registered_on,
    item.due_on,
    item.closed_on,
    item.satisfaction,
    case
        when item.closed_on is not null then 'closed'
        when item.due_on < item.as_of then 'overdue'
        else 'open'
    end as status,
    item.year,  -- that of registered_on (sql/migrations/0090)
    item.as_of,
    case when item.closed_on is null and item.due_on < item.as_of
         then item.as_of - item.due_on end as days_overdue,
    item.file_id,
    item.row_no
from core.supervision as item
left join core.units as units
    on units.unit_code = item.unit_code
    and units.is_current
where item.is_current;
