"""Runs side by side in the TUI: this run against other finished runs of the same scenario."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from ...session import GameSession
from ..listing import save_cards
from ..widgets.keybar import KeyBar
from ..safe import one_line, plain

MAX_OTHERS = 3


class CompareScreen(Screen[None]):
    """The comparison table of `drill compare`, for this run and the latest others.

    Replaying the saves takes a moment, so the table is built in a worker thread: the screen
    opens at once, saying what it is doing, and fills in when the table is ready.
    """

    BINDINGS = [Binding("escape,q", "close", "Back", id="compare-back")]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="compare"):
            yield Static(plain("Replaying the runs to compare…", "dim"), id="compare-table")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = one_line(f"{self.session.scenario.meta.title}: compare runs")
        self.query_one("#compare").border_title = "Runs side by side"
        # The table's width is the panel's: the terminal less the border and the padding.
        self.fill_in(max(60, self.app.size.width - 4))

    @work(thread=True, exclusive=True)
    def fill_in(self, width: int) -> None:
        """Replay and compare off the UI thread, then show the table."""
        table = comparison_table(self.session, width)
        if not get_current_worker().is_cancelled:  # cancelled: the player left meanwhile
            self.app.call_from_thread(self.show_table, table)

    def show_table(self, table: Content) -> None:
        self.query_one("#compare-table", Static).update(table)

    def action_close(self) -> None:
        """Back to the end screen."""
        self.dismiss()


def other_runs(session: GameSession) -> list[Path]:
    """Other finished runs of this scenario, the same seed first, newest first."""
    record, here = session.record, session.save_path.resolve()
    cards = [c for c in save_cards(session.save_path.parent)
             if c.finished and not c.problem and c.scenario_id == record.scenario_id
             and c.path.resolve() != here]
    cards.sort(key=lambda c: c.seed != str(record.seed))
    return [c.path for c in cards[:MAX_OTHERS]]


def comparison_table(session: GameSession, width: int) -> Content:
    """The comparison of ``session`` with the latest other runs, or why there is none."""
    from ...compare import CompareError, compare_saves
    from ...engine.side_by_side import render_comparison

    others = other_runs(session)
    if not others:
        return plain("No other finished run of this scenario in "
                     f"{session.save_path.parent} yet. Play it again (the same seed "
                     "gives the same incident) or ask another team to, then compare.")
    try:
        result = compare_saves([session.save_path, *others])
    except CompareError as error:
        return plain("\n".join(error.lines), "$error")
    text = render_comparison(result.comparison, width=width)
    notes = "".join(f"\nNote: {w}" for w in result.warnings)
    return plain(text + notes)
