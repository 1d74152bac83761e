"""Contract-valid returns at scale, reproducible: for benchmarks, tests and trying ducha out.

``generate(kind, rows, directory)`` writes the return of ``kind`` with ``rows`` data rows
plus the master data it refers to (``units.csv``, and ``targets.csv`` for targets and
target progress), so that ``ducha ingest DIRECTORY`` loads the lot (master data first).
Sizes follow the arguments: the number of units, the periods (months of ``year``) and,
for slice kinds, as many areas, programs or targets per unit as ``rows`` needs. Values
come from ``random.Random(seed)``: the same arguments write the same bytes.

    python -m etl.generate --kind employment --rows 1000000 -o /tmp/returns --seed 1
    ducha ingest /tmp/returns --as-of 2006-12-31

Every file is CSV in UTF-8 with a BOM and Chinese headers, as Excel on a Chinese
Windows saves it; dates are ISO and numbers plain, so a bare PostgreSQL COPY reads
the same file too (bench/ingest.py compares the two).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from etl.kinds import (
    DISABILITY_AID,
    EMPLOYMENT,
    INDICATOR_FIGURES,
    INDICATORS,
    KINDS,
    SATISFACTION,
    SUPERVISION,
    SUPERVISION_SOURCES,
    TARGET_PROGRESS,
    TARGET_SOURCES,
    TARGETS,
    UNIT_TYPES,
    UNITS,
    Kind,
)

_SOURCE_LABELS = list(SUPERVISION_SOURCES.values())
_SATISFACTION_LABELS = [*SATISFACTION.values(), ""]
_TARGET_SOURCE_LABELS = list(TARGET_SOURCES.values())
_MEASURES = ("万元", "亿元", "%", "人", "件", "平方米", "个", "户")
_PROGRAMS = ("特困生活补助", "医疗爱心卡", "康复药箱", "辅助器具", "复明手术", "参保资助", "助学金")
# Unit code prefix and share of the register per unit type (a zone's mix of
# subdistricts, departments and affiliated bodies).
_UNIT_MIX = (("JD", "subdistrict", 3), ("BM", "department", 5), ("ZS", "affiliated", 2))
DEFAULT_UNITS = 50
ENCODING = "utf-8-sig"


# ------------------------------------------------------------ the old API --


def write_supervision(path: Path, rows: int, unit_codes: list[str], year: int = 2006) -> None:
    """A supervision return of ``rows`` items (deterministic: row i is always the same)."""
    start = date(year, 1, 1)

    def items() -> Iterator[list[str]]:
        for i in range(rows):
            registered = start + timedelta(days=i % 300)
            due = registered + timedelta(days=30 + i % 60)
            closed = registered + timedelta(days=10 + i % 50) if i % 7 else None
            yield [
                f"S-{i:08d}",
                _SOURCE_LABELS[i % len(_SOURCE_LABELS)],
                f"关于第{i}号督办事项的办理",
                unit_codes[i % len(unit_codes)],
                registered.isoformat(),
                due.isoformat(),
                closed.isoformat() if closed else "",
                _SATISFACTION_LABELS[i % len(_SATISFACTION_LABELS)] if closed else "",
            ]

    _write(path, SUPERVISION, items())


# ----------------------------------------------------------- master data --


def unit_register(count: int) -> list[tuple[str, str, str]]:
    """``count`` units (code, name, type code), mixed like a zone's register; deterministic."""
    weights = sum(share for _, _, share in _UNIT_MIX)
    units: list[tuple[str, str, str]] = []
    for prefix, unit_type, share in _UNIT_MIX:
        # Every type gets at least one unit once there are enough to go round.
        wanted = max(1 if count >= len(_UNIT_MIX) else 0, count * share // weights)
        units += [
            (f"{prefix}-{i:05d}", f"{UNIT_TYPES[unit_type]}{prefix}{i:05d}", unit_type)
            for i in range(wanted)
        ]
    extra = count - len(units)
    units += [(f"BM-X{i:05d}", f"部门X{i:05d}", "department") for i in range(extra)]
    return units[:count]


def write_register(path: Path, count: int) -> list[str]:
    """The unit register file (Chinese type labels); returns the unit codes."""
    units = unit_register(count)
    _write(
        path,
        UNITS,
        ((code, name, UNIT_TYPES[unit_type]) for code, name, unit_type in units),
    )
    return [code for code, _, _ in units]


def target_rows(
    count: int, unit_codes: Sequence[str], year: int, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """``count`` targets of ``year``, dealt out to the units in turn."""
    for i in range(count):
        lower = rng.random() < 0.1
        yield (
            year,
            f"T{year}-{i:06d}",
            f"第{i}号目标",
            _TARGET_SOURCE_LABELS[i % len(_TARGET_SOURCE_LABELS)],
            unit_codes[i % len(unit_codes)],
            _MEASURES[i % len(_MEASURES)],
            rng.randint(1, 5000),
            "越低越好" if lower else "越高越好",
            rng.randint(1, 10),
        )


# ------------------------------------------------------------- the kinds --


def _months(year: int, periods: int) -> list[str]:
    if not 1 <= periods <= 12:
        raise ValueError("periods are months of one year: 1 to 12")
    return [f"{year}-{month:02d}" for month in range(1, periods + 1)]


def progress_rows(
    rows: int, targets: int, unit_codes: Sequence[str], months: Sequence[str], rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """Cumulative progress: each month, each unit reports every target it is responsible for."""
    year = int(months[0][:4])
    written = 0
    for m, period in enumerate(months, start=1):
        for i in range(targets):
            if written == rows:
                return
            share = m / 12 * (0.8 + rng.random() * 0.4)
            yield (
                period,
                unit_codes[i % len(unit_codes)],
                f"T{year}-{i:06d}",
                f"{rng.randint(1, 5000) * share:.2f}",
                "",
            )
            written += 1


def employment_rows(
    rows: int, unit_codes: Sequence[str], months: Sequence[str], rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """Each month, each unit reports on as many areas as ``rows`` needs."""
    areas = math.ceil(rows / (len(unit_codes) * len(months)))
    written = 0
    for period in months:
        for unit in unit_codes:
            for a in range(areas):
                if written == rows:
                    return
                labor = rng.randint(200, 5000)
                referrals = rng.randint(0, 60)
                yield (
                    period,
                    unit,
                    f"社区{a:04d}",
                    labor,
                    labor - rng.randint(0, labor // 10),
                    rng.randint(0, 5),
                    referrals,
                    rng.randint(0, referrals),
                    rng.randint(0, 20),
                    rng.randint(0, 100),
                    rng.randint(0, 50),
                )
                written += 1


def aid_rows(
    rows: int, unit_codes: Sequence[str], months: Sequence[str], rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """Each month, each unit pays out under as many programs as ``rows`` needs."""
    count = math.ceil(rows / (len(unit_codes) * len(months)))
    programs = [*_PROGRAMS, *(f"救助项目{k:04d}" for k in range(count - len(_PROGRAMS)))]
    written = 0
    for period in months:
        for unit in unit_codes:
            for program in programs[:count]:
                if written == rows:
                    return
                households = rng.randint(0, 80)
                person_times = households + rng.randint(0, 10)
                if rng.random() < 0.8:
                    rate = rng.choice((50, 100, 150, 200, 300))
                    standard, amount = str(rate), f"{person_times * rate}.00"
                else:  # no standard: a lump sum (with cents)
                    standard, amount = "", f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}"
                yield (period, unit, program, households, person_times, standard, amount)
                written += 1


def supervision_rows(
    rows: int, unit_codes: Sequence[str], year: int, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """``rows`` items registered through ``year``; closed ones close by its 31 December."""
    start = date(year, 1, 1)
    for i in range(rows):
        registered = start + timedelta(days=rng.randint(0, 300))
        due = registered + timedelta(days=rng.randint(15, 90))
        closed = registered + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.85 else None
        yield (
            f"S{year}-{i:08d}",
            _SOURCE_LABELS[i % len(_SOURCE_LABELS)],
            f"关于第{i}号督办事项的办理",
            unit_codes[i % len(unit_codes)],
            registered.isoformat(),
            due.isoformat(),
            closed.isoformat() if closed else "",
            rng.choice(_SATISFACTION_LABELS) if closed else "",
        )


# The districts sql/migrations/0070 registers (对标分析); this zone first.
DISTRICT_CODES = ("GXQ", "JJQ", "QYQ", "JNQ", "WHQ", "CHQ")


def indicator_rows(count: int, unit_codes: Sequence[str]) -> Iterator[tuple[object, ...]]:
    """``count`` indicators of the 对标 register; one in five is lower-is-better."""
    for i in range(count):
        yield (
            f"IND-{i:05d}",
            f"对标指标{i:05d}",
            _MEASURES[i % len(_MEASURES)],
            "越低越好" if i % 5 == 4 else "越高越好",
            "是" if i % 3 == 0 else "否",
            unit_codes[i % len(unit_codes)],
        )


def figure_rows(
    rows: int, indicators: int, unit_codes: Sequence[str], months: Sequence[str], rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """Each month, every district's figure of each indicator, as ``rows`` needs."""
    written = 0
    for m, period in enumerate(months, start=1):
        for i in range(indicators):
            for district in DISTRICT_CODES:
                if written == rows:
                    return
                yield (
                    period,
                    district,
                    f"IND-{i:05d}",
                    f"{rng.randint(100, 90000) * m / 12:.2f}",
                    "累计",
                    f"{rng.uniform(-10, 30):.2f}%",
                    f"{district} 统计月报 {period}",
                    unit_codes[0],
                )
                written += 1


def _write(path: Path, kind: Kind, rows: Iterator[Sequence[object]]) -> None:
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.zh for column in kind.columns])
        # Every row as long as the header: optional columns left out are written empty
        # (a plain COPY of the file, bench/ingest.py's floor, takes no short rows).
        width = len(kind.columns)
        writer.writerows((*row, *("",) * (width - len(row))) for row in rows)


# The assessment's returns load only against a year's published scheme in the
# warehouse (its assessed units), which files alone cannot bring: bench/marts.py
# fills those tables itself and tests/test_assessment.py loads them.
NOT_GENERATED = ("assessment_evaluations", "assessment_items")


def generate(
    kind: str,
    rows: int,
    directory: Path,
    *,
    seed: int = 0,
    units: int | None = None,
    periods: int = 12,
    year: int = 2006,
) -> list[Path]:
    """Write a ``kind`` return of ``rows`` rows and its master data; the paths, master first.

    ``units`` sizes the unit register (default 50; the units kind has ``rows`` units);
    ``periods`` is the number of months of ``year`` that slice kinds report.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    if kind in NOT_GENERATED:
        raise ValueError(
            f"etl.generate does not write {kind!r} returns (they need a year's assessment"
            " scheme in the warehouse)"
        )
    if rows < 1:
        raise ValueError("rows must be at least 1")
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:{kind}")
    register = directory / "units.csv"
    if kind == "units":
        write_register(register, rows)
        return [register]
    codes = write_register(register, units if units is not None else DEFAULT_UNITS)
    written = [register]
    months = _months(year, periods)
    out = directory / f"{kind}.csv"
    if kind in ("targets", "target_progress"):
        count = rows if kind == "targets" else math.ceil(rows / len(months))
        targets_path = directory / "targets.csv"
        _write(targets_path, TARGETS, target_rows(count, codes, year, rng))
        written.append(targets_path)
        if kind == "targets":
            return written
        _write(out, TARGET_PROGRESS, progress_rows(rows, count, codes, months, rng))
    elif kind == "employment":
        _write(out, EMPLOYMENT, employment_rows(rows, codes, months, rng))
    elif kind == "disability_aid":
        _write(out, DISABILITY_AID, aid_rows(rows, codes, months, rng))
    elif kind in ("indicators", "indicator_figures"):
        count = rows if kind == "indicators" else math.ceil(rows / len(months) / 6)
        register_path = directory / "indicators.csv"
        _write(register_path, INDICATORS, indicator_rows(count, codes))
        written.append(register_path)
        if kind == "indicators":
            return written
        _write(out, INDICATOR_FIGURES, figure_rows(rows, count, codes, months, rng))
    elif kind == "supervision":
        _write(out, SUPERVISION, supervision_rows(rows, codes, year, rng))
    else:
        raise ValueError(f"etl.generate does not write {kind!r} returns yet")
    return [*written, out]


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.generate``: write a return of any kind at any size, and its master data."""
    parser = argparse.ArgumentParser(prog="python -m etl.generate", description=main.__doc__)
    parser.add_argument(
        "--kind", required=True, choices=[kind for kind in KINDS if kind not in NOT_GENERATED]
    )
    parser.add_argument("--rows", type=int, required=True, help="data rows of the return")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes (default 0)")
    parser.add_argument(
        "--units", type=int, help=f"units in the register (default {DEFAULT_UNITS})"
    )
    parser.add_argument("--periods", type=int, default=12, help="months reported (default 12)")
    parser.add_argument("--year", type=int, default=2006, help="the returns' year (default 2006)")
    args = parser.parse_args(argv)
    try:
        paths = generate(
            args.kind,
            args.rows,
            args.output,
            seed=args.seed,
            units=args.units,
            periods=args.periods,
            year=args.year,
        )
    except ValueError as exc:
        parser.error(str(exc))
    for path in paths:
        print(path, file=sys.stderr)
    print(f"ducha ingest {args.output} --as-of {args.year}-12-31  # loads them", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
