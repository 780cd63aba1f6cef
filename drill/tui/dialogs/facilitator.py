"""The facilitator's panel: clock, injects, free-text messages, hints, ending the run.

Every act here is recorded in the run as the facilitator's, so it is replayed with the save and
shows in the timeline and the postmortem.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.playscript import FacilitatorAct
from ...engine.simulation import Run
from ..clock import faster_pace, slower_pace
from ..safe import plain
from ..widgets.choice import Choice
from ...engine.text import shorten
from .kept import refill
from .base import Problems, StepDialog
from .fields import field, problem_line

CHANNELS = ("alert", "support", "customer", "management", "teammate", "monitoring", "deploy")
CHANNEL_CHOICES = tuple((channel, channel) for channel in CHANNELS)


class FacilitatorDialog(StepDialog[FacilitatorAct]):
    """Choose a facilitator act; returns the FacilitatorAct step, or None."""

    FIELD_OF = {"text": "text"}
    WHOLE = "text"

    def __init__(self, run: Run, paused: bool, pace: float) -> None:
        super().__init__()
        self.prepare(run, paused, pace)

    def prepare(self, run: Run, paused: bool, pace: float) -> None:
        """Offer the acts open now, the text blank.  The board keeps one facilitator panel
        and calls this before each showing."""
        self.run = run
        self.paused = paused
        self.pace = pace
        if self.is_mounted:
            refill(self.query_one("#acts", OptionList), self._acts())
            self.query_one("#text", Input).clear()
            self.query_one("#channel", Choice).reset(CHANNEL_CHOICES, "management")
            self.show_problems({})
            self.query_one("#acts", OptionList).focus()

    def _acts(self) -> list[Option]:
        """The clock's acts, one inject per optional event (marked once fired, and when this
        run's draw left it out), and the rest."""
        options = [
            Option(plain("Resume the clock" if self.paused else "Pause the clock"),
                   id="resume" if self.paused else "pause"),
            Option(plain("Faster (fewer seconds per unit)"), id="faster"),
            Option(plain("Slower (more seconds per unit)"), id="slower"),
        ]
        fired_events = self.run.record().fired
        left_out = set(self.run.variant.left_out)
        for event in self.run.scenario.events:
            if event.optional:
                fired = " (already fired)" if event.id in fired_events else ""
                # An event this run's draw left out can still be injected: said first, so
                # that it is not taken for one of the run's own (the postmortem's words).
                kind = "Inject, left out of this variant" if event.id in left_out else "Inject"
                # One line each, cut at a word with an ellipsis: the facilitator reads the
                # start, and the feed shows the whole text once injected.
                options.append(Option(plain(shorten(f"{kind}: {event.text}", 62) + fired),
                                      id=f"inject:{event.id}"))
        return options + [
            Option(plain("Send the free-text inject below"), id="message"),
            Option(plain("Give the hint below"), id="hint"),
            Option(plain("End the run now (asks first)"), id="end"),
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="facilitator", classes="dialog"):
            yield Static("Facilitator", classes="dialog-title")
            yield OptionList(*self._acts(), id="acts")
            yield field("Text", Input(placeholder="free-text inject or hint", id="text",
                                      compact=True))
            yield problem_line("text")
            yield field("Channel", Choice(CHANNEL_CHOICES, value="management", id="channel"))
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="close", compact=True)

    @on(OptionList.OptionSelected, "#acts")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Build the chosen act; a message or a hint needs its text first."""
        choice = event.option.id or ""
        text = self.query_one("#text", Input).value.strip()
        if choice in ("message", "hint") and not text:
            problems: Problems = {"text": "Write the text first."}
            self.show_problems(problems)
            self.query_one("#text", Input).focus()
            return
        if choice.startswith("inject:"):
            values = {"act": "inject", "event": choice.removeprefix("inject:")}
        elif choice in ("faster", "slower"):
            pace = faster_pace(self.pace) if choice == "faster" else slower_pace(self.pace)
            values = {"act": "pace", "pace": pace}
        elif choice == "message":
            values = {"act": "message", "text": text,
                      "channel": self.query_one("#channel", Choice).value}
        elif choice == "hint":
            values = {"act": "hint", "text": text}
        else:
            values = {"act": choice}
        step = self.build(FacilitatorAct, {"do": "facilitate", **values})
        if step is not None:
            self.dismiss(step)

    @on(Button.Pressed, "#close")
    def cancelled(self) -> None:
        self.dismiss(None)
