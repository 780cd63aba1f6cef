"""The briefing: the situation, your role, who is around and when, what you know."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from ...engine.disclosure import told as told_span
from ...engine.text import span_between
from ...engine.variety import briefing_texts, described
from ...session import GameSession
from ..messages import BackToPicker, RunStarted
from ..widgets.keybar import KeyBar
from ..safe import plain, styled
from ..widgets.timefmt import clock_label


class BriefingScreen(Screen[None]):
    """Read before the clock starts."""

    BINDINGS = [
        Binding("enter,space", "begin", "Start the clock", id="begin"),
        Binding("escape", "back", "Back to the picker", id="back"),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="briefing"):
            yield Static(briefing_text(self.session))
        yield KeyBar()

    def action_begin(self) -> None:
        """Start the run on the incident board."""
        self.post_message(RunStarted(self.session))

    def action_back(self) -> None:
        """Back to the picker; the run stays saved, to continue later."""
        self.post_message(BackToPicker())


def briefing_text(session: GameSession) -> Content:
    """The briefing as inert content."""
    scenario, run = session.scenario, session.run
    clock = scenario.clock
    situation, role, known = briefing_texts(scenario, run.variant)
    parts: list[Content | str] = [
        plain(scenario.meta.title, "bold $accent"), "\n",
        plain(scenario.meta.source, "dim"), "\n\n",
        Content.from_markup("[b]The situation[/b]\n"), plain(situation), "\n\n",
        Content.from_markup("[b]Your role[/b]\n"), plain(role), "\n",
    ]
    if session.record.players:
        parts += [styled("Players: $p", p=", ".join(session.record.players)), "\n"]
    if known:
        parts.append(Content.from_markup("\n[b]What you know[/b]\n"))
        for fact in known:
            parts += [plain(f"• {fact}"), "\n"]
    if not run.variant.empty:
        parts.append(styled("\n[b]This run: variant $code[/b]\n", code=run.variant.code))
        told = described(scenario, run.variant, "briefing")
        for label, value in told:
            parts += [plain(f"• {label}: {value}"), "\n"]
        if len(described(scenario, run.variant, "debrief")) > len(told):
            parts.append(plain("More of the incident differs from run to run; the postmortem "
                               "tells what this run drew.\n", "dim"))
    if scenario.people:
        parts.append(Content.from_markup("\n[b]Who you can page[/b]\n"))
        for person in scenario.people:
            start, end = person.hours
            zone = next((z.label for z in clock.zones if z.id == person.zone), "")
            when = "" if (start, end) == (0, 24) else f", works {start:02d}:00-{end:02d}:00 {zone}".rstrip()
            busy = "".join(f"; {b.doing} from {clock_label(run, b.at)} to "
                           f"{clock_label(run, b.until)}" for b in person.busy)
            delay = told_span(scenario, f"people.{person.id}.delay", person.delay)
            parts += [plain(f"• {run.person_name(person.id)} — {person.role}{when}, answers in about "
                            f"{span_between(clock.unit, *delay)}{busy}"), "\n"]
    unit = "minute" if clock.unit == "minutes" else "day"
    start = clock.start.strftime("%A %d %B %Y, %H:%M" if clock.unit == "minutes" else "%A %d %B %Y")
    parts += [
        "\n",
        styled("[dim]Starts $start. Pace: $pace real seconds per scenario $unit. "
               "Seed $seed$variant.[/dim]\n", start=start, pace=f"{session.record.pace:g}",
               unit=unit, seed=str(session.record.seed),
               variant="" if run.variant.empty else f", variant {run.variant.code}"),
        Content.from_markup("\n[b]Press Enter to start the clock.[/b]"),
    ]
    return Content.assemble(*parts)
