"""No escape sequence from a file reaches the terminal: every byte the app writes is checked.

Textual writes a string's characters to the terminal as they are (``markup=False`` and
``Content`` stop markup, not escape sequences), so the only sound check is on the bytes
themselves.  Headless, Textual writes nothing; here a driver that claims a terminal records what
the app would have sent to it, while the test plays a scenario whose every text field (and its
title) carries the hostile corpus, a save whose players and names carry it, a scenario whose key
and id do (its problem reaches the picker and a toast) and a damaged save with a hostile name.

Textual 8.2.8 sends no window title (no OSC 0/2): the app's title and sub-title reach the
terminal only as the header's cells, which this output includes.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import tomli_w
from textual.driver import Driver
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import OptionList

from drill import loading
from drill.loading import LoadError, dotted, load_scenario
from drill.session import GameSession, ScenarioSource
from drill.tui.dialogs.confirm import ConfirmDialog
from drill.tui.screens.board import BoardScreen
from drill.tui.screens.end import EndScreen
from drill.tui.screens.picker import PickerScreen

from ..hostile import HOSTILE
from .conftest import FROZEN_START, make_app
from .helpers import highlight, pick, settle, step

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = "".join(text for _, text, _ in HOSTILE
                  if not any("\ud800" <= c <= "\udfff" for c in text))  # TOML holds no surrogate
"""Every hostile string of the corpus, appended to each text field that can hold it."""
SHORTER = ("\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x9b2J\u202e",  # for length-limited fields
           "\x1b]52;c;cm0=\x07")
MARKERS = ("owned", "cm0gLXJmIH4=", "cm0=", "evil.example", "q#0;2;0;0;0")
"""Payloads of the corpus's sequences: not one may be written, even with its escape gone."""
TEXTUAL_POINTER = re.compile(r"\x1b\]22;[a-z-]+\x07")
"""Textual's own OSC: the mouse pointer's shape (Kitty protocol) as the pointer moves."""


def recording_driver(output: list[str]) -> type[Driver]:
    """A headless driver that says it has a terminal, so the app writes, into ``output``."""

    class Recording(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            output.append(data)

    return Recording


def _leaves(node: Any, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*loc, index))
    elif isinstance(node, str):
        yield loc


def _put(data: Any, loc: tuple[str | int, ...], value: str) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def poisoned(base: Path, out: Path) -> tuple[Path, int]:
    """``base`` with the corpus appended to every string that still loads with it (shorter
    payloads where a length limit says so): all free text, the title included; ids, references
    and expressions refuse it and stay as they were.  Returns the file and how many fields hold
    a payload."""
    data = tomllib.loads(base.read_text(encoding="utf-8"))
    original: dict[tuple[str | int, ...], str] = {}
    for loc in _leaves(data):
        value: Any = data
        for part in loc:
            value = value[part]
        original[loc] = value
    payloads = (PAYLOAD, *SHORTER, "")
    tier = dict.fromkeys(original, 0)
    # Each round moves the refused fields it hears of down a tier, so it ends within one round
    # per field and tier.  A file reports at most MAX_PROBLEMS problems at a time: lifted here,
    # every refused field is heard of at once (7 rounds, not 45; the same file comes out).
    for _ in range(len(original) * len(payloads)):
        for loc, level in tier.items():
            _put(data, loc, original[loc] + payloads[level])
        out.write_text(tomli_w.dumps(data), encoding="utf-8")
        try:
            with mock.patch.object(loading, "MAX_PROBLEMS", 10_000):
                load_scenario(out)
        except LoadError as error:
            refused = [p.field for p in error.problems if p.field]
            assert refused, f"a problem with no field: {error}"
            for loc in tier:
                path = dotted(loc)
                if any(path == f or path.startswith((f + ".", f + "[")) for f in refused):
                    tier[loc] = min(tier[loc] + 1, len(payloads) - 1)
            continue
        return out, sum(level < len(payloads) - 1 for level in tier.values())
    raise AssertionError("the poisoned scenario never loaded")


def assert_nothing_hostile(output: str) -> None:
    own = TEXTUAL_POINTER.sub("", output)
    for sequence in ("\x1b]", "\x1bP", "\x1bX", "\x1b^", "\x1b_", "\x1b[2J", "\x1b[31;1m"):
        assert sequence not in own, f"{sequence!r} reached the terminal"
    for character in ("\x9b", "\x9d", "\x90", "\x9c", "\x07", "\x00", "\x08", "\x7f", "\u202e",
                      "\u2066", "\u200f", "\u061c", "\ufeff"):
        assert character not in own, f"{character!r} reached the terminal"
    for marker in MARKERS:
        assert not re.search(rf"\b{re.escape(marker)}", own), f"the payload {marker!r} was written"


async def test_no_escape_sequence_from_a_file_reaches_the_terminal(in_tmp):
    scenario, poisoned_fields = poisoned(REPO / "scenarios" / "black-friday.toml",
                                         in_tmp / "poisoned.toml")
    assert poisoned_fields > 150, "the corpus sits in every text field"
    title = tomllib.loads(scenario.read_text(encoding="utf-8"))["meta"]["title"]
    assert "\x1b]52;" in title, "the title carries an escape sequence"
    shown_title = "Black Friday message corruption"

    # A scenario whose id and one key hold escape sequences: its problems name them.
    broken = (REPO / "tests" / "fixtures" / "tiny.toml").read_text(encoding="utf-8")
    # A problem quotes a hostile key visibly (drill.engine.text.escaped: "\\e]52;c;…\\x07"), so
    # its payload is shown as inert text on purpose: it is not one of the MARKERS.
    broken = broken.replace('id = "tiny"', 'id = "tiny\\u001b]0;quoted-id\\u0007"', 1).replace(
        'title = "Tiny"', 'title = "Broken"\n"\\u001b]52;c;cXVvdGVkLWtleQ==\\u0007" = 1', 1)
    (in_tmp / "broken.toml").write_text(broken, encoding="utf-8")

    # An unfinished run whose players and names come from a tampered save.
    source = ScenarioSource.open(str(scenario))
    session = GameSession.start(source, seed=7, pace=1, saves_dir=Path("saves"),
                                players=["Ana (commander)", "Bo (comms)"], started=FROZEN_START)
    save = json.loads(session.save_path.read_text(encoding="utf-8"))
    save["players"] = ["Ana\x1b]0;owned\x07 (commander)", "Bo\x9d52;c;cm0=\x07 (comms)"]
    save["names"] = {key: f"{name}\x1b]52;c;cm0=\x07\u202e" for key, name in save["names"].items()}
    session.save_path.write_text(json.dumps(save), encoding="utf-8")
    # A damaged save whose file name is hostile: the picker names it.
    (Path("saves") / "x\x1b]0;owned\x07.json").write_text("{", encoding="utf-8")

    output: list[str] = []
    app = make_app(extra=[str(scenario), str(in_tmp / "broken.toml")])
    app.driver_class = recording_driver(output)
    async with app.run_test(size=(100, 30), headless=False, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert "damaged" in str(app.screen.query_one("#picker-problems").visual)
        await highlight(pilot, shown_title)
        await highlight(pilot, "Broken  (cannot be played)")
        await pilot.press("enter")  # refused, with its problem in a toast
        await pilot.pause()

        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = next(i for i, o in enumerate(choices.options)
                                   if (o.id or "").startswith("save-"))
        await pilot.press("enter")  # continue the tampered run
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.sub_title.startswith("playing: Ana")
        for minute in (5, 20, 45):  # alerts, tickets, teammates' lines, requests
            board.advance_to(minute)
            if minute == 5:  # what makes the risky action available
                board.act(step(do="start", action="read_crash_logs"))
            await pilot.pause()
        for key in ("u", "p", "e", "t", "f"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        actions = board.query_one("#actions", OptionList)
        risky = {action.id for action in source.scenario.actions if action.confirm}
        actions.highlighted = next(i for i, o in enumerate(actions.options) if o.id in risky)
        actions.focus()
        await pilot.press("enter")  # a risky action asks first, in the scenario's words
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        board.advance_to(source.scenario.clock.limit)
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pick(pilot, shown_title)  # a new run: set-up, briefing, board
        app.screen.query_one("#start").press()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        app.screen.advance_to(30)
        await pilot.pause()

    written = "".join(output)
    assert shown_title in written and "Ana" in written, "the recording holds the screens"
    assert_nothing_hostile(written)
