"""What the upload page accepts: a size limit, a name limit, and a safe place on disk.

An upload's bytes are written under a name this module makes up (a number and the
return's extension), never under the name the browser sent: that name may be
300 characters long, hold newlines or ``../``. The name sent, reduced to its last
part with controls written out, is what the report and ``ingest.files`` record.

No Streamlit here: ``ducha dashboard`` reads the same limit to pass it to Streamlit.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

from dashboard import format as fmt
from etl.report import Problem, Report

# Environment variable and default of the upload limit, in megabytes.
MAX_UPLOAD_ENV = "DUCHA_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50
# What Windows and macOS allow in a file name: any real file's name fits.
MAX_NAME_CHARS = 255
# The rules of an upload refused before loading.
REFUSALS = ("upload-too-large", "upload-name-too-long")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


class UploadLimitError(ValueError):
    """The upload limit setting is not a whole number of megabytes ≥ 1."""


def max_upload_mb(environ: Mapping[str, str] | None = None) -> int:
    """The upload limit in MB: ``DUCHA_MAX_UPLOAD_MB``, else 50."""
    env = os.environ if environ is None else environ
    raw = env.get(MAX_UPLOAD_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise UploadLimitError(
            f"{MAX_UPLOAD_ENV}={raw!r} 不是有效的上传上限：须为不小于 1 的整数（单位 MB）"
            f" / is not a valid upload limit: a whole number of megabytes, at least 1"
        )
    return value


def upload_name(name: str) -> str:
    """A browser's file name reduced to its last part, controls written out (``\\n``);
    never empty, ``.`` or ``..``."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    last = fmt.visible(last)
    return last if last.strip(".") else "upload"


def refusal(name: str, size: int, limit_mb: int) -> Report | None:
    """Why an upload is not loaded at all (too large, name too long), or None.

    A refused upload never reaches the warehouse: the page says why and how to fix it.
    """
    shown = upload_name(name)
    if size > limit_mb * 1024 * 1024:
        # Rounded up, so a file just over the limit never reads as within it.
        megabytes = f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f} MB"
        problem = Problem(
            rule="upload-too-large",
            message_zh=(
                f"文件大小 {megabytes}，超过上传上限 {limit_mb} MB，未装载。"
                f"请拆分为多个文件，或交给管理员用 ducha ingest 装载。"
            ),
            message_en=(
                f"the file is {megabytes}, over the upload limit of {limit_mb} MB; not loaded."
                f" Split it into several files, or ask an administrator to load it with"
                f" ducha ingest."
            ),
            value=megabytes,
        )
    elif len(shown) > MAX_NAME_CHARS:
        problem = Problem(
            rule="upload-name-too-long",
            message_zh=(
                f"文件名有 {len(shown)} 个字符，超过上限 {MAX_NAME_CHARS} 个，未装载。"
                f"请把文件改为较短的名字后重新上传。"
            ),
            message_en=(
                f"the file name has {len(shown)} characters, over the limit of"
                f" {MAX_NAME_CHARS}; not loaded. Rename the file to something shorter"
                f" and upload it again."
            ),
            value=shown[:40] + "…",
        )
    else:
        return None
    # The name as shown in the message: the start of a long one is enough to find it.
    short = shown if len(shown) <= 80 else shown[:80] + "…"
    return Report(file_name=short, problems=[problem], outcome="rejected")


def saved_as(folder: Path, index: int, name: str) -> Path:
    """Where an upload's bytes go: ``folder/00001.csv``, the extension kept when it is one."""
    suffix = Path(upload_name(name)).suffix.lower()
    return folder / f"{index:05d}{suffix if _SUFFIX.match(suffix) else ''}"
