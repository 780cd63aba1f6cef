"""Post an update: audience, who is affected, impact, what is being done, status, next update.

The texts are multi-line (Enter starts a new line; ctrl+s posts).  The templates on offer follow
the run: each is offered once what it says has been seen on the board, never before, so a
template cannot give away what the player has not found out (a rollback that did not help, a
cause nobody has looked for).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static, TextArea

from ...engine.playscript import PostUpdate
from ...engine.record import RunRecord
from ..safe import plain
from ..widgets.choice import Choice
from .base import Problems, StepDialog
from .fields import AUDIENCE_CHOICES, field, problem_line

STATUSES = ("investigating", "identified", "monitoring", "resolved")
STATUS_CHOICES = tuple((status.capitalize(), status) for status in STATUSES)
AFFECTED = (("not said", ""), ("everyone", "all"), ("most users", "most"),
            ("some users", "some"), ("a few users", "few"), ("nobody any more", "none"))
"""Who is affected, as the update states it in the audience's terms (the score reads this)."""
AFFECTED_BY_LEVEL = {"down": "most", "degraded": "some", "ok": ""}
"""What a template states from the status the board shows: the middle of each range, so that it
is never more than a step off what the signals show."""
DATA_LOSS = (("not said", ""), ("none", "none"), ("some data lost", "some"),
             ("unknown yet", "unknown"))
"""What the update says of lost data."""
TEXT_LIMIT = 500
"""Characters an impact or a doing line may hold: an update is read at a glance."""


@dataclass(frozen=True)
class Template:
    """A starting point for an update, to edit before posting."""

    name: str
    status: str
    affected: str
    impact: str
    doing: str


def offered_templates(record: RunRecord) -> list[Template]:
    """The templates that say nothing the board has not shown by now.

    * Acknowledge: always; it repeats the status line the board shows.
    * Identified: once a cause is visible (the scenario's ``comms.cause_visible``; without one,
      once an investigation has finished).
    * Rollback did not fix it: once a rollback (a generic mitigation) has finished *and* the
      evidence that the bad state persisted is visible.
    * Monitoring and Resolved: once a mitigation or a fix has finished.
    """
    scenario = record.scenario
    level, line = record.status
    status = line.rstrip(".") + "."
    affected = AFFECTED_BY_LEVEL.get(level, "")
    finished = {action_id for action_id, times in record.finished.items() if times}
    templates = [Template("Acknowledge", "investigating", affected,
                          f"{status} We are aware and investigating.",
                          "Investigating the cause; the incident lead is on it.")]
    cause = scenario.comms.cause_visible
    if (record.holds(cause) if cause is not None else bool(finished)):
        templates.append(Template("Identified", "identified", affected, status,
                                  "We have found the cause and are fixing it."))
    rollback = scenario.scoring.rollback
    rolled_back = finished & set(rollback.generic_mitigations)
    if rollback.applies and rolled_back and record.holds(rollback.persisted_evidence):
        templates.append(Template("Rollback did not fix it", "identified", affected, status,
                                  "The rollback did not fully fix it; we are removing the bad "
                                  "data."))
    mitigations = {a.id for a in scenario.actions if a.mitigation != "none"}
    if finished & (mitigations | set(rollback.correct_remediations)) or "mitigated" in record.reached:
        templates += [
            Template("Monitoring", "monitoring", "few", "Service is recovering.",
                     "A fix is in place; we are watching the signals."),
            Template("Resolved", "resolved", "none", "Service is back to normal.",
                     "Resolved. A postmortem will follow."),
        ]
    return templates


def rollback_done(record: RunRecord) -> bool:
    """Whether a rollback (a generic mitigation) has finished: only then can an update say it
    did not fix it."""
    rollback = record.scenario.scoring.rollback
    return rollback.applies and any(record.finished.get(a) for a in rollback.generic_mitigations)


class UpdateDialog(StepDialog[PostUpdate]):
    """Write an update to one audience; returns the PostUpdate step, or None."""

    FIELD_OF = {"impact": "impact", "doing": "doing", "next_update": "next",
                "audience": "impact", "status": "impact", "affected": "impact"}
    WHOLE = "impact"

    def __init__(self, record: RunRecord, audience: str = "support") -> None:
        super().__init__()
        self.prepare(record, audience)

    def prepare(self, record: RunRecord, audience: str = "support") -> None:
        """Set the dialog up for the run as ``record`` shows it: blank fields, the templates
        on offer now.  The board keeps one update dialog and calls this before each showing."""
        self.record = record
        self.unit = record.scenario.clock.unit
        self.audience = audience
        self.templates = {t.name: t for t in offered_templates(record)}
        if self.is_mounted:
            self._blank()

    def _blank(self) -> None:
        """Every field as :meth:`compose` first makes it, for the run as it is now."""
        self.query_one("#audience", Choice).reset(AUDIENCE_CHOICES, self.audience)
        self.query_one("#template", Choice).reset(self._template_choices())
        self.query_one("#affected", Choice).reset(AFFECTED, "")
        for text_id in ("impact", "doing"):
            text = self.query_one(f"#{text_id}", TextArea)
            if text.text or text.history.undo_stack or text.history.redo_stack:
                # load_text, not clear(): clearing is an edit that ctrl+z would take back,
                # bringing the last showing's draft to the next player.
                text.load_text("")
        self.query_one("#status", Choice).reset(STATUS_CHOICES, "investigating")
        self.query_one("#next", Input).value = ""
        self.query_one("#data-loss", Choice).reset(DATA_LOSS, "")
        self.query_one("#rollback-insufficient", Checkbox).value = False
        self.query_one("#rollback-row").display = rollback_done(self.record)
        self.show_problems({})
        self.query_one("#impact", TextArea).focus()

    def _template_choices(self) -> list[tuple[str, str]]:
        return [(name, name) for name in self.templates]

    def compose(self) -> ComposeResult:
        unit = "min" if self.unit == "minutes" else "days"
        with Vertical(id="update", classes="dialog"):
            yield Static("Post an update", classes="dialog-title")
            yield field("To", Choice(AUDIENCE_CHOICES, value=self.audience, id="audience"))
            yield field("Template", Choice(self._template_choices(),
                                           prompt="Start from a template…", id="template"))
            yield field("Affected", Choice(AFFECTED, value="", id="affected"))
            yield field("Impact", TextArea(id="impact", soft_wrap=True, compact=True,
                                           placeholder="who is affected and how, in their terms"))
            yield problem_line("impact")
            yield field("Doing", TextArea(id="doing", soft_wrap=True, compact=True,
                                          placeholder="what we are doing about it"))
            yield problem_line("doing")
            yield field("Status", Choice(STATUS_CHOICES, value="investigating", id="status"))
            yield field("Next in", Input(placeholder=f"next update in ({unit})", id="next",
                                         type="number", valid_empty=True,
                                         compact=True))
            yield problem_line("next")
            yield field("Data loss", Choice(DATA_LOSS, value="", id="data-loss"))
            # Always there, shown only once a rollback has finished: the dialog is shown again
            # later in the run (see prepare).
            rollback_row = field("", Checkbox("Say the rollback did not fix it",
                                              id="rollback-insufficient", compact=True))
            rollback_row.id = "rollback-row"
            rollback_row.display = rollback_done(self.record)
            yield rollback_row
            with Horizontal(classes="buttons"):
                yield Static(plain("Enter: new line · Tab: next field", "dim"), classes="keys-help")
                yield Button("Post (ctrl+s)", variant="primary", id="post", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#impact", TextArea).focus()

    @on(Choice.Changed, "#template")
    def use_template(self, event: Choice.Changed) -> None:
        """Fill the fields from a template, to edit before posting."""
        template = self.templates.get(str(event.value))
        if template is None:
            return
        self.query_one("#status", Choice).value = template.status
        if template.affected:
            self.query_one("#affected", Choice).value = template.affected
        self.query_one("#impact", TextArea).text = template.impact
        self.query_one("#doing", TextArea).text = template.doing
        next_field = self.query_one("#next", Input)
        if not next_field.value and template.status != "resolved":
            next_field.value = "15" if self.unit == "minutes" else "7"
        self.query_one("#rollback-insufficient", Checkbox).value = (
            template.name == "Rollback did not fix it")

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#post")
    def submit(self) -> None:
        """Build the update; stay open, saying what is wrong, until it is one."""
        problems: Problems = {}
        impact = self.query_one("#impact", TextArea).text.strip()
        doing = self.query_one("#doing", TextArea).text.strip()
        if not impact and not doing:
            problems["impact"] = "Say what is impacted or what is being done."
        for field_id, text in (("impact", impact), ("doing", doing)):
            if len(text) > TEXT_LIMIT:
                problems[field_id] = (f"At most {TEXT_LIMIT} characters, please (now "
                                      f"{len(text)}): an update is read at a glance.")
        next_update = self.number("next", problems)
        if problems:
            self.show_problems(problems)
            return
        box = self.query_one("#rollback-insufficient", Checkbox)
        step = self.build(PostUpdate, {
            "do": "update",
            "audience": self.query_one("#audience", Choice).value,
            "status": self.query_one("#status", Choice).value,
            "affected": self.query_one("#affected", Choice).value,
            "impact": impact,
            "doing": doing,
            "next_update": next_update,
            "data_loss": self.query_one("#data-loss", Choice).value,
            "rollback_insufficient": rollback_done(self.record) and box.value,
        })
        if step is not None:
            self.dismiss(step)

