"""Which screen shows next: every push, switch and pop of the game's screens happens here.

Screens post :mod:`~drill.tui.messages` saying what happened; this half of the app answers each
one.  The flow:

    picker ──ScenarioChosen──▶ set-up dialog ──RunOptions──▶ briefing ──RunStarted──▶ board
    picker ──SaveChosen──▶ board (paused), or end screen for a finished run
    board ──RunEnded──▶ end ──CompareRequested──▶ compare (Esc returns to the end screen)
    briefing, end ──BackToPicker──▶ picker (read again: new saves, best runs)
    board ──DialogRequested──▶ the dialog, whose answer goes back to the board

Slow work (loading a scenario, replaying a save, scoring) runs in thread workers, so the screen
keeps painting; a screen's ``__init__`` and ``compose`` never read or write files.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.screen import ModalScreen
from textual.worker import get_current_worker

from .messages import (
    BackToPicker,
    CompareRequested,
    DialogRequested,
    RunEnded,
    RunStarted,
    SaveChosen,
    ScenarioChosen,
)
from .safe import notify_plain

if TYPE_CHECKING:
    from ..session import GameSession, ScenarioSource
    from .app import Settings
    from .dialogs.setup import RunOptions


class Navigation(App[None]):
    """The app's screen flow, driven by the messages screens post."""

    settings: Settings
    playing: GameSession | None = None
    """The unfinished run on the board, if any: quitting asks first and saves it."""

    def show_first_screen(self) -> None:
        """The picker; then the run's set-up or board if ``drill play`` or ``resume`` asked."""
        from .screens.picker import PickerScreen

        self.push_screen(PickerScreen())
        if self.settings.resume is not None:
            self.post_message(SaveChosen(self.settings.resume))
        elif self.settings.play is not None:
            self.post_message(ScenarioChosen(self.settings.play))

    # -- from the picker to the board -------------------------------------------------------

    def on_scenario_chosen(self, message: ScenarioChosen) -> None:
        self._open_scenario(message.reference)

    @work(thread=True, exclusive=True, group="navigation")
    def _open_scenario(self, reference: str) -> None:
        """Load and check the scenario off the UI thread, then show its set-up."""
        from ..loading import LoadError
        from ..session import ScenarioSource

        try:
            source = ScenarioSource.open(reference)
        except (LoadError, LookupError, OSError, ValueError) as error:
            self.call_from_thread(notify_plain, self, str(error),
                                  title="This scenario cannot be played", severity="error",
                                  timeout=15)
            return
        if not get_current_worker().is_cancelled:  # the player chose something else meanwhile
            self.call_from_thread(self._set_up, source, None)

    def _set_up(self, source: ScenarioSource, earlier: RunOptions | None) -> None:
        from .dialogs.setup import SetupDialog

        dialog = SetupDialog(source, seed=self.settings.seed, pace=self.settings.pace,
                             earlier=earlier)
        self.push_screen(dialog, partial(self._start_run, source))

    def _start_run(self, source: ScenarioSource, options: RunOptions | None) -> None:
        """Create the run and its first save, then show the briefing."""
        from ..session import GameSession
        from .screens.briefing import BriefingScreen

        if options is None:
            return
        try:
            session = GameSession.start(
                source, seed=options.seed, pace=options.pace, saves_dir=self.settings.saves_dir,
                players=list(options.players), hints=options.hints,
                started=self.settings.wall_clock() if self.settings.wall_clock else None)
        except OSError as error:
            notify_plain(self, f"Cannot write the save: {error}", severity="error")
            self._set_up(source, options)  # the set-up again, as the player left it
            return
        self.push_screen(BriefingScreen(session))

    async def on_run_started(self, message: RunStarted) -> None:
        from .screens.board import BoardScreen

        if self.playing is message.session:
            return  # Enter pressed twice on the briefing: the board is already there
        self.playing = message.session
        await self.switch_screen(BoardScreen(message.session))

    def on_save_chosen(self, message: SaveChosen) -> None:
        self._resume(message.path)

    @work(thread=True, exclusive=True, group="navigation")
    def _resume(self, path: Path) -> None:
        """Replay the save off the UI thread, then show the board or, if it ended, the end."""
        from ..saves import SaveError
        from ..session import GameSession

        try:
            session = GameSession.resume(path)
        except SaveError as error:
            self.call_from_thread(notify_plain, self, str(error),
                                  title="Cannot continue this run", severity="error", timeout=15)
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_resumed, session)

    def _show_resumed(self, session: GameSession) -> None:
        from .screens.board import BoardScreen
        from .screens.end import EndScreen

        if session.run.finished_run:
            self.push_screen(EndScreen(session))
        else:
            self.playing = session
            self.push_screen(BoardScreen(session, paused=True))

    # -- the end of a run ---------------------------------------------------------------------

    async def on_run_ended(self, message: RunEnded) -> None:
        self.playing = None
        while isinstance(self.screen, ModalScreen):  # a dialog left open when time ran out
            await self.pop_screen()
        if message.session.card is None:
            self._score(message.session)
        else:
            await self._show_end(message.session)

    @work(thread=True, group="scoring")
    def _score(self, session: GameSession) -> None:
        """Score the run and write its postmortem off the UI thread."""
        session.finish()
        self.call_from_thread(self._show_end, session)

    async def _show_end(self, session: GameSession) -> None:
        from .screens.end import EndScreen

        await self.switch_screen(EndScreen(session))

    def on_compare_requested(self, message: CompareRequested) -> None:
        from .screens.compare import CompareScreen

        self.push_screen(CompareScreen(message.session))

    async def on_back_to_picker(self, message: BackToPicker) -> None:
        from .screens.picker import PickerScreen

        self.playing = None
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        # A fresh picker reads the folders again: the run just played is listed.
        await self.switch_screen(PickerScreen())

    # -- dialogs and quitting -----------------------------------------------------------------

    def on_dialog_requested(self, message: DialogRequested[Any]) -> None:
        self.push_screen(message.dialog, message.answered)

    def action_show_keys(self) -> None:
        """Every key of the current screen, with what it does (``?``)."""
        from .dialogs.keys import KeysDialog
        from .widgets.keybar import screen_keys

        screen = self.screen
        if isinstance(screen, KeysDialog):
            return
        name = screen.title if isinstance(screen.title, str) and screen.title else self.title
        self.push_screen(KeysDialog(f"Keys: {name}", screen_keys(screen)))

    async def action_quit(self) -> None:
        """Quit (ctrl+q, the palette, q in the picker); during a run, ask first."""
        self.action_request_quit()

    def action_request_quit(self) -> None:
        """Quit; during a run, ask first (the run is saved either way)."""
        from .dialogs.confirm import ConfirmDialog

        playing = self.playing
        if playing is None or playing.run.finished_run:
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            return

        def decided(quit_now: bool | None) -> None:
            if quit_now:
                playing.save()
                self.exit()

        from .dialogs.base import StepDialog

        detail = "The run is saved; drill resume or Continue in the picker takes you back."
        if isinstance(self.screen, StepDialog):
            detail += " What the open dialog holds is not sent."
        self.push_screen(ConfirmDialog("Quit the drill?", detail, confirm="Quit"), decided)
