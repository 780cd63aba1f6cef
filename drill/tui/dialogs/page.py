"""Page someone: who they are, whether they are awake, how long they take."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.playscript import Page
from ...engine.simulation import Run
from ..safe import plain
from ..widgets.timefmt import span
from .base import StepDialog


class PageDialog(StepDialog[Page]):
    """Choose a person to page; returns the Page step, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, run: Run) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        options = []
        unit = "min" if self.run.scenario.clock.unit == "minutes" else "days"
        for person in self.run.scenario.people:
            name = self.run.person_name(person.id)
            if person.id in self.run.paged_at:
                state = "already paged"
            elif self.run.is_awake(person) and (busy := self.run.busy_with(person)) is not None:
                wait = max(person.delay, self.run.free_at(person) - self.run.now)
                state = f"{busy.doing}, about {span(self.run, wait)}"
            elif self.run.is_awake(person):
                state = f"awake, about {person.delay:g} {unit}"
            else:
                state = f"off hours, about {person.delay + person.off_hours_delay:g} {unit}"
            label = plain(f"{name} — {person.role}  ({state})")
            options.append(Option(label, id=person.id, disabled=person.id in self.run.paged_at))
        with Vertical(id="page", classes="dialog"):
            yield Static("Page someone", classes="dialog-title")
            yield OptionList(*options, id="people-choice")
            yield Static(plain("Enter pages the highlighted person. Esc cancels."), classes="dim")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        step = self.build(Page, {"do": "page", "person": event.option.id})
        if step is not None:
            self.dismiss(step)

    def action_cancel(self) -> None:
        self.dismiss(None)
