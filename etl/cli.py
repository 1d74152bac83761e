"""The ``ducha`` command: turns reports into messages and exit codes, nothing else."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from etl import db, keep
from etl.backup import BackupFailed, BackupRefused
from etl.kinds import KINDS, kind_by_any_name
from etl.names import shown_name
from etl.report import Report
from etl.settings import Settings, WarehouseUnavailable

if TYPE_CHECKING:
    from etl.loading.files import Skipped

from etl.warehouse import connect, first_value

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_WAREHOUSE = 3
EXIT_INTERNAL = 4
EXIT_MAIL = 5  # ducha remind: the mail server refused or failed
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: another run holds the lock; try again later

MAX_PROBLEMS_SHOWN = 50

EPILOG = """\
环境变量 / environment:
  DATABASE_URL   PostgreSQL 数据仓库地址 / the warehouse, e.g. postgresql://user@host:5432/ducha
                 未设置时使用内置 PostgreSQL / unset: an embedded PostgreSQL under $DUCHA_HOME
  DUCHA_HOME     内置数据库目录 / where the embedded PostgreSQL lives (default ./.ducha)
  DUCHA_KEEP_LIMIT  原始文件存档上限 / cap on the files kept as sent (default 20GB)
  DUCHA_PG_BIN   pg_dump/pg_restore/psql 所在目录 / their folder (default: the embedded ones)
  SMTP_URL       (ducha remind) 邮件服务器 / mail server, e.g. smtp://user:pass@host:587?starttls=1
                 未设置时提醒写入文件夹 / unset: the digests are written to a folder

退出码 / exit codes:
  0 全部接收 all accepted · 1 有文件被拒收，或有链接/特殊文件未打开 a file was rejected,
    or a symbolic link or special file was not opened (backup/restore: refused) · 2 用法错误 usage
  3 无法连接数据仓库 warehouse unavailable · 4 内部错误 internal error
  5 (ducha remind) 邮件服务器不可用 the mail server refused or failed
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


def _bulletin_kind(text: str) -> str:
    from etl.documents import BULLETIN_KINDS, unknown_kind_message

    if text not in BULLETIN_KINDS:
        raise argparse.ArgumentTypeError(unknown_kind_message(text))
    return text


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
        description="校验并载入报表文件；文件夹中先载入单位名录、目标库、对标指标库，再按文件名；"
        "符号链接和特殊文件（管道、套接字、设备）不跟随、不打开 / "
        "validate and load files; a folder loads units, then targets, then the indicator"
        " register, then the rest by name."
        " Symbolic links and special files (fifos, sockets, devices) are never followed or"
        " opened: they are reported and left alone.",
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
        "同一时间只有一个运行；符号链接、特殊文件、子文件夹和 Office 锁定文件（~$*）留在原处并说明；"
        "曾使运行中止的文件下次不再读取，直接拒收 / load every return file in the inbox, then "
        "move it to processed/ or rejected/ (with its report); runs never overlap. Symbolic "
        "links, special files, subfolders and Office lock files (~$*) are reported and left "
        "alone; a file that stopped an earlier run is rejected without being read again.",
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

    backup = commands.add_parser(
        "backup",
        help="备份整个数据仓库 / back up the whole warehouse (pg_dump custom format)",
        description="用 pg_dump 写出整个数据仓库的一致备份（载入与看板可照常进行）/ write a"
        " consistent pg_dump backup of the whole warehouse while loads and the dashboard go on."
        " -o FILE 写一个文件 / writes one file; --keep N DIR 在 DIR 中写带时间戳的文件并只保留"
        "最新 N 个 / writes a timestamped file in DIR and keeps the newest N.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="备份文件 / the backup file to write"
    )
    backup.add_argument(
        "--keep", type=int, metavar="N", help="轮换：保留最新 N 个 / rotate: keep the newest N"
    )
    backup.add_argument(
        "folder", nargs="?", type=Path, metavar="DIR", help="轮换备份的文件夹 / with --keep"
    )

    archive = commands.add_parser(
        "archive",
        help="归档一个年度：从报表和明细中摘下该年的分区 / archive a year: detach its partitions",
        description="把该年度的目标、目标进度、就业、残疾人救助和督办事项分区从核心表摘下（一个事务）："
        "报表、明细和看板不再显示该年，其他年度不变；摘下的表仍在数据仓库中（core.<表>_y<年>），"
        "备份照常包含，--attach 可重新挂回 / detach the year's partitions of targets, target"
        " progress, employment, disability aid and supervision in one transaction: the marts,"
        " drill-through and dashboard no longer show that year and every other year is"
        " unchanged; the detached tables stay in the warehouse (core.<table>_y<year>), in"
        " backups too, and --attach puts them back.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    archive.add_argument("year", type=int, metavar="YEAR", help="年度 / the year, e.g. 2006")
    archive.add_argument(
        "--attach",
        action="store_true",
        help="把已归档的该年重新挂回 / attach the archived year again",
    )

    restore = commands.add_parser(
        "restore",
        help="从备份恢复到空数据仓库 / restore a backup into an empty warehouse",
        description="检查备份文件完整后，在一个事务中恢复到空数据仓库；之后运行 ducha db upgrade"
        " 升级到当前结构 / check the backup whole, then restore it into an empty warehouse in"
        " one transaction; then `ducha db upgrade` brings an older backup up to date.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="ducha backup 写出的文件 / a file ducha backup wrote",
    )
    restore.add_argument(
        "--replace",
        action="store_true",
        help="数据仓库非空时以备份替换其全部内容 / replace everything in a non-empty warehouse",
    )

    original = commands.add_parser(
        "original",
        help="取回收到的原始文件 / write a received file as it was sent",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    original.add_argument("file_id", type=int, metavar="FILE_ID", help="文件编号 / file #")
    original.add_argument(
        "-o", "--output", type=Path, required=True, help="写到 / the file to write"
    )

    bulletin = commands.add_parser(
        "bulletin",
        help="督查通报 PDF / Word / write a supervision bulletin (PDF, Word)",
        description="生成督查通报（A4 PDF 和/或 Word）；已发布的期次原样输出存档 / write the "
        "bulletin of a period as A4 PDF and/or Word; a published issue is served from the "
        "archive unchanged. 没有数据的报告期退出码 1 / a period with no items exits 1.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bulletin.add_argument(
        "--period", required=True, help="报告期 / the period: YYYY, YYYY-Qn or YYYY-MM"
    )
    bulletin.add_argument(
        "--kind",
        type=_bulletin_kind,
        default="supervision",
        help="supervision 督查通报 (default) · meeting 两委会议决事项落实情况",
    )
    bulletin.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="输出文件：.pdf、.docx，或不带后缀同时输出两种 / FILE.pdf, FILE.docx, or FILE for both",
    )
    bulletin.add_argument(
        "--publish",
        action="store_true",
        help="编号并存档发布 / number the issue and keep it in the warehouse as issued",
    )
    bulletin.add_argument("--by", default="", help="发布人 / who publishes (with --publish)")
    bulletin.add_argument(
        "--requirements",
        type=Path,
        help="工作要求文本文件（UTF-8）/ a UTF-8 text file with the 工作要求 section",
    )

    brief = commands.add_parser(
        "brief",
        help="月度对标简报 PDF / Excel / write the monthly peer-benchmark brief (PDF, Excel)",
        description="生成某月的对标简报（一页 A4 PDF 和/或 Excel）：本区未居第一的指标、与最佳"
        "区县的差距及较上月变化（数据来自 mart.peer_benchmark）/ write one month's comparison"
        " brief (a one-page A4 PDF and/or Excel): the indicators where this zone is not first,"
        " the gap to the best peer and whether it narrowed since last month (from"
        " mart.peer_benchmark). 该月没有数据时退出码 1 / a month with no figures exits 1.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    brief.add_argument("--month", required=True, help="月份 / the month: YYYY-MM")
    brief.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="输出文件：.pdf、.xlsx，或不带后缀同时输出两种 / FILE.pdf, FILE.xlsx, or FILE for both",
    )

    remind = commands.add_parser(
        "remind",
        help="督办预警邮件提醒 / e-mail each unit a digest of its warned items",
        description="向每个承办单位发送一封蓝/黄/红预警事项汇总邮件（SMTP_URL）；同一事项同一颜色只提醒一次；"
        "未设置 SMTP_URL 时写入 --outbox 文件夹，不记为已发送 / send each responsible unit one "
        "digest of its blue, yellow and red items through SMTP_URL, each item once per colour; "
        "without SMTP_URL write them to --outbox and record nothing as sent.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    remind.add_argument(
        "--outbox",
        type=Path,
        default=Path("reminders"),
        help="未设置 SMTP_URL 时写入的文件夹 / folder for the digests without SMTP (default ./reminders)",
    )

    assessment = commands.add_parser(
        "assessment",
        help="目标绩效考核 / target-performance assessment",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assessment_commands = assessment.add_subparsers(
        dest="assessment_command", metavar="ACTION", required=True
    )
    ranking = assessment_commands.add_parser(
        "ranking",
        help="外部考核排名 / where the zone stood in a higher body's assessment",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ranking_commands = ranking.add_subparsers(
        dest="ranking_command", metavar="ACTION", required=True
    )
    ranking_add = ranking_commands.add_parser(
        "add",
        help="登记（或更正）一项外部考核排名 / record (or correct) an external ranking",
        description="登记本区在上级考核中的名次（年度、考核机关、名次、参评单位数、称号），署名；"
        "同一年度、机关和考核名称再次登记即更正，原记录保留在 assess.external_ranking_history / "
        "record where the zone stood in a higher body's assessment (year, assessing body, rank,"
        " out of how many, title awarded), signed; recording the same year, body and"
        " assessment again corrects it and keeps the replaced row in"
        " assess.external_ranking_history. The overview and the 目标考核 page show it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ranking_add.add_argument("--year", type=int, required=True, help="考核年度 / year assessed")
    ranking_add.add_argument("--body", required=True, help="考核机关 / the assessing body")
    ranking_add.add_argument(
        "--assessment",
        help="考核名称 / the assessment's name (default: YYYY年度目标综合考核)",
    )
    ranking_add.add_argument("--rank", type=int, required=True, help="名次 / rank, from 1")
    ranking_add.add_argument(
        "--out-of", type=int, dest="out_of", help="参评单位数 / out of how many (optional)"
    )
    ranking_add.add_argument("--title", help="所获称号 / title awarded (optional)")
    ranking_add.add_argument("--by", required=True, help="登记人 / who records it (signed)")
    ranking_commands.add_parser(
        "list",
        help="列出外部考核排名 / list the external rankings recorded",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    commands.add_parser(
        "demo",
        help="载入2006年示例数据及2005年度目标绩效考核 / load the seed's 2006 figures and"
        " its 2005 assessment as returns",
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


def _add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        if args.command in ("ingest", "run", "demo", "dashboard"):
            keep.limit_from_env()  # a bad DUCHA_KEEP_LIMIT stops here, before any load
        if args.command == "backup":
            return cmd_backup(settings, args.output, args.keep, args.folder)
        if args.command == "restore":
            return cmd_restore(settings, args.file, args.replace)
        if args.command == "archive":
            return cmd_archive(settings, args.year, args.attach)
        if args.command == "original":
            return cmd_original(settings, args.file_id, args.output)
        if args.command == "db":
            return cmd_upgrade(settings)
        if args.command == "ingest":
            return cmd_ingest(settings, args.paths, args.kind, args.as_of)
        if args.command == "run":
            return cmd_run(settings, args.inbox, args.as_of)
        if args.command == "demo":
            return cmd_demo(settings)
        if args.command == "bulletin":
            return cmd_bulletin(
                settings,
                args.period,
                args.kind,
                args.output,
                args.publish,
                args.by,
                args.requirements,
            )
        if args.command == "brief":
            return cmd_brief(settings, args.month, args.output)
        if args.command == "remind":
            return cmd_remind(settings, args.outbox)
        if args.command == "template":
            return cmd_template(settings, args.kind, args.output, args.offline)
        if args.command == "dashboard":
            return cmd_dashboard(settings, args.port, args.address, args.demo_if_empty)
        if args.command == "user":
            return cmd_user(settings, args)
        if args.command == "assessment":
            return cmd_assessment(settings, args)
    except (UsageError, keep.KeepLimitInvalid) as exc:
        say(f"ducha: {exc}")
        return EXIT_USAGE
    except BackupRefused as exc:
        say(f"ducha: {exc}")
        return EXIT_REJECTED
    except BackupFailed as exc:
        say(f"ducha: {exc}")
        return EXIT_WAREHOUSE
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
    _lockout_settings(url)
    dashboard_password = os.environ.get("DASHBOARD_DB_PASSWORD", "")
    if dashboard_password:
        from etl.accounts import set_dashboard_password

        set_dashboard_password(url, dashboard_password)
    if applied:
        say("数据仓库已升级 / warehouse upgraded: " + ", ".join(applied))
    else:
        say("数据仓库已是最新 / warehouse already up to date")
    return EXIT_OK


def _lockout_settings(url: str) -> None:
    """DUCHA_LOCKOUT_ATTEMPTS / DUCHA_LOCKOUT_MINUTES into the warehouse's sign-in policy."""
    from etl.accounts import AccountError, apply_lockout_settings

    try:
        wanted = apply_lockout_settings(url)
    except AccountError as exc:
        raise UsageError(str(exc)) from None
    if wanted:
        say(
            "登录锁定 / sign-in lock-out: "
            + ", ".join(f"{column} = {value}" for column, value in wanted.items())
        )


def cmd_ingest(settings: Settings, paths: list[Path], kind: str | None, as_of: date | None) -> int:
    from etl.load import RETURN_SUFFIXES, ingest_files, scan_paths

    missing = [shown_name(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError("找不到文件 / no such file or folder: " + ", ".join(missing))
    files, skipped = scan_paths(paths)
    for passed_over in skipped:
        say(passed_over.line())
    refused = sum(s.refused for s in skipped)
    if not files:
        if refused:  # named, but not a file ducha will open: said above
            return EXIT_REJECTED
        raise UsageError(
            f"文件夹中没有报表文件 / no return files ({', '.join(sorted(RETURN_SUFFIXES))}) in: "
            + ", ".join(map(shown_name, paths))
        )
    url = _upgraded(settings)
    reports = ingest_files(url, files, kind=kind, as_of=as_of)
    for report in reports:
        print_report(report)
    accepted = sum(r.outcome != "rejected" for r in reports)
    rejected = len(reports) - accepted
    say(
        f"共 {len(reports)} 个文件：接收 {accepted}，拒收 {rejected} / "
        f"{len(reports)} files: {accepted} accepted, {rejected} rejected"
        + (f"；未打开 {refused} / {refused} not opened (links, special files)" if refused else "")
    )
    warn_if_archive_near_full(url, say)
    return EXIT_REJECTED if rejected or refused else EXIT_OK


def print_report(report: Report) -> None:
    for line in report.lines(MAX_PROBLEMS_SHOWN):
        say(line)


class _FileProgress:
    """A progress bar over files on a terminal; timestamped log lines otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None  # a tqdm bar (untyped) on a terminal

    def skipped(self, skipped: list[Skipped]) -> None:
        for passed_over in skipped:
            self.note(passed_over.line())

    def note(self, line: str) -> None:
        if self.bar is not None:
            self.bar.clear()
        log(line)

    def start(self, files: list[Path]) -> None:
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=len(files), unit="file", file=sys.stderr, leave=False)
        else:
            log(f"收件箱有 {len(files)} 个文件 / {len(files)} files in the inbox")

    def done(self, path: Path, report: Report) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(shown_name(path.name))
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
        raise UsageError(f"收件箱不是文件夹 / the inbox is not a folder: {shown_name(inbox)}")
    from etl.report_export import write_report_xlsx
    from etl.run import run_inbox

    url = _upgraded(settings)
    progress = _FileProgress()
    # A stop from systemd or docker (SIGTERM) ends the run as Ctrl-C does: the
    # run is closed as interrupted, and the file in hand is not taken for one
    # that killed it.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        result = run_inbox(
            url,
            inbox,
            as_of=as_of,
            on_start=progress.start,
            on_file=progress.done,
            write_excel_report=write_report_xlsx,
            on_skip=progress.skipped,
            on_note=progress.note,
        )
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        progress.close()
    if result.busy:
        log("另一运行正在进行，本次跳过 / another run holds the lock; nothing done")
        return EXIT_BUSY
    accepted = len(result.reports) - result.rejected
    summary = (
        f"运行 #{result.run_id} 完成：接收 {accepted}，拒收 {result.rejected}，"
        f"跳过 {len(result.skipped)} / run #{result.run_id} done: {accepted} accepted,"
        f" {result.rejected} rejected, {len(result.skipped)} skipped"
    )
    log(summary)
    warn_if_archive_near_full(url, log)
    return EXIT_REJECTED if result.rejected or result.refused else EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def warn_if_archive_near_full(url: str, emit: Callable[[str], object]) -> None:
    """A warning line when the files kept as sent near DUCHA_KEEP_LIMIT (etl.keep)."""
    with connect(url) as conn:
        usage = keep.usage(conn)
    if usage.near:
        emit(usage.line())


def cmd_backup(
    settings: Settings, output: Path | None, count: int | None, folder: Path | None
) -> int:
    from etl.backup import backup, backup_rotating

    if (output is None) == (count is None):
        raise UsageError("请用 -o FILE 或 --keep N DIR 之一 / give either -o FILE or --keep N DIR")
    if count is not None and count < 1:
        raise UsageError(f"--keep 至少为 1 / --keep must be at least 1: {count}")
    if count is not None and folder is None:
        raise UsageError("--keep N 需要文件夹 DIR / --keep N needs a folder DIR")
    if output is not None and folder is not None:
        raise UsageError("-o FILE 不需要 DIR / -o FILE takes no DIR")
    url = settings.url()
    if output is not None:
        result = backup(url, output)
    else:
        assert count is not None and folder is not None
        result = backup_rotating(url, folder, count)
    log(
        f"备份完成 / backup written: {result.path} ({keep.human(result.size_bytes)},"
        f" {result.seconds:.1f} s)"
    )
    for old in result.removed:
        log(f"已轮换删除旧备份 / rotated out: {old}")
    return EXIT_OK


def cmd_restore(settings: Settings, path: Path, replace: bool) -> int:
    from etl.backup import restore

    if not path.is_file():
        raise UsageError(f"找不到备份文件 / no such backup file: {path}")
    url = settings.url()
    result = restore(url, path, replace=replace)
    say(f"已恢复 / restored: {path} ({result.seconds:.1f} s)")
    if result.behind:
        say(
            "备份的结构早于本版本，请运行 ducha db upgrade / the backup's schema is older than this"
            " ducha: run `ducha db upgrade` (" + ", ".join(result.behind) + ")"
        )
    return EXIT_OK


def cmd_archive(settings: Settings, year: int, attach: bool) -> int:
    """Detach the year's partitions (sql/migrations/0090), or attach them again."""
    if not 1900 <= year <= 2200:
        raise UsageError(f"年度应为四位数字 / the year must have four digits: {year}")
    url = _upgraded(settings)
    function = "core.attach_year" if attach else "core.archive_year"
    with connect(url) as conn:
        tables = conn.execute(f"select * from {function}(%s)", (year,)).fetchall()
        conn.commit()
    if not tables:
        if attach:
            say(f"没有已归档的 {year} 年分区 / no archived partition of {year} to attach")
        else:
            say(f"没有 {year} 年的分区 / no partition of {year} to archive")
        return EXIT_REJECTED
    done = "已挂回 / attached" if attach else "已归档 / archived"
    for table, rows in tables:
        say(f"{done}: {table} ({rows:,} 行 / rows)")
    return EXIT_OK


def cmd_original(settings: Settings, file_id: int, output: Path) -> int:
    url = settings.url()
    with connect(url) as conn:
        found = conn.execute(
            "select f.file_name, f.sha256, k.sha256 is not null from ingest.files as f"
            " left join ingest.kept_files as k using (sha256) where f.file_id = %s",
            (file_id,),
        ).fetchone()
        if found is None:
            raise UsageError(f"没有文件编号 {file_id} / no file #{file_id}")
        name, sha256, kept = found
        if not kept:
            raise UsageError(
                f"文件 #{file_id}（{name}）的原件未保存（早于原件存档，或因存档已满）/ file"
                f" #{file_id} ({name}) was not kept as sent (received before files were kept,"
                " or refused when the archive was full)"
            )
        with output.open("wb") as handle:
            for chunk in keep.kept_chunks(conn, sha256):
                handle.write(chunk)
    say(f"原始文件已写入 / original written: {output} ({name}, sha256 {sha256})")
    return EXIT_OK


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
    from etl.demo import (
        DEMO_AS_OF,
        publish_demo_assessment,
        record_demo_assessment,
        write_demo_returns,
    )
    from etl.load import ingest_files

    url = _upgraded(settings)
    record_demo_assessment(url)
    with tempfile.TemporaryDirectory(prefix="ducha-demo-") as folder:
        paths = write_demo_returns(Path(folder))
        reports = ingest_files(url, paths, as_of=DEMO_AS_OF)
    for report in reports:
        print_report(report)
    if any(r.outcome == "rejected" for r in reports):
        return EXIT_REJECTED
    publish_demo_assessment(url)
    say("示例数据已载入 / demo data loaded (2006 成都高新区 目标管理督查)")
    _print_demo_accounts(url)
    return EXIT_OK


def cmd_assessment(settings: Settings, args: argparse.Namespace) -> int:
    from etl import assessment

    url = _upgraded(settings)
    if args.ranking_command == "list":
        with connect(url) as conn:
            rows = conn.execute(
                "select year, assessing_body, assessment, rank, out_of, title, illustrative,"
                " recorded_by, recorded_at from assess.external_rankings"
                " order by year desc, assessing_body, assessment"
            ).fetchall()
        print(
            "年度 year\t考核机关 body\t考核名称 assessment\t名次 rank\t参评单位数 out of"
            "\t称号 title\t登记人 recorded by\t登记时间 recorded at"
        )
        for year, body, name, rank, out_of, title, illustrative, by, at in rows:
            marked = f"{title or ''}{'（示例 illustrative）' if illustrative else ''}"
            print(
                f"{year}\t{body}\t{name}\t{rank}\t{out_of or ''}\t{marked}\t{by}"
                f"\t{at:%Y-%m-%d %H:%M}"
            )
        return EXIT_OK
    ranking = assessment.ExternalRanking(
        year=args.year,
        assessing_body=args.body.strip(),
        assessment=(args.assessment or f"{args.year}年度目标综合考核").strip(),
        rank=args.rank,
        out_of=args.out_of,
        title=(args.title or "").strip() or None,
    )
    try:
        assessment.check_external_ranking(ranking, args.by)
    except assessment.SchemeError as exc:
        raise UsageError(str(exc)) from exc
    with connect(url) as conn:
        replaced = assessment.record_external_ranking(conn, ranking, args.by.strip())
    out_of = f" / {ranking.out_of}" if ranking.out_of else ""
    title = f"，{ranking.title}" if ranking.title else ""
    verb = (
        "已更正（原记录保留）/ corrected (the earlier row is kept)"
        if replaced
        else "已登记 / recorded"
    )
    say(
        f"{verb}: {ranking.year} {ranking.assessing_body} {ranking.assessment}"
        f" 第 {ranking.rank} 名 rank {ranking.rank}{out_of}{title} ({args.by.strip()})"
    )
    return EXIT_OK


def _writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"输出路径是文件夹 / the output is a folder: {path}")
    if not folder.is_dir():
        raise UsageError(f"输出文件夹不存在 / no such folder for the output: {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"无法写入 / cannot write the output: {path}")


def cmd_bulletin(
    settings: Settings,
    period: str,
    kind: str,
    output: Path,
    publish: bool,
    by: str,
    requirements_file: Path | None,
) -> int:
    from etl import bulletins
    from etl.documents import DocumentError, Period, output_paths

    try:
        Period.parse(period)
    except DocumentError as exc:
        raise UsageError(str(exc)) from exc
    if publish and not by.strip():
        raise UsageError("发布须用 --by 写明发布人 / --publish needs --by NAME")
    targets = output_paths(output)
    for path in targets.values():
        _writable(path)
    requirements = None
    if requirements_file is not None:
        try:
            requirements = requirements_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"无法读取工作要求文件 / cannot read the requirements file {requirements_file}: {exc}"
            ) from exc
    url = _upgraded(settings)
    with connect(url) as conn:
        try:
            if publish:
                issue = bulletins.publish(conn, kind, period, by, requirements=requirements)
            else:
                issue = bulletins.issue(
                    conn, kind, period, tuple(targets), requirements=requirements
                )
        except DocumentError as exc:
            say(f"ducha: {exc}")
            return EXIT_REJECTED
    for fmt, path in targets.items():
        try:
            path.write_bytes(issue.files[fmt])
        except OSError as exc:
            raise UsageError(f"无法写入 / cannot write {path}: {exc.strerror}") from exc
        say(f"已写入 / written: {path} (sha256 {issue.sha256(fmt)[:16]}…)")
    if issue.published:
        say(
            f"第{issue.issue_no}期（{issue.year}年）已发布，存档原件 / issue {issue.issue_no} of"
            f" {issue.year}, published by {issue.published_by} at"
            f" {issue.published_at:%Y-%m-%d %H:%M}: the archived bytes"
        )
    else:
        say(
            f"草稿，未发布（发布用 --publish --by 姓名）/ a draft of issue {issue.issue_no},"
            " not published (use --publish --by NAME)"
        )
    return EXIT_OK


def cmd_brief(settings: Settings, month: str, output: Path) -> int:
    from etl import peer_brief
    from etl.documents import DocumentError

    try:
        peer_brief.parse_month(month)
    except DocumentError as exc:
        raise UsageError(str(exc)) from exc
    suffix = output.suffix.lower()
    if suffix in (".pdf", ".xlsx"):
        targets = {suffix[1:]: output}
    else:
        targets = {"pdf": Path(f"{output}.pdf"), "xlsx": Path(f"{output}.xlsx")}
    for path in targets.values():
        _writable(path)
    url = _upgraded(settings)
    with connect(url) as conn:
        try:
            brief = peer_brief.gather(conn, month)
            files = peer_brief.render(brief, tuple(targets))
        except DocumentError as exc:
            say(f"ducha: {exc}")
            return EXIT_REJECTED
    for fmt, path in targets.items():
        try:
            path.write_bytes(files[fmt])
        except OSError as exc:
            raise UsageError(f"无法写入 / cannot write {path}: {exc.strerror}") from exc
        say(f"已写入 / written: {path}")
    say(
        f"{brief.label}：{len(brief.standings)} 项指标，{len(brief.behind)} 项未居第一 /"
        f" {month}: {len(brief.standings)} indicators, {len(brief.behind)} not first"
    )
    return EXIT_OK


def cmd_remind(settings: Settings, outbox: Path) -> int:
    from etl.remind import BadSmtpUrl, MailUnavailable, SmtpSettings, remind

    smtp = None
    if settings.smtp_url:
        try:
            smtp = SmtpSettings.parse(settings.smtp_url)
        except BadSmtpUrl as exc:
            raise UsageError(str(exc)) from exc
    url = _upgraded(settings)
    with connect(url) as conn:
        try:
            result = remind(conn, smtp, outbox, on_digest=log)
        except MailUnavailable as exc:
            say(f"ducha: {exc}")
            say("未记录任何提醒为已发送 / nothing was recorded as sent for the failed digest")
            return EXIT_MAIL
    if smtp is None:
        log(
            f"未设置 SMTP_URL：{len(result.written)} 份提醒写入 {outbox}，未发送、未记录 / "
            f"SMTP_URL is not set: {len(result.written)} digests written to {outbox},"
            " not sent and not recorded"
        )
        return EXIT_OK
    for digest in result.no_address:
        log(
            f"{digest.unit_name}（{digest.unit_code}）没有联系邮箱，未提醒 / unit {digest.unit_code}"
            " has no e-mail in the unit register: not reminded"
        )
    items = sum(len(d.items) for d in result.sent)
    log(
        f"已发送 {len(result.sent)} 封提醒，共 {items} 项 / {len(result.sent)} digests sent,"
        f" {items} item reminders"
    )
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
        empty: bool = first_value(conn.execute("select not exists (select 1 from ingest.files)"))
        return empty


def cmd_dashboard(settings: Settings, port: int, address: str, demo_if_empty: bool) -> int:
    from dashboard.uploads import UploadLimitError, max_upload_mb

    try:
        upload_mb = max_upload_mb()
    except UploadLimitError as exc:
        raise UsageError(str(exc)) from None
    url = _upgraded(settings)
    _lockout_settings(url)
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
        # The browser refuses larger files before sending them; the upload page checks too.
        "--server.maxUploadSize",
        str(upload_mb),
    ]
    os.chdir(app.parent.parent)  # so Streamlit finds the project's .streamlit/config.toml
    os.execvpe(command[0], command, env)
    return EXIT_OK  # not reached (but where a test stands in for execvpe)


if __name__ == "__main__":
    sys.exit(main())
