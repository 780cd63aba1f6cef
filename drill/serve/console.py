"""The facilitator's console: every team at a glance, the controls, and what players never see.

Opened from the facilitator's own link.  It keeps a replica of every team's run (as a seat does
of its own) and shows, for each team: who is connected, the clock and its state, the service
status, what is owed now and how much of it is overdue (the board's own rule), and the overall
score if the run ended now.  The selected team's pane adds what only the facilitator sees: the
hidden truth, and what the scenario will do next (timed events and requests, what waits on a
condition, the optional injects not yet fired).  A second pane compares the teams side by side
as they stand (``c``).

Every control goes to the host, which records it in the team's run as a ``FacilitatorAct``: it
lands in the timeline and the postmortem, as at one terminal.  The first row, "All teams",
sends a control to every team it applies to.

=======  ==========================================================
key      does
=======  ==========================================================
s        start the run (of the selected team, or of every team)
space    pause or resume the clock
+ / -    faster / slower
f        the facilitator panel: injects, free-text message, hint, end
c        show or hide the side-by-side comparison
d        collect every team's postmortem and scores (a zip download)
=======  ==========================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..engine.playscript import FacilitatorAct
from ..engine.text import clock_time, one_line
from ..tui.clock import faster_pace, slower_pace
from ..tui.safe import notify_plain, plain
from . import overview
from . import protocol as p
from .remote_session import OutOfStep, RemoteSession

if TYPE_CHECKING:
    from .remote_session import HostLink

ALL = ""
"""The target of a control sent to every team."""
REFRESH = 0.5
"""Real seconds between redraws (scores and comparisons are computed at most this often)."""
LEVEL_STYLE = {"ok": "$success", "degraded": "$warning", "down": "$error"}


class ConsoleScreen(Screen[None]):
    """The facilitator's console (see the module's docstring)."""

    BINDINGS = [
        Binding("s", "start", "Start run", id="console-start"),
        Binding("space", "toggle_pause", "Pause/resume", id="console-pause"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+", id="console-faster"),
        Binding("minus", "slower", "Slower", id="console-slower"),
        Binding("f", "facilitate", "Inject/hint/end", id="console-facilitate"),
        Binding("c", "toggle_comparison", "Compare", id="console-compare"),
        Binding("d", "collect", "Collect all", id="console-collect"),
    ]

    def __init__(self, welcome: p.Welcome, link: HostLink) -> None:
        super().__init__()
        self.link = link
        self.scenario_reference = welcome.scenario
        self.teams: dict[str, p.TeamInfo] = {team.name: team for team in welcome.teams}
        self.sessions: dict[str, RemoteSession | None] = {}
        self.held: dict[str, bool] = {}
        self._collect_request: int | None = None
        self._dirty = True
        for team in welcome.teams:
            self.sessions[team.name] = self._replica(team.name, team.run)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(id="console-teams")
        with Horizontal(id="console-panes"):
            with VerticalScroll(id="console-detail"):
                yield Static(id="console-detail-text")
            with VerticalScroll(id="console-comparison"):
                yield Static(id="console-comparison-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "drill: facilitator's console"
        self.sub_title = one_line(self.scenario_reference)
        self.query_one("#console-teams").border_title = "Teams (↑↓ choose; keys act on the choice)"
        self.query_one("#console-detail").border_title = "Selected"
        self.query_one("#console-comparison").border_title = "Side by side (c)"
        teams = self.query_one("#console-teams", OptionList)
        teams.add_option(Option(plain("All teams"), id="team:"))
        for name in self.teams:
            teams.add_option(Option(plain(name), id=f"team:{name}"))
        teams.highlighted = 0
        teams.focus()
        self.set_interval(REFRESH, self.redraw)
        self.redraw()

    @property
    def target(self) -> str:
        """The highlighted team's name, or :data:`ALL`."""
        teams = self.query_one("#console-teams", OptionList)
        index = teams.highlighted
        if index is None:
            return ALL
        return (teams.get_option_at_index(index).id or "team:").removeprefix("team:")

    # -- what the host says ----------------------------------------------------------------

    def follow(self, message: p.FromHost) -> None:
        """Apply one message from the host to the replicas (the app calls this)."""
        if isinstance(message, p.RunBegan):
            self.sessions[message.team] = self._replica(message.team, message.run)
        elif isinstance(message, (p.Applied, p.ClockMoved)):
            session = self.sessions.get(message.team)
            if isinstance(message, p.ClockMoved):
                self.held[message.team] = message.held
            if session is not None:
                try:
                    session.apply(message)
                except OutOfStep as error:
                    notify_plain(self, f"team {message.team}: {error}", severity="error")
        elif isinstance(message, p.Presence):
            team = self.teams.get(message.team)
            if team is not None:
                self.teams[message.team] = team.model_copy(update={"connected":
                                                                   message.connected})
        elif isinstance(message, p.Reply):
            self._replied(message)
        self._dirty = True

    def _replica(self, team: str, info: p.RunInfo | None) -> RemoteSession | None:
        if info is None:
            return None
        try:
            return RemoteSession(info, lambda step: None)
        except OutOfStep as error:
            notify_plain(self.app, f"team {team}: {error}", severity="error")
            return None

    def _replied(self, reply: p.Reply) -> None:
        if reply.id == self._collect_request and reply.ok:
            self._collect_request = None
            self.app.deliver_binary(reply.path, mime_type="application/zip")
            notify_plain(self, f"Collected every team's postmortem and scores: {reply.path}")
        elif not reply.ok:
            notify_plain(self, reply.reason, title="Not done", severity="warning")
        elif reply.reason:
            notify_plain(self, f"Done; skipped: {reply.reason}")

    # -- drawing ---------------------------------------------------------------------------

    def views(self) -> dict[str, overview.TeamView]:
        return {name: overview.team_view(name, team.players, team.connected,
                                         self.sessions.get(name), self.held.get(name, False))
                for name, team in self.teams.items()}

    def redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        views = self.views()
        teams = self.query_one("#console-teams", OptionList)
        for name, view in views.items():
            teams.replace_option_prompt(f"team:{name}", row(view))
        teams.replace_option_prompt("team:", all_row(views))
        self.query_one("#console-detail-text", Static).update(self.detail(views))
        comparison = self.query_one("#console-comparison")
        if comparison.display:
            text = overview.live_comparison(self.sessions, width=max(60, comparison.size.width - 2))
            self.query_one("#console-comparison-text", Static).update(plain(text))

    def detail(self, views: dict[str, overview.TeamView]) -> Content:
        target = self.target
        if target == ALL:
            lines: list[Content | str] = [plain("Every team", "bold underline"), "\n"]
            for view in views.values():
                lines += [plain(f"{view.name}: {view.state}, {view.clock}, {view.summary}"), "\n"]
            lines += ["\n", plain("Controls sent from this row go to every team they apply to.",
                                  "dim")]
            return Content.assemble(*lines)
        view = views[target]
        session = self.sessions.get(target)
        parts: list[Content | str] = [
            plain(f"Team {view.name}", "bold underline"), "\n",
            plain(f"{len(view.connected)} of {len(view.players)} connected: "
                  f"{', '.join(view.connected) or 'nobody'}"), "\n"]
        if session is None:
            parts += [plain("No run yet: s starts it.", "bold $accent")]
            return Content.assemble(*parts)
        record = session.run.record()
        parts += [plain(f"{view.clock}, {view.state}, {view.pace:g} s per unit; "
                        f"{view.steps} steps"), "\n",
                  plain(view.status, LEVEL_STYLE.get(view.level, "")), "\n\n",
                  plain("Owed now", "bold"), "\n"]
        owed = overview.owed_lines(view, record.unit, record.now)
        parts += [item for line in owed or ["nothing"] for item in (plain(f" {line}"), "\n")]
        if view.overall is not None:
            parts += ["\n", plain(f"Overall if it ended now: {view.overall:.0f}", "bold"), "\n"]
        if view.ending:
            parts += [plain(f"Ended: {view.ending}", "bold $accent"), "\n"]
        parts += ["\n", plain("Hidden truth (players never see it)", "bold $warning"), "\n"]
        parts += [item for line in overview.truth_lines(record.scenario)
                  for item in (plain(line), "\n")]
        parts += ["\n", plain("Coming next", "bold"), "\n"]
        parts += [item for line in overview.coming_lines(record) or ["nothing scheduled"]
                  for item in (plain(line), "\n")]
        parts += ["\n", plain("Latest in the feed", "bold"), "\n"]
        for entry in record.log[-8:]:
            who = f" [{entry.by}]" if entry.by else ""
            parts += [plain(f"{clock_time(record.unit, entry.time):>7}{who} "
                            f"{one_line(entry.text)[:120]}"), "\n"]
        return Content.assemble(*parts)

    @on(OptionList.OptionHighlighted, "#console-teams")
    def chose(self) -> None:
        self._dirty = True
        self.redraw()

    # -- controls --------------------------------------------------------------------------

    def control(self, act: FacilitatorAct, team: str | None = None) -> None:
        """Send a facilitator act to the host for the target team (or every team)."""
        target = self.target if team is None else team
        self.link.request(lambda ident: p.Control(id=ident, team=target, act=act))

    def action_start(self) -> None:
        """Start the run of the selected team, or of every team without one."""
        target = self.target
        self.link.request(lambda ident: p.StartRun(id=ident, team=target))

    def action_toggle_pause(self) -> None:
        """Pause the selected team's clock, or resume it (all teams: pause any running)."""
        views = [v for v in self.views().values() if self.target in (ALL, v.name)]
        running = any(v.state in ("playing", "held") for v in views)
        act = "pause" if running else "resume"
        self.control(FacilitatorAct(do="facilitate", at=0, act=act))

    def _pace(self, change) -> None:  # type: ignore[no-untyped-def]
        views = [v for v in self.views().values()
                 if self.target in (ALL, v.name) and v.state != "waiting"]
        if not views:
            notify_plain(self, "No run yet: s starts it.", severity="warning")
            return
        self.control(FacilitatorAct(do="facilitate", at=0, act="pace",
                                    pace=change(views[0].pace)))

    def action_faster(self) -> None:
        self._pace(faster_pace)

    def action_slower(self) -> None:
        self._pace(slower_pace)

    def action_facilitate(self) -> None:
        """The facilitator panel (injects, message, hint, end) for the target."""
        from ..tui.dialogs.facilitator import FacilitatorDialog

        target = self.target
        names = [target] if target != ALL else list(self.sessions)
        session = next((self.sessions[n] for n in names if self.sessions.get(n)), None)
        if session is None:
            notify_plain(self, "No run yet: s starts it.", severity="warning")
            return

        def decided(act: FacilitatorAct | None) -> None:
            if act is not None:
                self.control(act, team=target)

        self.app.push_screen(FacilitatorDialog(session.run, session.clock.paused,
                                               session.clock.pace), decided)

    def action_toggle_comparison(self) -> None:
        pane = self.query_one("#console-comparison")
        pane.display = not pane.display
        self._dirty = True
        self.redraw()

    def action_collect(self) -> None:
        """Gather every team's postmortem and scores into a zip, and download it."""
        self._collect_request = self.link.request(lambda ident: p.Collect(id=ident))

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Start the run", "Of the selected team, or every team (s)",
                            self.action_start)
        yield SystemCommand("Pause or resume", "The selected team's clock (space)",
                            self.action_toggle_pause)
        yield SystemCommand("Faster", "Fewer real seconds per unit (+)", self.action_faster)
        yield SystemCommand("Slower", "More real seconds per unit (-)", self.action_slower)
        yield SystemCommand("Facilitator panel", "Injects, message, hint, end the run (f)",
                            self.action_facilitate)
        yield SystemCommand("Compare teams", "Side by side, live (c)",
                            self.action_toggle_comparison)
        yield SystemCommand("Collect everything", "Every postmortem and score, as a zip (d)",
                            self.action_collect)


def row(view: overview.TeamView) -> Content:
    """A team's line in the list."""
    here = f"{len(view.connected)}/{len(view.players)}"
    score = "" if view.overall is None else f"{view.overall:3.0f}"
    state = {"held": "held (nobody here)"}.get(view.state, view.state)
    return Content.assemble(
        plain(f"{view.name:<12}", "bold"), plain(f"{here:>5}  "),
        plain(f"{view.clock:>7}  "), plain(f"{state:<19}"),
        plain(f"{one_line(view.status)[:28]:<29}", LEVEL_STYLE.get(view.level, "")),
        plain(f"{view.summary:<20}", "$error" if view.overdue else ""),
        plain(f"{score:>4}", "bold"))


def all_row(views: dict[str, overview.TeamView]) -> Content:
    states = [v.state for v in views.values()]
    counts = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states))
    return Content.assemble(plain("All teams   ", "bold"), plain(f"  {counts}", "dim"))
