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
        self.question, self.detail, self.confirm_label = question, detail, confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Static(plain(self.question, "bold"), classes="dialog-title")
            if self.detail:
                yield Static(plain(self.detail), id="confirm-detail")
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
