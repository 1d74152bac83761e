"""File names as they are shown, and as they are given to files ducha writes.

A name comes from whoever dropped the file in the inbox: it may hold newlines,
terminal escapes, bytes that are not UTF-8 (Python keeps them as lone
surrogates, PEP 383) or be as long as the filesystem allows. Shown raw, such a
name could forge a log line or a report line; stored raw, PostgreSQL refuses it.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from datetime import datetime
from pathlib import Path

# Characters that move the cursor or reorder text without being control
# characters (Unicode category Cc): line and paragraph separators, bidi controls.
_INVISIBLE = {"\u0085", "\u2028", "\u2029", "\u200e", "\u200f", "\u061c"} | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}

# Room a filed-away file leaves for its reports' names: ".report.xlsx".
REPORT_ROOM = len(".report.xlsx")
_LONGEST_SUFFIX = 16  # bytes; a longer "extension" is part of the name


def shown_name(name: str | os.PathLike[str], backslash: bool = True) -> str:
    """The name with every control, invisible or undecodable character escaped, repr-like.

    ``a\\nb.csv`` for a newline, ``\\x1b`` for ESC, ``\\xff`` for a byte that is
    not UTF-8, ``\\\\`` for a backslash; printable text (Chinese included) as is.
    The result is one line of valid UTF-8 that cannot pass for another line.
    ``backslash=False`` leaves backslashes alone, so text already shown stays as it is.
    """
    text = os.fspath(name)
    out = []
    for char in text:
        code = ord(char)
        if char == "\\" and not backslash:
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif unicodedata.category(char) == "Cc" or char in _INVISIBLE:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def name_max(folder: Path) -> int:
    """The longest file name (bytes) the folder's filesystem takes."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _bytes(text: str) -> int:
    return len(os.fsencode(text))


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes, cut between characters."""
    used, kept = 0, []
    for char in text:
        size = _bytes(char)
        if used + size > limit:
            break
        used += size
        kept.append(char)
    return "".join(kept)


def fitted_name(name: str, limit: int, tag: str = "") -> str:
    """``name`` with ``tag`` before its extension, shortened to ``limit`` bytes if need be.

    A shortened name keeps its extension and gets 8 hex digits of the full
    name's hash, so two long names that start alike stay apart.
    """
    suffix = Path(name).suffix
    if _bytes(suffix) > _LONGEST_SUFFIX:
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    whole = f"{stem}{tag}{suffix}"
    if _bytes(whole) <= limit:
        return whole
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    tail = f"~{digest}{tag}{suffix}"
    return _cut(stem, limit - _bytes(tail)) + tail


def free_name(folder: Path, name: str, room: int = REPORT_ROOM) -> Path:
    """A path in ``folder`` for a file named like ``name`` that is not taken.

    It and, when ``room`` is kept for them, its reports ``<it>.report.txt`` and
    ``<it>.report.xlsx`` fit the filesystem's NAME_MAX and are not taken; when
    they are, a timestamp tells the new one apart.
    """
    limit = name_max(folder) - room

    def free(target: Path) -> bool:
        reports = (".report.txt", ".report.xlsx") if room else ()
        return not any(os.path.lexists(f"{target}{end}") for end in ("", *reports))

    target = folder / fitted_name(name, limit)
    if free(target):
        return target
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for attempt in range(1000):
        tag = f".{stamp}" if attempt == 0 else f".{stamp}-{attempt}"
        target = folder / fitted_name(name, limit, tag)
        if free(target):
            return target
    raise FileExistsError(f"no free name for {shown_name(name)} in {shown_name(folder)}")
