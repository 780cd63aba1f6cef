"""Dialogs over a dimmed board, without redrawing the board for every frame of the dialog.

A Textual ModalScreen with a translucent background draws the screen below it again, and tints
every one of its segments, each time the dialog's background is painted: on opening, on the
first layout, on every resize, whenever its styles are refreshed.  Under the page dialog that
was three quarters of the time to open it (bench/latency.py).  The screen below does not change
while a dialog covers it in solo play (its clock waits), so a :class:`Dialog` tints it once per
terminal size and reuses the result.  In team play the board may move on underneath; it is
drawn afresh when the dialog closes.  A dialog the board keeps and shows again (see
:class:`~drill.tui.dialogs.base.FormDialog.prepare`) forgets its backdrop each time it is shown:
the board has moved on since.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from textual import events, on
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

Answer = TypeVar("Answer")


class _Backdrop:
    """The tinted screen below, rendered once per size and replayed."""

    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None
        self._segments: list[Segment] = []

    def wrap(self, below: BackgroundScreen) -> RenderableType:
        self._below = below
        return self

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (id(self._below.screen), options.max_width, options.height or 0)
        # Which screen and what size; forget() drops the picture when that screen changed.
        if key != self._key:
            self._segments = list(console.render(self._below, options))
            self._key = key
        yield from self._segments

    def forget(self) -> None:
        """Draw the screen below afresh next time."""
        self._key = None
        self._segments = []


class Dialog(ModalScreen[Answer]):
    """A modal dialog whose dimmed background is drawn once per terminal size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backdrop = _Backdrop()

    def prepare(self, *args: Any) -> None:
        """Set the dialog up afresh for another showing, from the arguments its ``__init__``
        takes; for the dialogs a screen keeps (:mod:`~drill.tui.dialogs.kept`)."""
        raise NotImplementedError(f"{type(self).__name__} is built anew for each showing")

    @on(events.ScreenResume)
    def _board_moved_on(self) -> None:
        # Shown (again): what is below may have changed since the picture was taken.
        self._backdrop.forget()

    def render(self) -> RenderableType:
        rendered = super().render()
        if isinstance(rendered, BackgroundScreen):
            return self._backdrop.wrap(rendered)
        return rendered
