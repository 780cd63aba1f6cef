"""Answer a yes/no question someone asked ("Is this an attack?")."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ...engine.text import plural
from ..safe import plain
from .backdrop import Dialog


class AnswerDialog(Dialog[bool | None]):
    """Shows the question as it was asked; returns True for yes, False for no, None for not
    now (the question stays open on the board)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(None)", "Not now"),
    ]

    def __init__(self, asker: str, question: str, waiting: int = 1) -> None:
        super().__init__()
        self.asker, self.question, self.waiting = asker, question, waiting

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="answer"):
            yield Static(plain(f"{self.asker} asks", "bold"), classes="dialog-title")
            yield Static(plain(self.question), id="answer-question")
            if self.waiting > 1:
                yield Static(plain(f"{plural(self.waiting - 1, 'more question')} after this one.",
                                   "dim"))
            yield Static(plain("Your answer is judged against what is true now.", "dim"))
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", variant="primary", id="yes", compact=True)
                yield Button("No (n)", variant="primary", id="no", compact=True)
                yield Button("Not now (esc)", id="later", compact=True)

    def on_mount(self) -> None:
        self.query_one("#later", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"yes": True, "no": False}.get(event.button.id or ""))

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)
