"""Post an update: audience, status, impact, what is being done, next update in..."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Select, Static

from ...engine.playscript import PostUpdate
from ...engine.scenario import AUDIENCES
from .base import Problems, StepDialog
from .fields import field, problem_line

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
TEXT_LIMIT = 500
"""Characters an impact or a doing line may hold: an update is read at a glance."""


class UpdateDialog(StepDialog[PostUpdate]):
    """Write an update to one audience; returns the PostUpdate step, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]
    FIELD_OF = {"impact": "impact", "doing": "doing", "next_update": "next",
                "audience": "impact", "status": "impact"}
    WHOLE = "impact"

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
                                        id="impact", max_length=TEXT_LIMIT, compact=True))
            yield problem_line("impact")
            yield field("Doing", Input(placeholder="what we are doing about it", id="doing",
                                       max_length=TEXT_LIMIT, compact=True))
            yield problem_line("doing")
            yield field("Status", Select([(s.capitalize(), s) for s in STATUSES],
                                         value="investigating", allow_blank=False, id="status",
                                         compact=True))
            yield field("Next in", Input(placeholder=f"next update in ({self.unit})", id="next",
                                         type="number", compact=True))
            yield problem_line("next")
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
        """Build the update; stay open, saying what is wrong, until it is one."""
        problems: Problems = {}
        impact = self.query_one("#impact", Input).value.strip()
        doing = self.query_one("#doing", Input).value.strip()
        if not impact and not doing:
            problems["impact"] = "Say what is impacted or what is being done."
        next_update = self.number("next", problems)
        if problems:
            self.show_problems(problems)
            return
        step = self.build(PostUpdate, {
            "do": "update",
            "audience": self.query_one("#audience", Select).value,
            "status": self.query_one("#status", Select).value,
            "impact": impact,
            "doing": doing,
            "next_update": next_update,
            "data_loss": self.query_one("#data-loss", Select).value,
            "rollback_insufficient": self.query_one("#rollback-insufficient", Checkbox).value,
        })
        if step is not None:
            self.dismiss(step)
