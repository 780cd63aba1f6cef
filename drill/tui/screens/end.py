"""The end screen: outcome, the four scores with bars, every deduction, and the postmortem."""

from __future__ import annotations

from pathlib import Path

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...engine.roles import score_players
from ...engine.scorecard import TITLES, cap_note, weights_note
from ...engine.text import ENDING_TITLES, points
from ...session import GameSession
from ..messages import BackToPicker, CompareRequested
from ..safe import clean, one_line, plain
from ..widgets.panels import bar

def shown_path(path: Path) -> str:
    """A path as short as possible: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


OUTCOME_STYLE = {"resolved": "bold $success", "degraded": "bold $warning", "failed": "bold $error",
                 "out_of_time": "bold $warning", "unfinished": "bold $warning"}


class EndScreen(Screen[None]):
    """How the run went, and its blameless postmortem."""

    BINDINGS = [
        Binding("escape,q", "to_picker", "Back to the picker", id="to-picker"),
        Binding("tab", "focus_next", "Scores / postmortem", show=False),
        Binding("c", "compare", "Compare runs", id="compare"),
        Binding("d", "download", "Download the postmortem", id="download"),
    ]

    def __init__(self, session: GameSession) -> None:
        """Show ``session``, which must be scored (``session.card``): the app sees to it."""
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="end"):
            with VerticalScroll(id="scorecard"):
                yield Static(self.scores_text(), id="scores")
            with VerticalScroll(id="postmortem"):
                # Rich's Markdown renders a long document as one widget (fast; ECOSYSTEM.md §4),
                # and hyperlinks=False keeps links from scenario text inert.
                yield Static(Markdown(self.session.postmortem, hyperlinks=False), id="postmortem-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = one_line(f"{self.session.scenario.meta.title}: debrief")
        self.query_one("#scorecard").border_title = "Score"
        self.query_one("#postmortem").border_title = "Postmortem"
        self.query_one("#postmortem").focus()

    def scores_text(self) -> Content:
        run, card = self.session.run, self.session.card
        assert card is not None and run.ending is not None
        kind = card.outcome.ending if card.outcome is not None else run.ending.kind
        parts: list[Content | str] = [
            plain(run.ending.title, OUTCOME_STYLE.get(kind, "bold")), "\n",
            plain(run.ending.debrief), "\n\n",
        ]
        for dimension in card.dimensions():
            title = TITLES[dimension.dimension]
            if not dimension.applicable:
                parts += [plain(f"{title:<22} n/a", "dim"), "\n"]
                continue
            style = "$success" if dimension.score >= 75 else "$warning" if dimension.score >= 40 else "$error"
            parts += [plain(f"{title:<22}", "bold"), plain(bar(dimension.score / 100, 10), style),
                      plain(f" {dimension.score:3.0f}", "bold"), "\n"]
        outcome = card.outcome
        if outcome is not None and outcome.score is not None:
            style = ("$success" if outcome.score >= 75 else "$warning" if outcome.score >= 40
                     else "$error")
            parts += [plain(f"{'Outcome':<22}", "bold"), plain(bar(outcome.score / 100, 10), style),
                      plain(f" {outcome.score:3.0f}", "bold"), "\n"]
        elif outcome is not None:
            parts += [plain(f"{'Outcome':<22} {ENDING_TITLES[outcome.ending].lower()}", "dim"),
                      "\n"]
        parts += [plain(f"{'Overall':<22}", "bold"), plain(bar(card.overall / 100, 10), "$accent"),
                  plain(f" {card.overall:3.0f}", "bold"), "\n"]
        for note in (cap_note(card), weights_note(run.scenario.scoring.weights)):
            if note:
                parts += [plain(note, "dim"), "\n"]
        parts.append("\n")
        team = score_players(run.record())
        if team:
            parts.append(plain("Per player\n", "bold underline"))
            for member in team:
                judged = ", ".join(TITLES[d].lower() for d in member.dimensions)
                parts += [plain(f"{member.player:<22}", "bold"), plain(bar(member.overall / 100, 10)),
                          plain(f" {member.overall:3.0f}", "bold"), "\n",
                          plain(f"   {member.actions} actions; judged on {judged}", "dim"), "\n"]
            parts.append("\n")
        sections = [(TITLES[d.dimension], d.deductions) for d in card.dimensions()]
        if outcome is not None:
            sections.append((TITLES["outcome"], outcome.deductions))
        for title, deductions in sections:
            if not deductions:
                continue
            parts += [plain(title, "bold underline"), "\n"]
            for deduction in deductions:
                parts += [plain(f"{points(deduction.points)} ", "$error"),
                          plain(clean(deduction.what)), "\n",
                          plain(f"   {clean(deduction.norm)}", "dim italic"), "\n"]
            parts.append("\n")
        save_error = getattr(self.session, "save_error", None)
        if self.session.shared_clock:
            parts += [plain("The facilitator's server saved this run as ", "dim"),
                      plain(f"{getattr(self.session, 'team', '')}/{self.session.save_path.name}"),
                      "\n", plain("d downloads the postmortem.", "dim")]
        elif save_error:
            parts += [plain(f"Not saved: {one_line(save_error)}", "bold $error")]
        else:
            postmortem = Path(self.session.record.postmortem or self.session.save_path)
            parts += [plain("Run saved to ", "dim"), plain(shown_path(self.session.save_path)),
                      "\n", plain("Postmortem written to ", "dim"), plain(shown_path(postmortem))]
        return Content.assemble(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A served seat compares nothing here: the saves it could list are the server's, and
        # the facilitator compares the teams on the console.
        return not (action == "compare" and self.session.shared_clock)

    def action_download(self) -> None:
        """Offer the postmortem as a file: a download in a browser, a copy in the Downloads
        folder in a terminal."""
        import io

        name = f"{self.session.save_path.stem}-postmortem.md"
        self.app.deliver_text(io.StringIO(self.session.postmortem), save_filename=name,
                              mime_type="text/markdown", name=name)

    def action_compare(self) -> None:
        """This run against other finished runs of the same scenario."""
        self.post_message(CompareRequested(self.session))

    def action_to_picker(self) -> None:
        """Back to the scenario picker."""
        self.post_message(BackToPicker())
