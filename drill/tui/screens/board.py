"""The incident board: clock, status, signals, feed, people, promises, actions and work."""

from __future__ import annotations

import math
import time
from typing import Any, Iterable

from pydantic import TypeAdapter, ValidationError
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList

from ...engine.playscript import PlayerAction
from ...engine.simulation import ActionRejected, LogEntry
from ...session import GameSession
from ..clock import GameClock
from ..widgets.actions import ActionList
from ..widgets.clock_bar import ClockBar
from ..widgets.feed import Feed
from ..widgets.panels import PeoplePanel, PromisesPanel, WorkPanel
from ..widgets.signals import SignalsPanel

_STEP = TypeAdapter(PlayerAction)
SAVE_EVERY = 5.0
"""Scenario units between saves of the clock position (actions are saved at once)."""


class BoardScreen(Screen[None]):
    """Play the incident."""

    BINDINGS = [
        Binding("u", "update", "Update", id="update", tooltip="Post an update to an audience"),
        Binding("p", "page", "Page", id="page", tooltip="Page someone for help"),
        Binding("e", "estimate", "Estimate", id="estimate", tooltip="Give an estimate"),
        Binding("a", "focus_actions", "Act", id="act", tooltip="Choose an action to start"),
        Binding("r", "resolve", "Resolve", id="resolve", tooltip="Declare the incident resolved"),
        Binding("space", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="faster", key_display="+"),
        Binding("minus", "slower", "Slower", id="slower", key_display="-"),
        Binding("h", "toggle_hints", "Hints", id="hints", show=False),
        Binding("n", "next_player", "Next player", id="next-player"),
        Binding("t", "take_over", "Take over", id="take-over", show=False),
        Binding("f", "facilitate", "Facilitator", id="facilitator"),
    ]

    def __init__(self, session: GameSession, paused: bool = False) -> None:
        super().__init__()
        self.session = session
        self.clock = GameClock(time=session.run.now, pace=session.record.pace, paused=paused)
        self.hints = session.record.hints
        self._last_real = 0.0
        self._saved_clock = session.run.now
        self._ended = False
        self.players = session.record.players
        self.active_player = 0

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        run = self.session.run
        yield Header()
        yield ClockBar(id="clockbar")
        with Vertical(id="left"):
            yield Feed(id="feed")
            yield ActionList(id="actions")
        with Vertical(id="right"):
            # Most urgent first: a small terminal may not show the bottom of this column.
            yield SignalsPanel(run, id="signals")
            yield PromisesPanel(id="promises")
            yield WorkPanel(id="work")
            yield PeoplePanel(id="people")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.scenario.meta.title
        self.show_player()
        self.query_one("#feed", Feed).border_title = "Feed"
        self.query_one("#actions", ActionList).border_title = "Actions (a, Enter)"
        self.query_one("#signals").border_title = "Signals"
        self.query_one("#people").border_title = "People (p)"
        self.query_one("#promises").border_title = "Owed (u, e)"
        self.query_one("#work").border_title = "In progress"
        self.query_one("#feed", Feed).add(self.session.run, list(self.session.run.record().log))
        self.query_one("#signals").display = bool(self.session.scenario.signals)
        settings = self.app.settings  # type: ignore[attr-defined]
        self._monotonic = settings.monotonic or time.monotonic
        self._last_real = self._monotonic()
        if settings.tick is not None:
            # The timer belongs to this screen, so it stops when the screen goes (ECOSYSTEM §2).
            self.set_interval(settings.tick, self.tick)
        self.refresh_board()
        self.query_one("#actions", ActionList).focus()

    # -- the clock -------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance scenario time by the real time since the last tick, scaled by the pace."""
        now = self._monotonic()
        elapsed, self._last_real = now - self._last_real, now
        if self._ended:
            return
        # Dialogs do not stop the clock: an incident does not wait while you type.
        self.advance_to(self.clock.advance(elapsed))

    def advance_to(self, scenario_time: float) -> None:
        """Play the run forward to ``scenario_time`` and show what happened."""
        self.clock.time = max(self.clock.time, scenario_time)
        entries = self.session.advance_to(scenario_time)
        self.show(entries)
        if not self.session.run.finished_run and self.session.run.now - self._saved_clock >= SAVE_EVERY:
            self.save_now()

    def save_now(self) -> None:
        """Save the run and where its clock is."""
        self.session.save()
        self._saved_clock = self.session.run.now

    def show(self, entries: list[LogEntry]) -> None:
        """Add new entries to the feed and redraw the panels; open the end screen at the end."""
        if entries:
            self.query_one("#feed", Feed).add(self.session.run, entries)
        self.refresh_board()
        if self.session.run.finished_run and not self._ended:
            self._ended = True
            self.call_after_refresh(self.open_end)

    def refresh_board(self) -> None:
        run = self.session.run
        self.query_one("#clockbar", ClockBar).show(run, self.clock)
        self.query_one("#signals", SignalsPanel).sample()
        self.query_one("#people", PeoplePanel).show(run)
        self.query_one("#promises", PromisesPanel).show(run)
        self.query_one("#work", WorkPanel).show(run)
        self.query_one("#actions", ActionList).show(run, self.hints)

    def open_end(self) -> None:
        from .end import EndScreen

        self.app.switch_screen(EndScreen(self.session))

    # -- player actions ----------------------------------------------------------------------

    def act(self, fields: dict[str, Any] | None) -> None:
        """Send one player action to the run at the current scenario time, and save it."""
        if not fields or self._ended:
            return
        run = self.session.run
        # Two decimals keep saves readable; rounding up never sends an action into the past.
        at = math.ceil(max(run.now, self.clock.time) * 100) / 100
        by = fields.pop("by", self.player)
        try:
            step = _STEP.validate_python({**fields, "at": at, "by": by})
        except ValidationError as error:
            self.notify(str(error.errors()[0]["msg"]), severity="error", markup=False)
            return
        try:
            entries = self.session.act(step)
        except ActionRejected as refused:
            self.notify(str(refused), title="Not now", severity="warning", markup=False)
            return
        self.show(entries)

    def action_update(self) -> None:
        """Post an update (dialog)."""
        from .update import UpdateDialog

        self.app.push_screen(
            UpdateDialog(self.session.run.status()[1], self.session.scenario.clock.unit), self.act)

    def action_page(self) -> None:
        """Page someone (dialog)."""
        from .page import PageDialog

        if not self.session.scenario.people:
            self.notify("There is nobody to page in this scenario.")
            return
        self.app.push_screen(PageDialog(self.session.run), self.act)

    def action_estimate(self) -> None:
        """Give an estimate (dialog)."""
        from .estimate import EstimateDialog

        scenario = self.session.scenario
        if not scenario.milestones:
            self.notify("This scenario has no milestone to estimate.")
            return
        waiting = [r for r in scenario.requests
                   if r.kind == "estimate" and r.id in self.session.run.record().requests_at]
        request = waiting[-1] if waiting else None
        self.app.push_screen(
            EstimateDialog(scenario, request.audience if request else "management",
                           request.milestone if request else ""),
            self.act)

    def action_focus_actions(self) -> None:
        self.query_one("#actions", ActionList).focus()

    @on(OptionList.OptionSelected, "#actions")
    def start_action(self, event: OptionList.OptionSelected) -> None:
        """Start the chosen action, asking first when it is risky."""
        from .confirm import ConfirmDialog

        action = next((a for a in self.session.scenario.actions if a.id == event.option.id), None)
        if action is None:
            return
        fields = {"do": "start", "action": action.id}
        if action.confirm:
            self.app.push_screen(
                ConfirmDialog(f"{action.label}?", action.confirm, confirm="Do it"),
                lambda yes: self.act(fields if yes else None))
        else:
            self.act(fields)

    def action_resolve(self) -> None:
        """Declare the incident resolved, after a confirmation."""
        from .confirm import ConfirmDialog

        self.app.push_screen(
            ConfirmDialog("Declare the incident resolved?",
                          "If it is not really over, the run goes on and everyone noticed.",
                          confirm="Declare resolved"),
            lambda yes: self.act({"do": "resolve"} if yes else None))

    def action_toggle_pause(self) -> None:
        """Pause or resume the clock (the run is saved on pause)."""
        self.clock.paused = not self.clock.paused
        if self.clock.paused:
            self.save_now()
        self.refresh_board()

    def action_faster(self) -> None:
        self.clock.faster()
        self.session.record.pace = self.clock.pace
        self.refresh_board()

    def action_slower(self) -> None:
        self.clock.slower()
        self.session.record.pace = self.clock.pace
        self.refresh_board()

    @property
    def player(self) -> str:
        """Who acts now: the active player in team play, nobody in particular when solo."""
        return self.players[self.active_player] if self.players else ""

    def show_player(self) -> None:
        self.sub_title = f"playing: {self.player}" if self.players else "solo"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Team-play keys only exist when there is a team.
        if action in ("next_player", "take_over"):
            return len(self.players) > 1
        return True

    def action_next_player(self) -> None:
        """Pass the keyboard to the next player; their actions are attributed to them."""
        self.active_player = (self.active_player + 1) % len(self.players)
        self.show_player()
        self.notify(f"{self.player} is playing.", markup=False)

    def action_take_over(self) -> None:
        """The active player plays one of the scenario's teammates."""
        from .facilitator import TakeOverDialog

        self.app.push_screen(TakeOverDialog(self.session.run, self.player), self.act)

    def action_facilitate(self) -> None:
        """The facilitator's panel."""
        from .facilitator import FacilitatorDialog

        # The clock waits while the facilitator types; it picks up where it was afterwards.
        was_paused, self.clock.paused = self.clock.paused, True
        self.refresh_board()

        def decided(fields: dict[str, Any] | None) -> None:
            self.clock.paused = was_paused
            self._last_real = self._monotonic()
            self.facilitate(fields)
            self.refresh_board()

        self.app.push_screen(FacilitatorDialog(self.session.run, was_paused), decided)

    def facilitate(self, fields: dict[str, Any] | None) -> None:
        """Apply a facilitator act to the clock, and record it in the run."""
        if not fields:
            return
        act = fields["act"]
        if act in ("pause", "resume"):
            self.clock.paused = act == "pause"
        elif act in ("faster", "slower"):
            self.clock.faster() if act == "faster" else self.clock.slower()
            self.session.record.pace = self.clock.pace
            fields = {"act": "pace", "pace": self.clock.pace}
        self.act({"do": "facilitate", "by": "facilitator", **fields})

    def action_toggle_hints(self) -> None:
        self.hints = not self.hints
        self.notify("Hints on" if self.hints else "Hints off")
        self.refresh_board()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every board action, in the command palette."""
        yield SystemCommand("Post an update", "Tell an audience what is happening (u)", self.action_update)
        yield SystemCommand("Page someone", "Ask a teammate for help (p)", self.action_page)
        yield SystemCommand("Give an estimate", "A point or a range for a milestone (e)", self.action_estimate)
        yield SystemCommand("Choose an action", "Investigate, mitigate, fix (a)", self.action_focus_actions)
        yield SystemCommand("Declare resolved", "End the incident (r)", self.action_resolve)
        yield SystemCommand("Pause or resume the clock", "space", self.action_toggle_pause)
        yield SystemCommand("Faster", "Fewer real seconds per scenario unit (+)", self.action_faster)
        yield SystemCommand("Slower", "More real seconds per scenario unit (-)", self.action_slower)
        yield SystemCommand("Toggle hints", "Show hints under actions (h)", self.action_toggle_hints)
        yield SystemCommand("Facilitator panel", "Injects, hints, pace, end the run (f)",
                            self.action_facilitate)
        if len(self.players) > 1:
            yield SystemCommand("Next player", "Pass the keyboard on (n)", self.action_next_player)
            yield SystemCommand("Take over a teammate", "Play one of the scenario's people (t)",
                                self.action_take_over)
