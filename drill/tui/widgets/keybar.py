"""The key line at the bottom of every screen: the screen's keys, as many as fit, and `?`.

Textual's Footer shows every binding and cuts what does not fit at the right edge, so at 80
columns the board lost `-`, `f`, `n` and ctrl+q.  This line takes the bindings in the order the
screen declares them (most important first), shows those that fit, and always ends with
``? keys``, which lists every key (:class:`~drill.tui.dialogs.keys.KeysDialog`).  It is one
widget that redraws itself, where the Footer recomposed a dozen widgets at each focus change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

HELP_KEY = "question_mark"
QUIT_KEY = "ctrl+q"
GENERIC_ACTIONS = frozenset({"app.focus_next", "app.focus_previous", "screen.copy_text"})
"""Keys every Textual screen has (Tab, shift+Tab, copy): listed after the screen's own."""


@dataclass(frozen=True)
class KeyHint:
    """One key as the line and the keys overlay show it."""

    key: str
    """The key pressed, as Textual names it ("u", "ctrl+q", "question_mark")."""
    shown: str
    """How it reads ("u", "^q", "?")."""
    description: str
    tooltip: str = ""
    enabled: bool = True
    in_line: bool = True
    """Whether the line offers it (hidden bindings are only in the keys overlay)."""


def screen_keys(screen: Screen[Any]) -> list[KeyHint]:
    """The keys of a screen: its own first, in the order it declares them, then the app's, then
    those of the focused widget (moving in a list, editing a field), then Textual's keys that
    every screen has (Tab, copy); each action once; the command palette with the app's keys."""
    app = screen.app
    ranked: list[tuple[int, KeyHint]] = []
    seen: set[tuple[int, str]] = set()
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if not binding.description or binding.action in ("command_palette", "app.command_palette"):
            continue
        if binding.action in GENERIC_ACTIONS:
            rank = 3  # Textual's own keys, the same on every screen: last in the list
        else:
            rank = 0 if active.node is screen else 1 if active.node is app else 2
        if (rank, binding.action) in seen:
            continue  # one action bound to several keys ("plus,equals_sign") shows once
        seen.add((rank, binding.action))
        ranked.append((rank, KeyHint(key, app.get_key_display(binding), binding.description,
                                     binding.tooltip, active.enabled,
                                     binding.show and rank < 2)))
    if app.ENABLE_COMMAND_PALETTE:
        palette = app.COMMAND_PALETTE_BINDING
        ranked.append((1, KeyHint(palette, app.get_key_display(Binding(palette, "")),
                                  "Commands", "Every action by name", True, False)))
    return [hint for _, hint in sorted(ranked, key=lambda pair: pair[0])]


class KeyBar(Static):
    """The screen's keys on one line, ending with ``? keys``; a click presses the key."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, str]] = []
        self._shown: tuple[int, tuple[KeyHint, ...]] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Draw the keys that fit the width, most important first, then quit and ``? keys``."""
        if not self.is_attached:
            return
        hints = tuple(h for h in screen_keys(self.screen) if h.in_line and h.key != HELP_KEY)
        width = self.size.width or self.app.size.width
        if self._shown == (width, hints):
            return  # nothing changed: no repaint
        self._shown = (width, hints)
        # Quitting and the list of every key are always in sight, at the right.
        last = [h for h in hints if h.key == QUIT_KEY] + [KeyHint(HELP_KEY, "?", "keys")]
        first = [h for h in hints if h.key != QUIT_KEY]
        used = sum(_width(h) for h in last)
        fitted: list[KeyHint] = []
        for hint in first:
            if used + _width(hint) > width:
                break
            fitted.append(hint)
            used += _width(hint)
        parts: list[Content] = []
        self._spans = []
        column = 0
        for hint in [*fitted, *last]:
            piece = _piece(hint)
            self._spans.append((column, column + piece.cell_length, hint.key))
            parts.append(piece)
            column += piece.cell_length
        self.update(Content.assemble(*parts))

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _piece(hint: KeyHint) -> Content:
    style = "bold $footer-key-foreground" if hint.enabled else "dim"
    description = "$footer-description-foreground" if hint.enabled else "dim"
    return Content.assemble((f" {hint.shown}", style), (f" {hint.description}", description))


def _width(hint: KeyHint) -> int:
    return _piece(hint).cell_length
