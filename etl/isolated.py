"""Read a workbook with python-calamine in a child process, where an abort cannot spread.

The xlsx scan of ``etl.limits`` makes calamine's abort paths unreachable for
ordinary xlsx files; for the formats it cannot scan cheaply (.xls, .xlsb, .ods,
xlsx with unusual zip layouts) the native reader runs here instead: in a child
process under an address-space limit, started as a fresh interpreter (a
dashboard's threads are never forked). The child sends the sheet it chose and
then the rows in batches; its death — an abort, a MemoryError, the kernel's
refusal of memory — becomes ``ReaderDied`` in the parent, never the parent's death.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

# Address space the child may use; reading a real return takes far less.
DEFAULT_MEMORY_MB = 1024
ROWS_PER_BATCH = 2000


class ReaderError(Exception):
    """The native reader refused the file (not a workbook it can read)."""


class ReaderDied(Exception):
    """The child reading the file died (out of memory, abort …)."""

    def __init__(self, limit: int, exitcode: int | None) -> None:
        super().__init__(f"reader died with exit code {exitcode}")
        self.limit = limit
        self.exitcode = exitcode


def memory_limit() -> int:
    text = os.environ.get("DUCHA_READER_MEMORY_MB", "").strip()
    if text and not (text.isdigit() and int(text) > 0):
        raise ValueError(f"DUCHA_READER_MEMORY_MB must be a whole number ≥ 1, not {text!r}")
    return int(text or DEFAULT_MEMORY_MB) << 20


# The child: a script of its own (python -c), importing nothing of ducha, so that
# it starts in ~50 ms and never re-runs the parent's main module (a dashboard's).
_CHILD = r"""
import os, pickle, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
out, into = sys.stdout.buffer, sys.stdin.buffer
def send(message):
    pickle.dump(message, out, protocol=4)
    out.flush()
try:
    from python_calamine import CalamineWorkbook
    try:
        book = CalamineWorkbook.from_path(sys.argv[1])
        firsts = []
        for name in book.sheet_names:
            first = None
            try:
                for number, row in enumerate(book.get_sheet_by_name(name).iter_rows()):
                    if number >= 30:
                        break
                    if any(cell is not None and str(cell).strip() for cell in row):
                        first = row
                        break
            except Exception:
                pass
            firsts.append((name, first))
        send(("names", firsts))
        sheet = book.get_sheet_by_name(pickle.load(into))
        batch = []
        for row in sheet.iter_rows():
            batch.append(row)
            if len(batch) >= BATCH:
                send(("rows", batch))
                batch = []
        send(("rows", batch))
        send(("end", None))
    except MemoryError:
        os._exit(70)
    except (BrokenPipeError, EOFError):
        pass
    except Exception as err:
        send(("error", type(err).__name__ + ": " + str(err)[:200]))
except (BrokenPipeError, EOFError):
    pass
""".replace("BATCH", str(ROWS_PER_BATCH))


class _Values(pickle.Unpickler):
    """Unpickle cell values only: a child that went wrong cannot make the parent run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in {"datetime", "date", "time", "timedelta", "timezone"}:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def isolated_rows(path: Path, choose: Callable[..., str]) -> Iterator[Sequence[object]]:
    """Rows of the chosen sheet from row 1.

    ``choose(names, first_row)`` picks it from the sheet names, ``first_row(name)``
    giving a sheet's first non-blank row among its first 30 (None if none).
    """
    limit = memory_limit()
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", _CHILD, str(path), str(limit)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        while True:
            try:
                # A new unpickler each message: each was pickled with a fresh memo.
                what, payload = _Values(process.stdout).load()
            except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                process.wait(5)
                raise ReaderDied(limit, process.returncode) from None
            if what == "names":
                if not payload:
                    raise ReaderError("no sheets")
                first_rows = dict(payload)
                pickle.dump(choose(list(first_rows), first_rows.get), process.stdin, protocol=4)
                process.stdin.flush()
            elif what == "rows":
                yield from payload
            elif what == "end":
                return
            else:
                raise ReaderError(payload)
    finally:
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(1)
        if process.returncode is None:
            process.kill()
            process.wait()
