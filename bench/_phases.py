"""`ducha ARGS…` in this process, with timers on the load's phases (bench/validation.py).

    python bench/_phases.py OUT.json ingest FILE --as-of 2006-12-31

Runs the command exactly as the console script does and writes the seconds
spent in each phase to OUT.json. Only the project is imported, so the process
costs what ``ducha`` costs.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/_phases.py` from a fresh clone
    sys.path.insert(0, str(ROOT))


def child(out: Path, argv: list[str]) -> int:
    """Run ``ducha`` in this process with timers on its phases; write them to ``out``."""
    import etl.load as load
    import etl.validate as validate
    from etl import cli

    spent: dict[str, float] = {}
    lock = threading.Lock()

    def timed(module: object, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with lock:
                    spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)

    timed(validate, "import_gx", "gx_import")
    timed(validate, "_failing_results", "gx_with_import")
    timed(validate, "_reference_problems", "reference")
    timed(load, "validate_staged", "validation")
    timed(load, "stage_rows", "stage")
    timed(load, "promote_start", "promote")
    timed(load._Background, "result", "waited")
    code = cli.main(argv)
    spent["gx_run"] = spent.pop("gx_with_import", 0.0) - spent.get("gx_import", 0.0)
    out.write_text(json.dumps(spent))
    return code


if __name__ == "__main__":
    sys.exit(child(Path(sys.argv[1]), sys.argv[2:]))
