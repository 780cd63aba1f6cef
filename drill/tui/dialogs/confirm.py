"""A yes/no question before a risky or final step."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ..safe import plain
from .backdrop import Dialog


class ConfirmDialog(Dialog[bool]):
    """Ask before doing something that cannot be taken back."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str, detail: str = "", confirm: str = "Yes") -> None:
        super().__init__()
        self.prepare(question, detail, confirm)

    def prepare(self, question: str, detail: str = "", confirm: str = "Yes") -> None:
        """Ask ``question``, ``detail`` below it, ``confirm`` on the button that says yes.
        The board keeps one confirmation and calls this before each showing."""
        self.question, self.detail, self.confirm_label = question, detail, confirm
        if self.is_mounted:
            self.query_one("#confirm-question", Static).update(plain(question, "bold"))
            detail_line = self.query_one("#confirm-detail", Static)
            detail_line.update(plain(detail))
            detail_line.display = bool(detail)
            self.query_one("#yes", Button).label = f"{confirm} (y)"
            self.query_one("#no", Button).focus()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Static(plain(self.question, "bold"), classes="dialog-title",
                         id="confirm-question")
            detail = Static(plain(self.detail), id="confirm-detail")
            detail.display = bool(self.detail)
            yield detail
            with Horizontal(classes="buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="warning", id="yes", compact=True)
                yield Button("Cancel (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
