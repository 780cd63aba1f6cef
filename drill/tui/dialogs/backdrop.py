"""Dialogs over a dimmed board, without redrawing the board for every frame of the dialog.

A Textual ModalScreen with a translucent background draws the screen below it again, and tints
every one of its segments, each time the dialog's background is painted: on opening, on the
first layout, on every resize, whenever its styles are refreshed.  Under the page dialog that
was three quarters of the time to open it (bench/latency.py).  The screen below does not change
while a dialog covers it in solo play (its clock waits), so a :class:`Dialog` tints it once per
terminal size and reuses the result, and it does not repaint when the screen below asks it to.
In team play the board may move on underneath; it is drawn afresh when the dialog closes.  A
dialog the board keeps and shows again (:mod:`~drill.tui.dialogs.kept`) forgets its backdrop
each time it is shown: the board has moved on since.

Tinting works style by style, not segment by segment: a board has a hundred or so styles and
thousands of segments, and blending each segment's colours was half the cost of the picture.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Self, TypeVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.color import Color
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

Answer = TypeVar("Answer")


class _Backdrop:
    """The tinted screen below, rendered once per size and replayed."""

    def __init__(self) -> None:
        self._key: tuple[int, int, int, Any] | None = None
        self._segments: list[Segment] = []

    def wrap(self, below: BackgroundScreen) -> RenderableType:
        self._below = below
        return self

    def _key_now(self, width: int, height: int) -> tuple[int, int, int, Any]:
        below = self._below.screen
        # Which screen, what size, and the size the screen below was last laid out at: after a
        # resize the dialog may paint before the board has its new layout.  forget() drops the
        # picture when that screen changed.
        return id(below), width, height, below._compositor.size

    def stale(self) -> bool:
        """Whether the screen below has been laid out again since the picture was taken."""
        return self._key is not None and self._key != self._key_now(*self._key[1:3])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = self._key_now(options.max_width, options.height or 0)
        if key != self._key:
            below = self._below
            segments = console.render(below.screen._compositor, options)
            self._segments = list(_tinted(segments, below.color))
            self._key = key
        yield from self._segments

    def forget(self) -> None:
        """Draw the screen below afresh next time."""
        self._key = None
        self._segments = []


_TINTED: dict[tuple[Style | None, Color], Style] = {}
"""Each style of a screen below, tinted with a dialog's background colour; a board has a hundred
or so styles (about 150 for black-friday, most told apart only by their meta), so this stays
small."""
_PLAIN = Style()


def _tint(style: Style | None, color: Color) -> Style:
    """``style`` without links or meta, its colours blended with ``color`` (as Textual's
    BackgroundScreen does to every segment)."""
    key = (style, color)
    tinted = _TINTED.get(key)
    if tinted is None:
        base = _PLAIN if style is None else style.clear_meta_and_links()
        if color.a == 0:
            tinted = base
        else:
            blend = Color.from_rich_color
            tinted = base + Style.from_color(
                (blend(base.color) + color).rich_color if base.color is not None else None,
                (blend(base.bgcolor) + color).rich_color if base.bgcolor is not None else None)
        if len(_TINTED) > 4096:  # a theme change, many times over: start again
            _TINTED.clear()
        _TINTED[key] = tinted
    return tinted


def _tinted(segments: Iterable[Segment], color: Color) -> Iterator[Segment]:
    """The segments of the screen below, dimmed: what BackgroundScreen.process_segments yields,
    with each style blended once."""
    for segment in segments:
        text, style, control = segment
        yield segment if control else Segment(text, _tint(style, color), control)


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

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if regions and repaint and not (layout or recompose) and not self._backdrop.stale():
            # Only the screen below asks for regions of this one to be repainted (Textual's
            # Screen._compositor_refresh), when something changed on it.  What shows of it
            # here is the picture taken when the dialog opened, so such a repaint would draw
            # the same frame again (two more frames after each opening, bench/latency.py);
            # unless the board was laid out at a new size since: then the picture is retaken.
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render(self) -> RenderableType:
        rendered = super().render()
        if isinstance(rendered, BackgroundScreen):
            return self._backdrop.wrap(rendered)
        return rendered
