-- One row per (year of registered_on, source): closure, on-time and
-- satisfaction rates; a rate whose denominator is 0 is NULL.
create view mart.supervision_closure as
with counts as (
    select
        year,
        source,
        count(*) as registered,
        count(*) filter (where status = 'closed') as closed,
        count(*) filter (where status = 'open') as open_not_due,
        count(*) filter (where status = 'overdue') as overdue,
        count(*) filter (where status = 'closed' and closed_on <= due_on) as closed_on_time,
        count(*) filter (where satisfaction in ('satisfied', 'basically')) as satisfied,
        count(*) filter (where satisfaction is not null) as with_feedback
    from mart.supervision_items
    group by year, source
)

select
    year,
    source,
    registered,
    closed,
    open_not_due,
    overdue,
    closed::numeric / nullif(registered, 0) as closure_rate,
    closed_on_time::numeric / nullif(closed, 0) as on_time_rate,
    satisfied::numeric / nullif(with_feedback, 0) as satisfaction_rate,
    closed_on_time,
    with_feedback
from counts;
