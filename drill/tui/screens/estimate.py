"""Give an estimate: a point or a range, to an audience, for a named milestone."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...engine.scenario import AUDIENCES, Scenario
from ..safe import plain
from ..widgets.fields import field
from .update import AUDIENCE_LABELS


class EstimateDialog(ModalScreen[dict[str, Any] | None]):
    """Estimate how long until a milestone; returns the fields of a GiveEstimate step."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, scenario: Scenario, audience: str = "management", milestone: str = "") -> None:
        super().__init__()
        self.scenario = scenario
        self.audience = audience
        self.milestone = milestone or (scenario.milestones[0].id if scenario.milestones else "")
        self.unit = "minutes" if scenario.clock.unit == "minutes" else "days"

    def compose(self) -> ComposeResult:
        # Scenario text: Content, never a str that Select would parse as markup.
        milestones = [(plain(m.label), m.id) for m in self.scenario.milestones]
        with Vertical(id="estimate", classes="dialog"):
            yield Static("Give an estimate", classes="dialog-title")
            yield field("To", Select([(AUDIENCE_LABELS[a], a) for a in AUDIENCES],
                                     value=self.audience, allow_blank=False, id="audience",
                                     compact=True))
            yield field("Until", Select(milestones, value=self.milestone, allow_blank=False,
                                        id="milestone", compact=True))
            yield field("Low", Input(placeholder=f"{self.unit} from now (alone: a point estimate)",
                                     id="low", type="number", compact=True))
            yield field("High", Input(placeholder=f"{self.unit} from now (a range is honest)",
                                      id="high", type="number", compact=True))
            yield field("Confidence", Input("80", placeholder="% sure the range holds",
                                            id="confidence", type="integer", compact=True))
            yield field("Based on", Select([("gut feeling", "gut"), ("the plan", "plan"),
                                            ("past actuals (outside view)", "past_actuals")],
                                           value="gut", allow_blank=False, id="basis",
                                           compact=True))
            yield field("", Checkbox("Flag the deadline as at risk", id="risk", compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Give estimate", variant="primary", id="give", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#low", Input).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#give")
    def give(self) -> None:
        try:
            low = float(self.query_one("#low", Input).value)
            high_text = self.query_one("#high", Input).value.strip()
            high = float(high_text) if high_text else None
            confidence = int(self.query_one("#confidence", Input).value or "80") / 100
        except ValueError:
            self.notify("Give numbers: low, and optionally high.", severity="warning")
            return
        if low <= 0 or (high is not None and high < low) or not 0.05 <= confidence <= 0.99:
            self.notify("Low must be above 0, high at least low, confidence 5-99%.",
                        severity="warning")
            return
        fields: dict[str, Any] = {
            "do": "estimate",
            "audience": self.query_one("#audience", Select).value,
            "milestone": self.query_one("#milestone", Select).value,
            "basis": self.query_one("#basis", Select).value,
            "flags_risk": self.query_one("#risk", Checkbox).value,
        }
        if high is None or high == low:
            fields["point"] = low
        else:
            fields.update(low=low, high=high, confidence=confidence)
        self.dismiss(fields)
