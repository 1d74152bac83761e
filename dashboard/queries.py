"""The dashboard's one door to the warehouse: the public ``mart`` views and ingest bookkeeping.

Every query is a module constant with bound parameters (psycopg's ``%(name)s``);
no widget value is ever formatted into SQL. Every query runs as the dashboard's
role (``ducha_dashboard``) in a transaction that first sets the signed-in
person's scope (``set_config(..., true)``), so row-level security decides what
comes back. The first argument of every function, ``url``, is an ``Access``:
the dashboard role's URL and that scope, so ``st.cache_data`` keys every cached
read by the person's scope as well as the filter values; the engine comes from
``st.cache_resource``. Nothing connects at import time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd
import psycopg
import sqlalchemy as sa
import streamlit as st
from psycopg.types.numeric import FloatLoader
from sqlalchemy.engine import make_url

from dashboard import replica
from dashboard import uploads as uploads_module
from etl.kinds import KINDS
from etl.period import period_end, previous_period
from etl.settings import Settings, WarehouseUnavailable, embedded_url, redact

if TYPE_CHECKING:  # the ETL's modules load on first use, not with the dashboard
    from etl.accounts import Person
    from etl.report import Report
    from etl.report_export import StoredFile

TTL_SECONDS = 60
# Views the pages read; a warehouse missing any of them needs `ducha db upgrade`.
# Each kind's own mart view (etl/kinds.py) is among them, whatever its kind.
REQUIRED_VIEWS = tuple(
    dict.fromkeys(
        (
            "mart.target_completion",
            "mart.target_progress",
            "mart.employment",
            "mart.disability_aid",
            "mart.supervision_items",
            "mart.supervision_closure",
            "mart.supervision_warnings",
            "mart.units",
            "mart.return_rows",
            "mart.years",
            "ingest.reporting_calendar",
            *(kind.mart_view for kind in KINDS.values() if kind.mart_view),
            "mart.assessment_scores",
            "mart.assessment_results",
            "mart.assessment_target_points",
            "mart.assessment_publications",
            "mart.assessment_published_results",
            "mart.assessment_publication_changes",
        )
    )
)


class WarehouseNotReady(Exception):
    """The warehouse is reachable but has not been upgraded to the current schema."""


class QueryError(Exception):
    """A query failed for another reason than a lost or un-upgraded warehouse: a real error."""


# What an un-upgraded warehouse answers: a relation, column, function or type the
# current schema has and it lacks. Any other failure of a query is a real error.
_NOT_UPGRADED = (
    psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedColumn,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.UndefinedObject,
    psycopg.errors.InvalidSchemaName,
)


# ------------------------------------------------------------ cached reads --
# Every cached read belongs to one or more families, the data it reads; a write
# clears the families it changes and no other, so (for example) a period lock
# leaves every person's cached mart figures in place.
#   marts     the public views and what is built from them (the leaders' pages, drafts)
#   files     received files, their reports, decisions, versions and runs
#   locks     period locks
#   rules     the kinds' reporting rules (deadlines, approval)
#   bulletins issued bulletins and the office's settings
#   accounts  accounts and the audit trail (every signed write is audited)
#   assessment the assessment schemes (drafts, publishing) and what they score
FAMILIES = ("marts", "files", "locks", "rules", "bulletins", "accounts", "assessment")
_FAMILY_READS: dict[str, list] = {family: [] for family in FAMILIES}


def _cached(*families: str, **options: object):
    """``st.cache_data`` (keyed, as every read here, by the Access and the filters),
    registered under ``families`` so ``_written`` can clear just those."""

    def wrap(function):
        cached = st.cache_data(ttl=TTL_SECONDS, show_spinner=False, **options)(function)
        for family in families:
            _FAMILY_READS[family].append(cached)
        return cached

    return wrap


def family_reads(family: str) -> tuple:
    """The cached reads of one family (for tests and benchmarks)."""
    return tuple(_FAMILY_READS[family])


def _written(access: Access, *families: str) -> None:
    """After a person's write: their reads follow it to the primary until the standby has
    it (dashboard.replica), and the cached reads of the families it changed are cleared,
    for every person."""
    replica.wrote(access)
    for family in families:
        for cached in _FAMILY_READS[family]:
            cached.clear()


# ------------------------------------------------------------------ scope --


@dataclass(frozen=True)
class Scope:
    """The shared filters: a year, a period in it (None: the whole year), unit type, unit."""

    year: int
    period: str | None = None
    unit_type: str | None = None
    unit: str | None = None

    @property
    def as_at(self) -> date:
        """The day the figures are as at: the end of the period, or of the year."""
        return period_end(self.period) if self.period else date(self.year, 12, 31)

    def previous(self) -> Scope:
        """The same view one period earlier (the previous year for a whole year)."""
        if self.period is None:
            return replace(self, year=self.year - 1)
        before = previous_period(self.period)
        return replace(self, year=int(before[:4]), period=before)

    def params(self) -> dict[str, object]:
        return {
            "year": self.year,
            "as_at": self.as_at,
            # Supervision statuses follow the return's as-of date for a whole
            # year (contract §4); for a period inside it, the period's end.
            "period_as_at": period_end(self.period) if self.period else None,
            "unit_type": self.unit_type,
            "unit": self.unit,
        }


# ----------------------------------------------------------------- access --


class Access(NamedTuple):
    """Where and as whom the dashboard reads: the first argument of every query here.

    A tuple of strings, so ``st.cache_data`` keys each cached read by the
    person's scope: one person's cached rows never reach another.
    """

    url: str  # the dashboard role's URL (etl.accounts.dashboard_url)
    account: str
    roles: str  # "leader,steward"
    units: str  # "*" or "JD-SY,JD-GX"
    owner_url: str  # the ETL's URL: uploads load through the ETL's own pipeline
    # The dashboard role's URL on a streaming standby (DATABASE_READ_URL), "" when
    # there is none: reads go there when dashboard.replica.route says so.
    read_url: str = ""

    @classmethod
    def of(cls, warehouse: str, person: Person) -> Access:
        from etl.accounts import dashboard_url

        account, roles, units = person.scope
        url = dashboard_url(warehouse)
        return cls(url, account, roles, units, warehouse, replica.read_url(url))

    @property
    def scope(self) -> tuple[str, str, str]:
        return (self.account, self.roles, self.units)


_SET_SCOPE = (
    "select set_config('ducha.account', %s, true), set_config('ducha.roles', %s, true),"
    " set_config('ducha.units', %s, true)"
)


@contextmanager
def person_connection(access: Access) -> Iterator[psycopg.Connection]:
    """A connection of its own (never pooled) as the dashboard role, in the person's scope
    for its whole session: for ETL functions that commit as they go (bulletins)."""
    from etl.settings import connect

    with connect(access.url) as conn:
        conn.execute(_SET_SCOPE.replace("true)", "false)"), access.scope)
        conn.commit()
        yield conn


@contextmanager
def scoped_connection(access: Access) -> Iterator[psycopg.Connection]:
    """A connection as the dashboard role inside one transaction with the person's scope set."""
    from etl.settings import connect

    with connect(access.url) as conn, conn.transaction():
        conn.execute(_SET_SCOPE, access.scope)
        yield conn


# ----------------------------------------------------------------- engine --


def warehouse_url() -> str:
    """The warehouse URL from the environment (DATABASE_URL, else the embedded server)."""
    settings = Settings.from_env()
    if settings.database_url is not None:
        return settings.database_url
    return _embedded_url(str(settings.home))


@st.cache_resource(show_spinner=False)
def _embedded_url(home: str) -> str:
    return embedded_url(Path(home))


@st.cache_resource(show_spinner=False)
def engine(url: str) -> sa.Engine:
    """One pooled engine per warehouse URL, made on first use."""
    sa_url = make_url(url).set(drivername="postgresql+psycopg")
    # No JIT: the planner over-estimates the views' cross joins (the reporting
    # calendar's period series) and spends up to a second compiling queries
    # that then run in milliseconds. (Forcing custom plans, so the optional
    # filters always fold, was measured: the calendar's p95 rose from 70 to
    # 110 ms on 10M rows; PostgreSQL's own choice stays.)
    made = sa.create_engine(
        sa_url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        connect_args={"options": "-c jit=off", "connect_timeout": 10},
    )
    sa.event.listen(made, "connect", _floats_for_numeric)
    return made


def _floats_for_numeric(connection: psycopg.Connection, _record: object) -> None:
    # The pages chart and format figures as floats: reading numeric straight
    # into float spares making a Decimal per value and converting it after.
    connection.adapters.register_loader("numeric", FloatLoader)


def _read(access: Access, query: str, params: dict[str, object] | None = None) -> pd.DataFrame:
    """Run one bound query, in the person's scope, and return its rows as a DataFrame.

    The query runs on the pooled connection's own psycopg cursor: plain tuples
    into the DataFrame, without a SQLAlchemy Row per row. The scope is set for
    this transaction only (SQLAlchemy rolls it back when the connection goes
    back to the pool), never for the pooled session. With a standby configured
    it runs there when dashboard.replica.route says so, and on the primary when
    the standby fails it (gone, or the query cancelled by recovery).
    """
    url = replica.route(access)
    if url != access.url:
        try:
            return _read_at(url, access, query, params)
        # Gone, or the query cancelled by the standby's recovery (SQLSTATE 40001,
        # an OperationalError): the primary answers instead.
        except (WarehouseUnavailable, WarehouseNotReady):
            replica.failed(access)
    return _read_at(access.url, access, query, params)


def _read_at(
    url: str, access: Access, query: str, params: dict[str, object] | None
) -> pd.DataFrame:
    try:
        with engine(url).connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            try:
                cursor.execute(_SET_SCOPE, access.scope)
                cursor.execute(query, params or {})
                rows = cursor.fetchall()
                names = [column.name for column in cursor.description]
            finally:
                cursor.close()
    except (sa.exc.OperationalError, psycopg.OperationalError) as exc:
        raise WarehouseUnavailable(
            f"无法连接数据仓库 / cannot connect to the warehouse ({redact(url)})"
        ) from exc
    except _NOT_UPGRADED as exc:  # the cursor is psycopg's own
        raise WarehouseNotReady(str(exc).splitlines()[0]) from exc
    except psycopg.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    return pd.DataFrame.from_records(rows, columns=names)


# ----------------------------------------------------------- bookkeeping --

_MISSING_VIEWS = """
select name from unnest(%(views)s::text[]) as name where to_regclass(name) is null
"""


def missing_views(url: str) -> list[str]:
    """The views the dashboard needs that the warehouse lacks (all present: []).

    Not cached: right after `ducha db upgrade` the next page view must see the views.
    """
    return _read(url, _MISSING_VIEWS, {"views": list(REQUIRED_VIEWS)})["name"].tolist()


_LOAD_STATUS = """
select
    kind,
    count(*) filter (where outcome in ('accepted', 'accepted_with_warnings')) as accepted,
    count(*) filter (where outcome = 'rejected') as rejected,
    max(received_at) as last_received_at
from ingest.files
where kind is not null
group by kind
"""


@_cached("marts", "files")
def load_status(url: str) -> pd.DataFrame:
    """Files received per return kind (every kind listed, zero when none)."""
    found = _read(url, _LOAD_STATUS).set_index("kind")
    frame = found.reindex(list(KINDS)).rename_axis("kind").reset_index()
    frame[["accepted", "rejected"]] = frame[["accepted", "rejected"]].fillna(0).astype(int)
    return frame


# --------------------------------------------------------------- filters --

# mart.years walks each kind's index of current rows year by year, instead
# of reading every current row to find a score of years.
_YEARS = "select year from mart.years order by year desc"


@_cached("marts")
def years(url: str) -> list[int]:
    """Years with any figures, latest first."""
    return [int(year) for year in _read(url, _YEARS)["year"]]


# Annual returns ('2006') are what "the whole year" already shows.
_PERIODS = """
select distinct period, period_end from (
    select period, period_end from mart.target_progress where year = %(year)s
    union select period, period_end from mart.employment where year = %(year)s
    union select period, period_end from mart.disability_aid where year = %(year)s
) as received
where period <> %(year)s::text
order by period_end, period
"""


@_cached("marts")
def periods(url: str, year: int) -> list[str]:
    """Periods inside a year that some return reports, in time order."""
    return _read(url, _PERIODS, {"year": year})["period"].tolist()


_UNITS = "select unit_code, unit_name, unit_type from mart.units order by unit_type, unit_code"


@_cached("marts")
def units(url: str) -> pd.DataFrame:
    """The unit register."""
    return _read(url, _UNITS)


# The unit filter, shared by every query over a view with unit_code/unit_type.
_UNIT_FILTER = """
    (%(unit_type)s::text is null or unit_type = %(unit_type)s)
    and (%(unit)s::text is null or unit_code = %(unit)s)
"""

# ----------------------------------------------------------------- targets --

_TARGETS = f"""
with targets as (
    select * from mart.target_completion
    where year = %(year)s and {_UNIT_FILTER}
),

progress as (
    select distinct on (target_code)
        target_code, period, period_end, actual_value, completion_rate
    from mart.target_progress
    where year = %(year)s and period_end <= %(as_at)s
    order by target_code, period_end desc, file_id desc
)

select
    targets.year, targets.unit_code, targets.unit_name, targets.unit_type,
    targets.target_code, targets.target_name, targets.source, targets.measure,
    targets.direction, targets.weight, targets.planned_value,
    progress.period, progress.period_end, progress.actual_value, progress.completion_rate
from targets
left join progress on progress.target_code = targets.target_code
order by targets.unit_code, targets.target_code
"""


@_cached("marts")
def targets(url: str, scope: Scope) -> pd.DataFrame:
    """Every target of the year with its latest progress as at the scope's date."""
    return _read(url, _TARGETS, scope.params())


_TARGET_TREND = f"""
with targets as (
    select target_code from mart.target_completion
    where year = %(year)s and {_UNIT_FILTER}
),

periods as (
    select distinct on (period_end) period, period_end
    from mart.target_progress
    where year = %(year)s and period_end <= %(as_at)s
    order by period_end, period desc
)

select
    periods.period,
    periods.period_end,
    count(*) as targets,
    count(latest.completion_rate) as reported,
    count(*) filter (where latest.completion_rate >= 1) as completed,
    avg(latest.completion_rate) as mean_completion_rate
from periods
cross join targets
left join lateral (
    select completion_rate
    from mart.target_progress as progress
    where progress.year = %(year)s
        and progress.target_code = targets.target_code
        and progress.period_end <= periods.period_end
    order by progress.period_end desc, progress.file_id desc
    limit 1
) as latest on true
group by periods.period, periods.period_end
order by periods.period_end
"""


@_cached("marts")
def target_trend(url: str, scope: Scope) -> pd.DataFrame:
    """Targets completed as at each reported period of the year."""
    return _read(url, _TARGET_TREND, scope.params())


_TARGET_HISTORY = """
select period, period_end, unit_code, unit_name, target_code, target_name, measure,
       planned_value, actual_value, completion_rate, note
from mart.target_progress
where year = %(year)s and target_code = %(target_code)s
order by period_end, period
"""


@_cached("marts")
def target_history(url: str, year: int, target_code: str) -> pd.DataFrame:
    """One target's reported progress, period by period."""
    return _read(url, _TARGET_HISTORY, {"year": year, "target_code": target_code})


# ------------------------------------------------------------- employment --

# Stocks (labour force, employed, zero-employment households) are the latest
# report as at the date; flows (referrals, placements, graduates, trainees,
# transfers) add up over the year to that date (contract §1.4).
_EMPLOYMENT = f"""
with received as (
    select * from mart.employment
    where year = %(year)s and period_end <= %(as_at)s and {_UNIT_FILTER}
),

stocks as (
    select distinct on (unit_code, area_name)
        unit_code, unit_name, unit_type, area_name, period,
        labor_force, employed, zero_employment_households
    from received
    order by unit_code, area_name, period_end desc
),

flows as (
    select
        unit_code, area_name,
        sum(aid_referrals) as aid_referrals,
        sum(aid_placements) as aid_placements,
        sum(graduates_hired) as graduates_hired,
        sum(trainees) as trainees,
        sum(labor_transferred) as labor_transferred
    from received
    group by unit_code, area_name
)

select
    stocks.*,
    flows.aid_referrals, flows.aid_placements,
    flows.graduates_hired, flows.trainees, flows.labor_transferred
from stocks
inner join flows using (unit_code, area_name)
order by stocks.unit_code, stocks.area_name
"""


@_cached("marts")
def employment(url: str, scope: Scope) -> pd.DataFrame:
    """One row per (unit, area): stocks as at the date, flows over the year to it."""
    return _read(url, _EMPLOYMENT, scope.params())


_EMPLOYMENT_TREND = f"""
select
    period, period_end,
    sum(labor_force) as labor_force,
    sum(employed) as employed,
    sum(employed)::numeric / nullif(sum(labor_force), 0) as employment_rate,
    sum(aid_referrals) as aid_referrals,
    sum(aid_placements) as aid_placements,
    sum(aid_placements)::numeric / nullif(sum(aid_referrals), 0) as placement_rate
from mart.employment
where period_end <= %(as_at)s and {_UNIT_FILTER}
group by period, period_end
order by period_end, period
"""


@_cached("marts")
def employment_trend(url: str, scope: Scope) -> pd.DataFrame:
    """Employment and placement rates for every reported period up to the date."""
    return _read(url, _EMPLOYMENT_TREND, scope.params())


# -------------------------------------------------------- disability aid --

_AID = f"""
select period, period_end, unit_code, unit_name, unit_type, program,
       households, person_times, standard_yuan, amount_yuan
from mart.disability_aid
where year = %(year)s and period_end <= %(as_at)s and {_UNIT_FILTER}
order by period_end, unit_code, program
"""


@_cached("marts")
def disability_aid(url: str, scope: Scope) -> pd.DataFrame:
    """Disbursement rows (month, unit, program) of the year up to the date."""
    return _read(url, _AID, scope.params())


_AID_STANDARD = f"""
select
    period, period_end, program,
    max(standard_yuan) as standard_yuan,
    sum(amount_yuan) / nullif(sum(person_times), 0) as amount_per_person_time
from mart.disability_aid
where period_end <= %(as_at)s and {_UNIT_FILTER}
group by period, period_end, program
order by period_end, program
"""


@_cached("marts")
def aid_standard(url: str, scope: Scope) -> pd.DataFrame:
    """Each program's subsidy standard per period, over every year up to the date."""
    return _read(url, _AID_STANDARD, scope.params())


# ------------------------------------------------------------ supervision --

# An item's status as at the scope: for a whole year, the status its return
# gives (contract §4); inside the year, as at the period's end, counting only
# items registered by then.
_ITEMS = f"""
with items as (
    select *, least(as_of, %(period_as_at)s::date) as status_as_at
    from mart.supervision_items
    where year = %(year)s
        and (%(period_as_at)s::date is null or registered_on <= %(period_as_at)s::date)
        and {_UNIT_FILTER}
)

select
    item_code, source, title, unit_code, unit_name, unit_type,
    registered_on, due_on, closed_on, satisfaction,
    case
        when closed_on <= status_as_at then 'closed'
        when due_on < status_as_at then 'overdue'
        else 'open'
    end as status,
    case when (closed_on is null or closed_on > status_as_at) and due_on < status_as_at
         then status_as_at - due_on end as days_overdue,
    status_as_at
from items
order by item_code
"""


@_cached("marts")
def supervision_items(url: str, scope: Scope) -> pd.DataFrame:
    """督办事项 registered in the year, with their status as at the scope."""
    return _read(url, _ITEMS, scope.params())


# ---------------------------------------------------------- drill-through --

# Every version received of the rows behind a table: of the year (the
# kind's rows that have one), or of named periods, which may reach back
# before it (a trend's earlier points). Units, then rows, then periods, the
# newest version first, at most RETURN_ROWS_LIMIT: for supervision, whose
# weekly registers make the longest history, that is the order of its year
# index (supervision_year_unit), so the first rows are read in order and only
# their figures computed, not a year's versions sorted.
RETURN_ROWS_LIMIT = 5000
_RETURN_ROWS_OF = """
select
    rows.kind, rows.period, rows.unit_code, rows.item_key, rows.file_name, rows.row_no,
    rows.received_at, rows.as_of, rows.version_status, rows.figures
from mart.return_rows as rows
left join mart.units as units on units.unit_code = rows.unit_code
where rows.kind = %(kind)s and {which}
    and (rows.period_end is null or rows.period_end <= %(as_at)s)
    and (%(keys)s::text[] is null or rows.item_key = any(%(keys)s::text[]))
    and (%(units)s::text[] is null or rows.unit_code = any(%(units)s::text[]))
    and (%(unit_type)s::text is null or units.unit_type = %(unit_type)s)
    and (%(unit)s::text is null or rows.unit_code = %(unit)s)
order by rows.unit_code, rows.item_key, rows.period_end, rows.received_at desc, rows.file_id desc
limit %(rows_limit)s
"""
_RETURN_ROWS = _RETURN_ROWS_OF.replace("{which}", "rows.year = %(year)s")
# The periods' years too: the core tables are partitioned by year
# (sql/migrations/0090), and only those years' partitions are then read.
_RETURN_ROWS_OF_PERIODS = _RETURN_ROWS_OF.replace(
    "{which}",
    "rows.period = any(%(periods)s::text[])"
    " and rows.year = any(core.period_years(%(periods)s::text[]))",
)
del _RETURN_ROWS_OF  # a pattern, not a query


@_cached("marts")
def return_rows(
    url: str,
    kind: str,
    scope: Scope,
    keys: tuple[str, ...] | None = None,
    periods: tuple[str, ...] | None = None,
    units: tuple[str, ...] | None = None,
    limit: int = RETURN_ROWS_LIMIT,
) -> pd.DataFrame:
    """Every version received of the rows behind a table: file, row, received at, status.

    The rows of the scope's year, or with ``periods`` of those periods; at most
    ``limit``, the first in unit and row order.
    """
    params = scope.params() | {
        "kind": kind,
        "keys": list(keys) if keys is not None else None,
        "periods": list(periods) if periods is not None else None,
        "units": list(units) if units is not None else None,
        "rows_limit": int(limit),
    }
    return _read(url, _RETURN_ROWS if periods is None else _RETURN_ROWS_OF_PERIODS, params)


# ------------------------------------------------------------ stewardship --
# The data stewards' pages (数据管理): files received, their reports, decisions,
# locks, versions, the reporting calendar and ETL runs. Writes go through the
# ETL's own functions (etl.load, etl.steward), imported on first use so the
# dashboard starts without the readers or Great Expectations.

# A file's status in the inbox: its outcome, refined by what happened since.
# An approved file none of whose rows is current any more was superseded.
# The units and periods a file covers come from ingest.file_coverage, which
# the load keeps (sql/migrations/0006): its first three units and how many
# there are, which is all a page shows of them.
_FILES = """
select
    files.file_id,
    files.file_name,
    files.kind,
    files.received_at,
    files.finished_at,
    files.as_of,
    files.outcome,
    files.approval,
    files.row_count,
    files.error_count,
    files.warning_count,
    files.run_id,
    -- The units a file covers, as far as the person sees units: a return of
    -- several units names to a reporter only their own.
    coalesce(coverage_seen.unit_codes[1:3], '{}') as unit_codes,
    coalesce(cardinality(coverage_seen.unit_codes), 0) as unit_count,
    coalesce(coverage.periods, '{}') as periods,
    case
        when files.outcome not in ('accepted', 'accepted_with_warnings') then files.outcome
        when files.approval = 'pending' then 'pending'
        when files.approval = 'rejected' then 'withdrawn'
        when coalesce(coverage.current_rows, 0) = 0 then 'superseded'
        else files.outcome
    end as status
from ingest.files as files
left join ingest.file_coverage as coverage on coverage.file_id = files.file_id
left join lateral (
    -- Someone who sees every unit sees the list as it is: not a call per unit of
    -- every file (600 units × 2,000 files cost 0.45 s on the benchmark warehouse).
    select case when auth.all_units() then coverage.unit_codes else array(
        select code from unnest(coverage.unit_codes) with ordinality as units (code, position)
        where code = any(auth.scope_units()) order by position
    ) end as unit_codes
) as coverage_seen on true
where %(unit)s::text is null or %(unit)s::text = any(coverage.unit_codes)
order by files.file_id desc
"""


@_cached("files")
def files(url: str, unit: str | None = None) -> pd.DataFrame:
    """Every file received (or those covering one unit), latest first, with its status.

    ``unit_codes`` holds a file's first three units and ``unit_count`` how many
    it covers; ``periods`` every period (or year) it reports.
    """
    frame = _read(url, _FILES, {"unit": unit})
    for name in ("unit_codes", "periods"):
        frame[name] = frame[name].map(lambda values: tuple(values or ()))
    return frame


@_cached("files")
def stored_file(url: str, file_id: int) -> StoredFile | None:
    """One file's stored validation report (etl.report_export), or None if there is no such file."""
    from etl.report_export import read_stored_files

    with scoped_connection(url) as conn:
        found = read_stored_files(conn, [int(file_id)])
    return found[0] if found else None


_ORIGINAL = """
select files.file_name, kept.sha256, kept.size_bytes
from ingest.files as files
inner join ingest.kept_files as kept on kept.sha256 = files.sha256
where files.file_id = %(file_id)s
"""


@_cached("files")
def original(url: Access, file_id: int) -> tuple[str, str, int] | None:
    """(file name, sha256, size) of a file kept as sent (etl.keep), or None if not kept."""
    frame = _read(url, _ORIGINAL, {"file_id": int(file_id)})
    if frame.empty:
        return None
    row = frame.iloc[0]
    return str(row["file_name"]), str(row["sha256"]), int(row["size_bytes"])


def original_bytes(url: Access, sha256: str) -> bytes:
    """The kept bytes of ``sha256``, read when a download is asked for (never cached)."""
    from etl.keep import kept_chunks

    with scoped_connection(url) as conn:
        return b"".join(kept_chunks(conn, sha256))


_DECISIONS = """
select
    decisions.decision_id, decisions.file_id, files.file_name, files.kind,
    decisions.action, decisions.decided_by, decisions.decided_at, decisions.reason
from ingest.decisions as decisions
inner join ingest.files as files on files.file_id = decisions.file_id
where %(file_id)s::bigint is null or decisions.file_id = %(file_id)s::bigint
order by decisions.decided_at desc, decisions.decision_id desc
"""


@_cached("files")
def decisions(url: str, file_id: int | None = None) -> pd.DataFrame:
    """Stewards' decisions, latest first: all of them, or one file's."""
    return _read(url, _DECISIONS, {"file_id": None if file_id is None else int(file_id)})


_LOCKS = """
select
    locks.lock_id, locks.kind, locks.unit_code, units.unit_name, locks.period,
    core.period_end(locks.period) as period_end,
    locks.locked_by, locks.locked_at, locks.reason,
    locks.released_by, locks.released_at, locks.release_reason,
    case when locks.released_at is null then 'active' else 'released' end as lock_status
from ingest.period_locks as locks
left join mart.units as units on units.unit_code = locks.unit_code
order by locks.released_at is not null, locks.locked_at desc, locks.lock_id desc
"""


@_cached("locks")
def locks(url: str) -> pd.DataFrame:
    """Every period lock, active ones first."""
    return _read(url, _LOCKS)


# The periodic returns received, from ingest.slices (one row per version of
# a unit's return for a period, kept by the load; sql/migrations/0006): the
# units each kind has, one unit's periods, and the latest resubmissions.
_SLICE_UNITS = """
select kind, unit_code, bool_or(current_rows > 0) as has_current
from ingest.slices
group by kind, unit_code
order by kind, unit_code
"""


@_cached("files")
def slice_units(url: str) -> pd.DataFrame:
    """Each (kind, unit) that some periodic return reported, and whether any of it is current."""
    return _read(url, _SLICE_UNITS)


_SLICES = """
select
    slices.kind, slices.unit_code, slices.period, slices.period_end,
    count(*) as versions,
    bool_or(slices.current_rows > 0) as has_current,
    max(files.received_at) as last_received_at
from ingest.slices as slices
inner join ingest.files as files on files.file_id = slices.file_id
where slices.kind = %(kind)s and slices.unit_code = %(unit)s
group by slices.kind, slices.unit_code, slices.period, slices.period_end
order by slices.period_end, slices.period
"""


@_cached("files")
def slices(url: str, kind: str, unit: str) -> pd.DataFrame:
    """The periods one unit reported for a periodic kind, with their number of versions."""
    return _read(url, _SLICES, {"kind": kind, "unit": unit})


RESUBMITTED_LIMIT = 200
_RESUBMITTED = """
select
    slices.kind, slices.unit_code, slices.period, slices.period_end, slices.versions,
    files.received_at as last_received_at
from (
    select kind, unit_code, period, period_end, count(*) as versions, max(file_id) as latest
    from ingest.slices
    group by kind, unit_code, period_end, period
    having count(*) > 1
) as slices
inner join ingest.files as files on files.file_id = slices.latest
order by files.received_at desc, files.file_id desc
limit %(limit)s
"""


@_cached("files")
def resubmitted(url: str, limit: int = RESUBMITTED_LIMIT) -> pd.DataFrame:
    """The returns received more than once, the latest resubmitted first (at most ``limit``)."""
    return _read(url, _RESUBMITTED, {"limit": int(limit)})


_SLICE_VERSIONS = """
select file_id, file_name, received_at, as_of, approval, version_status, item_key, row_no, figures
from mart.return_rows
where kind = %(kind)s and unit_code = %(unit)s and period = %(period)s
    and year = core.period_year(%(period)s)  -- one year's partition (sql/migrations/0090)
order by file_id, item_key
"""


@_cached("files")
def slice_versions(url: str, kind: str, unit: str, period: str) -> pd.DataFrame:
    """Every row of every version received for one (kind, unit, period), oldest file first."""
    return _read(url, _SLICE_VERSIONS, {"kind": kind, "unit": unit, "period": period})


_CALENDAR_YEARS = "select distinct year from ingest.reporting_calendar order by year desc"


@_cached("files", "locks", "rules")
def calendar_years(url: str) -> list[int]:
    """Years the reporting calendar expects returns for, latest first."""
    return [int(year) for year in _read(url, _CALENDAR_YEARS)["year"]]


_CALENDAR = """
select
    kind, year, period, period_end, unit_code, unit_name, unit_type,
    due_on as report_due_on, first_received_at, latest_file_id, latest_file_name,
    latest_approval, versions, received, on_time, approved, locked, status
from ingest.reporting_calendar
where year = %(year)s and kind = %(kind)s
order by
    period_end,
    array_position(array['subdistrict', 'department', 'affiliated'], unit_type),
    unit_code
"""


@_cached("files", "locks", "rules")
def reporting_calendar(url: str, kind: str, year: int) -> pd.DataFrame:
    """Expected returns of one kind in a year: one row per (period, unit), with their status."""
    return _read(url, _CALENDAR, {"kind": kind, "year": year})


_KIND_SETTINGS = """
select
    settings.kind, settings.frequency, settings.deadline_days, settings.requires_approval,
    settings.expected_unit_types, latest.changed_by, latest.changed_at
from ingest.kind_settings as settings
left join lateral (
    select changed_by, changed_at
    from ingest.kind_settings_changes as changes
    where changes.kind = settings.kind
    order by changed_at desc, change_id desc
    limit 1
) as latest on true
"""


@_cached("rules")
def kind_settings(url: str) -> pd.DataFrame:
    """Each return kind's reporting frequency, deadline and approval policy, in KINDS order,
    with who changed them last and when (none: as installed)."""
    frame = _read(url, _KIND_SETTINGS)
    frame["expected_unit_types"] = frame["expected_unit_types"].map(
        lambda values: tuple(values or ())
    )
    order = {name: index for index, name in enumerate(KINDS)}
    return frame.sort_values("kind", key=lambda kinds: kinds.map(order)).reset_index(drop=True)


_SETTINGS_CHANGES = """
select change_id, kind, old_deadline_days, new_deadline_days,
       old_requires_approval, new_requires_approval, changed_by, changed_at, reason
from ingest.kind_settings_changes
order by changed_at desc, change_id desc
limit 1000
"""


@_cached("rules")
def settings_changes(url: str) -> pd.DataFrame:
    """Changes to the kinds' reporting rules, latest first."""
    return _read(url, _SETTINGS_CHANGES)


_RUNS = """
select
    run_id, started_at, finished_at,
    round(extract(epoch from finished_at - started_at), 1)::float8 as duration_seconds,
    inbox, host, pid, status, files_seen, files_accepted, files_rejected, files_duplicate,
    rows_loaded, message
from ingest.runs
order by run_id desc
limit 1000
"""


@_cached("files")
def runs(url: str) -> pd.DataFrame:
    """The latest scheduled ETL runs (`ducha run`), latest first."""
    return _read(url, _RUNS)


# ------------------------------------------------------------------ writes --
# Every write clears the families of cached reads it changes (``_written``), so
# each page shows its effect at once and nothing else is read again.


def decide(url: Access, file_id: int, action: str, decided_by: str, reason: str | None) -> str:
    """Approve or reject (withdraw) an accepted file (etl.load.decide) as the dashboard role,
    signed by the person's account; returns the new approval."""
    from etl.load import decide as record_decision

    try:
        return record_decision(
            url.url, int(file_id), action, decided_by, reason or None, scope=url.scope
        )
    finally:
        _written(url, "marts", "files", "accounts")


def lock_period(
    url: str, kind: str, unit_code: str, period: str, locked_by: str, reason: str | None
) -> int:
    """Lock an approved (kind, unit, period); etl.steward.StewardError says why it cannot."""
    from etl.steward import lock_period as lock

    try:
        return lock(url.url, kind, unit_code, period, locked_by, reason or None, scope=url.scope)
    finally:
        _written(url, "locks", "accounts")


def release_period(
    url: str, kind: str, unit_code: str, period: str, released_by: str, reason: str | None
) -> None:
    """Release a period lock; etl.steward.StewardError says why it cannot."""
    from etl.steward import release_period as release

    try:
        release(url.url, kind, unit_code, period, released_by, reason or None, scope=url.scope)
    finally:
        _written(url, "locks", "accounts")


def update_kind_settings(
    url: str,
    kind: str,
    deadline_days: int,
    requires_approval: bool,
    changed_by: str,
    reason: str | None = None,
) -> bool:
    """Change and record a kind's reporting rules (etl.steward.set_kind_rules); False when
    nothing changed. etl.steward.StewardError says why it cannot."""
    from etl.steward import set_kind_rules

    try:
        return set_kind_rules(
            url.url, kind, deadline_days, requires_approval, changed_by, reason, scope=url.scope
        )
    finally:
        _written(url, "rules", "accounts")


def ingest_uploads(
    url: Access,
    uploads: Sequence[tuple[str, bytes]],
    kind: str | None = None,
    as_of: date | None = None,
    sent_by: str | None = None,
    limit_mb: int = uploads_module.DEFAULT_MAX_UPLOAD_MB,
) -> list[Report]:
    """Load uploaded files through the same pipeline as `ducha ingest`; one report per file.

    Uploads over the size limit or with over-long names are refused first (their
    reports come first, with no file id). The others are saved under generated
    names (dashboard.uploads) and recorded under the names they were sent with.
    """
    from etl.load import ingest_files

    refused = []
    wanted = []
    for name, data in uploads:
        reason = uploads_module.refusal(name, len(data), limit_mb)
        if reason is None:
            wanted.append((uploads_module.upload_name(name), data))
        else:
            refused.append(reason)
    # Generated names in the order of the sent names: the load order stays by name.
    wanted.sort(key=lambda upload: upload[0])
    with tempfile.TemporaryDirectory(prefix="ducha-upload-") as folder:
        names = {}
        for index, (name, data) in enumerate(wanted):
            path = uploads_module.saved_as(Path(folder), index, name)
            path.write_bytes(data)
            names[path] = name
        if url.units != "*":  # someone with some units only: theirs, and nothing else
            units = [u for u in url.units.split(",") if u]
            for path in list(names):
                report = units_outside_scope(path, kind, units)
                if report is not None:
                    report.file_name = names.pop(path)
                    refused.append(report)
        # The ETL's connection for this upload carries the person's units when they
        # have some only, so the warehouse refuses any other unit's row even if the
        # check above were skipped (migration 0046).
        load_url = url.owner_url
        if url.units != "*":
            from etl.accounts import upload_url

            load_url = upload_url(url.owner_url, [u for u in url.units.split(",") if u])
        try:
            reports = (
                ingest_files(
                    load_url,
                    list(names),
                    kind=kind,
                    as_of=as_of,
                    names=names,
                    channel="upload",
                    sent_by=sent_by or url.account,
                )
                if names
                else []
            )
            _sign_uploads(url, reports)
            return refused + reports
        finally:
            _written(url, "marts", "files", "accounts")


# ------------------------------------------------- warnings and bulletins --
# 督办预警 (mart.supervision_warnings) and 督查通报 (etl.bulletins); see issue 13.

_WARNINGS = f"""
select
    item_code, source, title, unit_code, unit_name, unit_type, registered_on, due_on, as_of,
    days_to_due, elapsed_share, warning
from mart.supervision_warnings
where year = %(year)s
    and warning is not null
    and {_UNIT_FILTER}
order by case warning when 'red' then 0 when 'yellow' then 1 else 2 end, due_on, item_code
"""


@_cached("marts")
def supervision_warnings(url: Access, scope: Scope) -> pd.DataFrame:
    """Open 督办事项 of the year with a warning colour, as of each item's as-of date."""
    return _read(url, _WARNINGS, scope.params())


_OFFICE_SETTINGS = "select issuing_office, near_due_days, behind_share from ingest.office_settings"


@_cached("bulletins")
def office_settings(url: Access) -> dict[str, object]:
    """The office's name on its bulletins and its warning rule."""
    return _read(url, _OFFICE_SETTINGS).iloc[0].to_dict()


_BULLETIN_ARCHIVE = """
select
    bulletin_id, kind, year, issue_no, period, published_by, published_at,
    pdf_sha256, docx_sha256
from ingest.bulletins
order by published_at desc, bulletin_id desc
"""


@_cached("bulletins")
def bulletin_archive(url: Access) -> pd.DataFrame:
    """Every published bulletin, newest first (without its bytes)."""
    return _read(url, _BULLETIN_ARCHIVE)


def archived_bulletin(url: Access, bulletin_id: int, fmt: str) -> bytes:
    """The bytes of a published bulletin as issued ("pdf" or "docx"); read on download."""
    with person_connection(url) as conn:
        row = conn.execute(
            "select pdf, docx from ingest.bulletins where bulletin_id = %s", (int(bulletin_id),)
        ).fetchone()
    if row is None:
        return b""
    return bytes(row[0] if fmt == "pdf" else row[1])


@_cached("marts", "bulletins")
def bulletin_draft(url: Access, kind: str, period: str):
    """The next issue of (kind, period) as it would read now (figures and text, not rendered)."""
    from etl.bulletins import gather_draft, published

    with person_connection(url) as conn:
        issued = published(conn, kind, period)
        draft = gather_draft(conn, kind, period)
    return draft, None if issued is None else issued.issue_no


@_cached("marts", "bulletins", max_entries=8)
def bulletin_files(url: Access, kind: str, period: str) -> dict[str, bytes]:
    """The issue's PDF and Word: the archived bytes once published, else a draft rendered now."""
    from etl.bulletins import issue

    with person_connection(url) as conn:
        return issue(conn, kind, period).files


def save_bulletin_requirements(url: Access, kind: str, period: str, text: str, by: str) -> None:
    """Keep the steward's 工作要求 for the issue (etl.documents.DocumentError says why not)."""
    from etl.bulletins import save_requirements

    try:
        with person_connection(url) as conn:
            save_requirements(conn, kind, period, text, by)
    finally:
        _written(url, "bulletins", "accounts")


def publish_bulletin(url: Access, kind: str, period: str, by: str) -> int:
    """Number, render and archive the issue; returns its number."""
    from etl.bulletins import publish

    try:
        with person_connection(url) as conn:
            return publish(conn, kind, period, by).issue_no
    finally:
        _written(url, "bulletins", "accounts")


def _sign_uploads(url: Access, reports: Sequence[Report]) -> None:
    """Mark the uploaded files as the person's (they then see their own rejected ones) and
    audit each upload under their account."""
    from psycopg.types.json import Jsonb

    from etl.settings import connect

    ids = [r.file_id for r in reports if r.file_id is not None]
    if not ids:
        return
    with connect(url.owner_url) as conn, conn.transaction():
        conn.execute(
            "update ingest.files set submitted_by = %s where file_id = any(%s)", (url.account, ids)
        )
        for report in reports:
            conn.execute(
                "insert into auth.audit (account, action, target, detail) values (%s, 'upload',"
                " %s, %s)",
                (
                    url.account,
                    f"file {report.file_id}",
                    Jsonb({"file_name": report.file_name, "outcome": report.outcome}),
                ),
            )


# ---------------------------------------------------------------- admin --
# Read as the dashboard role: row-level security shows an admin every account
# and the audit; anyone else their own account and no audit at all.

_ACCOUNTS = """
select
    accounts.account, accounts.display_name, accounts.email,
    coalesce((select string_agg(roles.role, ',' order by roles.role)
              from auth.account_roles as roles where roles.account = accounts.account), '')
        as roles,
    coalesce((select string_agg(units.unit_code, ',' order by units.unit_code)
              from auth.account_units as units where units.account = accounts.account), '')
        as units,
    accounts.disabled, accounts.is_demo, accounts.created_at, accounts.updated_at
from auth.accounts as accounts
order by accounts.account
"""


@_cached("accounts")
def accounts(url: Access) -> pd.DataFrame:
    """Every account the person may see (an admin: all), without password hashes."""
    return _read(url, _ACCOUNTS)


_AUDIT = """
select audit_id, at, account, action, target, address, detail::text as detail
from auth.audit
where (%(account)s::text is null or account = %(account)s::text)
    and (%(action)s::text is null or action like %(action)s::text || '%%')
    and at >= %(since)s::date and at < %(until)s::date + 1
order by at desc, audit_id desc
limit %(limit)s
"""
AUDIT_LIMIT = 10_000


@_cached("accounts")
def audit(
    url: Access, since: date, until: date, account: str | None = None, action: str | None = None
) -> pd.DataFrame:
    """The audit record, latest first, filtered by day, account and action (a prefix)."""
    params = {
        "since": since,
        "until": until,
        "account": account or None,
        "action": action or None,
        "limit": AUDIT_LIMIT,
    }
    return _read(url, _AUDIT, params)


def units_outside_scope(path: Path, kind: str | None, units: Sequence[str]) -> Report | None:
    """A rejection report when a return names a unit outside ``units`` (row, column, value),
    or is a kind only a steward of every unit loads (Kind.units_report); else None.

    Checked before the load, so such a file is rejected whole and nothing of it is
    loaded. (The warehouse's policies stop the person from reading other units'
    rows; this stops them writing them.)
    """
    from etl.readers import open_return
    from etl.report import Problem, Report

    reader = open_return(path, kind)
    if reader.kind is None:
        return None  # the load reports what is wrong with the file itself
    found = Report(file_name=path.name, kind=reader.kind)
    if not reader.kind.units_report:  # master data, the assessment's scores and items
        found.problems.append(
            Problem(
                rule="not-your-kind",
                message_zh=f"{reader.kind.zh}只能由负责全部单位的数据管理员载入",
                message_en=f"{reader.kind.name} returns are loaded by a steward of every unit",
            )
        )
        return found
    position = [column.name for column in reader.kind.columns].index("unit_code")
    allowed = set(units)
    for row_no, values in reader.rows():
        code = values[position]
        if code is not None and code not in allowed:
            found.problems.append(
                Problem(
                    rule="unit-not-yours",
                    message_zh=f"不能报送其他单位的数据：{code}（本账号可报送 {'、'.join(units)}）",
                    message_en=f"not one of your units: {code} (this account reports for"
                    f" {', '.join(units)})",
                    row=row_no,
                    column="unit_code",
                    value=str(code),
                )
            )
            if len(found.problems) >= 50:
                break
    found.row_count = 0
    return found if found.problems else None


# ------------------------------------------------- 目标绩效考核 (issue 12) --
# The year's results, parts, targets' points, evaluations and items, all from
# the mart views of sql/views/90_mart_assessment.sql; a draft scheme is read
# through the *_by_scheme views beside the year's own.

_ASSESSMENT_YEARS = """
select distinct year from assess.year_schemes order by year desc
"""


@_cached("marts", "assessment")
def assessment_years(url: Access) -> list[int]:
    """Years with an assessment scheme, latest first."""
    return [int(year) for year in _read(url, _ASSESSMENT_YEARS)["year"]]


_SCHEMES = """
select scheme_id, year, status, title, based_on, created_by, created_at, published_by,
       published_at, note, over_cap, veto_bars, default_target_weight
from assess.schemes
where year = %(year)s
order by scheme_id desc
"""


@_cached("marts", "assessment")
def assessment_schemes(url: Access, year: int) -> pd.DataFrame:
    """Every scheme of the year (drafts, the published one, those it superseded), newest first."""
    return _read(url, _SCHEMES, {"year": year})


# The year's results with last year's rank of the same unit (NULL: not assessed
# then). A published year shows what was published (the frozen copy,
# sql/migrations/0063), a year not yet published today's scores.
_ASSESSMENT_RESULTS = """
with asked as (
    select asked.year, exists (
        select from mart.assessment_publications as publications
        where publications.year = asked.year and publications.is_current
    ) as published
    from unnest(array[%(year)s, %(year)s - 1]) as asked (year)
),

shown as (
    select frozen.scheme_id, frozen.year, frozen.class_code, frozen.class_zh, frozen.class_en,
           frozen.sort_order, frozen.rank_in_class, frozen.unit_code, frozen.unit_name,
           frozen.total, frozen.grade, frozen.vetoed, frozen.class_size, true as frozen
    from asked
    join mart.assessment_published_results as frozen on frozen.year = asked.year
    where asked.published
    union all
    -- A year not published is scored now, that year alone (a lateral join).
    select live.scheme_id, live.year, live.class_code, live.class_zh, live.class_en,
           live.sort_order, live.rank_in_class, live.unit_code, live.unit_name,
           live.total, live.grade, live.vetoed, live.class_size, false as frozen
    from asked
    cross join lateral (
        select * from mart.assessment_results as results where results.year = asked.year
    ) as live
    where not asked.published
)

select
    results.scheme_id, results.year, results.class_code, results.class_zh, results.class_en,
    results.sort_order, results.rank_in_class, results.unit_code, results.unit_name,
    results.total, results.grade, results.vetoed, results.class_size, results.frozen,
    before.rank_in_class as previous_rank,
    before.rank_in_class - results.rank_in_class as rank_change
from shown as results
left join shown as before
    on before.year = results.year - 1 and before.unit_code = results.unit_code
where results.year = %(year)s
order by results.sort_order, results.rank_in_class, results.unit_code
"""


@_cached("marts", "assessment")
def assessment_results(url: Access, year: int) -> pd.DataFrame:
    """The year's results by class and rank (as published, when they are), with last
    year's rank."""
    return _read(url, _ASSESSMENT_RESULTS, {"year": year})


_PUBLICATION = """
select publication_id, scheme_id, year, title, published_by, published_at, unit_count, digest
from mart.assessment_publications
where year = %(year)s and is_current
"""


@_cached("marts", "assessment")
def assessment_publication(url: Access, year: int) -> pd.DataFrame:
    """The year's current publication (who, when, the digest), or no row."""
    return _read(url, _PUBLICATION, {"year": year})


_PUBLICATION_CHANGES = """
select unit_code, unit_name, class_code, published_total, current_total,
       published_rank, current_rank, published_grade, current_grade,
       published_vetoed, current_vetoed
from mart.assessment_publication_changes
where year = %(year)s
order by class_code, coalesce(published_rank, current_rank), unit_code
"""


@_cached("marts", "assessment")
def assessment_publication_changes(url: Access, year: int) -> pd.DataFrame:
    """Units whose published total, rank, grade or veto today's data would change."""
    return _read(url, _PUBLICATION_CHANGES, {"year": year})


_SCHEME_RESULTS = """
select scheme_id, class_code, unit_code, unit_name, total, rank_in_class, grade, vetoed
from mart.assessment_results_by_scheme
-- The scheme's year too: the views then score that year's targets alone.
where scheme_id = %(scheme_id)s
    and year = (select year from assess.schemes where scheme_id = %(scheme_id)s)
order by class_code, rank_in_class, unit_code
"""


@_cached("marts", "assessment")
def scheme_results(url: Access, scheme_id: int) -> pd.DataFrame:
    """The results one scheme (a draft, say) would give."""
    return _read(url, _SCHEME_RESULTS, {"scheme_id": int(scheme_id)})


_ASSESSMENT_SCORES = """
with published as (
    select exists (
        select from mart.assessment_publications
        where year = %(year)s and is_current
    ) as published
),

shown as (
    select year, unit_code, unit_name, class_code, part, raw, weight, weighted
    from mart.assessment_published_scores
    where year = %(year)s
    union all
    select live.year, live.unit_code, live.unit_name, live.class_code, live.part, live.raw,
           live.weight, live.weighted
    from published
    cross join lateral (
        select * from mart.assessment_scores as scores where scores.year = %(year)s
    ) as live
    where not published.published
)

select year, unit_code, unit_name, class_code, part, raw, weight, weighted
from shown
where %(unit)s::text is null or unit_code = %(unit)s
order by unit_code, array_position(
    array['targets', 'leaders', 'satisfaction', 'integrity', 'bonus', 'deduction'], part)
"""


@_cached("marts", "assessment")
def assessment_scores(url: Access, year: int, unit: str | None = None) -> pd.DataFrame:
    """The parts of each unit's total (one unit's when ``unit`` is given), as published
    when the year is."""
    return _read(url, _ASSESSMENT_SCORES, {"year": year, "unit": unit})


_ASSESSMENT_TARGETS = """
select points.target_code, points.target_name, points.source, points.direction,
       points.measure, points.planned_value, points.actual_value, points.completion_rate,
       points.weight, points.extra_points, points.deducted_points,
       points.points as target_points,
       points.capped, points.period
from mart.assessment_target_points as points
join assess.year_schemes as ys on ys.scheme_id = points.scheme_id
where points.year = %(year)s and points.unit_code = %(unit)s
order by points.target_code
"""


@_cached("marts", "assessment")
def assessment_targets(url: Access, year: int, unit: str) -> pd.DataFrame:
    """One unit's targets with the points 累进计分 gives them."""
    return _read(url, _ASSESSMENT_TARGETS, {"year": year, "unit": unit})


_ASSESSMENT_EVALUATIONS = """
select year, unit_code, unit_name, evaluation_type, score, raters, note
from mart.assessment_evaluations
where year = %(year)s and unit_code = %(unit)s
order by evaluation_type
"""


@_cached("marts", "assessment")
def assessment_evaluations(url: Access, year: int, unit: str) -> pd.DataFrame:
    """One unit's evaluation scores."""
    return _read(url, _ASSESSMENT_EVALUATIONS, {"year": year, "unit": unit})


_ASSESSMENT_ITEMS = """
select year, item_code, unit_code, unit_name, item_type, points, reason, document
from mart.assessment_items
where year = %(year)s and unit_code = %(unit)s
order by item_code
"""


@_cached("marts", "assessment")
def assessment_items(url: Access, year: int, unit: str) -> pd.DataFrame:
    """One unit's bonus, deduction and veto items."""
    return _read(url, _ASSESSMENT_ITEMS, {"year": year, "unit": unit})


_EXTERNAL_RANKINGS = """
select year, assessing_body, assessment, rank, out_of, title as award_title, illustrative
from assess.external_rankings
order by year desc, assessing_body
"""


@_cached("marts", "assessment")
def external_rankings(url: Access) -> pd.DataFrame:
    """Where the zone stood in higher bodies' assessments, latest first."""
    return _read(url, _EXTERNAL_RANKINGS)


def draft_assessment_scheme(
    url: Access,
    scheme_id: int,
    weights: dict[str, float],
    class_rules: dict[str, dict[str, float]],
    note: str | None,
) -> int:
    """A steward's draft: a copy of the scheme with changed weights and grade rules, signed."""
    from decimal import Decimal

    from etl import assessment

    try:
        with scoped_connection(url) as conn:
            return assessment.draft_from(
                conn,
                int(scheme_id),
                url.account,
                weights={part: Decimal(str(v)) for part, v in weights.items()},
                class_rules={
                    code: {name: Decimal(str(v)) for name, v in rules.items()}
                    for code, rules in class_rules.items()
                },
                note=note,
            )
    finally:
        _written(url, "assessment", "accounts")


def publish_assessment_scheme(url: Access, scheme_id: int) -> None:
    """Publish a draft as the year's scheme, signed by the person's account."""
    from etl import assessment

    try:
        with scoped_connection(url) as conn:
            assessment.publish(conn, int(scheme_id), url.account)
    finally:
        _written(url, "assessment", "accounts")


def record_external_ranking(
    url: Access,
    year: int,
    assessing_body: str,
    assessment_name: str,
    rank: int,
    out_of: int | None,
    title: str | None,
) -> bool:
    """A steward records (or corrects) an external ranking, signed; whether one was replaced."""
    from etl import assessment

    ranking = assessment.ExternalRanking(
        year=int(year),
        assessing_body=assessing_body.strip(),
        assessment=assessment_name.strip(),
        rank=int(rank),
        out_of=int(out_of) if out_of else None,
        title=(title or "").strip() or None,
    )
    try:
        with scoped_connection(url) as conn:
            return assessment.record_external_ranking(conn, ranking, url.account)
    finally:
        _written(url, "assessment", "accounts")


def republish_assessment(url: Access, year: int) -> int:
    """Publish the year's scheme again on today's data (a new frozen set), signed."""
    from etl import assessment

    try:
        with scoped_connection(url) as conn:
            return assessment.republish(conn, int(year), url.account)
    finally:
        _written(url, "assessment", "accounts")


# ------------------------------------------------------- 对标分析 (issue 14) --
# The zone against the peer districts: mart.peer_benchmark and mart.indicator_figures.
# Leaders and stewards read every figure; anyone else only what their unit sent
# (sql/migrations/0070), so an empty answer may mean "not yours to see".

_PEER_YEARS = "select year from mart.peer_years order by year desc"


@_cached("marts")
def peer_years(url: Access) -> list[int]:
    """The years holding indicator figures the person may read, latest first."""
    return [int(year) for year in _read(url, _PEER_YEARS)["year"]]


# The year's grid (the heatmap, the indicators, the chosen one's gap chart) and the
# chosen month's full standings (the cards, the table): a year of full rows would
# be 2,400 rows of 26 columns at the city's scale, most of them never shown.
_PEER_RANKS = """
    select period, indicator_code, indicator_name, measure, followed, rank, districts_ranked,
           gap_rate, best_peer_name
    from mart.peer_benchmark
    where year = %(year)s
    order by indicator_code, period
"""


@_cached("marts")
def peer_ranks(url: Access, year: int) -> pd.DataFrame:
    """This zone's rank and gap rate per indicator and month of ``year``."""
    return _read(url, _PEER_RANKS, {"year": year})


_PEER_MONTH = """
    select period, indicator_code, indicator_name, measure, direction, followed, basis,
           zone_value, rank, districts_ranked, peers_missing,
           best_peer_code, best_peer_name, best_peer_value, gap, gap_rate,
           previous_gap_rate, gap_narrowed,
           zone_growth, growth_rank, growth_districts_ranked,
           best_growth_peer_code, best_growth_peer_name, best_peer_growth, growth_gap,
           growth_gap_narrowed
    from mart.peer_benchmark
    where year = %(year)s and period = %(month)s
    order by indicator_code
"""


@_cached("marts")
def peer_month(url: Access, year: int, month: str) -> pd.DataFrame:
    """This zone's standing per indicator in ``month`` (mart.peer_benchmark)."""
    return _read(url, _PEER_MONTH, {"year": year, "month": month})


_PEER_FIGURES = """
    select figures.period, figures.district_code, figures.district_name,
           figures.district_name_en, figures.is_home, figures.value, figures.basis,
           figures.yoy_growth, figures.source, figures.file_name, figures.received_at,
           districts.sort_order
    from mart.indicator_figures as figures
    join mart.districts as districts on districts.district_code = figures.district_code
    where figures.year = %(year)s and figures.indicator_code = %(indicator)s
    order by figures.period, districts.sort_order, figures.district_code
"""


@_cached("marts")
def peer_figures(url: Access, year: int, indicator: str) -> pd.DataFrame:
    """Every district's figure of one indicator through ``year``, with its source."""
    return _read(url, _PEER_FIGURES, {"year": year, "indicator": indicator})


_ILLUSTRATIVE = """
    select exists (
        select from mart.indicator_figures
        where year = %(year)s and is_home and source like '%%示例数据%%'
    ) as illustrative
"""


@_cached("marts")
def peer_illustrative(url: Access, year: int) -> bool:
    """Whether any figure of ``year`` is marked illustrative (the demo's, etl/peer_demo.py)."""
    return bool(_read(url, _ILLUSTRATIVE, {"year": year})["illustrative"].iloc[0])
