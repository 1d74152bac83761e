"""The ``ducha`` command: turns reports into messages and exit codes, nothing else."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import psycopg

from etl import db
from etl.kinds import KINDS, kind_by_any_name
from etl.report import Report
from etl.settings import Settings, WarehouseUnavailable, connect

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_WAREHOUSE = 3
EXIT_INTERNAL = 4

MAX_PROBLEMS_SHOWN = 50

EPILOG = """\
环境变量 / environment:
  DATABASE_URL   PostgreSQL 数据仓库地址 / the warehouse, e.g. postgresql://user@host:5432/ducha
                 未设置时使用内置 PostgreSQL / unset: an embedded PostgreSQL under $DUCHA_HOME
  DUCHA_HOME     内置数据库目录 / where the embedded PostgreSQL lives (default ./.ducha)

退出码 / exit codes:
  0 全部接收 all accepted · 1 有文件被拒收 a file was rejected · 2 用法错误 usage
  3 无法连接数据仓库 warehouse unavailable · 4 内部错误 internal error
"""


def say(message: str = "") -> None:
    print(message, file=sys.stderr, flush=True)


class UsageError(Exception):
    """Bad arguments; the message is for the user."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"日期应为 YYYY-MM-DD / a date is YYYY-MM-DD: {text!r}"
        ) from exc


def _kind(text: str) -> str:
    kind = kind_by_any_name(text)
    if kind is None:
        choices = ", ".join(f"{k.name} ({k.zh})" for k in KINDS.values())
        raise argparse.ArgumentTypeError(
            f"未知报表类型 / unknown kind {text!r}; 可选 / one of: {choices}"
        )
    return kind.name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ducha",
        description="督查 ducha — 目标管理与督查数据仓库 / target-management and supervision warehouse",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    database = commands.add_parser(
        "db",
        help="数据仓库结构 / warehouse schema",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    db_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade", help="创建或升级数据仓库 / create or migrate the warehouse to the current schema"
    )

    ingest = commands.add_parser(
        "ingest",
        help="校验并载入报表 / validate and load return files",
        description="校验并载入报表文件；文件夹中先载入单位名录、目标库，再按文件名 / "
        "validate and load files; a folder loads units, then targets, then the rest by name.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ingest.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="文件或文件夹 / files or folders"
    )
    ingest.add_argument("--kind", type=_kind, help="报表类型 / return kind: " + ", ".join(KINDS))
    ingest.add_argument(
        "--as-of",
        type=_date,
        dest="as_of",
        help="报表截止日期 / the returns' as-of date, YYYY-MM-DD (default: today)",
    )

    commands.add_parser(
        "demo",
        help="载入2006年示例数据 / load the seed's 2006 figures as returns",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    dashboard = commands.add_parser(
        "dashboard",
        help="启动看板 / serve the Streamlit dashboard",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dashboard.add_argument("--port", type=int, default=8501, help="端口 / port (default 8501)")
    dashboard.add_argument(
        "--address", default="127.0.0.1", help="监听地址 / address to listen on (default 127.0.0.1)"
    )
    dashboard.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="数据仓库为空时先载入示例数据 / load the demo data first when the warehouse is empty",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "db":
            return cmd_upgrade(settings)
        if args.command == "ingest":
            return cmd_ingest(settings, args.paths, args.kind, args.as_of)
        if args.command == "demo":
            return cmd_demo(settings)
        if args.command == "dashboard":
            return cmd_dashboard(settings, args.port, args.address, args.demo_if_empty)
    except UsageError as exc:
        say(f"ducha: {exc}")
        return EXIT_USAGE
    except WarehouseUnavailable as exc:
        say(f"ducha: {exc}")
        return EXIT_WAREHOUSE
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        say(f"ducha: 数据仓库连接中断 / the warehouse connection failed: {first}")
        return EXIT_WAREHOUSE
    except KeyboardInterrupt:
        say("ducha: 已中断 / interrupted (未完成的文件不会部分载入 / no file is partly loaded)")
        return 130
    except Exception as exc:  # a bug, not bad input: say so in one line, keep the details
        log = _write_crash_log()
        say(f"ducha: 内部错误 / internal error: {type(exc).__name__}: {exc}")
        say(f"       详情 / details: {log}")
        return EXIT_INTERNAL
    return EXIT_USAGE


def _write_crash_log() -> Path:
    handle, name = tempfile.mkstemp(prefix="ducha-error-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        traceback.print_exc(file=log)
    return Path(name)


def _upgraded(settings: Settings) -> str:
    """The warehouse URL, with the schema brought up to date."""
    url = settings.url()
    with connect(url) as conn:
        if not db.is_current(conn):
            db.upgrade(conn)
    return url


def cmd_upgrade(settings: Settings) -> int:
    url = settings.url()
    with connect(url) as conn:
        applied = db.upgrade(conn)
    if applied:
        say("数据仓库已升级 / warehouse upgraded: " + ", ".join(applied))
    else:
        say("数据仓库已是最新 / warehouse already up to date")
    return EXIT_OK


def cmd_ingest(settings: Settings, paths: list[Path], kind: str | None, as_of: date | None) -> int:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError("找不到文件 / no such file or folder: " + ", ".join(missing))
    from etl.load import expand_paths, ingest_files

    if not expand_paths(paths):
        raise UsageError(
            "文件夹中没有报表文件 / no return files (.csv, .xlsx) in: " + ", ".join(map(str, paths))
        )
    url = _upgraded(settings)
    reports = ingest_files(url, paths, kind=kind, as_of=as_of)
    for report in reports:
        print_report(report)
    accepted = sum(r.outcome != "rejected" for r in reports)
    rejected = len(reports) - accepted
    say(
        f"共 {len(reports)} 个文件：接收 {accepted}，拒收 {rejected} / "
        f"{len(reports)} files: {accepted} accepted, {rejected} rejected"
    )
    return EXIT_REJECTED if rejected else EXIT_OK


OUTCOME_WORDS = {
    "accepted": "✓ 已接收 accepted",
    "accepted_with_warnings": "✓ 已接收（有警告）accepted with warnings",
    "duplicate": "= 相同文件已载入，未作改动 / same bytes already loaded, nothing changed",
    "rejected": "✗ 已拒收 rejected",
}


def print_report(report: Report) -> None:
    kind = f"{report.kind.name} {report.kind.zh}" if report.kind else "未知类型 unknown kind"
    detail = f"{kind}, {report.row_count} 行 rows"
    if report.file_id is not None:
        detail += f", 文件编号 file #{report.file_id}"
    if report.duplicate_of is not None:
        detail = f"{kind}, 文件编号 file #{report.duplicate_of}"
    if report.approval == "pending":
        detail += ", 待审核 awaiting a steward's approval"
    say(f"{OUTCOME_WORDS[report.outcome]}: {report.file_name} ({detail})")
    shown = report.errors + report.warnings
    for problem in shown[:MAX_PROBLEMS_SHOWN]:
        where = [report.file_name]
        if problem.row is not None:
            where.append(f"第 {problem.row} 行 row {problem.row}")
        if problem.column:
            where.append(report.column_label(problem.column))
        if problem.value is not None:
            where.append(f"值 value {problem.value!r}")
        where.append(f"规则 rule {problem.rule}")
        mark = "错误 error" if problem.severity == "error" else "警告 warning"
        say(f"  [{mark}] " + " · ".join(where))
        say(f"      {problem.message_zh} / {problem.message_en}")
    if len(shown) > MAX_PROBLEMS_SHOWN:
        say(
            f"  … 另有 {len(shown) - MAX_PROBLEMS_SHOWN} 个问题 / {len(shown) - MAX_PROBLEMS_SHOWN}"
            f" more problems: 完整报告见数据仓库 ingest.problems (file_id {report.file_id}) /"
            " the full report is in the warehouse"
        )


def cmd_demo(settings: Settings) -> int:
    from etl.demo import DEMO_AS_OF, write_demo_returns
    from etl.load import ingest_files

    url = _upgraded(settings)
    with tempfile.TemporaryDirectory(prefix="ducha-demo-") as folder:
        paths = write_demo_returns(Path(folder))
        reports = ingest_files(url, paths, as_of=DEMO_AS_OF)
    for report in reports:
        print_report(report)
    if any(r.outcome == "rejected" for r in reports):
        return EXIT_REJECTED
    say("示例数据已载入 / demo data loaded (2006 成都高新区 目标管理督查)")
    return EXIT_OK


def warehouse_is_empty(url: str) -> bool:
    with connect(url) as conn:
        return conn.execute("select not exists (select 1 from ingest.files)").fetchone()[0]


def cmd_dashboard(settings: Settings, port: int, address: str, demo_if_empty: bool) -> int:
    url = _upgraded(settings)
    if demo_if_empty and warehouse_is_empty(url):
        say("数据仓库为空，载入示例数据 / empty warehouse: loading the demo data")
        status = cmd_demo(settings)
        if status != EXIT_OK:
            return status
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    env = dict(os.environ, DATABASE_URL=url)
    say(f"看板地址 / dashboard at: http://{address}:{port}/")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    os.chdir(app.parent.parent)  # so Streamlit finds the project's .streamlit/config.toml
    os.execvpe(command[0], command, env)
    return EXIT_OK  # not reached


if __name__ == "__main__":
    sys.exit(main())
