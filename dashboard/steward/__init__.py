"""What the data stewards' pages (数据管理) share, one module per concern:

- ``state``: the warehouse the entry script checked, the link's parameters, the
  signer's name for the session and the message left for the next run;
- ``forms``: the signed-decision form (``signed_form``, ``record``) and the
  approve/withdraw form built on it;
- ``files``: files described in words, the file picker, report links, originals;
- ``problems``: a report's problems and suite results as tables, an upload's outcome;
- ``exports``: the report workbook and offline page, blank templates;
- ``versions``: a return's versions and what changed between them;
- ``rates``: the reporting calendar's rates and statuses; ``grid``: its chart.

The stewards' pages do without the leaders' filters: the entry script calls
``begin(url)`` instead of ``filters.sidebar``, and each page keeps its own
parameters (a file id) in the URL with ``keep_params``. The names below are the
pages' vocabulary (``steward.pick_file``), whatever module holds them.
"""

from dashboard.steward.exports import report_html, report_workbook, template_workbook
from dashboard.steward.files import (
    ACCEPTED,
    FILE_COLS,
    PERIODIC,
    covers_caption,
    describe_files,
    file_label,
    joined,
    original_download,
    periods_text,
    pick_file,
    report_link,
    unit_label,
    unit_names,
    units_text,
)
from dashboard.steward.forms import (
    DECISION_COLS,
    Button,
    Signed,
    decision_form,
    name_input,
    record,
    signed_form,
)
from dashboard.steward.grid import calendar_grid
from dashboard.steward.problems import (
    EXPECTATION_COLS,
    INLINE_PROBLEMS,
    PROBLEM_COLS,
    expectations_frame,
    problems_frame,
    upload_summary,
)
from dashboard.steward.rates import GRID_STATUSES, calendar_rates, grid_status, yes_no
from dashboard.steward.state import (
    begin,
    flash,
    keep_params,
    keep_valid,
    param_int,
    remember_name,
    show_flash,
    url,
)
from dashboard.steward.versions import version_changes, versions_frame

__all__ = [
    "ACCEPTED",
    "DECISION_COLS",
    "EXPECTATION_COLS",
    "FILE_COLS",
    "GRID_STATUSES",
    "INLINE_PROBLEMS",
    "PERIODIC",
    "PROBLEM_COLS",
    "Button",
    "Signed",
    "begin",
    "calendar_grid",
    "calendar_rates",
    "covers_caption",
    "decision_form",
    "describe_files",
    "expectations_frame",
    "file_label",
    "flash",
    "grid_status",
    "joined",
    "keep_params",
    "keep_valid",
    "name_input",
    "original_download",
    "param_int",
    "periods_text",
    "pick_file",
    "problems_frame",
    "record",
    "remember_name",
    "report_html",
    "report_link",
    "report_workbook",
    "show_flash",
    "signed_form",
    "template_workbook",
    "unit_label",
    "unit_names",
    "units_text",
    "upload_summary",
    "url",
    "version_changes",
    "versions_frame",
    "yes_no",
]
