"""The lobby: where a served seat waits for the facilitator to start the team's run.

It says who you are and with whom you play, who of the team is connected, and the scenario's
briefing, to read while you wait.  Once the facilitator starts the run, the seat's app replaces
it with the board; after a run, the app brings the player back here, with the team's finished
runs listed (only this team's: a seat never sees another team's runs or the server's files).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..engine.text import one_line
from ..engine.variety import briefing_texts
from ..tui.safe import plain

if TYPE_CHECKING:
    from ..engine.scenario import Scenario
    from . import protocol as p


class LobbyScreen(Screen[None]):
    """Wait for the run, read the briefing."""

    def __init__(self, welcome: p.Welcome, scenario: Scenario | None = None) -> None:
        super().__init__()
        self.welcome = welcome
        self.team = welcome.teams[0]
        self.scenario = scenario
        self.note = "Waiting for the facilitator to start your team's run."

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="lobby"):
            yield Static(self.text(), id="lobby-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = one_line(f"drill: team {self.team.name}")
        self.sub_title = one_line(self.welcome.player)
        self.query_one("#lobby").border_title = "Lobby"

    def show(self, team: p.TeamInfo | None = None, note: str | None = None,
             scenario: Scenario | None = None) -> None:
        """Redraw with what changed: the team (presence, finished runs), the note, the
        scenario once it is loaded."""
        if team is not None:
            self.team = team
        if note is not None:
            self.note = note
        if scenario is not None:
            self.scenario = scenario
        if self.is_mounted:
            self.query_one("#lobby-text", Static).update(self.text())

    def text(self) -> Content:
        team = self.team
        here = set(team.connected)
        parts: list[Content | str] = [
            plain(f"You are {self.welcome.player}, in team {team.name}.", "bold"), "\n\n",
            plain("Your team", "bold underline"), "\n"]
        for player in team.players:
            mark = "●" if player in here else "○"
            state = "connected" if player in here else "not connected yet"
            parts += [plain(f" {mark} ", "$success" if player in here else "dim"),
                      plain(player), plain(f"  {state}", "dim"), "\n"]
        parts += ["\n", plain(self.note, "bold $accent"), "\n\n"]
        scenario = self.scenario
        if scenario is not None:
            situation, role, known = briefing_texts(scenario, None)
            parts += [plain(scenario.meta.title, "bold underline"), "\n\n",
                      plain(situation), "\n\n", plain(role), "\n"]
            for fact in known:
                parts += [plain(f" • {fact}"), "\n"]
        if team.finished:
            parts += ["\n", plain("Your team's finished runs", "bold underline"), "\n"]
            for run in team.finished:
                overall = run.get("overall")
                score = f"{overall:.0f} overall" if isinstance(overall, (int, float)) else ""
                parts += [plain(f" {run.get('started_at', '')!s:.16}  {run.get('scenario', '')!s}"
                                f"  {run.get('kind', '')!s}  {score}"), "\n"]
        return Content.assemble(*parts)
