"""The end screen: outcome, the scores with bars, every deduction, and the postmortem.

At 80x24 everything that judges the run fits without scrolling: the scores two to a line, then
one line per deduction (the biggest first; the highlighted one is shown whole, with its norm,
underneath).  The postmortem has the screen to itself there, one Tab away; on a wide terminal
it sits beside the scores, and Tab moves between the two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rich.markdown import Markdown
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.roles import score_players
from ...engine.scorecard import TITLES, Deduction, cap_note, weights_note
from ...engine.text import ENDING_TITLES, plural, points
from ...session import GameSession
from ..messages import BackToPicker, CompareRequested
from ..safe import clean, one_line, plain
from ..widgets.keybar import KeyBar
from ..widgets.panels import bar

SHORT_TITLES = {"communication": "Comms", "help": "Help", "rollback": "Rollback",
                "estimates": "Estimates", "outcome": "Outcome"}
"""Each dimension in a deduction's line, where the room is one word."""
OUTCOME_STYLE = {"resolved": "bold $success", "degraded": "bold $warning", "failed": "bold $error",
                 "out_of_time": "bold $warning", "unfinished": "bold $warning"}
TWO_COLUMNS = 72
"""Columns from which the scores sit two to a line."""


def shown_path(path: Path) -> str:
    """A path as short as possible: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def score_style(score: float) -> str:
    return "$success" if score >= 75 else "$warning" if score >= 40 else "$error"


class EndScreen(Screen[None]):
    """How the run went, and its blameless postmortem."""

    BINDINGS = [
        Binding("escape,q", "to_picker", "Picker", id="to-picker",
                tooltip="Back to the scenario picker"),
        Binding("tab", "show_postmortem", "Postmortem", id="postmortem",
                tooltip="The postmortem of the run (Tab again: the scores)"),
        Binding("tab", "show_scores", "Scores", id="scores",
                tooltip="The scores and deductions (Tab again: the postmortem)"),
        Binding("c", "compare", "Compare runs", id="compare",
                tooltip="This run beside your other runs of the scenario"),
        Binding("d", "download", "Download", id="download",
                tooltip="Download the postmortem (a browser's download, or ~/Downloads)"),
    ]

    def __init__(self, session: GameSession) -> None:
        """Show ``session``, which must be scored (``session.card``): the app sees to it."""
        super().__init__()
        self.session = session
        assert session.card is not None
        self.deductions = sorted(
            [d for dim in session.card.dimensions() for d in dim.deductions]
            + (list(session.card.outcome.deductions) if session.card.outcome else []),
            key=lambda d: -d.points)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="end"):
            with Vertical(id="scorecard"):
                yield Scores(self.scores_text, id="scores")
                yield OptionList(*[Option(deduction_line(d), id=str(i))
                                   for i, d in enumerate(self.deductions)], id="deductions")
                yield Static(id="deduction-detail")
            with VerticalScroll(id="postmortem", can_focus=True):
                yield Static(self.saved_text(), id="saved")
                # Rich's Markdown renders a long document as one widget (fast; ECOSYSTEM.md §4),
                # and hyperlinks=False keeps links from scenario text inert.
                yield Static(Markdown(self.session.postmortem, hyperlinks=False),
                             id="postmortem-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = one_line(f"{self.session.scenario.meta.title}: debrief")
        self.query_one("#scorecard").border_title = "Score"
        self.query_one("#postmortem").border_title = "Postmortem"
        deductions = self.query_one("#deductions", OptionList)
        deductions.border_title = (f"{plural(len(self.deductions), 'deduction')}, biggest first"
                                   if self.deductions else "No deduction")
        deductions.display = bool(self.deductions)
        self.query_one("#deduction-detail").display = bool(self.deductions)
        deductions.focus()

    @on(OptionList.OptionHighlighted, "#deductions")
    def show_deduction(self, event: OptionList.OptionHighlighted) -> None:
        """The highlighted deduction in full, with the norm it stands on."""
        deduction = self.deductions[int(event.option.id or 0)]
        self.query_one("#deduction-detail", Static).update(Content.assemble(
            plain(f"{points(deduction.points)} ", "bold $error"),
            plain(f"{TITLES[deduction.dimension]}: ", "bold"), plain(clean(deduction.what)), "\n",
            plain(clean(deduction.norm), "dim italic")))

    def scores_text(self, width: int = 80) -> Content:
        """The ending, then each score with a bar: two to a line when there is room."""
        run, card = self.session.run, self.session.card
        assert card is not None and run.ending is not None
        kind = card.outcome.ending if card.outcome is not None else run.ending.kind
        parts: list[Content | str] = [
            plain(run.ending.title, OUTCOME_STYLE.get(kind, "bold")), plain("  "),
            plain(run.ending.debrief), "\n",
        ]
        cells: list[Content] = []
        label_width = 22 if width < TWO_COLUMNS else 14
        for dimension in card.dimensions():
            title = TITLES[dimension.dimension] if width < TWO_COLUMNS \
                else SHORT_TITLES[dimension.dimension]
            if not dimension.applicable:
                cells.append(plain(f"{title:<{label_width}} n/a", "dim"))
                continue
            cells.append(score_cell(title, dimension.score, label_width))
        outcome = card.outcome
        if outcome is not None and outcome.score is not None:
            cells.append(score_cell("Outcome", outcome.score, label_width))
        elif outcome is not None:
            cells.append(plain(f"{'Outcome':<{label_width}} "
                               f"{ENDING_TITLES[outcome.ending].lower()}", "dim"))
        cells.append(score_cell("Overall", card.overall, label_width, "$accent"))
        per_line = 2 if width >= TWO_COLUMNS else 1
        for start in range(0, len(cells), per_line):
            row = cells[start:start + per_line]
            parts += [plain("   ").join(cell.pad_right(label_width + 15 - cell.cell_length)
                                        if i < len(row) - 1 else cell
                                        for i, cell in enumerate(row)), "\n"]
        for note in (cap_note(card), weights_note(run.scenario.scoring.weights)):
            if note:
                parts += [plain(note, "dim"), "\n"]
        team = score_players(run.record())
        if team:
            parts.append(plain("Per player\n", "bold underline"))
            for member in team:
                judged = ", ".join(TITLES[d].lower() for d in member.dimensions)
                parts += [score_cell(member.player, member.overall, label_width), "\n",
                          plain(f"   {plural(member.actions, 'action')}; judged on {judged}",
                                "dim"), "\n"]
        save_error = getattr(self.session, "save_error", None)
        if save_error and not self.session.shared_clock:
            parts += [plain(f"Not saved: {one_line(save_error)}", "bold $error"), "\n"]
        return Content.assemble(*parts).rstrip()

    def saved_text(self) -> Content:
        """Where the run and its postmortem were written."""
        if self.session.shared_clock:
            return Content.assemble(
                plain("The facilitator's server saved this run as ", "dim"),
                plain(f"{getattr(self.session, 'team', '')}/{self.session.save_path.name}"),
                "\n", plain("d downloads the postmortem.", "dim"))
        if getattr(self.session, "save_error", None):
            return plain("The run could not be saved: see the scores.", "$error")
        postmortem = Path(self.session.record.postmortem or self.session.save_path)
        return Content.assemble(
            plain("Run saved to ", "dim"), plain(shown_path(self.session.save_path)), "\n",
            plain("Postmortem written to ", "dim"), plain(shown_path(postmortem)))

    def action_show_postmortem(self) -> None:
        """Tab: the postmortem (on a narrow terminal, in place of the scores)."""
        self.add_class("-postmortem")
        self.query_one("#postmortem").focus()
        self.refresh_bindings()

    def action_show_scores(self) -> None:
        """Tab again: the scores and the deductions."""
        self.remove_class("-postmortem")
        self.query_one("#deductions" if self.deductions else "#scorecard").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Tab shows the other panel: the key line names the one it goes to.
        if action == "show_postmortem":
            return not self.has_class("-postmortem")
        if action == "show_scores":
            return self.has_class("-postmortem")
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


class Scores(Static):
    """The scores, laid out for the width they get (two to a line when there is room)."""

    def __init__(self, text: Callable[[int], Content], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text
        self._width = 0

    def on_resize(self) -> None:
        if self.size.width and self.size.width != self._width:
            self._width = self.size.width
            self.update(self._text(self._width))


def score_cell(title: str, score: float, width: int, style: str = "") -> Content:
    """'Communication cadence  ████░░░░░░  40'."""
    return Content.assemble(plain(f"{title:<{width}} ", "bold"),
                            plain(bar(score / 100, 10), style or score_style(score)),
                            plain(f" {score:3.0f}", "bold"))


def deduction_line(deduction: Deduction) -> Content:
    """One deduction on one line: points, dimension, what happened."""
    return Content.assemble(plain(f"{points(deduction.points):>5} ", "$error"),
                            plain(f"{SHORT_TITLES[deduction.dimension]:<9} ", "bold"),
                            plain(one_line(deduction.what)))
