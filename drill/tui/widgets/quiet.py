"""A Static that repaints only when what it shows changes, and lays the screen out again only
when its size may change.

The board redraws every panel at every tick of the clock (four times a second).  Most ticks
change nothing in most panels, and a Static's update lays the whole screen out again by
default, which is most of the cost of a tick (bench/latency.py).
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static


def shown_key(content: Any) -> Any:
    """What tells two contents apart on screen: Content compares by its text only, and a line
    that turns red keeps its words."""
    if isinstance(content, Content):
        return content.plain, tuple(content.spans)
    return content


def _shape(content: Any) -> tuple[int, int]:
    """Lines, and the widest line, of what is shown."""
    lines = (content.plain if isinstance(content, Content) else str(content)).split("\n")
    return len(lines), max(len(line) for line in lines)


class QuietStatic(Static):
    """A Static whose :meth:`update` does nothing when the content is the same as shown, and
    asks for a new layout only when the number of lines, or an ``auto`` width, changes.

    It counts the lines of the text, not of the text wrapped: use it with ``text-wrap:
    nowrap`` (every QuietStatic on the board has it), or a wrapped text may keep its old
    height."""

    _shown_key: Any = None
    _shown_shape: tuple[int, int] | None = None

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        key = shown_key(content)
        if key == self._shown_key:
            return
        shape = _shape(content)
        width_follows = self.styles.width is None or self.styles.width.is_auto
        same_size = (self._shown_shape is not None
                     and shape[0] == self._shown_shape[0]
                     and (not width_follows or shape[1] == self._shown_shape[1]))
        self._shown_key, self._shown_shape = key, shape
        super().update(content, layout=layout and not same_size)

    def _size_updated(self, size: Any, virtual_size: Any, container_size: Any,
                      layout: bool = True) -> bool:
        # Textual (8.2.8, Widget._size_updated) stores a resized widget's new virtual size
        # through a reactive that asks for a second layout of the whole screen, painted a frame
        # later.  A Static has nothing inside it to lay out, so the layout that resized it is
        # all that is needed: a panel that gains a line is painted in one frame, not three.
        return super()._size_updated(size, virtual_size, container_size, layout=False)
