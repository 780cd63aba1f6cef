"""Dialogs of fields that say, next to the field, what is wrong; and those that build a step."""

from __future__ import annotations

import math
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError
from textual.binding import Binding
from textual.widgets import Input, Static

from ...engine.playscript import StepBase
from ..safe import notify_plain, plain
from ..widgets.choice import Choice
from .backdrop import Dialog

Answer = TypeVar("Answer")
Step = TypeVar("Step", bound=StepBase)

Problems = dict[str, str]
"""What is wrong, by the id of the field that shows it."""


class FormDialog(Dialog[Answer]):
    """A dialog of fields; a :func:`~drill.tui.dialogs.fields.problem_line` under a field shows
    what is wrong with it.

    Esc closes only the innermost thing: an open list of choices first, the dialog after.
    ctrl+s answers from anywhere in the dialog (:meth:`submit`).  Both are priority keys, so
    they act on the dialog as the player sees it when pressing them.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True, id="cancel"),
        Binding("ctrl+s", "submit", "Answer", priority=True, id="submit"),
    ]

    def action_cancel(self) -> None:
        """Close an open list of choices if there is one; otherwise close the dialog."""
        for choice in self.query(Choice):
            if choice.expanded:
                choice.close()
                return
        self.cancelled()

    def cancelled(self) -> None:
        """The player closed the dialog: no answer."""
        self.dismiss(None)

    def action_submit(self) -> None:
        self.submit()

    def submit(self) -> None:
        """Answer with what the fields say, or show what is wrong (dialogs with fields)."""

    def show_problems(self, problems: Problems) -> None:
        """Show each problem under its field and hide the others; a problem with no field
        of its own becomes a toast."""
        lines = {line.id.removesuffix("-problem"): line
                 for line in self.query(".field-problem").results(Static) if line.id}
        for field_id, line in lines.items():
            message = problems.get(field_id, "")
            if message or line.has_class("-shown"):  # a line already blank stays as it is
                line.update(plain(message))
                line.set_class(bool(message), "-shown")
        for field_id, message in problems.items():
            if field_id not in lines:
                notify_plain(self, message, severity="warning")

    def number(self, field_id: str, problems: Problems, whole: bool = False) -> float | None:
        """The number typed in the field ``field_id`` (an int when ``whole``), None when empty.

        Text that is not a finite number (``1e``, ``-``, ``.``) is refused: the problem is added
        to ``problems`` and None returned.
        """
        text = self.query_one(f"#{field_id}", Input).value.strip().replace("_", "")
        if not text:
            return None
        try:
            value: float = int(text) if whole else float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems[field_id] = "A whole number, please." if whole else "A number, please."
            return None
        return value


class StepDialog(FormDialog[Step | None]):
    """Returns the step model it built, validated, or None when the player cancels.

    The step's ``at`` and ``by`` are left at 0 and empty: the board stamps them when it acts.
    """

    FIELD_OF: ClassVar[dict[str, str]] = {}
    """Model field name → id of the dialog field whose problem line shows its errors."""
    WHOLE: ClassVar[str] = ""
    """Id of the field that shows problems about the step as a whole (e.g. low above high)."""

    def build(self, model: type[Step], values: dict[str, Any]) -> Step | None:
        """``model`` from ``values``, or None with every problem shown next to its field."""
        try:
            step = model.model_validate({"at": 0, **values})
        except ValidationError as error:
            problems: Problems = {}
            # An optional number's "should be None" only says the other branch failed too.
            details = sorted(error.errors(), key=lambda d: d["type"] == "none_required")
            for detail in details:
                where = self.FIELD_OF.get(str(detail["loc"][0]) if detail["loc"] else "", self.WHOLE)
                problems.setdefault(where, readable(detail["msg"]))
            self.show_problems(problems)
            return None
        self.show_problems({})
        return step


def readable(message: str) -> str:
    """A pydantic message as a player reads it: no 'Value error,' and no TOML-style quotes."""
    message = message.removeprefix("Value error, ").replace("`", "")
    return message.replace("Input should be", "Should be")
