"""Give an estimate: a point or a range, to an audience, for a named milestone."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Static

from ...engine.playscript import GiveEstimate
from ...engine.scenario import Scenario
from ..safe import plain
from ..widgets.choice import Choice
from .base import Problems, StepDialog
from .fields import AUDIENCE_CHOICES, field, problem_line

DEFAULT_CONFIDENCE = 80
"""Percent sure the range holds, when the player does not say."""
BASES = (("gut feeling", "gut"), ("the plan", "plan"),
         ("past actuals (outside view)", "past_actuals"))
"""What an estimate can be based on."""


class EstimateDialog(StepDialog[GiveEstimate]):
    """Estimate how long until a milestone; returns the GiveEstimate step, or None."""

    FIELD_OF = {"point": "low", "low": "low", "high": "high", "confidence": "confidence",
                "audience": "low", "milestone": "low", "basis": "low"}
    WHOLE = "low"

    def __init__(self, scenario: Scenario, audience: str = "management", milestone: str = "") -> None:
        super().__init__()
        self.prepare(scenario, audience, milestone)

    def prepare(self, scenario: Scenario, audience: str = "management",
                milestone: str = "") -> None:
        """Set the dialog up for an estimate to ``audience`` about ``milestone`` (the first
        milestone when empty): blank numbers.  The board keeps one estimate dialog and calls
        this before each showing."""
        self.scenario = scenario
        self.audience = audience
        self.milestone = milestone or (scenario.milestones[0].id if scenario.milestones else "")
        self.unit = "minutes" if scenario.clock.unit == "minutes" else "days"
        if self.is_mounted:
            self._blank()

    def _blank(self) -> None:
        """Every field as :meth:`compose` first makes it."""
        self.query_one("#audience", Choice).reset(AUDIENCE_CHOICES, self.audience)
        self.query_one("#milestone", Choice).reset(self._milestones(), self.milestone)
        blank = (("low", ""), ("high", ""), ("confidence", str(DEFAULT_CONFIDENCE)))
        for number_id, value in blank:
            number = self.query_one(f"#{number_id}", Input)
            number.value = value
            # Blank is not yet wrong: a new dialog does not show it in the error colour either.
            number.remove_class("-invalid")
        self.query_one("#basis", Choice).reset(BASES, "gut")
        self.query_one("#risk", Checkbox).value = False
        self.show_problems({})
        self.query_one("#low", Input).focus()

    def _milestones(self) -> list[tuple[Content, str]]:
        # Scenario text: Content, never a str that could be read as markup.
        return [(plain(m.label), m.id) for m in self.scenario.milestones]

    def compose(self) -> ComposeResult:
        with Vertical(id="estimate", classes="dialog"):
            yield Static("Give an estimate", classes="dialog-title")
            yield field("To", Choice(AUDIENCE_CHOICES, value=self.audience, id="audience"))
            yield field("Until", Choice(self._milestones(), value=self.milestone,
                                        id="milestone"))
            yield field("Low", Input(placeholder=f"{self.unit} from now (alone: a point estimate)",
                                     id="low", type="number", compact=True))
            yield problem_line("low")
            yield field("High", Input(placeholder=f"{self.unit} from now (a range is honest)",
                                      id="high", type="number", valid_empty=True,
                                      compact=True))
            yield problem_line("high")
            yield field("Confidence", Input(str(DEFAULT_CONFIDENCE),
                                            placeholder="% sure the range holds",
                                            id="confidence", type="integer",
                                            valid_empty=True, compact=True))
            yield problem_line("confidence")
            yield field("Based on", Choice(BASES, value="gut", id="basis"))
            yield field("", Checkbox("Flag the deadline as at risk", id="risk", compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Give estimate (ctrl+s)", variant="primary", id="give",
                             compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#low", Input).focus()

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#give")
    def submit(self) -> None:
        """Build the estimate; stay open, saying what is wrong, until it is one."""
        problems: Problems = {}
        low = self.number("low", problems)
        high = self.number("high", problems)
        confidence = self.number("confidence", problems, whole=True)
        if low is None and "low" not in problems:
            problems["low"] = f"How many {self.unit} from now?"
        elif low is not None and low <= 0:
            problems["low"] = "Above 0, please."
        if low is not None and high is not None and high < low:
            problems["high"] = "At least the low end."
        if confidence is not None and not 5 <= confidence <= 99:
            problems["confidence"] = "Between 5 and 99 %."
        if problems:
            self.show_problems(problems)
            return
        values: dict[str, Any] = {
            "do": "estimate",
            "audience": self.query_one("#audience", Choice).value,
            "milestone": self.query_one("#milestone", Choice).value,
            "basis": self.query_one("#basis", Choice).value,
            "flags_risk": self.query_one("#risk", Checkbox).value,
        }
        if high is None or high == low:
            values["point"] = low
        else:
            values.update(low=low, high=high, confidence=(confidence or DEFAULT_CONFIDENCE) / 100)
        step = self.build(GiveEstimate, values)
        if step is not None:
            self.dismiss(step)
