-- An item's code fixes the year it was registered in. Without being told,
-- the planner takes "these items" and "this year" for independent filters,
-- expects a few hundred of a year's versions where there are tens of
-- thousands, and sorts them all (computing every row's figures first)
-- instead of walking supervision_year_unit in order and stopping at the
-- drill-through's limit (docs/benchmarks.md).
create statistics core.supervision_item_year (dependencies)
    on item_code, (extract(year from registered_on)::integer)
    from core.supervision;
analyze core.supervision;
