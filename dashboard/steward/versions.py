"""The versions of one return (kind, unit, period) and what changed between them."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from dashboard import format as fmt
from etl.kinds import KINDS


def versions_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per version (file) of a return, oldest first."""
    return (
        rows.groupby("file_id", sort=True)
        .agg(
            file_name=("file_name", "first"),
            received_at=("received_at", "first"),
            as_of=("as_of", "first"),
            approval=("approval", "first"),
            version_status=("version_status", "first"),
            row_count=("item_key", "size"),
        )
        .reset_index()
    )


def version_changes(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """What changed from each version of a return to the next: one row per figure.

    Rows are matched by their key within the return (area, program, target); a
    row only in the later version is "added", only in the earlier "removed",
    and a figure whose value differs is "changed" (old → new).
    """
    skip = {*KINDS[kind].version_key, KINDS[kind].item_column, "period", "unit_code", "as_of"}
    versions = []
    for file_id, version in rows.groupby("file_id", sort=True):
        label = f"#{file_id} {version['file_name'].iloc[0]}"
        figures = {
            key: dict(figs)
            for key, figs in zip(version["item_key"], version["figures"], strict=True)
        }
        versions.append((label, figures))
    changes = []
    for (before_label, before), (after_label, after) in pairwise(versions):
        for key in sorted(before.keys() | after.keys()):
            old, new = before.get(key), after.get(key)
            change = "changed" if old is not None and new is not None else "added"
            if new is None:
                change = "removed"
            names = [name for name in (new or old) if name not in skip]
            for name in names:
                old_value = None if old is None else old.get(name)
                new_value = None if new is None else new.get(name)
                if change == "changed" and _same(old_value, new_value):
                    continue
                changes.append(
                    {
                        "from_file": before_label,
                        "to_file": after_label,
                        "item_key": key,
                        "change": change,
                        "figure": name,
                        "old_value": _value_text(old_value),
                        "new_value": _value_text(new_value),
                    }
                )
    return pd.DataFrame(
        changes,
        columns=["from_file", "to_file", "item_key", "change", "figure", "old_value", "new_value"],
    )


def _same(old: object, new: object) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return old == new


def _value_text(value: object) -> str | None:
    """A figure as the return gave it: numbers with separators, text as is."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return fmt.number(value)
    return str(value)
