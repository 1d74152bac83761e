"""The ``ducha`` command: turns reports into messages and exit codes, nothing else."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import date, datetime
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
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: another run holds the lock; try again later

MAX_PROBLEMS_SHOWN = 50

EPILOG = """\
环境变量 / environment:
  DATABASE_URL   PostgreSQL 数据仓库地址 / the warehouse, e.g. postgresql://user@host:5432/ducha
                 未设置时使用内置 PostgreSQL / unset: an embedded PostgreSQL under $DUCHA_HOME
  DUCHA_HOME     内置数据库目录 / where the embedded PostgreSQL lives (default ./.ducha)

退出码 / exit codes:
  0 全部接收 all accepted · 1 有文件被拒收 a file was rejected · 2 用法错误 usage
  3 无法连接数据仓库 warehouse unavailable · 4 内部错误 internal error
  75 (ducha run) 另一运行正在进行 another run holds the lock, try later
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

    run = commands.add_parser(
        "run",
        help="定时运行：载入收件箱中的新文件 / scheduled run over an inbox folder",
        description="载入收件箱中的每个报表文件，然后移入 processed/ 或 rejected/（附报告）；"
        "同一时间只有一个运行 / load every return file in the inbox, then move it to "
        "processed/ or rejected/ (with its report); runs never overlap.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--inbox", type=Path, required=True, help="收件箱文件夹 / the inbox folder")
    run.add_argument(
        "--as-of",
        type=_date,
        dest="as_of",
        help="报表截止日期 / the returns' as-of date, YYYY-MM-DD (default: today)",
    )

    template = commands.add_parser(
        "template",
        help="空白 Excel 模板 / write a blank Excel template for a return kind",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    template.add_argument("kind", type=_kind, metavar="KIND", help=", ".join(KINDS))
    template.add_argument(
        "-o", "--output", type=Path, required=True, help="输出文件 / the .xlsx file to write"
    )
    template.add_argument(
        "--offline",
        action="store_true",
        help="不连接数据仓库（单位代码无下拉）/ do not read unit codes from the warehouse",
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
    _add_user_commands(commands)
    return parser


USER_EPILOG = """\
角色 / roles:
  leader   领导：所有领导页面、所有单位，只读 / every leaders' page, every unit, read only
  steward  数据管理员：数据管理页面（--unit 限定单位，不指定则全部单位）/
           the stewards' pages (for the --unit units; none given: every unit)
  reporter 填报员：上传并查看本单位数据（须 --unit）/ uploads and sees only their --unit units
  admin    管理员：账号与审计 / accounts and the audit record
新数据仓库没有任何账号和默认密码：先用 ducha user add 建第一个管理员。/
A new warehouse has no account and no default password: create the first admin
with ducha user add, then set its password with ducha user password.
"""


def _add_user_commands(commands) -> None:
    """``ducha user add|list|disable|password`` (issue 10)."""
    user = commands.add_parser(
        "user",
        help="账号管理 / manage sign-in accounts",
        description="账号管理 / manage sign-in accounts",
        epilog=USER_EPILOG + "\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="新建账号 / create an account (no password yet: then ducha user password)",
        epilog=USER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("name", help="账号名 / account name (letters, digits, _ . @ -)")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=["leader", "steward", "reporter", "admin"],
        help="角色，可重复 / role, may repeat",
    )
    add.add_argument(
        "--unit", action="append", default=[], help="单位代码，可重复 / unit code, may repeat"
    )
    add.add_argument("--email", help="电子邮箱（单点登录用）/ e-mail (for OpenID Connect sign-in)")
    add.add_argument("--display-name", help="显示姓名 / name shown on decisions (default: NAME)")
    actions.add_parser("list", help="列出账号 / list accounts")
    disable = actions.add_parser("disable", help="停用账号 / disable an account")
    disable.add_argument("name")
    password = actions.add_parser(
        "password",
        help="设置密码（提示输入两次；非终端时从标准输入读一行）/ set a password (prompts"
        " twice; reads one line from stdin when it is not a terminal)",
    )
    password.add_argument("name")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "db":
            return cmd_upgrade(settings)
        if args.command == "ingest":
            return cmd_ingest(settings, args.paths, args.kind, args.as_of)
        if args.command == "run":
            return cmd_run(settings, args.inbox, args.as_of)
        if args.command == "demo":
            return cmd_demo(settings)
        if args.command == "template":
            return cmd_template(settings, args.kind, args.output, args.offline)
        if args.command == "dashboard":
            return cmd_dashboard(settings, args.port, args.address, args.demo_if_empty)
        if args.command == "user":
            return cmd_user(settings, args)
    except UsageError as exc:
        say(f"ducha: {exc}")
        return EXIT_USAGE
    except WarehouseUnavailable as exc:
        say(f"ducha: {exc}")
        return EXIT_WAREHOUSE
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        say(f"ducha: 数据仓库连接中断 / the warehouse connection failed: {first}")
        return EXIT_WAREHOUSE
    except KeyboardInterrupt:
        say("ducha: 已中断 / interrupted (未完成的文件不会部分载入 / no file is partly loaded)")
        return 130
    except Exception as exc:  # a bug, not bad input: say so in one line, keep the details
        if _warehouse_gone():
            # Errors raised deep in a library (Great Expectations, SQLAlchemy)
            # when the server went away mid-run are the warehouse's, not a bug.
            say(
                "ducha: 数据仓库连接中断 / the warehouse connection failed: 服务器已不可用 /"
                " the server is no longer reachable"
            )
            return EXIT_WAREHOUSE
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


# The warehouse URL this process last resolved, if any.
_resolved_url: str | None = None


def _warehouse_gone() -> bool:
    """Whether the warehouse this process was using no longer answers."""
    if _resolved_url is None:
        return False
    try:
        connect(_resolved_url).close()
    except (WarehouseUnavailable, psycopg.Error):
        return True
    return False


def _upgraded(settings: Settings) -> str:
    """The warehouse URL, with the schema brought up to date."""
    global _resolved_url
    url = settings.url()
    _resolved_url = url
    with connect(url) as conn:
        if not db.is_current(conn):
            db.upgrade(conn)
    return url


def cmd_upgrade(settings: Settings) -> int:
    url = settings.url()
    with connect(url) as conn:
        applied = db.upgrade(conn)
    dashboard_password = os.environ.get("DASHBOARD_DB_PASSWORD", "")
    if dashboard_password:
        from etl.accounts import set_dashboard_password

        set_dashboard_password(url, dashboard_password)
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


def print_report(report: Report) -> None:
    for line in report.lines(MAX_PROBLEMS_SHOWN):
        say(line)


class _FileProgress:
    """A progress bar over files on a terminal; timestamped log lines otherwise."""

    def __init__(self) -> None:
        self.bar = None

    def start(self, files: list[Path]) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=len(files), unit="file", file=sys.stderr, leave=False)
        else:
            log(f"收件箱有 {len(files)} 个文件 / {len(files)} files in the inbox")

    def done(self, path: Path, report: Report) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(path.name)
            self.bar.clear()
        for line in report.lines(MAX_PROBLEMS_SHOWN):
            if self.bar is None:
                log(line)
            else:
                say(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def log(message: str) -> None:
    say(f"{datetime.now().isoformat(timespec='seconds')} ducha: {message}")


def cmd_run(settings: Settings, inbox: Path, as_of: date | None) -> int:
    if not inbox.is_dir():
        raise UsageError(f"收件箱不是文件夹 / the inbox is not a folder: {inbox}")
    from etl.report_export import write_report_xlsx
    from etl.run import run_inbox

    url = _upgraded(settings)
    progress = _FileProgress()
    try:
        result = run_inbox(
            url,
            inbox,
            as_of=as_of,
            on_start=progress.start,
            on_file=progress.done,
            write_excel_report=write_report_xlsx,
        )
    finally:
        progress.close()
    if result.busy:
        log("另一运行正在进行，本次跳过 / another run holds the lock; nothing done")
        return EXIT_BUSY
    accepted = len(result.reports) - result.rejected
    log(
        f"运行 #{result.run_id} 完成：接收 {accepted}，拒收 {result.rejected} / "
        f"run #{result.run_id} done: {accepted} accepted, {result.rejected} rejected"
    )
    return EXIT_REJECTED if result.rejected else EXIT_OK


def cmd_template(settings: Settings, kind: str, output: Path, offline: bool) -> int:
    from etl.templates import write_template

    unit_codes: list[str] = []
    if not offline:
        url = _upgraded(settings)
        with connect(url) as conn:
            unit_codes = [
                r[0]
                for r in conn.execute(
                    "select unit_code from core.units where is_current order by unit_code"
                )
            ]
    written = write_template(KINDS[kind], output, unit_codes)
    say(f"模板已写入 / template written: {written} ({KINDS[kind].zh} {kind})")
    return EXIT_OK


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
    _print_demo_accounts(url)
    return EXIT_OK


def _print_demo_accounts(url: str) -> None:
    """Make the demo's accounts (once) and say how to sign in with them."""
    from etl.demo import make_demo_accounts

    made = make_demo_accounts(url)
    if not made:
        return
    say("示例账号（只显示这一次）/ demo accounts (shown this once):")
    for account, roles, password in made:
        say(f"  {account:<14} {roles:<9} 密码 password: {password}")
    say("在看板登录页输入账号和密码 / sign in on the dashboard with one of them.")


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    from etl import accounts

    url = _upgraded(settings)
    try:
        if args.user_command == "add":
            made = accounts.add_account(
                url, args.name, args.role, args.unit, args.email, args.display_name
            )
            say(
                f"账号已建立 / account created: {made.account} ({', '.join(made.roles)})"
                f"；设置密码 / set its password: ducha user password {made.account}"
            )
        elif args.user_command == "list":
            for a in accounts.list_accounts(url):
                state = "停用 disabled" if a.disabled else "启用 enabled"
                units = ",".join(a.units) or "*"
                print(
                    f"{a.account}\t{a.display_name}\t{','.join(a.roles)}\t{units}"
                    f"\t{a.email or '-'}\t{state}"
                )
        elif args.user_command == "disable":
            accounts.disable_account(url, accounts.check_name(args.name))
            say(f"账号已停用 / account disabled: {args.name}")
        elif args.user_command == "password":
            name = accounts.check_name(args.name)
            accounts.set_password(url, name, _read_new_password())
            say(f"密码已设置 / password set: {name}")
    except accounts.AccountError as exc:
        say(f"ducha: {exc}")
        return EXIT_REJECTED
    return EXIT_OK


def _read_new_password() -> str:
    """Prompt twice on a terminal; otherwise read one line from stdin (scripts, tests)."""
    from getpass import getpass

    from etl.accounts import AccountError

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass("新密码 / new password: ")
    if getpass("再输入一次 / again: ") != first:
        raise AccountError("两次输入的密码不一致 / the two passwords differ")
    return first


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
