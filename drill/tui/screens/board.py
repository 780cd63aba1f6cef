"""The incident board: clock, status, signals, feed, people, promises, actions and work."""

from __future__ import annotations

import math
import time
from typing import Any, Callable, Iterable, TypeVar
from weakref import WeakSet

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Header, OptionList

from ...engine.playscript import (
    FACILITATOR,
    Answer as AnswerStep,
    DeclareResolved,
    FacilitatorAct,
    PlayerAction,
    StartAction,
)
from ...engine.record import LogKind
from ...engine.rules import owed
from ...engine.simulation import ActionRejected, LogEntry
from ...session import GameSession
from ..clock import GameClock
from ..collector import freeze_long_lived, thaw
from ..dialogs.answer import AnswerDialog
from ..dialogs.confirm import ConfirmDialog
from ..dialogs.estimate import EstimateDialog
from ..dialogs.facilitator import FacilitatorDialog
from ..dialogs.kept import KeptDialogs
from ..dialogs.page import PageDialog
from ..dialogs.takeover import TakeOverDialog
from ..dialogs.update import UpdateDialog
from ..messages import DialogRequested, RunEnded
from ..safe import notify_plain, one_line
from ..widgets.actions import ActionList
from ..widgets.clock_bar import ClockBar
from ..widgets.feed import Feed
from ..widgets.keybar import KeyBar
from ..widgets.panels import PeoplePanel, PromisesPanel, WorkPanel
from ..widgets.signals import SignalsPanel

Answer = TypeVar("Answer")
SAVE_EVERY = 5.0
"""Scenario units between saves of the clock position (actions are saved at once)."""
SAVE_RETRY_SECONDS = 2.0
"""Real seconds between attempts to write a save that failed (a full disk may have room again)."""


class BoardScreen(Screen[None]):
    """Play the incident.

    The clock stops while anything covers the board in solo play (a dialog, the keys, the
    command palette): the player is answering the game, not playing.  In team play it keeps
    running under the dialogs of a move (update, page, estimate, take over, a confirmation),
    since the others keep working while one of them types; the facilitator's panel, the keys,
    the palette and the quit question stop it there too (docs/facilitator.md).  A stopped or
    paused board does no work: its timer is paused.
    """

    # In the order the key line shows them: what it cannot fit is in the ? list.
    BINDINGS = [
        Binding("u", "update", "Update", id="update", tooltip="Post an update to an audience"),
        Binding("p", "page", "Page", id="page", tooltip="Page someone for help"),
        Binding("e", "estimate", "Estimate", id="estimate", tooltip="Give an estimate"),
        Binding("y", "answer", "Answer", id="answer",
                tooltip="Answer a yes/no question someone asked"),
        Binding("a", "focus_actions", "Act", id="act", show=False,
                tooltip="Choose an action to start (Enter starts it)"),
        Binding("r", "resolve", "Resolve", id="resolve", tooltip="Declare the incident resolved"),
        Binding("space", "toggle_pause", "Pause", id="pause", tooltip="Pause or resume the clock"),
        Binding("n", "next_player", "Next player", id="next-player",
                tooltip="Pass the keyboard to the next player"),
        Binding("plus,equals_sign", "faster", "Faster", id="faster", key_display="+",
                tooltip="Fewer real seconds per scenario unit"),
        Binding("minus", "slower", "Slower", id="slower", key_display="-",
                tooltip="More real seconds per scenario unit"),
        Binding("f", "facilitate", "Facilitator", id="facilitator",
                tooltip="Pause, pace, injects, hints, end the run"),
        Binding("t", "take_over", "Take over", id="take-over",
                tooltip="Play one of the scenario's teammates"),
        Binding("h", "toggle_hints", "Hints", id="hints", tooltip="Show a hint under each action"),
    ]

    def __init__(self, session: GameSession, paused: bool = False) -> None:
        super().__init__()
        self.session = session
        # A served seat shows the host's clock (its session moves it); one terminal runs its own.
        self.shared = session.shared_clock
        self.clock: GameClock = (session.clock if self.shared  # type: ignore[attr-defined]
                                 else GameClock(time=session.run.now, pace=session.record.pace,
                                                paused=paused))
        self.hints = session.record.hints
        self._last_real = 0.0
        self._saved_clock = session.run.now
        self._save_tried = 0.0
        self._monotonic: Callable[[], float] = time.monotonic
        self._ended = False
        self._timer: Timer | None = None
        self._covered = False
        """Something covers the board that the clock waits for (see the class docstring)."""
        self._moves: WeakSet[ModalScreen[Any]] = WeakSet()
        """Dialogs of a move: in team play the clock runs under them."""
        self.players = [session.seat] if self.shared else session.record.players
        self.active_player = 0
        self._kept = KeptDialogs(self)
        """The dialogs opened often, built once (see drill.tui.dialogs.kept)."""

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        run = self.session.run
        yield Header()
        yield ClockBar(id="clockbar")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Feed(id="feed")
                yield WorkPanel(id="work")
                yield ActionList(id="actions")
            with VerticalScroll(id="right"):
                # Most urgent first: what moves, what is owed, who can help.
                yield SignalsPanel(run, id="signals")
                yield PromisesPanel(id="promises")
                yield PeoplePanel(id="people")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = one_line(self.session.scenario.meta.title)
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
        if settings.tick is not None and not self.shared:
            # The timer belongs to this screen, so it stops when the screen goes (ECOSYSTEM §2).
            self._timer = self.set_interval(settings.tick, self.tick)
        self.refresh_board()
        self._sync_timer()
        self.query_one("#actions", ActionList).focus()
        self.call_after_refresh(freeze_long_lived)

    def on_unmount(self) -> None:
        self._kept.discard()
        thaw()

    # -- the clock -------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance scenario time by the real time since the last tick, scaled by the pace."""
        now = self._monotonic()
        elapsed, self._last_real = now - self._last_real, now
        if self.app.screen is not self:
            # In team play the clock runs under a move's dialog, but not under the keys or the
            # quit question opened over that dialog: look at what is on top at every tick.
            self._covered = self._stops_the_clock(self.app.screen)
        if self._ended or self._covered:
            return
        if self.clock.paused:
            if self.save_error is not None:  # a failed save is retried while paused
                self.advance_to(self.clock.time)
            return
        self.advance_to(self.clock.advance(elapsed))

    def _sync_timer(self) -> None:
        """Run the timer only while there is something to do: a moving clock or a save to
        retry.  Restarting it starts counting real time afresh."""
        if self._timer is None:
            return
        idle = self._ended or self._covered or (self.clock.paused and self.save_error is None)
        if idle:
            self._timer.pause()
        else:
            self._timer.resume()

    def _stops_the_clock(self, covering: Screen[Any]) -> bool:
        """Whether the clock waits while ``covering`` is over the board (class docstring)."""
        return not (len(self.players) > 1 and covering in self._moves)

    def on_screen_suspend(self) -> None:
        self._covered = self._stops_the_clock(self.app.screen)
        self._sync_timer()

    def on_screen_resume(self) -> None:
        if self._covered:
            self._covered = False
            self._last_real = self._monotonic()  # the time under the dialog does not count
        self._sync_timer()
        self.refresh_board()

    def advance_to(self, scenario_time: float) -> None:
        """Play the run forward to ``scenario_time`` and show what happened."""
        self.clock.time = max(self.clock.time, scenario_time)
        entries = self.session.advance_to(scenario_time)
        due = self.session.run.now - self._saved_clock >= SAVE_EVERY
        retry = (self.save_error is not None
                 and self._monotonic() - self._save_tried >= SAVE_RETRY_SECONDS)
        if not self.session.run.finished_run and (due or retry):
            self.save_now()
        self.show(entries)

    def save_now(self) -> None:
        """Save the run and where its clock is (a failure shows on the clock line)."""
        self._save_tried = self._monotonic()
        self.session.save()
        self._saved_clock = self.session.run.now
        self._sync_timer()

    @property
    def save_error(self) -> str | None:
        """Why the last save failed, while it stays failed (the session retries)."""
        return getattr(self.session, "save_error", None)

    def show(self, entries: list[LogEntry]) -> None:
        """Add new entries to the feed and redraw the panels; at the end, say the run ended."""
        if entries:
            self.query_one("#feed", Feed).add(self.session.run, entries)
        self.refresh_board()
        if self.session.run.finished_run and not self._ended:
            self._ended = True
            self._sync_timer()
            self.post_message(RunEnded(self.session))

    def refresh_board(self) -> None:
        run = self.session.run
        self.query_one("#clockbar", ClockBar).show(run, self.clock, self.save_error,
                                                   self.player if len(self.players) > 1 else "")
        self.query_one("#signals", SignalsPanel).sample()
        self.query_one("#people", PeoplePanel).show(run)
        self.query_one("#promises", PromisesPanel).show(run)
        self.query_one("#work", WorkPanel).show(run)
        self.query_one("#actions", ActionList).show(run, self.hints)

    # -- player actions ----------------------------------------------------------------------

    def ask(self, dialog: ModalScreen[Answer], answered: Callable[[Answer | None], Any], *,
            move: bool = True) -> None:
        """Have the app show ``dialog``; its answer (None when cancelled) goes to ``answered``.

        The clock waits while it is open, but for a team's ``move`` (see the class docstring).
        """
        if move:
            self._moves.add(dialog)
        else:  # a kept dialog may have been a move's the last time it was shown
            self._moves.discard(dialog)
        self.post_message(DialogRequested(dialog, answered))

    def act(self, step: PlayerAction | None) -> None:
        """Send a player's step to the run at the current scenario time, and save it.

        The step comes from a dialog or a key; here it only gets its time and who took it.
        """
        if step is None or self._ended:
            return
        run = self.session.run
        # Two decimals keep saves readable; rounding up never sends an action into the past.
        at = math.ceil(max(run.now, self.clock.time) * 100) / 100
        by = FACILITATOR if isinstance(step, FacilitatorAct) else self.player
        try:
            entries = self.session.act(step.model_copy(update={"at": at, "by": by}))
        except ActionRejected as refused:
            notify_plain(self, str(refused), title="Not now", severity="warning")
            return
        self.show(entries)

    def action_update(self) -> None:
        """Post an update (dialog)."""
        self.ask(self._kept.get(UpdateDialog, self.session.run.record()), self.act)

    def action_page(self) -> None:
        """Page someone (dialog)."""
        if not self.session.scenario.people:
            self.notify("There is nobody to page in this scenario.")
            return
        self.ask(self._kept.get(PageDialog, self.session.run), self.act)

    def action_estimate(self) -> None:
        """Give an estimate (dialog)."""
        scenario = self.session.scenario
        if not scenario.milestones:
            self.notify("This scenario has no milestone to estimate.")
            return
        waiting = [r for r in scenario.requests
                   if r.kind == "estimate" and r.id in self.session.run.record().requests_at]
        request = waiting[-1] if waiting else None
        self.ask(self._kept.get(EstimateDialog, scenario,
                                request.audience if request else "management",
                                request.milestone if request else ""),
                 self.act)

    def action_answer(self) -> None:
        """Answer the oldest yes/no question still open (dialog)."""
        run = self.session.run
        record = run.record()
        questions = [item for item in owed(record, run.now)
                     if item.request is not None and item.request.kind == "question"]
        if not questions:
            self.notify("Nobody is waiting for a yes/no answer.")
            return
        question = questions[0].request
        assert question is not None
        # The question as it arrived in the feed (its names and values filled for this run).
        asked = next((entry.text for entry in reversed(record.log)
                      if entry.kind == LogKind.REQUEST and entry.ref == question.id),
                     question.text)
        asker = run.person_name(question.sender)
        self.ask(AnswerDialog(asker, asked, len(questions)),
                 lambda yes: self.act(None if yes is None else
                                      AnswerStep(do="answer", request=question.id, yes=yes, at=0)))

    def action_focus_actions(self) -> None:
        self.query_one("#actions", ActionList).focus()

    @on(OptionList.OptionSelected, "#actions")
    def start_action(self, event: OptionList.OptionSelected) -> None:
        """Start the chosen action, asking first when it is risky."""
        action = next((a for a in self.session.scenario.actions if a.id == event.option.id), None)
        if action is None:
            return
        step = StartAction(do="start", action=action.id, at=0)
        if action.confirm:
            self.ask(self._kept.get(ConfirmDialog, f"{action.label}?", action.confirm, "Do it"),
                     lambda yes: self.act(step if yes else None))
        else:
            self.act(step)

    def action_resolve(self) -> None:
        """Declare the incident resolved, after a confirmation."""
        self.ask(self._kept.get(ConfirmDialog, "Declare the incident resolved?",
                                "If it is not really over, the run goes on and everyone noticed.",
                                "Declare resolved"),
                 lambda yes: self.act(DeclareResolved(do="resolve", at=0) if yes else None))

    def action_toggle_pause(self) -> None:
        """Pause or resume the clock (the run is saved on pause)."""
        self.clock.paused = not self.clock.paused
        if self.clock.paused:
            self.save_now()
        else:
            self._last_real = self._monotonic()
        self._sync_timer()
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
        # Player names come from the save file: one clean line, like every title.
        self.sub_title = one_line(f"playing: {self.player}") if self.players else "solo"
        if self.is_mounted:
            self.refresh_board()

    SHARED_CLOCK_ONLY = ("toggle_pause", "faster", "slower", "facilitate", "next_player")
    """What a served seat cannot do: the clock and the facilitator's acts are the facilitator's
    (their console), and each seat is one player."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.shared and action in self.SHARED_CLOCK_ONLY:
            return False
        # Team-play keys only exist when there is a team.
        if action in ("next_player", "take_over"):
            return len(self.session.record.players) > 1
        # Only scenarios that ask yes/no questions offer the key to answer them.
        if action == "answer":
            return any(r.kind == "question" for r in self.session.scenario.requests)
        return True

    def action_next_player(self) -> None:
        """Pass the keyboard to the next player; their actions are attributed to them."""
        self.active_player = (self.active_player + 1) % len(self.players)
        self.show_player()
        notify_plain(self, f"{self.player} is playing.")

    def action_take_over(self) -> None:
        """The active player plays one of the scenario's teammates."""
        self.ask(TakeOverDialog(self.session.run, self.player), self.act)

    def action_facilitate(self) -> None:
        """The facilitator's panel (the clock waits while it is open, in team play too)."""

        def decided(act: FacilitatorAct | None) -> None:
            if act is None:
                return
            if act.act == "end":
                self.ask(self._kept.get(ConfirmDialog, "End the run now?",
                                        "The run is scored as it stands, as unfinished.",
                                        "End the run"),
                         lambda yes: self.facilitate(act) if yes else None, move=False)
                return
            self.facilitate(act)

        self.ask(self._kept.get(FacilitatorDialog, self.session.run, self.clock.paused,
                                self.clock.pace),
                 decided, move=False)

    def facilitate(self, act: FacilitatorAct) -> None:
        """Apply a facilitator act to the clock, and record it in the run."""
        if act.act in ("pause", "resume"):
            self.clock.paused = act.act == "pause"
            self._last_real = self._monotonic()
        elif act.act == "pace" and act.pace is not None:
            self.clock.pace = self.session.record.pace = act.pace
        self.act(act)
        self._sync_timer()
        self.refresh_board()

    def action_toggle_hints(self) -> None:
        self.hints = not self.hints
        self.notify("Hints on" if self.hints else "Hints off")
        self.refresh_board()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every board action this board allows, in the command palette."""
        for command in self._palette_commands():
            name = command.callback.__name__.removeprefix("action_")  # type: ignore[union-attr]
            if self.check_action(name, ()):
                yield command

    def _palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Post an update", "Tell an audience what is happening (u)", self.action_update)
        yield SystemCommand("Page someone", "Ask a teammate for help (p)", self.action_page)
        yield SystemCommand("Give an estimate", "A point or a range for a milestone (e)", self.action_estimate)
        yield SystemCommand("Answer a question", "Yes or no to someone who asked (y)", self.action_answer)
        yield SystemCommand("Choose an action", "Investigate, mitigate, fix (a)", self.action_focus_actions)
        yield SystemCommand("Declare resolved", "End the incident (r)", self.action_resolve)
        yield SystemCommand("Pause or resume the clock", "space", self.action_toggle_pause)
        yield SystemCommand("Faster", "Fewer real seconds per scenario unit (+)", self.action_faster)
        yield SystemCommand("Slower", "More real seconds per scenario unit (-)", self.action_slower)
        yield SystemCommand("Toggle hints", "Show hints under actions (h)", self.action_toggle_hints)
        yield SystemCommand("Facilitator panel", "Injects, hints, pace, end the run (f)",
                            self.action_facilitate)
        yield SystemCommand("Keys", "Every key of the board (?)", self.app.action_show_keys)  # type: ignore[attr-defined]
        yield SystemCommand("Next player", "Pass the keyboard on (n)", self.action_next_player)
        yield SystemCommand("Take over a teammate", "Play one of the scenario's people (t)",
                            self.action_take_over)
