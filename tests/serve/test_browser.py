"""A remote game day in a real browser: Debian's Chromium driven by Playwright.

A facilitator and two seats of one team open their links, the facilitator starts the run, both
seats act, the facilitator injects and pauses, then ends the run, and both seats download the
postmortem, which is the one the host saved.  Then the refusals, from the browser: a wrong or
missing token, a page of another origin opening the game's websocket, an oversized terminal.

The game day is served in this process (GameDay and GameServer on a free loopback port), with
real game processes, so the test reads what happened from the app side (the host's run, the
saves); the terminal is a canvas, so it knows when a screen is up by the text in the websocket
frames the page receives, and takes PNG screenshots of each page (kept in the test's temporary
folder) for a person to look at.

It needs Chromium (``apt-get install chromium``) and Playwright (the test extra); it is skipped,
saying which is missing, when either is, except on CI (``CI=true``), where it fails instead:
`.ci/run` installs both.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # No software WebGL: the terminal draws with its canvas renderer, for less CPU.
         "--disable-3d-apis"]
WAIT = 60.0
"""Seconds before a wait gives up (a guard against a hang, not a timing assertion)."""


def _missing() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install '.[test]')"
    if CHROMIUM is None:
        return "Chromium is not installed (apt-get install chromium)"
    return None


if (reason := _missing()) is not None:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the browser test cannot run on CI: {reason}")
    pytest.skip(reason, allow_module_level=True)

from playwright.async_api import Page, async_playwright  # noqa: E402

from drill.catalog import ScenarioSource  # noqa: E402
from drill.serve.host import DayPlan, GameDay  # noqa: E402
from drill.serve.links import link, make_roster  # noqa: E402
from drill.serve.server import GameServer, ServeConfig, bound_port, start_server  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class Screen:
    """A page's terminal as text: what the game process sent over the websocket."""

    def __init__(self, page: Page, name: str, shots: Path) -> None:
        self.page = page
        self.name = name
        self.shots = shots
        self.text = ""
        page.on("websocket", self._watch)

    def _watch(self, websocket) -> None:  # type: ignore[no-untyped-def]
        def received(payload) -> None:  # type: ignore[no-untyped-def]
            if isinstance(payload, bytes):
                self.text += ANSI.sub("", payload.decode("utf-8", "replace"))

        websocket.on("framereceived", received)

    async def shows(self, words: str) -> None:
        """Wait until the game has drawn ``words`` since the last :meth:`forget`."""
        await until(lambda: words in self.text, f"{self.name} showing {words!r}")

    def forget(self) -> None:
        self.text = ""

    async def press(self, *keys: str) -> None:
        await self.page.bring_to_front()  # as a player would: the tab in front, focused
        for key in keys:
            await self.page.keyboard.press(key)

    async def shot(self, label: str) -> None:
        await self.page.bring_to_front()
        await asyncio.sleep(0.3)  # the footer redraws once the tab is in front
        await self.page.screenshot(path=str(self.shots / f"{self.name}-{label}.png"))


T0 = time.monotonic()


async def until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: never happened within {WAIT:.0f} s")
        await asyncio.sleep(0.05)
    if os.environ.get("DRILL_TIMELINE"):
        print(f"{time.monotonic() - T0:6.2f} {what}")


@pytest.fixture
async def game_day(tmp_path):
    """black-friday served on a free loopback port to team red (Ana, Bo) and a facilitator,
    at 2 s per minute: slow enough that the boards repaint about once a second."""
    roster = make_roster(["red=Ana:commander,Bo:comms"], ["commander", "comms", "ops"])
    source = ScenarioSource.open("black-friday")
    day = GameDay(roster, DayPlan(source, seed=7, pace=2.0), tmp_path / "saves")
    day.lock_folders()
    socket_dir = tmp_path / "sock"
    socket_dir.mkdir(mode=0o700)
    await day.open(socket_dir)
    config = ServeConfig(public_url="http://127.0.0.1:0")
    server = GameServer(roster, day, config)
    runner = await start_server(server, "127.0.0.1", 0)
    config.public_url = f"http://127.0.0.1:{bound_port(runner)}"
    try:
        yield day, server
    finally:
        await runner.cleanup()
        await day.close()


@pytest.fixture
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def open_link(browser, url: str, name: str, shots: Path) -> Screen:  # type: ignore[no-untyped-def]
    # One browser context each: three people, three cookie jars.
    context = await browser.new_context(viewport={"width": 880, "height": 560},
                                        accept_downloads=True)
    page = await context.new_page()
    screen = Screen(page, name, shots)
    await page.goto(url)
    return screen


async def download(screen: Screen, folder: Path) -> str:
    """Press d on the end screen; return the text of the file the browser downloaded."""
    context = screen.page.context
    downloads: asyncio.Queue = asyncio.Queue()
    context.on("page", lambda popup: popup.on("download", downloads.put_nowait))
    screen.page.on("download", downloads.put_nowait)
    await screen.press("d")
    got = await asyncio.wait_for(downloads.get(), WAIT)
    target = folder / f"{screen.name}-{got.suggested_filename}"
    await got.save_as(target)
    return target.read_text(encoding="utf-8")


async def test_a_team_plays_a_served_run_and_takes_the_postmortem_home(game_day, browser,
                                                                        tmp_path):
    day, server = game_day
    base = server.config.public_url
    red = day.roster.team("red")
    ana_seat, bo_seat = red.seats
    host = day.teams["red"]

    ana = await open_link(browser, link(base, ana_seat), "ana", tmp_path)
    bo = await open_link(browser, link(base, bo_seat), "bo", tmp_path)
    facilitator = await open_link(browser, link(base, day.roster.facilitator), "facilitator",
                                  tmp_path)
    await until(lambda: host.connected() == ["Ana (commander)", "Bo (comms)"], "both seats")
    await ana.shows("Waiting for the facilitator")
    await facilitator.shows("All teams")
    await ana.shot("1-lobby")

    # The page gave the terminal the keyboard on load: the first key reaches the console.
    await facilitator.press("s")
    await until(lambda: host.live, "the run starting")
    await ana.shows("Actions")
    await bo.shows("Actions")
    await ana.press("a", "Enter")  # the first action on offer
    await bo.press("a", "ArrowDown", "Enter")  # the second
    await until(lambda: {s.by for s in host.session.record.steps} == {"Ana (commander)",
                                                                     "Bo (comms)"},
                "both seats' actions at the host")
    await ana.shot("2-board")

    # The facilitator injects (the panel's first inject) and pauses every team.
    await facilitator.press("f")
    await facilitator.shows("Facilitator")
    await facilitator.press("ArrowDown", "ArrowDown", "ArrowDown", "Enter")
    await until(lambda: any(s.do == "facilitate" and s.act == "inject"
                            for s in host.session.record.steps), "the inject")
    await facilitator.press("Space")
    await until(lambda: host.clock.paused, "the pause")
    paused_at = host.session.run.now
    await facilitator.shot("3-console")

    # The facilitator ends the run: both seats get the end screen and download the postmortem.
    ana.forget()
    bo.forget()
    facilitator.forget()
    await facilitator.press("f")
    await facilitator.shows("Facilitator")  # keys sent before the panel is up go elsewhere
    await facilitator.press("End", "Enter")
    await until(lambda: not host.live, "the end of the run")
    await ana.shows("Postmortem")
    await bo.shows("Postmortem")
    await ana.shot("4-end")
    saved = host.session.save_path.with_suffix(".md").read_text(encoding="utf-8")
    assert await download(ana, tmp_path) == saved
    assert await download(bo, tmp_path) == saved
    assert "The facilitator injected" in saved and "The facilitator paused the clock." in saved
    assert host.session.run.now == paused_at  # nothing moved while paused
    steps = [(s.do, s.by) for s in host.session.record.steps]
    assert steps[:2] in ([("start", "Ana (commander)"), ("start", "Bo (comms)")],
                         [("start", "Bo (comms)"), ("start", "Ana (commander)")])
    assert [act for do, act in steps[2:]] == ["facilitator"] * 3


async def test_the_browser_is_refused_without_its_token_origin_or_size(game_day, browser,
                                                                       tmp_path):
    day, server = game_day
    base = server.config.public_url
    ana_seat = day.roster.team("red").seats[0]
    context = await browser.new_context()
    page = await context.new_page()
    for path in ("/", "/s/", "/s/not-the-token", f"/s/{ana_seat.token[:-2]}"):
        response = await page.goto(base + path)
        assert response is not None and response.status == 404, path

    # A page of another origin opens the game's websocket with a good token: refused.
    other = await start_other_origin()
    try:
        await page.goto(other)
        opened = await page.evaluate(TRY_WEBSOCKET, base.replace("http", "ws")
                                     + f"/ws/{ana_seat.token}")
        assert opened == "refused"
    finally:
        await other.runner.cleanup()  # type: ignore[attr-defined]

    # From the seat's own page, a terminal of 3000x1500 cells: refused.
    response = await page.goto(link(base, ana_seat))
    assert response is not None and response.status == 200
    oversized = base.replace("http", "ws") + f"/ws/{ana_seat.token}?width=3000&height=1500"
    assert await page.evaluate(TRY_WEBSOCKET, oversized) == "refused"
    await page.screenshot(path=str(tmp_path / "refused.png"))
    # Only the seat's own page started a game process; nothing else did.
    assert list(server.live) in ([], [ana_seat.key])


TRY_WEBSOCKET = """(url) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  socket.onopen = () => { socket.close(); resolve("opened"); };
  socket.onerror = () => resolve("refused");
  setTimeout(() => resolve("no answer"), 10000);
})"""


class OtherOrigin(str):
    runner: object


async def start_other_origin() -> OtherOrigin:
    """A page on another port of the same host: another origin, as a browser sees it."""
    from aiohttp import web

    async def page(request):  # type: ignore[no-untyped-def]
        return web.Response(text="<html><body>elsewhere</body></html>", content_type="text/html")

    app = web.Application()
    app.add_routes([web.get("/", page)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = OtherOrigin(f"http://127.0.0.1:{bound_port(runner)}/")
    url.runner = runner
    return url
