"""Contract-valid returns at scale, reproducible: for benchmarks, tests and trying ducha out."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from etl.kinds import SATISFACTION, SUPERVISION, SUPERVISION_SOURCES, UNITS

_SOURCE_LABELS = list(SUPERVISION_SOURCES.values())
_SATISFACTION_LABELS = [*SATISFACTION.values(), ""]


def write_units(path: Path, count: int) -> list[str]:
    """A unit register of ``count`` departments; returns their codes."""
    codes = [f"BM-{i:04d}" for i in range(count)]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in UNITS.columns])
        for i, code in enumerate(codes):
            writer.writerow([code, f"单位{i:04d}", "部门"])
    return codes


def write_supervision(path: Path, rows: int, unit_codes: list[str], year: int = 2006) -> None:
    """A supervision return of ``rows`` items (deterministic: row i is always the same)."""
    start = date(year, 1, 1)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in SUPERVISION.columns])
        for i in range(rows):
            registered = start + timedelta(days=i % 300)
            due = registered + timedelta(days=30 + i % 60)
            closed = registered + timedelta(days=10 + i % 50) if i % 7 else None
            writer.writerow(
                [
                    f"S-{i:08d}",
                    _SOURCE_LABELS[i % len(_SOURCE_LABELS)],
                    f"关于第{i}号督办事项的办理",
                    unit_codes[i % len(unit_codes)],
                    registered.isoformat(),
                    due.isoformat(),
                    closed.isoformat() if closed else "",
                    _SATISFACTION_LABELS[i % len(_SATISFACTION_LABELS)] if closed else "",
                ]
            )
