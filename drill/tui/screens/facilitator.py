"""The facilitator's panel: clock, injects, free-text messages, hints, ending the run.

Every act here is recorded in the run as the facilitator's, so it is replayed with the save and
shows in the timeline and the postmortem.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...engine.simulation import Run
from ..safe import plain
from ..widgets.fields import field

CHANNELS = ("alert", "support", "customer", "management", "teammate", "monitoring", "deploy")


class FacilitatorDialog(ModalScreen[dict[str, Any] | None]):
    """Choose a facilitator act; returns the fields of a FacilitatorAct step."""

    BINDINGS = [Binding("escape", "cancel", "Close", priority=True)]

    def __init__(self, run: Run, paused: bool) -> None:
        super().__init__()
        self.run = run
        self.paused = paused

    def compose(self) -> ComposeResult:
        options = [
            Option(plain("Resume the clock" if self.paused else "Pause the clock"),
                   id="resume" if self.paused else "pause"),
            Option(plain("Faster (fewer seconds per unit)"), id="faster"),
            Option(plain("Slower (more seconds per unit)"), id="slower"),
        ]
        fired_events = self.run.record().fired
        for event in self.run.scenario.events:
            if event.optional:
                fired = " (already fired)" if event.id in fired_events else ""
                options.append(Option(plain(f"Inject {event.id}: {event.text[:60]}{fired}"),
                                      id=f"inject:{event.id}"))
        options += [
            Option(plain("Send the free-text inject below"), id="message"),
            Option(plain("Give the hint below"), id="hint"),
            Option(plain("End the run now"), id="end"),
        ]
        with Vertical(id="facilitator", classes="dialog"):
            yield Static("Facilitator", classes="dialog-title")
            yield OptionList(*options, id="acts")
            yield field("Text", Input(placeholder="free-text inject or hint", id="text",
                                      compact=True))
            yield field("Channel", Select([(c, c) for c in CHANNELS], value="management",
                                          allow_blank=False, id="channel", compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", compact=True)

    @on(OptionList.OptionSelected, "#acts")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id or ""
        text = self.query_one("#text", Input).value.strip()
        if choice in ("message", "hint") and not text:
            self.notify("Write the text first.", severity="warning")
            self.query_one("#text", Input).focus()
            return
        if choice.startswith("inject:"):
            self.dismiss({"act": "inject", "event": choice.removeprefix("inject:")})
        elif choice == "message":
            self.dismiss({"act": "message", "text": text[:500],
                          "channel": self.query_one("#channel", Select).value})
        elif choice == "hint":
            self.dismiss({"act": "hint", "text": text[:500]})
        else:
            self.dismiss({"act": choice})

    @on(Button.Pressed, "#close")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TakeOverDialog(ModalScreen[dict[str, Any] | None]):
    """The active player takes a teammate over; returns the fields of a TakeOver step."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

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
        self.dismiss({"do": "takeover", "person": event.option.id})

    def action_cancel(self) -> None:
        self.dismiss(None)
