"""Post an update: audience, status, impact, what is being done, next update in..."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...engine.scenario import AUDIENCES
from ..widgets.fields import field

AUDIENCE_LABELS = {
    "support": "Support team",
    "customers": "Customers (status page)",
    "management": "Management",
    "team": "Incident team channel",
}
STATUSES = ("investigating", "identified", "monitoring", "resolved")
TEMPLATES: dict[str, tuple[str, str, str]] = {
    # name: (status, impact, doing); {status} is the board's current status line.
    "Acknowledge": ("investigating", "{status}. We are aware and investigating.",
                    "Investigating the cause; the incident lead is on it."),
    "Identified": ("identified", "{status}.", "We have found the cause and are fixing it."),
    "Rollback did not fix it": ("identified", "{status}.",
                                "The rollback did not fully fix it; we are removing the bad data."),
    "Monitoring": ("monitoring", "Service is recovering.",
                   "A fix is in place; we are watching the signals."),
    "Resolved": ("resolved", "Service is back to normal.",
                 "Resolved. A postmortem will follow."),
}


class UpdateDialog(ModalScreen[dict[str, Any] | None]):
    """Write an update to one audience; returns the fields of a PostUpdate step."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, status_line: str, unit: str, audience: str = "support") -> None:
        super().__init__()
        self.status_line = status_line
        self.unit = "min" if unit == "minutes" else "days"
        self.audience = audience

    def compose(self) -> ComposeResult:
        with Vertical(id="update", classes="dialog"):
            yield Static("Post an update", classes="dialog-title")
            yield field("To", Select([(AUDIENCE_LABELS[a], a) for a in AUDIENCES],
                                     value=self.audience, allow_blank=False, id="audience",
                                     compact=True))
            yield field("Template", Select([(name, name) for name in TEMPLATES],
                                           prompt="Start from a template…", id="template",
                                           compact=True))
            yield field("Impact", Input(placeholder="who is affected and how, in their terms",
                                        id="impact", compact=True))
            yield field("Doing", Input(placeholder="what we are doing about it", id="doing",
                                       compact=True))
            yield field("Status", Select([(s.capitalize(), s) for s in STATUSES],
                                         value="investigating", allow_blank=False, id="status",
                                         compact=True))
            yield field("Next in", Input(placeholder=f"next update in ({self.unit})", id="next",
                                         type="number", compact=True))
            yield field("Data loss", Select([("not said", ""), ("none", "none"),
                                             ("some data lost", "some"), ("unknown yet", "unknown")],
                                            value="", allow_blank=False, id="data-loss",
                                            compact=True))
            yield field("", Checkbox("Say the rollback did not fix it", id="rollback-insufficient",
                                     compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Post", variant="primary", id="post", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#impact", Input).focus()

    @on(Select.Changed, "#template")
    def use_template(self, event: Select.Changed) -> None:
        """Fill the fields from a template, to edit before posting."""
        if event.value not in TEMPLATES:
            return
        status, impact, doing = TEMPLATES[str(event.value)]
        self.query_one("#status", Select).value = status
        self.query_one("#impact", Input).value = impact.format(status=self.status_line)
        self.query_one("#doing", Input).value = doing
        if not self.query_one("#next", Input).value and status != "resolved":
            self.query_one("#next", Input).value = "15" if self.unit == "min" else "7"
        self.query_one("#rollback-insufficient", Checkbox).value = "rollback" in str(event.value).lower()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#post")
    def post(self) -> None:
        impact = self.query_one("#impact", Input).value.strip()
        doing = self.query_one("#doing", Input).value.strip()
        if not impact and not doing:
            self.notify("Say what is impacted or what is being done.", severity="warning")
            return
        next_text = self.query_one("#next", Input).value.strip()
        try:
            next_update = float(next_text) if next_text else None
        except ValueError:
            next_update = None
        if next_update is not None and next_update <= 0:
            next_update = None
        self.dismiss({
            "do": "update",
            "audience": self.query_one("#audience", Select).value,
            "status": self.query_one("#status", Select).value,
            "impact": impact[:500],
            "doing": doing[:500],
            "next_update": next_update,
            "data_loss": self.query_one("#data-loss", Select).value,
            "rollback_insufficient": self.query_one("#rollback-insufficient", Checkbox).value,
        })
