-- One row per open 督办事项 with its warning colour as of the item's as-of
-- date (contract §4), by the office's rule (ingest.office_settings):
-- red when overdue; blue within near_due_days of the due date (the due day
-- included); yellow, before that, once more than behind_share of the time
-- between registered_on and due_on has gone; NULL when on schedule.
drop view if exists mart.supervision_warnings;
create view mart.supervision_warnings as
select
    item.item_code,
    item.source,
    item.title,
    item.unit_code,
    item.unit_name,
    item.unit_type,
    item.year,
    item.registered_on,
    item.due_on,
    item.as_of,
    item.status,
    item.due_on - item.as_of as days_to_due,
    (item.as_of - item.registered_on)::numeric
        / nullif(item.due_on - item.registered_on, 0) as elapsed_share,
    case
        when item.due_on < item.as_of then 'red'
        when item.due_on - item.as_of <= settings.near_due_days then 'blue'
        when (item.as_of - item.registered_on)
            > settings.behind_share * (item.due_on - item.registered_on) then 'yellow'
    end as warning
from mart.supervision_items as item
cross join ingest.office_settings as settings
where item.closed_on is null;
