"""Many leaders at once: N signed-in sessions through the leaders' pages of one dashboard server.

    .venv/bin/python bench/leaders.py                          # 20 sessions, ~1M fact rows
    .venv/bin/python bench/leaders.py --sessions 20 --scale 1  # ~10M, the marts benchmark's

The warehouse is filled as bench/marts.py fills it; N leader accounts (every
unit) are made, and `ducha dashboard` serves it as a user starts it. Each session
is a client of Streamlit's own protocol, not a browser (ten headless browsers
already saturate two cores): a websocket to ``/_stcore/stream`` carrying
protobuf ``BackMsg``s (a rerun with the page and the widgets' values, as the
browser's frontend sends them) and ``ForwardMsg``s back (the page's elements,
then ``script_finished``). Every session signs in through the form (account and
password as widget values, the submit button's trigger), then opens each
leaders' page in its own order, ``--rounds`` times; all sessions start at once.

A page's time runs from sending the rerun to its ``script_finished``: the whole
script on the server, its queries and the elements sent, as a browser would
wait for them (not the browser's drawing). Errors: a page that raised (an
exception element), a page that did not finish within ``--timeout`` s, a closed
connection. The server's resident memory is read from /proc before the
sessions (after one warm-up session), with all N signed in and through their
pages, and after they have gone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, ducha, fresh_server, machine, median, percentile, run
from marts import fill

LEADER_PAGES = ("overview", "targets", "employment", "disability-aid", "supervision", "bulletins")
PASSWORD = "bench leader password"
GOAL_P95_SECONDS = 2.0


@dataclass
class Tally:
    """What every session saw: page times (seconds) by page, sign-ins, errors."""

    pages: dict[str, list[float]] = field(default_factory=dict)
    first_round: list[float] = field(default_factory=list)
    sign_ins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    through: int = 0  # sessions through their pages (or failed)


class Session:
    """One browser tab's worth of Streamlit protocol over a websocket."""

    def __init__(self, websocket, timeout: float) -> None:
        self.ws = websocket
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.widgets: dict[str, tuple[str, str]] = {}  # user key -> (widget id, element type)
        self.problems: list[str] = []

    async def rerun(self, page_hash: str = "", widget_states=None) -> float:
        """Ask for a run (of a page, with widget values); seconds until it finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState

        state = ClientState(query_string="", page_script_hash=page_hash)
        if widget_states is not None:
            state.widget_states.CopyFrom(widget_states)
        message = BackMsg(rerun_script=state)
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        await asyncio.wait_for(self._until_finished(), self.timeout)
        return time.perf_counter() - started

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            raw = await self.ws.recv()
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "delta":
                self._element(message.delta)
            elif kind == "navigation":
                for page in message.navigation.app_pages:
                    # The default page (总览) is served at "/".
                    path = page.url_pathname or ("overview" if page.is_default else "")
                    self.pages[path] = page.page_script_hash
            elif kind == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.problems.append("compile error")
                    return
                # FINISHED_EARLY_FOR_RERUN: st.rerun(); the next run follows.

    def _element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.problems.append(f"{element.exception.type}: {element.exception.message[:120]}")
        elif kind in ("text_input", "button"):
            widget = getattr(element, kind)
            # Widget ids end with the key the app gave ("…-sign_in_account").
            self.widgets[widget.id.rsplit("-", 1)[-1]] = (widget.id, kind)

    async def sign_in(self, account: str, password: str) -> float:
        """Open the app (the sign-in page), fill in the form and submit it."""
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        await self.rerun()
        states = WidgetStates()
        for key, value in (("sign_in_account", account), ("sign_in_password", password)):
            widget = states.widgets.add()
            widget.id = self.widgets[key][0]
            widget.string_value = value
        submit = [w for w in self.widgets.values() if w[1] == "button"]
        widget = states.widgets.add()
        widget.id = submit[0][0]  # the form's only button: 登录
        widget.trigger_value = True
        return await self.rerun(widget_states=states)


async def leader(
    port: int,
    number: int,
    rounds: int,
    timeout: float,
    tally: Tally,
    leave: asyncio.Event,
    think: float = 0.0,
    account: str | None = None,
) -> None:
    import websockets

    name = f"leader{number:03d}"
    order = list(LEADER_PAGES)
    chance = random.Random(number)
    chance.shuffle(order)
    through = False
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=timeout,
        ) as websocket:
            session = Session(websocket, timeout)
            tally.sign_ins.append(await session.sign_in(account or name, PASSWORD))
            if "overview" not in session.pages:
                raise RuntimeError("not signed in")
            for turn in range(rounds):
                for page in order:
                    if think:  # reading the page before: 0.5 to 1.5 times --think
                        await asyncio.sleep(think * (0.5 + chance.random()))
                    seconds = await session.rerun(session.pages[page])
                    tally.pages.setdefault(page, []).append(seconds)
                    if turn == 0:
                        tally.first_round.append(seconds)
            tally.errors.extend(f"{name}: {problem}" for problem in session.problems)
            through = True
            tally.through += 1
            # Stay connected (a leader reading the page) until every session is through.
            await leave.wait()
    except TimeoutError:
        tally.errors.append(f"{name}: a page took over {timeout:.0f} s")
    except Exception as exc:  # a closed connection, a refused one: what a user would see
        tally.errors.append(f"{name}: {type(exc).__name__}: {exc}"[:200])
    finally:
        if not through:
            tally.through += 1


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(pgdata: Path | None) -> float:
    """CPU seconds used so far by a PostgreSQL server: its postmaster, its live backends
    and those that have ended (counted into the postmaster's children when reaped)."""
    import psutil

    if pgdata is None or not (pgdata / "postmaster.pid").exists():
        return 0.0
    postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
    times = postmaster.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in postmaster.children():
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def load(
    port: int,
    sessions: int,
    rounds: int,
    timeout: float,
    pid: int,
    think: float = 0.0,
    account: str | None = None,
    pgdata: Path | None = None,
) -> dict:
    """All sessions at once; the server's memory with them all through their pages."""
    tally = Tally()
    leave = asyncio.Event()
    tasks = [
        asyncio.create_task(leader(port, n, rounds, timeout, tally, leave, think, account))
        for n in range(1, sessions + 1)
    ]
    started = time.perf_counter()
    cpu_before, database_before = cpu_seconds(pid), database_cpu_seconds(pgdata)
    while tally.through < sessions:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    database = database_cpu_seconds(pgdata) - database_before
    with_all = rss_mb(pid)
    leave.set()
    await asyncio.gather(*tasks)
    return {
        "tally": tally,
        "elapsed": elapsed,
        "rss_with_all": with_all,
        "cpu": cpu,
        "database_cpu": database,
    }


def wait_for_server(port: int, process, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the dashboard exited ({process.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the dashboard did not answer")


def make_leaders(url: str, count: int) -> None:
    from etl.accounts import add_account

    for number in range(0, count + 1):  # leader000 warms the server up
        add_account(url, f"leader{number:03d}", ["leader"], [], password=PASSWORD)


def report(result: dict, sessions: int, rounds: int, base: float, pid: int) -> bool:
    tally = result["tally"]
    every = [s for times in tally.pages.values() for s in times]
    print(
        f"\n{sessions} sessions × {len(LEADER_PAGES)} pages × {rounds} rounds, all at once:"
        f" {len(every)} page views in {result['elapsed']:.1f} s"
    )
    if tally.sign_ins:
        print(
            f"  sign-in (form submitted → overview drawn): p50 {median(tally.sign_ins):.2f} s,"
            f" p95 {percentile(tally.sign_ins, 0.95):.2f} s"
        )
    print(f"  {'page':16s}{'views':>7s}{'p50 s':>8s}{'p95 s':>8s}{'max s':>8s}")
    for page in LEADER_PAGES:
        times = tally.pages.get(page, [])
        if times:
            print(
                f"  {page:16s}{len(times):7d}{median(times):8.2f}"
                f"{percentile(times, 0.95):8.2f}{max(times):8.2f}"
            )
    p95 = percentile(every, 0.95) if every else float("inf")
    if every:
        print(f"  {'every page':16s}{len(every):7d}{median(every):8.2f}{p95:8.2f}{max(every):8.2f}")
        print(
            f"  {'first round':16s}{len(tally.first_round):7d}{median(tally.first_round):8.2f}"
            f"{percentile(tally.first_round, 0.95):8.2f}{max(tally.first_round):8.2f}"
        )
    views = max(len(every), 1)
    print(
        f"  CPU: dashboard server {result['cpu']:.1f} s ({result['cpu'] / views * 1000:.0f} ms a"
        f" page view), PostgreSQL {result['database_cpu']:.1f} s"
        f" ({result['database_cpu'] / views * 1000:.0f} ms a page view)"
    )
    print(f"  errors: {len(tally.errors)}")
    for error in tally.errors[:10]:
        print(f"    {error}")
    with_all = result["rss_with_all"]
    print(
        f"  server memory: {base:.0f} MB after one warm-up session, {with_all:.0f} MB with all"
        f" {sessions} signed in and through their pages, {rss_mb(pid):.0f} MB after they left"
        f" (peak {peak_mb(pid):.0f} MB): {(with_all - base) / max(sessions, 1):.1f} MB a session"
    )
    met = p95 <= GOAL_P95_SECONDS and not tally.errors
    print(f"  goal p95 ≤ {GOAL_P95_SECONDS:.0f} s and no error: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (20)")
    parser.add_argument("--rounds", type=int, default=2, help="times through the pages (2)")
    parser.add_argument("--years", type=int, default=20, help="years of history (20)")
    parser.add_argument("--scale", type=float, default=0.1, help="volume (0.1 = ~1M fact rows)")
    parser.add_argument("--port", type=int, default=8765, help="the dashboard's port (8765)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a page may take")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a leader reads each page before the next (0: none, the worst case)",
    )
    parser.add_argument(
        "--one-account",
        action="store_true",
        help="every session signs in as the same leader (their cached reads are shared)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    started = time.perf_counter()
    with fresh_server("leaders") as server:
        url = server.database("ducha")
        env = dict(os.environ, DATABASE_URL=url)
        env.pop("DATABASE_READ_URL", None)
        run([*ducha(), "db", "upgrade"], env)
        print(f"machine: {machine(url)}")
        print(f"project: {ROOT}")
        print(f"fill ({args.years} years, scale {args.scale}):")
        print(f"  filled in {fill(url, args.years, args.scale):.0f} s")
        make_leaders(url, args.sessions)
        log = server.scratch / "dashboard.log"
        with open(log, "wb") as out:
            import subprocess

            process = subprocess.Popen(
                [*ducha(), "dashboard", "--port", str(args.port)],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_server(args.port, process)
            # One session first, so the imports and the engine are there before the rest.
            warm = Tally()
            asyncio.run(_warm_up(args.port, args.timeout, warm))
            if warm.errors:
                print(f"  warm-up: {warm.errors}")
            base = rss_mb(process.pid)
            print(f"  load average {os.getloadavg()[0]:.1f} as the sessions start", flush=True)
            account = "leader000" if args.one_account else None
            pgdata = server.scratch / "home" / "pgdata"
            result = asyncio.run(
                load(
                    args.port,
                    args.sessions,
                    args.rounds,
                    args.timeout,
                    process.pid,
                    args.think,
                    account,
                    pgdata,
                )
            )
            report(result, args.sessions, args.rounds, base, process.pid)
            print(f"  load average {os.getloadavg()[0]:.1f} at the end")
        finally:
            process.terminate()
            process.wait(30)
    print(f"took {time.perf_counter() - started:.0f} s")


async def _warm_up(port: int, timeout: float, tally: Tally) -> None:
    leave = asyncio.Event()
    leave.set()
    await leader(port, 0, 1, timeout, tally, leave)


if __name__ == "__main__":
    main()
