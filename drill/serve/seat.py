"""The game process of a served seat, or of the facilitator's console.

`drill serve` starts one per browser (or `drill join`) connection: ``python -m
drill.serve.seat``, with the host's socket and a one-time ticket in its environment.  It is
drill's own app (:class:`~drill.tui.app.DrillApp`: the same board, dialogs, end screen, keys and
look) with a different flow, since a served player has no picker and no save of their own:

    connecting ──Welcome──▶ lobby ──RunBegan──▶ board ──(run ends)──▶ end ──Esc──▶ lobby
    connecting ──Welcome (console)──▶ the facilitator's console

- The board drives a :class:`~drill.serve.remote_session.RemoteSession`: steps go to the host,
  the host's ``Applied`` and ``ClockMoved`` come back here and are shown as they arrive, so
  every seat of a team sees the same run at the same moment.  A refusal is a toast.
- Nothing here lists or opens a file of the server: the picker, "continue a run" and compare
  (which list a saves folder) are never shown; "back to the picker" leads to the lobby.
- If the host goes away (the server stopped), the screen says so; reloading the page later
  reconnects and the host replays the run to where it was.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ..tui.app import DrillApp, Settings
from ..tui.messages import BackToPicker, CompareRequested, SaveChosen, ScenarioChosen
from ..engine.text import one_line
from ..tui.safe import notify_plain, plain
from . import protocol as p
from .remote_session import HostLink, OutOfStep, RemoteSession


class NoticeScreen(Screen[None]):
    """A line to read while connecting, or why the game is not there.

    No header: it may be replaced a few milliseconds after it is shown, and Textual's Header
    fails when its screen goes before it has painted its title.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(plain(self.text), id="notice")


class ServedApp(DrillApp):
    """drill for one seat of a game day (or its console), talking to the host."""

    CSS_PATH = [DrillApp.CSS_PATH, Path(__file__).parent / "serve.tcss"]

    def __init__(self, socket_path: str, ticket: str, settings: Settings | None = None) -> None:
        # No clock of its own (tick=None): the host's moves the run.
        super().__init__(settings or Settings(tick=None))
        self.socket_path = socket_path
        self.ticket = ticket
        self.link: HostLink | None = None
        self.welcome: p.Welcome | None = None
        self.session: RemoteSession | None = None
        self.lobby: Any = None
        self.console_screen: Any = None

    # -- the flow --------------------------------------------------------------------------

    def show_first_screen(self) -> None:
        self.watch(self, "app_focus", self._focus_changed, init=False)
        self.push_screen(NoticeScreen("Joining the game day…"))
        self._follow_host()

    @work(exclusive=True, group="host")
    async def _follow_host(self) -> None:
        """Connect, show the first screen, then follow what the host says until it goes."""
        try:
            link, welcome = await HostLink.connect(self.socket_path, self.ticket)
        except (OSError, ConnectionError) as error:
            await self._gone(f"Could not join the game day: {error}")
            return
        self.link, self.welcome = link, welcome
        self.sub_title = one_line(welcome.player if welcome.kind == "console"
                                  else f"{welcome.player}, team {welcome.team}")
        try:
            if welcome.kind == "console":
                from .console import ConsoleScreen

                self.console_screen = ConsoleScreen(welcome, link)
                await self.switch_screen(self.console_screen)
            else:
                await self._seat_welcomed(welcome)
            async for message in link.messages():
                await self.follow(message)
        finally:  # the host went away, or the app is exiting (the worker is cancelled)
            link.close()
            await link.closed()
        await self._gone("The game day's server has stopped. Your team's run is saved: "
                         "reload the page when the facilitator says it is back.")

    async def _seat_welcomed(self, welcome: p.Welcome) -> None:
        from .lobby import LobbyScreen

        team = welcome.teams[0]
        self.lobby = LobbyScreen(welcome)
        # Installed: it stays alive while the board and the end screen are shown, and comes back.
        self.install_screen(self.lobby, name="lobby")
        self._load_briefing(welcome.scenario)
        if team.run is not None and await self._replicate(team.run):
            assert self.session is not None
            if self.session.run.finished_run:
                await self._to_end()
            else:
                await self._to_board(paused=team.run.paused)
            return
        await self.switch_screen("lobby")

    @work(thread=True, group="briefing")
    def _load_briefing(self, reference: str) -> None:
        """Open the scenario for the lobby's briefing, off the UI thread."""
        from ..catalog import ScenarioSource

        try:
            scenario = ScenarioSource.open(reference).scenario
        except Exception:  # noqa: BLE001 - the lobby simply shows no briefing
            return
        self.call_from_thread(self.lobby.show, scenario=scenario)

    async def _replicate(self, info: p.RunInfo) -> bool:
        """Make the team's run here from the host's description; False (and a toast) when it
        cannot be (the scenario changed on the server since the run started).

        Loading the scenario and replaying the steps run in a thread, so the screen keeps
        painting; the host's next messages wait meanwhile (they are followed in order)."""
        assert self.welcome is not None
        try:
            self.session = await asyncio.to_thread(
                RemoteSession, info, self._send_step, seat=self.welcome.player,
                team=self.welcome.team)
        except OutOfStep as error:
            notify_plain(self, str(error), title="Cannot show the run", severity="error")
            self.session = None
            return False
        return True

    def _send_step(self, step: Any) -> None:
        if self.link is not None:
            self.link.request(lambda ident: p.Act(id=ident, step=step))

    async def _to_board(self, paused: bool = False) -> None:
        from ..tui.screens.board import BoardScreen

        assert self.session is not None
        self.playing = self.session
        await self._clear_dialogs()
        await self.switch_screen(BoardScreen(self.session, paused=paused))

    async def _to_end(self) -> None:
        from ..tui.screens.end import EndScreen

        assert self.session is not None
        self.playing = None
        await self._clear_dialogs()
        await self.switch_screen(EndScreen(self.session))

    async def _clear_dialogs(self) -> None:
        while len(self.screen_stack) > 2:
            await self.pop_screen()

    async def _gone(self, text: str) -> None:
        self.playing = None
        await self._clear_dialogs()
        await self.switch_screen(NoticeScreen(text))

    # -- what the host says ----------------------------------------------------------------

    async def follow(self, message: p.FromHost) -> None:
        """Show one message from the host."""
        if self.console_screen is not None:
            self.console_screen.follow(message)
            return
        if isinstance(message, p.RunBegan):
            if await self._replicate(message.run):
                notify_plain(self, "The run has started.")
                await self._to_board()
        elif isinstance(message, (p.Applied, p.ClockMoved)):
            self._apply(message)
        elif isinstance(message, p.Presence):
            team = self.lobby.team.model_copy(update={"connected": message.connected})
            self.lobby.show(team=team)
        elif isinstance(message, p.Reply) and not message.ok:
            notify_plain(self, message.reason, title="Not now", severity="warning")

    def _apply(self, message: p.Applied | p.ClockMoved) -> None:
        from ..tui.screens.board import BoardScreen

        session = self.session
        if session is None:
            return
        try:
            entries = session.apply(message)
        except OutOfStep as error:
            notify_plain(self, f"{error}; reload the page.", severity="error", timeout=30)
            return
        board = next((s for s in self.screen_stack if isinstance(s, BoardScreen)), None)
        if board is not None and board.session is session:
            board.show(entries)

    def _focus_changed(self, focused: bool) -> None:
        """The player is back on the game (their tab in front, or a key pressed): redraw the
        footer's keys.  Textual's footer does not redraw while the app is blurred, so a screen
        that changed meanwhile (the run started, or ended) would keep an empty footer."""
        if focused:
            self.call_after_refresh(self.refresh_bindings)

    # -- what a seat cannot do ---------------------------------------------------------------

    async def on_back_to_picker(self, message: BackToPicker) -> None:
        """Leaving the end screen: back to the lobby (a seat has no picker)."""
        # Textual would call DrillApp's handler too, which opens the picker (a listing of the
        # server's saves): this one replaces it.
        message.prevent_default()
        self.playing = None
        if self.lobby is not None:
            note = "Your run has ended. The facilitator may start another one."
            self.lobby.show(note=note)
            await self._clear_dialogs()
            await self.switch_screen("lobby")

    def on_compare_requested(self, message: CompareRequested) -> None:
        """Never a listing of the server's saves: the facilitator compares the teams."""
        message.prevent_default()

    def on_scenario_chosen(self, message: ScenarioChosen) -> None:
        """A seat plays the game day's scenario only."""
        message.prevent_default()

    def on_save_chosen(self, message: SaveChosen) -> None:
        """A seat opens no save."""
        message.prevent_default()

    def action_request_quit(self) -> None:
        """Leave the game day (the team's run goes on without you), after a confirmation."""
        from ..tui.dialogs.confirm import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog):
            return

        def decided(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(ConfirmDialog(
            "Leave the game day?", "Your team's run goes on; open your link again to come "
            "back where it is.", confirm="Leave"), decided)


def main() -> None:
    """Run the game process (the server sets the environment; see drill.serve.server)."""
    socket_path = os.environ.get(p.SOCKET_ENV, "")
    ticket = os.environ.pop(p.TICKET_ENV, "")
    if not socket_path or not ticket:
        raise SystemExit("drill.serve.seat is started by drill serve, not by hand")
    ServedApp(socket_path, ticket).run()


if __name__ == "__main__":
    main()
