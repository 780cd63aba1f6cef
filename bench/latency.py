"""How fast the game answers: a key press to its dialog painted, a clock tick to the board
repainted, each against a bare Textual app doing the same, measured in the same run.

Both apps run headless under Pilot at 120x40.  A sample posts the key (or ticks the clock) and
waits until every widget has processed its messages; the figure is the time from the key to the
last frame the compositor produced for the screen (Textual renders each frame in full even
headless and only skips writing it to a terminal).  Cursors do not blink, so no frame comes from
a timer.  After a tick the first frame is awaited before the harness settles the app, because
settling posts a callback to every widget (about a hundred on the board, ten in the bare app),
work that a real tick does not wait for.

* The drill side: black-friday at T+21 (an update posted, an action started), the board with
  its feed, signals, owed items and people; keys u, p, e, r and f.  Two ticks: one that crosses
  a scenario minute (the clock line, every sparkline and countdown change: the most a tick
  repaints), and one within a minute, as most of the board's timer ticks are (a tick every
  0.25 s at the default pace of 8 s per minute advances 1/32 of a minute).
* The bare side: a screen with a header, a log, three static panels and a footer; a key opens
  a modal of a title, three inputs and two buttons (what the issue measured as "a bare modal");
  the tick writes a line to the log and changes the three panels.  Textual lays its screen out
  again for that line and paints the log's scrollbar a frame later: its tick takes two frames,
  where the board's takes one (drill/tui/widgets/feed.py).

Targets (issue 10): key to dialog painted <= 100 ms median, board repaint after a tick <= 16 ms
median.  Absolute times depend on the machine and its load; the ratios do not much.  A tick
that changes nothing on the board paints no frame: its row says "no frame" and gives the CPU
time the tick took.

Run: python bench/latency.py [--runs N] [--minutes N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Vertical  # noqa: E402
from textual.screen import ModalScreen, Screen  # noqa: E402
from textual.widgets import Button, Footer, Header, Input, RichLog, Static, TextArea  # noqa: E402

SIZE = (120, 40)
FIRST_FRAME_WAIT = 0.1
"""Seconds a tick's first frame is waited for before the harness settles the app (a tick that
changes nothing on screen paints none)."""
DRILL_KEYS = ("u", "p", "e", "r", "f")
MINUTES = 20
"""Scenario minutes the tick figures sample: T+22 to T+41 of black-friday.  In the first nine
(the rollback ends, two requests arrive, a signal value widens) four minutes lay the board out
or paint twice, so the median of so short a stretch is the slowest of the quiet minutes; twenty
give the median of a stretch of play (``--minutes 9`` measures the short one)."""


# -- the bare app ------------------------------------------------------------------------------


class BareModal(ModalScreen[None]):
    BINDINGS = [("escape", "app.pop_screen")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("A bare modal")
            yield Input(placeholder="one")
            yield Input(placeholder="two")
            yield Input(placeholder="three")
            yield Button("OK")
            yield Button("Cancel")


class BareApp(App[None]):
    CSS = """
    ModalScreen { align: center middle; }
    .dialog { width: 76; height: auto; border: thick $primary; background: $surface; }
    #panels Static { height: auto; border: round $secondary; }
    """
    BINDINGS = [("u", "open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield RichLog(id="log")
        with Vertical(id="panels"):
            for index in range(3):
                yield Static(f"panel {index}", id=f"panel-{index}")
        yield Footer()

    def action_open(self) -> None:
        self.push_screen(BareModal())

    def tick(self) -> None:
        stamp = time.perf_counter()
        self.query_one(RichLog).write(f"tick {stamp:.3f}: something happened")
        for index in range(3):
            self.query_one(f"#panel-{index}", Static).update(f"panel {index}: {stamp:.3f}")


# -- measuring -----------------------------------------------------------------------------------


class Frames:
    """When the compositor produced each frame, and for which screen."""

    def __init__(self, app: App[Any]) -> None:
        self.stamps: list[tuple[float, Screen[Any]]] = []
        display = app._display

        def recorded(screen: Screen[Any], renderable: Any) -> None:
            # A screen refresh that found nothing to repaint hands over no update: no frame.
            if renderable is not None:
                self.stamps.append((time.perf_counter(), screen))
            display(screen, renderable)

        app._display = recorded  # type: ignore[method-assign]

    def last_for(self, screen: Screen[Any]) -> float | None:
        return max((stamp for stamp, shown in self.stamps if shown is screen), default=None)


async def settled(pilot: Any) -> None:
    await pilot._wait_for_screen()
    await pilot.pause()
    keys_done = getattr(pilot.app, "keys_done", None)
    if keys_done is not None:
        await keys_done()
    await pilot._wait_for_screen()


Sample = tuple[float, float]
"""(milliseconds from the cause to the last frame, CPU milliseconds spent meanwhile)."""


async def key_to_dialog(pilot: Any, frames: Frames, key: str, close: str = "escape") -> Sample:
    """From posting ``key`` to the last frame of the dialog it opens."""
    app = pilot.app
    await settled(pilot)
    frames.stamps.clear()
    start, cpu = time.perf_counter(), time.process_time()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    while not isinstance(app.screen, ModalScreen):
        await asyncio.sleep(0.0005)
    dialog = app.screen
    await settled(pilot)
    painted = frames.last_for(dialog)
    assert painted is not None, f"{key}: the dialog was never painted"
    spent = time.process_time() - cpu
    await pilot.press(close)
    await settled(pilot)
    return (painted - start) * 1000, spent * 1000


def asks_for_paint(screen: Screen[Any]) -> bool:
    """Whether a widget of ``screen`` asked to be repainted or laid out (Textual sets these
    flags at once, in ``refresh``; the frame comes later)."""
    return any(widget._repaint_required or widget._layout_required
               for widget in screen.walk_children(with_self=True))


async def tick_to_frame(pilot: Any, frames: Frames, tick: Callable[[], None]) -> Sample:
    """From a tick to the last frame of the screen it changed."""
    app = pilot.app
    await settled(pilot)
    frames.stamps.clear()
    screen = app.screen
    start, cpu = time.perf_counter(), time.process_time()
    tick()
    # Let the app paint before the harness adds work of its own: settling posts a callback to
    # every widget (a hundred on the board, ten in the bare app), which a real tick does not
    # wait for.  Frames after the first are still counted: settling lets them be painted
    # (Pilot's pause runs a pending screen update at once, without waiting for the 60 Hz timer).
    if asks_for_paint(screen):
        while frames.last_for(screen) is None and time.perf_counter() - start < FIRST_FRAME_WAIT:
            await asyncio.sleep(0.0005)
    await settled(pilot)
    painted = frames.last_for(screen)
    return ((painted or start) - start) * 1000, (time.process_time() - cpu) * 1000


def no_blinking() -> None:
    """A blinking cursor would add frames that no key caused."""
    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    TextArea._toggle_cursor_blink_visible = lambda self: None  # type: ignore[attr-defined]


async def measure_bare(runs: int, minutes: int) -> dict[str, list[Sample]]:
    app = BareApp()
    results: dict[str, list[Sample]] = {"key": [], "tick": []}
    async with app.run_test(size=SIZE) as pilot:
        frames = Frames(app)
        for _ in range(2):  # warm-up: first compositions fill caches
            await key_to_dialog(pilot, frames, "u")
        for index in range(max(runs, minutes)):
            if index < runs:
                results["key"].append(await key_to_dialog(pilot, frames, "u"))
            if index < minutes:
                results["tick"].append(await tick_to_frame(pilot, frames, app.tick))
    return results


async def measure_drill(runs: int, minutes: int) -> dict[str, list[Sample]]:
    from tests.tui.conftest import make_app
    from tests.tui.helpers import black_friday_underway

    app = make_app(extra=[])
    results: dict[str, list[Sample]] = ({key: [] for key in DRILL_KEYS}
                                        | {"tick": [], "small_tick": []})
    async with app.run_test(size=SIZE) as pilot:
        board = await black_friday_underway(pilot)
        frames = Frames(app)
        for key in DRILL_KEYS:  # warm-up
            await key_to_dialog(pilot, frames, key)

        def minute() -> None:
            board.advance_to(math.floor(board.clock.time) + 1)

        def within() -> None:
            board.advance_to(board.clock.time + 1 / 32)

        for index in range(max(runs, minutes)):
            if index < runs:
                for key in DRILL_KEYS:
                    results[key].append(await key_to_dialog(pilot, frames, key))
            if index < minutes:
                results["tick"].append(await tick_to_frame(pilot, frames, minute))
                within()  # off the minute: the next tick stays inside it
                await settled(pilot)
                results["small_tick"].append(await tick_to_frame(pilot, frames, within))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="samples per key (default 9)")
    parser.add_argument("--minutes", type=int, default=MINUTES,
                        help=f"scenario minutes ticked, one sample each (default {MINUTES})")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = parser.parse_args(argv)
    no_blinking()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # the run's saves go in a throwaway folder
        bare = asyncio.run(measure_bare(args.runs, args.minutes))
        drill = asyncio.run(measure_drill(args.runs, args.minutes))
    figures = {"key": bare["key"], "tick": bare["tick"]}

    def median(samples: list[Sample], which: int) -> float:
        return statistics.median(sample[which] for sample in samples)

    medians = {
        **{f"bare_{name}_{unit}": median(samples, which) for name, samples in figures.items()
           for which, unit in ((0, "ms"), (1, "cpu_ms"))},
        **{f"drill_{name}_{unit}": median(samples, which) for name, samples in drill.items()
           for which, unit in ((0, "ms"), (1, "cpu_ms"))},
    }
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in medians.items()}, indent=2))
        return 0
    print(f"medians of {args.runs} samples per key and {args.minutes} minute ticks at "
          f"{SIZE[0]}x{SIZE[1]}, headless; 'to frame' is from "
          "the key (or tick) to the last frame painted, 'cpu' the processor time spent meanwhile")
    print(f"{'':30}{'drill':>8}{'bare':>8}{'ratio':>7}{'cpu':>8}{'bare':>7}{'ratio':>7}"
          f"{'target':>9}")
    rows = [(f"key {key} to dialog painted", f"drill_{key}", "bare_key", "<= 100")
            for key in DRILL_KEYS] + [
        ("tick: a minute passes", "drill_tick", "bare_tick", "<= 16"),
        ("tick: within a minute", "drill_small_tick", "bare_tick", "<= 16")]
    for label, ours, theirs, target in rows:
        mine, base = medians[f"{ours}_ms"], medians[f"{theirs}_ms"]
        cpu, base_cpu = medians[f"{ours}_cpu_ms"], medians[f"{theirs}_cpu_ms"]
        # A tick that changed nothing shown paints no frame at all: say so, not "0.0 ms".
        shown = f"{mine:8.1f}{base:8.1f}{mine / base:7.2f}" if mine else \
            f"{'no frame':>8}{base:8.1f}{'-':>7}"
        print(f"{label:30}{shown}{cpu:8.1f}{base_cpu:7.1f}{cpu / base_cpu:7.2f}{target:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
