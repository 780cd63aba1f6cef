"""Team play: the active player takes one of the scenario's teammates over."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.playscript import TakeOver
from ...engine.simulation import Run
from ..safe import plain
from .base import StepDialog


class TakeOverDialog(StepDialog[TakeOver]):
    """Choose the teammate to play; returns the TakeOver step, or None."""

    def __init__(self, run: Run, player: str) -> None:
        super().__init__()
        self.run, self.player = run, player

    def compose(self) -> ComposeResult:
        taken = self.run.record().taken_over
        options = [
            Option(plain(f"{self.run.person_name(p.id)} — {p.role}"
                         + (f" (played by {taken[p.id]})" if p.id in taken else "")),
                   id=p.id, disabled=p.id in taken)
            for p in self.run.scenario.people
        ]
        with Vertical(id="takeover", classes="dialog"):
            yield Static(plain(f"{self.player}: play a teammate"), classes="dialog-title")
            yield OptionList(*options, id="teammates")
            yield Static(plain("Their scripted lines stop; you speak for them.", "dim"))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        step = self.build(TakeOver, {"do": "takeover", "person": event.option.id})
        if step is not None:
            self.dismiss(step)
