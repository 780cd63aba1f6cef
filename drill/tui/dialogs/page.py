"""Page someone: who they are, whether they are awake, how long they take."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.rules import person_status
from ...engine.playscript import Page
from ...engine.simulation import Run
from ..safe import plain
from ..widgets.timefmt import span_told
from .kept import refill
from .base import StepDialog


class PageDialog(StepDialog[Page]):
    """Choose a person to page; returns the Page step, or None."""

    def __init__(self, run: Run) -> None:
        super().__init__()
        self.prepare(run)

    def prepare(self, run: Run) -> None:
        """Offer the people of ``run`` as they are now.  The board keeps one page dialog and
        calls this before each showing."""
        self.run = run
        if self.is_mounted:
            people = self.query_one("#people-choice", OptionList)
            refill(people, self._people())
            people.focus()

    def _people(self) -> list[Option]:
        """One option per person: who, their role, and what paging them would do now."""
        options = []
        record = self.run.record()
        for person in self.run.scenario.people:
            name = record.person_name(person.id)
            status = person_status(record, person, self.run.now)
            outcome = status.if_paged
            # How long they would take, as players know it (a draw may hide it: a span).
            about = f"about {span_told(self.run, status.told)}" if status.told else ""
            if outcome is None:
                state = "already paged"
            elif status.busy is not None:
                state = f"{status.busy.doing}, {about}"
            elif outcome.awake:
                state = f"awake, {about}"
            else:
                state = f"off hours, {about}"
            label = plain(f"{name} — {person.role}  ({state})")
            options.append(Option(label, id=person.id, disabled=outcome is None))
        return options

    def compose(self) -> ComposeResult:
        with Vertical(id="page", classes="dialog"):
            yield Static("Page someone", classes="dialog-title")
            yield OptionList(*self._people(), id="people-choice")
            yield Static(plain("Enter pages the highlighted person. Esc cancels."), classes="dim")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        step = self.build(Page, {"do": "page", "person": event.option.id})
        if step is not None:
            self.dismiss(step)


