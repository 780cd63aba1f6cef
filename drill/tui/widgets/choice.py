"""A keyboard-first choice among a few values, in one widget.

Textual's Select is six widgets (the current value, three labels, an option list kept mounted
for its pop-up), and the update dialog has five of them: a fifth of the widgets, and of the time,
of opening it (bench/latency.py).  A Choice draws its value itself and mounts its list only while
it is open:

* ←/→ (or the first letter of a choice) change the value in place, without a list;
* Enter, space or ↓ open the list: ↑/↓ move, Enter chooses, Esc closes only the list
  (the dialog's Esc handler asks :attr:`Choice.expanded` first);
* a click opens it too.

Choices are ``(label, value)`` pairs; labels from a file must be ``Content`` built by
:func:`drill.tui.safe.plain`, like every text from a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual import events, on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

Label = str | Content


class ChoiceList(OptionList):
    """The open list of a Choice."""


class Choice(Widget, can_focus=True):
    """One of a few values; see the module docstring for the keys."""

    DEFAULT_CSS = """
    Choice {
        height: 1;
        width: 1fr;
        padding: 0 1 0 0;
        background: $boost;
        pointer: pointer;
    }
    Choice:focus {
        background-tint: $foreground 10%;
        text-style: bold;
    }
    Choice.-blank {
        color: $text-muted;
    }
    Choice > ChoiceList {
        display: block;
        overlay: screen;
        constrain: none inside;
        offset-y: 1;
        width: 1fr;
        height: auto;
        max-height: 10;
        border: tall $accent;
        background: $surface;
        text-style: none;
    }
    """
    BINDINGS = [
        Binding("left", "step(-1)", "Previous choice", show=False),
        Binding("right", "step(1)", "Next choice", show=False),
        Binding("enter,space,down", "open", "Open the list", show=False),
    ]

    @dataclass
    class Changed(Message):
        """The value changed (by the player or by code)."""

        choice: Choice
        value: str

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, options: Sequence[tuple[Label, str]], value: str | None = None, *,
                 prompt: str = "", id: str | None = None) -> None:
        """Args:
            options: (label, value) pairs, in the order offered.
            value: the value chosen at first; None shows ``prompt`` until something is chosen.
            prompt: what shows while nothing is chosen.
            id: the widget's id.
        """
        super().__init__(id=id)
        self.options: list[tuple[Label, str]] = []
        self.prompt = prompt
        self._value: str | None = None
        self._offer(options, value)

    @property
    def value(self) -> str | None:
        """The value chosen, or None while nothing is."""
        return self._value

    @value.setter
    def value(self, value: str | None) -> None:
        if value is not None and not any(v == value for _, v in self.options):
            raise ValueError(f"{value!r} is not one of the choices")
        if value == self._value:
            return
        self._value = value
        self.set_class(value is None, "-blank")
        self.refresh()
        if value is not None:
            self.post_message(self.Changed(self, value))

    def reset(self, options: Sequence[tuple[Label, str]], value: str | None = None) -> None:
        """Offer ``options`` instead, ``value`` chosen (None: the prompt), without posting
        :class:`Changed`: for a dialog set up afresh, not a choice the player made."""
        self.close_list()
        if self._offer(options, value):
            self.refresh()

    def _offer(self, options: Sequence[tuple[Label, str]], value: str | None) -> bool:
        """Take ``options`` and ``value`` (None when it is not one of them); False when they
        are what is offered already."""
        options = list(options)
        value = value if any(v == value for _, v in options) else None
        if options == self.options and value == self._value:
            return False
        self.options, self._value = options, value
        self.set_class(value is None, "-blank")
        return True

    @property
    def expanded(self) -> bool:
        """Whether the list of choices is open."""
        return bool(self.query(ChoiceList))

    def render(self) -> Content:
        label: Label = next((label for label, v in self.options if v == self._value),
                            self.prompt)
        text = label if isinstance(label, Content) else Content(label)
        width = max(1, self.size.width - 2)
        return text.truncate(width, ellipsis=True, pad=True) + Content(" ▾")

    def _index(self) -> int:
        return next((i for i, (_, v) in enumerate(self.options) if v == self._value), -1)

    def action_step(self, direction: int) -> None:
        """Change the value to the previous or next choice, without opening the list."""
        if self.options:
            index = self._index()
            start = index if index >= 0 else (-1 if direction > 0 else 0)
            self.value = self.options[(start + direction) % len(self.options)][1]

    def action_open(self) -> None:
        """Open the list of choices, the current one highlighted."""
        if self.expanded or not self.options:
            return
        options = [Option(label if isinstance(label, Content) else Content(label))
                   for label, _ in self.options]
        listing = ChoiceList(*options)
        self.mount(listing)
        listing.highlighted = max(0, self._index())
        listing.focus()

    def close(self) -> None:
        """Close the list, if it is open, and keep the focus here."""
        self.close_list()
        self.focus()

    def close_list(self) -> None:
        """Close the list, if it is open, wherever the focus is."""
        for listing in self.query(ChoiceList):
            listing.remove()

    def on_key(self, event: events.Key) -> None:
        # The first letter of a choice jumps to it (the next one, when several share it).
        if self.expanded or event.character is None or not event.character.isalnum():
            return
        letter = event.character.lower()
        count = len(self.options)
        index = self._index()
        for step in range(1, count + 1):
            label, value = self.options[(index + step) % count]
            if str(label).lower().startswith(letter):
                self.value = value
                event.stop()
                return

    def on_click(self, event: events.Click) -> None:
        if not self.expanded:
            self.action_open()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.value = self.options[event.option_index][1]
        self.close()

    @on(events.DescendantBlur)
    def _list_left(self, event: events.DescendantBlur) -> None:
        # Tab or a click elsewhere while the list is open: close it, leave the focus be.
        self.close_list()
