"""A served seat against the same seat in a terminal: first screen, key to repaint, memory, scale.

The game day is hosted in this process (GameDay, as `drill serve` does), on black-friday.  The
same game process (``python -m drill.serve.seat``) is measured two ways, interleaved so machine
noise hits both alike:

- **terminal** (the baseline): the game process on a pseudo-terminal of 120x40 cells, with
  Textual's own terminal driver;
- **browser**: the game process behind the web server, in headless Chromium (Debian's, through
  Playwright) at a viewport of about the same size.

Figures:

1. *first screen*: from starting the process (terminal) or requesting the page (browser) to
   the lobby's text having arrived (pty output, or websocket frames in the page);
2. *key to repaint*: on the board, clock paused, from a key press (arrow down in the actions)
   to the first bytes of the repaint arriving (pty, or a websocket frame in the page);
3. *memory per seat*: PSS of a game process at the lobby and on the board (/proc smaps_rollup);
4. *20 seats*: twenty game processes started at once (websocket clients, not browsers: the
   browsers are the players' machines), time until every lobby has arrived, their total PSS,
   then key to repaint in the browser for one more seat while the twenty play a running clock.

Run: python bench/serve.py [--keys N] [--rounds N] [--seats N]
Needs the test extra (textual-serve, playwright) and Chromium (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import re
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.catalog import ScenarioSource  # noqa: E402
from drill.engine.playscript import FacilitatorAct  # noqa: E402
from drill.serve.host import DayPlan, GameDay  # noqa: E402
from drill.serve.links import Roster, Seat, Team, link, new_token  # noqa: E402
from drill.serve.protocol import SOCKET_ENV, TICKET_ENV  # noqa: E402
from drill.serve.server import (GAME_COMMAND, GameServer, ServeConfig, bound_port,  # noqa: E402
                                start_server)

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
LOBBY = "Waiting for the facilitator"
BOARD = "Actions"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
COLUMNS, LINES = 120, 40
VIEWPORT = {"width": 1000, "height": 680}
"""About 120x40 cells of Roboto Mono at 16 px, like the terminal's."""


def pss_kib(pid: int) -> int:
    """Proportional set size of a process, in KiB (shared pages split between sharers)."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


class Terminal:
    """The game process on a pseudo-terminal: what it draws, as text."""

    def __init__(self) -> None:
        self.text = ""
        self.bytes_seen = 0
        self.process: asyncio.subprocess.Process | None = None
        self.master = -1

    async def start(self, day: GameDay, seat) -> float:  # type: ignore[no-untyped-def]
        """Start the game process; return seconds until the lobby's text has arrived."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        environment = {name: os.environ[name] for name in ("PATH", "HOME", "LANG")
                       if name in os.environ}
        environment.update({"TERM": "xterm-256color", "COLORTERM": "truecolor",
                            SOCKET_ENV: str(day.socket_path), TICKET_ENV: day.ticket_for(seat),
                            "PYTHONPATH": str(REPO)})
        started = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *GAME_COMMAND, stdin=slave, stdout=slave, stderr=slave, env=environment,
            start_new_session=True)
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        asyncio.get_running_loop().add_reader(master, self._read)
        await wait_for(lambda: LOBBY in self.text)
        return time.perf_counter() - started

    def _read(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return
        self.bytes_seen += len(data)
        self.text += ANSI.sub("", data.decode("utf-8", "replace"))

    async def key_to_repaint(self, key: bytes) -> float:
        seen = self.bytes_seen
        started = time.perf_counter()
        os.write(self.master, key)
        await wait_for(lambda: self.bytes_seen > seen)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.15)  # let the repaint finish before the next key
        return elapsed

    async def stop(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        os.close(self.master)


class Browser:
    """A page of the served game: what arrived over its websocket, as text."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.text = ""
        self.frames = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:  # type: ignore[no-untyped-def]
        if isinstance(payload, bytes):
            self.frames += 1
            self.text += ANSI.sub("", payload.decode("utf-8", "replace"))

    async def open(self, url: str) -> float:
        started = time.perf_counter()
        await self.page.goto(url)
        await wait_for(lambda: LOBBY in self.text)
        return time.perf_counter() - started

    async def key_to_repaint(self, key: str) -> float:
        seen = self.frames
        started = time.perf_counter()
        await self.page.keyboard.press(key)
        await wait_for(lambda: self.frames > seen)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.15)
        return elapsed


async def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("waited too long")
        await asyncio.sleep(0.002)


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.0f} ms, min {min(values) * 1000:5.0f} ms"


async def main(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("bench/serve.py needs Chromium: apt-get install chromium")
    work = Path(tempfile.mkdtemp(prefix="drill-bench-"))
    roster = bench_roster(2 * (args.rounds + 1), args.seats)
    source = ScenarioSource.open("black-friday")
    day = GameDay(roster, DayPlan(source, seed=7, pace=2.0), work / "saves")
    day.lock_folders()
    socket_dir = work / "sock"
    socket_dir.mkdir(mode=0o700)
    await day.open(socket_dir)
    config = ServeConfig(public_url="http://127.0.0.1:0", extra_env={"PYTHONPATH": str(REPO)})
    server = GameServer(roster, day, config)
    runner = await start_server(server, "127.0.0.1", 0)
    config.public_url = f"http://127.0.0.1:{bound_port(runner)}"
    teams = iter(roster.teams)
    pause = FacilitatorAct(do="facilitate", at=0, act="pause")
    first: dict[str, list[float]] = {"terminal": [], "browser": []}
    keys: dict[str, list[float]] = {"terminal": [], "browser": []}
    memory: dict[str, list[int]] = {"lobby": [], "board": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            for round_ in range(args.rounds + 1):  # round 0 warms the caches: not counted
                # -- terminal
                team = next(teams)
                host = day.teams[team.name]
                terminal = Terminal()
                first["terminal"].append(await terminal.start(day, team.seats[0]))
                host.start_run()
                await wait_for(lambda: BOARD in terminal.text.rsplit(LOBBY, 1)[-1])
                host.facilitate(pause)
                await asyncio.sleep(0.3)
                for _ in range(args.keys):
                    keys["terminal"].append(await terminal.key_to_repaint(b"\x1b[B"))
                await terminal.stop()
                # -- browser
                team = next(teams)
                host = day.teams[team.name]
                context = await browser.new_context(viewport=VIEWPORT)
                page = Browser(await context.new_page())
                first["browser"].append(await page.open(link(config.public_url, team.seats[0])))
                process = server.live[team.seats[0].key][1]
                memory["lobby"].append(pss_kib(process.pid))  # type: ignore[arg-type]
                host.start_run()
                await wait_for(lambda: BOARD in page.text.rsplit(LOBBY, 1)[-1])
                host.facilitate(pause)
                await asyncio.sleep(0.3)
                for _ in range(args.keys):
                    keys["browser"].append(await page.key_to_repaint("ArrowDown"))
                memory["board"].append(pss_kib(process.pid))  # type: ignore[arg-type]
                await context.close()
                if round_ == 0:
                    for values in (*first.values(), *keys.values(), *memory.values()):
                        values.clear()
                print(f"round {round_}/{args.rounds} done", file=sys.stderr)

            # -- many seats at once: teams of three, one more seat alone for the last figure
            crowd = [team for team in roster.teams if team.name.startswith("crowd-")]
            crowd_result = await many_seats(day, server, config, crowd)
            team = roster.team("last")
            context = await browser.new_context(viewport=VIEWPORT)
            page = Browser(await context.new_page())
            await page.open(link(config.public_url, team.seats[0]))
            day.teams[team.name].start_run()
            await wait_for(lambda: BOARD in page.text.rsplit(LOBBY, 1)[-1])
            day.teams[team.name].facilitate(pause)
            await asyncio.sleep(0.3)
            loaded = [await page.key_to_repaint("ArrowDown") for _ in range(args.keys)]
            await context.close()
        finally:
            keep = getattr(many_seats, "keep", None)
            if keep is not None:
                for socket in keep[1]:
                    await socket.close()
                await keep[0].close()
            await browser.close()
            for socket, _ in list(server.live.values()):
                await socket.close()
            await runner.cleanup()
            await day.close()
            shutil.rmtree(work, ignore_errors=True)

    terminal_first, browser_first = map(statistics.median, (first["terminal"], first["browser"]))
    terminal_key, browser_key = map(statistics.median, (keys["terminal"], keys["browser"]))
    print(f"\nblack-friday, {args.rounds} rounds, {args.keys} keys each, {os.cpu_count()} cores\n")
    print("first screen (start or page request to the lobby's text)")
    print(f"  terminal (pty, 120x40)        {ms(first['terminal'])}")
    print(f"  browser (Chromium)            {ms(first['browser'])}")
    print(f"  ratio browser / terminal      {browser_first / terminal_first:.2f}")
    print("key to repaint (arrow down on the board, clock paused)")
    print(f"  terminal                      {ms(keys['terminal'])}")
    print(f"  browser                       {ms(keys['browser'])}")
    print(f"  ratio browser / terminal      {browser_key / terminal_key:.2f}")
    print("memory per seat (PSS of the game process)")
    print(f"  at the lobby                  median {statistics.median(memory['lobby']) / 1024:.0f} MiB")
    print(f"  on the board                  median {statistics.median(memory['board']) / 1024:.0f} MiB")
    elapsed, total = crowd_result
    print(f"{args.seats} seats started at once")
    print(f"  every lobby arrived after     {elapsed:.1f} s")
    print(f"  their total PSS on the board  {total / 1024:.0f} MiB "
          f"({total / 1024 / args.seats:.0f} MiB per seat)")
    print(f"  key to repaint, one more seat {ms(loaded)} "
          f"(x{statistics.median(loaded) / browser_key:.2f} the quiet browser figure)")


def bench_roster(alone: int, crowd: int) -> Roster:
    """``alone`` one-seat teams for the rounds, ``crowd`` seats in teams of three, and one
    last one-seat team (more teams than `drill serve` allows: it is built directly)."""
    def seat(team: str, name: str, role: str) -> Seat:
        return Seat(team, name, role, new_token())

    teams = [Team(f"solo-{i}", (seat(f"solo-{i}", "Solo", "commander"),)) for i in range(alone)]
    roles = ("commander", "comms", "ops")
    for index in range(0, crowd, 3):
        name = f"crowd-{index // 3 + 1}"
        size = min(3, crowd - index)
        teams.append(Team(name, tuple(seat(name, f"P{k + 1}", roles[k]) for k in range(size))))
    teams.append(Team("last", (seat("last", "Last", "commander"),)))
    return Roster(tuple(teams), Seat("", "Facilitator", "", new_token(), kind="console"))


async def many_seats(day: GameDay, server: GameServer, config: ServeConfig, crowd) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Start one game process per seat of ``crowd`` through the websocket; return the seconds
    until every lobby arrived and their total PSS once every run has started."""
    import aiohttp

    seats = [seat for team in crowd for seat in team.seats]
    texts = {seat.key: "" for seat in seats}
    session = aiohttp.ClientSession()
    sockets = []

    async def connect(seat) -> None:  # type: ignore[no-untyped-def]
        url = config.public_url.replace("http", "ws") + \
            f"/ws/{seat.token}?width={COLUMNS}&height={LINES}"
        socket = await session.ws_connect(url, headers={"Origin": config.origin},
                                          max_msg_size=0)
        sockets.append(socket)
        async for message in socket:
            if message.type == aiohttp.WSMsgType.BINARY:
                texts[seat.key] += ANSI.sub("", message.data.decode("utf-8", "replace"))
            elif message.type != aiohttp.WSMsgType.TEXT:
                break

    started = time.perf_counter()
    readers = [asyncio.create_task(connect(seat)) for seat in seats]
    await wait_for(lambda: all(LOBBY in text for text in texts.values()), timeout=300)
    elapsed = time.perf_counter() - started
    for team in crowd:
        day.teams[team.name].start_run()
    await wait_for(lambda: all(BOARD in text.rsplit(LOBBY, 1)[-1] for text in texts.values()),
                   timeout=300)
    await asyncio.sleep(1.0)
    total = sum(pss_kib(server.live[seat.key][1].pid) for seat in seats)  # type: ignore[arg-type]
    # Keep them playing (clocks running) while the last figure is measured.
    many_seats.keep = (session, sockets, readers)  # type: ignore[attr-defined]
    return elapsed, total


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=15, help="key presses per round")
    parser.add_argument("--rounds", type=int, default=3, help="terminal/browser rounds")
    parser.add_argument("--seats", type=int, default=20, help="seats started at once")
    asyncio.run(main(parser.parse_args()))
