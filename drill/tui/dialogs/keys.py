"""Every key of the screen below, in one list: what the key line at the bottom could not show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..safe import plain
from ..widgets.keybar import KeyHint
from .backdrop import Dialog


class KeysDialog(Dialog[None]):
    """The keys of a screen, with what each does; any of Esc, ``?`` or Enter closes it."""

    BINDINGS = [Binding("escape,question_mark,enter,q", "close", "Close", priority=True)]

    def __init__(self, title: str, hints: list[KeyHint]) -> None:
        super().__init__()
        self.title_text = title
        self.hints = hints

    def compose(self) -> ComposeResult:
        width = max((len(h.shown) for h in self.hints), default=1)
        lines: list[Content | str] = []
        for hint in self.hints:
            lines += [plain(hint.shown.ljust(width), "bold $accent"), "  ",
                      plain(hint.tooltip or hint.description, "" if hint.enabled else "dim"),
                      "\n"]
        with Vertical(id="keys", classes="dialog"):
            yield Static(plain(self.title_text), classes="dialog-title")
            with VerticalScroll(id="keys-list"):
                yield Static(Content.assemble(*lines).rstrip())
            yield Static(plain("Esc, ? or Enter closes this list.", "dim"))

    def action_close(self) -> None:
        self.dismiss(None)
