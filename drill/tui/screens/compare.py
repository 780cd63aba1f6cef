"""Runs side by side in the TUI: this run against other finished runs of the same scenario."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...session import GameSession
from ..listing import save_cards
from ..safe import plain

MAX_OTHERS = 3


class CompareScreen(Screen[None]):
    """The comparison table of `drill compare`, for this run and the latest others."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="compare-back")]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="compare"):
            yield Static(self.table(), id="compare-table")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.session.scenario.meta.title}: compare runs"
        self.query_one("#compare").border_title = "Runs side by side"

    def others(self) -> list:
        """Other finished runs of this scenario, the same seed first, newest first."""
        record, here = self.session.record, self.session.save_path.resolve()
        cards = [c for c in save_cards(self.session.save_path.parent)
                 if c.finished and not c.problem and c.scenario_id == record.scenario_id
                 and c.path.resolve() != here]
        cards.sort(key=lambda c: c.seed != str(record.seed))
        return [c.path for c in cards[:MAX_OTHERS]]

    def table(self):
        from ...compare import CompareError, compare_saves
        from ...engine.comparison import render_comparison

        others = self.others()
        if not others:
            return plain("No other finished run of this scenario in "
                         f"{self.session.save_path.parent} yet. Play it again (the same seed "
                         "gives the same incident) or ask another team to, then compare.")
        try:
            result = compare_saves([self.session.save_path, *others])
        except CompareError as error:
            return plain("\n".join(error.lines), "$error")
        width = max(80, self.app.size.width - 4)
        text = render_comparison(result.comparison, width=width)
        notes = "".join(f"\nNote: {w}" for w in result.warnings)
        return plain(text + notes)
