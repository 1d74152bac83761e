"""Validate one file's rows in staging: its GX suite, then the warehouse reference checks.

``validate_staged`` reads the kind's suite from ``expectations/<kind>.json`` and
runs it with Great Expectations on ``staging.<kind>`` restricted to the file,
then checks the rows against the warehouse (unknown units and targets) in
plain SQL. Both come back as ducha ``Problem``s with the row number the user
sees, plus one ``ExpectationOutcome`` per expectation for the record.

Great Expectations is imported inside the function: importing it takes seconds,
and only validation needs it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.util
import itertools
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from etl.kinds import KINDS, Kind
from etl.loading.stage import staged_table
from etl.report import ExpectationOutcome, Problem, checked_file_id
from etl.suites import PERIOD_REGEX, load_suite_dict
from etl.warehouse import connect, first_value

if TYPE_CHECKING:
    from great_expectations.core import ExpectationValidationResult

    # Both are there at run time; GX's package does not list them as exported.
    from great_expectations.data_context import AbstractDataContext  # type: ignore[attr-defined]
    from great_expectations.datasource.fluent import PostgresDatasource  # type: ignore[attr-defined]
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

# Problems reported per expectation (and per reference check). GX's
# UnexpectedRowsExpectation hands back at most 200 rows (constants.MAX_RESULT_RECORDS),
# so every rule uses the same cap; the outcome keeps the true unexpected count.
PROBLEMS_PER_RULE = 200

# Pass or fail needs only counts, which GX computes for all map expectations in
# one aggregate query; row numbers are fetched afterwards for the failing ones.
_COUNTS_ONLY = {"result_format": "BOOLEAN_ONLY"}
# SUMMARY, not COMPLETE: COMPLETE fetches every unexpected value (a broken 1M-row
# file would send them all), SUMMARY stops at partial_unexpected_count rows.
_MAP_ROWS = {
    "result_format": "SUMMARY",
    "unexpected_index_column_names": ["row_no"],
    "partial_unexpected_count": PROBLEMS_PER_RULE,
    "return_unexpected_index_query": False,
}
# UnexpectedRowsExpectation hands back its rows only in COMPLETE (at most 200).
_QUERY_ROWS = {"result_format": "COMPLETE"}
_QUERY_TYPE = "unexpected_rows_expectation"


class ValidationError(RuntimeError):
    """An expectation could not be evaluated (a bug or a broken warehouse, not bad data)."""


def validate_staged(
    url: str, kind: Kind, file_id: int, row_count: int | None = None
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """Validate the staged rows of ``file_id``: expectation and warehouse problems, outcomes.

    ``row_count`` is how many rows were staged, when the caller knows it;
    otherwise they are counted.
    """
    file_id = checked_file_id(file_id)
    with connect(url, autocommit=True) as conn:
        # Freshly copied rows have no statistics yet; without them the planner
        # picks nested loops for the duplicate and reference checks (minutes on 1M rows).
        # The file's own partition when it has one: analysing staging.<kind>
        # would sample every file being loaded.
        partition = staged_table(kind, file_id)
        exists = first_value(conn.execute("select to_regclass(%s)", (partition.as_string(conn),)))
        conn.execute(sql.SQL("analyze {}").format(partition if exists else _staging_table(kind)))
        if row_count is None:
            row_count = first_value(
                conn.execute(
                    sql.SQL("select count(*) from {} where file_id = %s").format(
                        _staging_table(kind)
                    ),
                    (file_id,),
                )
            )
        gx_url = _gx_connection_string(url, conn.info.host)
        problems, outcomes = _run_suite(gx_url, kind, file_id, row_count)
        problems += _reference_problems(conn, kind, file_id)
    _sort(kind, problems)
    return problems, outcomes


def _sort(kind: Kind, problems: list[Problem]) -> None:
    """In the order the user reads the file: by row, then column, then rule."""
    order = {name: index for index, name in enumerate(kind.column_names)}
    problems.sort(
        key=lambda p: (
            p.row is None,
            p.row or 0,
            order.get(p.column or "", len(order)),
            p.rule,
        )
    )


def batchable(kind: Kind) -> bool:
    """Whether the kind's suite can be run once over many files' rows together.

    Every rule must be monotone: rows a rule finds in one file it also finds in
    that file among others. Column rules are (they look at one row); the SQL
    rules are when they read their batch once, keeping or flagging rows of it
    by the row's own cells or by counting its copies (a duplicate in a file is a
    duplicate among more rows too). A rule that looks rows up elsewhere in its
    batch (the 对标 growth check finds last year's figure there) is not: another
    file's rows could change its verdict, so such a kind is validated file by file.
    """
    return all(
        config["kwargs"]["unexpected_rows_query"].count("{batch}") == 1
        for config in load_suite_dict(kind)["expectations"]
        if config["type"] == _QUERY_TYPE
    )


Validated = tuple[list[Problem], list[ExpectationOutcome]]


def validate_staged_many(
    url: str, staged: Mapping[str, Mapping[int, int]]
) -> dict[int, Validated | Exception]:
    """Validate many staged files at once; for each, exactly what validate_staged finds.

    ``staged`` maps a kind's name to its files' staged row counts (each file at
    least one row). A kind's suite runs once over all its files' rows (batchable
    kinds); when a rule fails there, the files are halved and each half checked
    again, so only the files that fail alone are validated on their own, with
    their rows. One Great Expectations context serves every kind. An error that
    is not the warehouse's is that file's alone (its value is the exception).
    """
    found: dict[int, Validated | Exception] = {}
    together: dict[str, list[int]] = {}  # by kind name (a Kind is not hashable)
    for kind_name, row_counts in staged.items():
        kind = KINDS[kind_name]
        file_ids = sorted(checked_file_id(file_id) for file_id in row_counts)
        if batchable(kind) and len(file_ids) > 1:
            together[kind_name] = file_ids
            continue
        for file_id in file_ids:
            try:
                found[file_id] = validate_staged(url, kind, file_id, row_counts[file_id])
            except (psycopg.OperationalError, psycopg.InterfaceError):
                raise
            except Exception as exc:  # the caller rejects that file with the reason
                found[file_id] = exc
    if not together:
        return found
    try:
        _validate_together(url, staged, together, found)
    except (psycopg.OperationalError, psycopg.InterfaceError):
        raise
    except Exception:
        # Setting up the shared run failed (not the warehouse): each file
        # alone, so the error is said for the file it belongs to, if any.
        for kind_name, file_ids in together.items():
            for file_id in file_ids:
                if file_id in found:
                    continue
                try:
                    found[file_id] = validate_staged(
                        url, KINDS[kind_name], file_id, staged[kind_name][file_id]
                    )
                except (psycopg.OperationalError, psycopg.InterfaceError):
                    raise
                except Exception as exc:
                    found[file_id] = exc
    return found


def _validate_together(
    url: str,
    staged: Mapping[str, Mapping[int, int]],
    together: dict[str, list[int]],
    found: dict[int, Validated | Exception],
) -> None:
    """validate_staged_many for the batchable kinds of more than one file."""
    with connect(url, autocommit=True) as conn:
        # Statistics for each file's own partition, as validate_staged gathers
        # them, and for the default partitions that small files are staged in.
        partitions = [
            staged_table(KINDS[kind_name], file_id).as_string(conn)
            for kind_name, file_ids in together.items()
            for file_id in file_ids
        ]
        tables = [
            row[0]
            for row in conn.execute(
                "select c.oid::regclass::text from pg_class as c"
                " where c.oid = any(select to_regclass(name) from unnest(%s::text[]) as name)"
                " union"
                " select p.partdefid::regclass::text from pg_partitioned_table as p"
                " where p.partrelid = any(%s::regclass[]) and p.partdefid <> 0",
                (partitions, [f"staging.{kind_name}" for kind_name in together]),
            )
        ]
        if tables:
            conn.execute(
                sql.SQL("analyze {}").format(
                    sql.SQL(", ").join(sql.SQL(table) for table in tables)  # regclass text
                )
            )
        gx_url = _gx_connection_string(url, conn.info.host)
        failing: dict[int, dict[int, ExpectationValidationResult] | Exception] = {}
        shared: _SuiteRunner | None = None
        with _quiet_gx(), contextlib.ExitStack() as stack:
            for kind_name, file_ids in together.items():
                kind = KINDS[kind_name]
                configs = load_suite_dict(kind)["expectations"]
                runner = stack.enter_context(_SuiteRunner(gx_url, kind, configs, shared))
                shared = shared or runner
                _bisect(runner, file_ids, failing)
        for kind_name, file_ids in together.items():
            kind = KINDS[kind_name]
            configs = load_suite_dict(kind)["expectations"]
            for file_id in file_ids:
                result = failing[file_id]
                if isinstance(result, Exception):
                    found[file_id] = result
                    continue
                problems, outcomes = _findings(configs, result, staged[kind.name][file_id])
                problems += _reference_problems(conn, kind, file_id)
                _sort(kind, problems)
                found[file_id] = (problems, outcomes)


def _bisect(
    runner: _SuiteRunner,
    file_ids: list[int],
    failing: dict[int, dict[int, ExpectationValidationResult] | Exception],
) -> None:
    """Each file's failing results into ``failing``: a group whose rows all pass, passes whole."""

    def passes(group: list[int]) -> bool:
        try:
            return runner.all_pass(group)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise
        except Exception:  # found again, and said, for the file it belongs to
            return False

    def check(group: list[int]) -> None:
        if len(group) > 1 and passes(group):
            failing.update((file_id, {}) for file_id in group)
        elif len(group) > 1:
            half = len(group) // 2
            check(group[:half])
            check(group[half:])
        else:
            try:
                failing[group[0]] = runner.failing(group[0])
            except (psycopg.OperationalError, psycopg.InterfaceError):
                raise
            except Exception as exc:
                failing[group[0]] = exc

    check(file_ids)


def _staging_table(kind: Kind) -> sql.Identifier:
    return sql.Identifier("staging", kind.name)


def _gx_connection_string(url: str, socket_dir: str | None) -> str:
    """The warehouse URL in the form GX's Postgres data source accepts.

    GX wants the psycopg 3 dialect and insists on a host in the URL; a Unix-socket
    URL (``postgresql://u@/db?host=/dir``) gets a placeholder host, which libpq
    ignores because the ``host`` query parameter wins.
    """
    # Here, not at the top: SQLAlchemy's import is a start-up cost that a batch
    # pays while it reads its first files (GX imports it in the background).
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql+psycopg")
    if not parsed.host:
        query = dict(parsed.query)
        if "host" not in query and socket_dir:
            query["host"] = socket_dir
        parsed = parsed.set(host="localhost", query=query)
    return parsed.render_as_string(hide_password=False)


# ------------------------------------------------------------------- GX --


# Modules GX imports at its own import time but ducha's expectations never
# use: scipy.stats (distributional expectations) and altair (Data Docs
# charts). Loaded on first use instead, they take ~0.9 s off the ~2.2 s import.
_LOAD_ON_FIRST_USE = frozenset({"scipy.stats", "altair"})


class _OnFirstUse(importlib.abc.MetaPathFinder):
    """Hands out the modules above as LazyLoader modules (stdlib importlib.util)."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in _LOAD_ON_FIRST_USE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


_import_lock = threading.Lock()


def import_gx() -> None:
    """Import great_expectations, its unused heavy modules loaded on first use.

    Safe to call from a background thread while the file is read: a later
    ``import great_expectations`` waits for this one to finish.
    """
    with _import_lock:
        if "great_expectations" in sys.modules:
            return
        finder = _OnFirstUse()
        sys.meta_path.insert(0, finder)
        try:
            with _quiet_gx():
                import great_expectations  # noqa: F401
        finally:
            sys.meta_path.remove(finder)


@contextlib.contextmanager
def _quiet_gx() -> Iterator[None]:
    """No analytics, no progress bars, no log lines or warnings from GX on stderr."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    logging.getLogger("great_expectations").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _context() -> AbstractDataContext:
    import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # In memory only: nothing is written to the working directory.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _run_suite(
    connection_string: str, kind: Kind, file_id: int, row_count: int
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """Run the kind's committed suite on the file's staged rows."""
    configs = load_suite_dict(kind)["expectations"]
    failing: dict[int, ExpectationValidationResult] = {}
    # No rows, no batch (GX finds no file_id to select); every expectation holds vacuously.
    if row_count:
        with _quiet_gx():
            failing = _failing_results(connection_string, kind, file_id, configs)
    return _findings(configs, failing, row_count)


def _findings(
    configs: list[dict[str, Any]], failing: dict[int, ExpectationValidationResult], row_count: int
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """A file's problems and one outcome per expectation, from its failing results."""
    problems: list[Problem] = []
    outcomes: list[ExpectationOutcome] = []
    for index, config in enumerate(configs):
        meta = config["meta"]
        rows, unexpected = _unexpected(failing[index]) if index in failing else ([], 0)
        problems += [_problem(config, row) for row in rows]
        outcomes.append(
            ExpectationOutcome(
                expectation_type=config["type"],
                column=meta["column"],
                kwargs=config["kwargs"],
                success=index not in failing,
                element_count=row_count,
                unexpected_count=unexpected,
                severity=meta["severity"],
            )
        )
    return problems, outcomes


def _failing_results(
    connection_string: str, kind: Kind, file_id: int, configs: list[dict[str, Any]]
) -> dict[int, ExpectationValidationResult]:
    """Results, with their rows, of the expectations that fail; keyed by position in the suite."""
    with _SuiteRunner(connection_string, kind, configs) as runner:
        return runner.failing(file_id)


# Names of suites, validation definitions and assets, unique within the process.
_RUNS = itertools.count(1)


class _SuiteRunner:
    """One Great Expectations context and data source for a kind's suite, for many runs.

    Setting them up (and SQLAlchemy's first look at the table) costs far more than
    running a small file's suite, so a batch of files (validate_staged_many) sets
    them up once.
    """

    context: AbstractDataContext
    source: PostgresDatasource

    def __init__(
        self,
        connection_string: str,
        kind: Kind,
        configs: list[dict[str, Any]],
        shared: _SuiteRunner | None = None,
    ) -> None:
        """A runner of its own, or one on the context and data source of ``shared``."""
        self.kind, self.configs = kind, configs
        self._owner = shared is None
        if shared is not None:
            self.context, self.source = shared.context, shared.source
            return
        self.context = _context()  # imports GX through import_gx()
        # No JIT: compiling GX's queries over a large file costs more than running them.
        self.source = self.context.data_sources.add_postgres(  # type: ignore[call-arg]  # GX's stub lacks kwargs
            "warehouse",
            connection_string=connection_string,
            kwargs={"connect_args": {"options": "-c jit=off"}},
        )

    @functools.cached_property
    def batch(self) -> Any:
        """The batch of one file's rows in staging.<kind>, selected by a bound file_id."""
        from great_expectations.core.partitioners import PartitionerColumnValue

        asset = self.source.add_table_asset(
            self.kind.name, table_name=self.kind.name, schema_name="staging"
        )
        # One batch per file_id, passed as a bound parameter. GX only validates
        # date partitions up front, so the check is skipped for this integer one.
        return asset.add_batch_definition(
            "file",
            partitioner=PartitionerColumnValue(column_name="file_id"),
            validate_partitioner=False,
        )

    def __enter__(self) -> _SuiteRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owner:
            _dispose(self.source)

    def _run(
        self,
        data: Any,
        indexes: list[int],
        result_format: dict[str, Any],
        batch_parameters: dict[str, Any] | None = None,
    ) -> dict[int, Any]:
        import great_expectations as gx

        name = f"run-{next(_RUNS)}"
        configs, kind = self.configs, self.kind
        suite = gx.ExpectationSuite(name=name, expectations=[configs[i] for i in indexes])
        # GX logs and drops an expectation it cannot build; a rule must never vanish.
        if len(suite.expectations) != len(indexes):
            raise ValidationError(f"suite {kind.name}: an expectation did not load")
        suite = self.context.suites.add(suite)
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=data, suite=suite)
        )
        validation = definition.run(batch_parameters=batch_parameters, result_format=result_format)
        position = {e.id: i for e, i in zip(suite.expectations, indexes, strict=True)}
        results = {}
        for result in validation.results:
            _raise_on_exception(kind, result)
            results[position[_config(result).id]] = result
        return results

    def failing(self, file_id: int) -> dict[int, ExpectationValidationResult]:
        """The failing expectations of one file's rows, with their rows."""
        configs, batch = self.configs, self.batch
        file = {"file_id": file_id}
        counted = self._run(batch, list(range(len(configs))), _COUNTS_ONLY, file)
        failing = sorted(i for i, result in counted.items() if not result.success)
        by_query = [i for i in failing if configs[i]["type"] == _QUERY_TYPE]
        by_map = [i for i in failing if configs[i]["type"] != _QUERY_TYPE]
        detailed: dict[int, Any] = {}
        if by_map:
            detailed |= self._run(batch, by_map, _MAP_ROWS, file)
        if by_query:
            detailed |= self._run(batch, by_query, _QUERY_ROWS, file)
        return detailed

    def all_pass(self, file_ids: list[int]) -> bool:
        """Whether every expectation holds over the rows of all these files together.

        Only for suites whose every rule is monotone (see batchable): then a rule
        that holds over the union holds over each file.
        """
        ids = ", ".join(str(checked_file_id(file_id)) for file_id in file_ids)
        asset = self.source.add_query_asset(
            f"files-{next(_RUNS)}",
            query=f"select * from staging.{self.kind.name} where file_id in ({ids})",
        )
        try:
            batch = asset.add_batch_definition_whole_table("files")
            counted = self._run(batch, list(range(len(self.configs))), _COUNTS_ONLY)
        finally:
            self.source.delete_asset(asset.name)
        return all(result.success for result in counted.values())


def _dispose(source: PostgresDatasource) -> None:
    """Close GX's pooled connections now rather than at garbage collection."""
    with contextlib.suppress(Exception):
        source.get_execution_engine().engine.dispose()
    with contextlib.suppress(Exception):
        source.get_engine().dispose()


def _config(result: ExpectationValidationResult) -> ExpectationConfiguration:
    """The expectation a result is of (GX always sets it on a suite's results)."""
    config = result.expectation_config
    assert config is not None, "a suite's result names its expectation"
    return config


def _raise_on_exception(kind: Kind, result: ExpectationValidationResult) -> None:
    # GX catches errors in column expectations and reports them as a failure;
    # a rule that could not run is a fault, never a verdict on the file.
    info = result.exception_info or {}
    if info.get("raised_exception"):
        rule = (_config(result).meta or {}).get("rule")
        raise ValidationError(
            f"{kind.name}: expectation {rule} failed to run: {info.get('exception_message')}"
        )


def _unexpected(result: ExpectationValidationResult) -> tuple[list[dict[str, Any]], int]:
    """The offending rows (row_no, value, other) of a failed expectation, and their true count."""
    config = _config(result)
    details = result.result or {}
    if config.type == "unexpected_rows_expectation":
        rows = details.get("details", {}).get("unexpected_rows", [])
        return rows[:PROBLEMS_PER_RULE], int(details.get("observed_value") or 0)
    column = config.meta["column"]
    kwargs = config.kwargs
    other = next(
        (kwargs[key] for key in ("column_A", "column_B") if kwargs.get(key) not in (None, column)),
        None,
    )
    rows = [
        {
            "row_no": entry["row_no"],
            "value": entry.get(column),
            "other": entry.get(other) if other else None,
        }
        for entry in details.get("partial_unexpected_index_list") or []
    ]
    return rows[:PROBLEMS_PER_RULE], int(details.get("unexpected_count") or 0)


def _problem(config: dict[str, Any], row: dict[str, Any]) -> Problem:
    meta = config["meta"]
    value, other = _text(row.get("value")), _text(row.get("other"))
    return Problem(
        rule=meta["rule"],
        message_zh=_fill(meta["zh"], value, other),
        message_en=_fill(meta["en"], value, other),
        row=int(row["row_no"]),
        column=meta["column"],
        value=value,
        severity=meta["severity"],
        source="expectation",
    )


def _text(value: Any) -> str | None:
    """A cell as the user would write it (Decimal without exponent, ISO dates)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fill(template: str, value: str | None, other: str | None) -> str:
    # replace, not str.format: templates hold regexes with braces, values may too.
    return template.replace("{value}", "" if value is None else value).replace(
        "{other}", "" if other is None else other
    )


# ------------------------------------------------------------ warehouse --

# One query per Reference slug in kinds.py, selecting the offending rows as
# (row_no, value, other). {staged} is staging.<kind>; every value is a bound
# parameter. A malformed period is the period-format rule's problem, so it is
# kept away from core.period_year (which would fail on it).
#
# Each query first finds the offending distinct values (units, (year, target)
# pairs …) and only then the rows holding them: over a million rows naming a
# few thousand targets, checking each row against the warehouse took 2 s a
# check, and a valid file has no offending value, so the second step is free.
# {periods} maps each distinct period of the file to its year (NULL when
# malformed), the regular expression running a dozen times, not once a row;
# OFFSET 0 keeps the planner from pulling it back into the row scan.
_PERIOD_YEARS = """
    select
        period,
        case when period ~ %(period_regex)s then core.period_year(period) end as year
    from (select distinct period from {staged} where file_id = %(file_id)s) as distinct_periods
    offset 0
"""

_REFERENCE_SQL: dict[str, str] = {
    "unknown-unit": """
        with missing as materialized (
            select distinct unit_code from {staged}
            where file_id = %(file_id)s and unit_code is not null
            except
            select unit_code from core.units where is_current
        )
        select s.row_no, s.unit_code as value, null as other
        from {staged} as s
        join missing as m on m.unit_code = s.unit_code
        where s.file_id = %(file_id)s
        order by s.row_no
        limit %(cap)s
    """,
    "unknown-target": """
        with periods as materialized ({periods}),

        missing as materialized (
            select distinct p.year, s.target_code
            from {staged} as s
            join periods as p on p.period = s.period
            where s.file_id = %(file_id)s and s.target_code is not null and p.year is not null
            except
            select year, target_code from core.targets where is_current
        )

        select s.row_no, s.target_code as value, p.year::text as other
        from {staged} as s
        join periods as p on p.period = s.period
        join missing as m on m.year = p.year and m.target_code = s.target_code
        where s.file_id = %(file_id)s
        order by s.row_no
        limit %(cap)s
    """,
    "not-responsible-unit": """
        with periods as materialized ({periods}),

        reported as materialized (
            select distinct p.year, s.target_code, s.unit_code
            from {staged} as s
            join periods as p on p.period = s.period
            where s.file_id = %(file_id)s and p.year is not null
        ),

        wrong as materialized (
            select r.year, r.target_code, r.unit_code, t.unit_code as responsible
            from reported as r
            join core.targets as t
              on t.is_current and t.year = r.year and t.target_code = r.target_code
            where r.unit_code <> t.unit_code
              -- an unknown unit is reported as such, not twice
              and exists (
                  select 1 from core.units as u where u.is_current and u.unit_code = r.unit_code
              )
        )

        select s.row_no, s.unit_code as value, w.responsible as other
        from {staged} as s
        join periods as p on p.period = s.period
        join wrong as w
          on w.year = p.year and w.target_code = s.target_code and w.unit_code = s.unit_code
        where s.file_id = %(file_id)s
        order by s.row_no
        limit %(cap)s
    """,
    "unknown-district": """
        with missing as materialized (
            select distinct district_code from {staged}
            where file_id = %(file_id)s and district_code is not null
            except
            select district_code from core.districts
        )
        select s.row_no, s.district_code as value, null as other
        from {staged} as s
        join missing as m on m.district_code = s.district_code
        where s.file_id = %(file_id)s
        order by s.row_no
        limit %(cap)s
    """,
    "unknown-indicator": """
        with missing as materialized (
            select distinct indicator_code from {staged}
            where file_id = %(file_id)s and indicator_code is not null
            except
            select indicator_code from core.indicators where is_current
        )
        select s.row_no, s.indicator_code as value, null as other
        from {staged} as s
        join missing as m on m.indicator_code = s.indicator_code
        where s.file_id = %(file_id)s
        order by s.row_no
        limit %(cap)s
    """,
}

_REFERENCE_DETAIL = {
    "unknown-unit": ("：“{value}”", ": '{value}'"),
    "unknown-district": ("：“{value}”", ": '{value}'"),
    "unknown-indicator": ("：“{value}”", ": '{value}'"),
    "unknown-target": ("：{other} 年无目标“{value}”", ": no target '{value}' in {other}"),
    "not-responsible-unit": (
        "：“{value}”（责任单位为“{other}”）",
        ": '{value}' (the responsible unit is '{other}')",
    ),
}


def _reference_problems(conn: psycopg.Connection, kind: Kind, file_id: int) -> list[Problem]:
    """Rows naming a unit or target the warehouse does not know (contract §2 Referential)."""
    problems = []
    params = {"file_id": file_id, "cap": PROBLEMS_PER_RULE, "period_regex": PERIOD_REGEX}
    for reference in kind.references:
        staged = _staging_table(kind)
        text = reference.query or _REFERENCE_SQL[reference.slug]
        query = sql.SQL(text).format(
            staged=staged, periods=sql.SQL(_PERIOD_YEARS).format(staged=staged)
        )
        zh_detail, en_detail = _REFERENCE_DETAIL.get(
            reference.slug, (reference.detail_zh, reference.detail_en)
        )
        for row_no, value, other in conn.execute(query, params):
            value_text, other_text = _text(value), _text(other)
            problems.append(
                Problem(
                    rule=reference.slug,
                    message_zh=_fill(reference.zh + zh_detail, value_text, other_text),
                    message_en=_fill(reference.en + en_detail, value_text, other_text),
                    row=row_no,
                    column=reference.columns[0],
                    value=value_text,
                    severity="error",
                    source="warehouse",
                )
            )
    return problems
