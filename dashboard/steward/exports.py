"""What the stewards download: a file's report as Excel or an offline page, a blank
template; made by the ETL's own writers, loaded on first use."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from etl.kinds import KINDS

if TYPE_CHECKING:
    from etl.report_export import StoredFile


def report_workbook(stored: StoredFile) -> bytes:
    """The file's report as the Excel workbook sent back to the unit (etl.report_export)."""
    from etl.report_export import write_report_workbook

    with tempfile.TemporaryDirectory(prefix="ducha-report-") as folder:
        path = write_report_workbook(stored, Path(folder) / "report.xlsx")
        return path.read_bytes()


def report_html(stored: StoredFile) -> str:
    """The file's offline validation page (etl.datadocs): inline CSS, no scripts, escaped text."""
    from etl.datadocs import render_stored_page

    return render_stored_page(stored)


def template_workbook(kind: str, unit_codes: Sequence[str]) -> bytes:
    """The blank Excel template of a kind, with the register's unit codes in its drop-downs."""
    from etl.templates import write_template

    with tempfile.TemporaryDirectory(prefix="ducha-template-") as folder:
        path = write_template(KINDS[kind], Path(folder) / f"{kind}.xlsx", unit_codes)
        return path.read_bytes()
