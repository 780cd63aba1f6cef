"""A signal's sparkline drawn straight to strips.

Textual's Sparkline draws through Rich: a renderable per graph, a generator per bar, a style
wrapper per segment, then the segments are split into lines again.  The board redraws every
graph each time a scenario minute passes, and that path was half of the board's repaint after
such a tick (bench/latency.py).  :class:`SignalGraph` draws the same bars, in the same colours,
segment for segment, from one pass over the data, and keeps the drawing until the data, the
size or the colours change.
"""

from __future__ import annotations

from typing import Sequence

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
# Textual's own colour blend (private; textual is pinned to 8.2.8 in pyproject.toml), so that
# the bars have exactly the colours Textual's sparkline gives them.
from textual.renderables._blend_colors import blend_colors
from textual.strip import Strip
from textual.widgets import Sparkline

BARS = "▁▂▃▄▅▆▇█"
"""The eighths of a cell a bar can fill, as Textual's sparkline draws them."""


def bucket_peaks(data: Sequence[float], width: int) -> list[float]:
    """The highest value of each of ``width`` equal slices of ``data`` (empty slices dropped),
    as Textual's sparkline partitions its data (its fractions, in whole numbers)."""
    count = len(data)
    peaks = []
    for index in range(width):
        part = data[count * index // width:count * (index + 1) // width]
        if part:
            peaks.append(max(part))
    return peaks


def graph_lines(data: Sequence[float], width: int, height: int, base: Style,
                low: Color, high: Color) -> list[list[Segment]]:
    """The segments of each line of a sparkline of ``data``, top line first.

    Args:
        data: The values, oldest first.
        width: Cells across.
        height: Lines down.
        base: The widget's own style, under every cell.
        low: The colour of the lowest value.
        high: The colour of the highest value.

    Returns:
        One list of segments per line, one segment per cell, as Textual's sparkline draws it.
    """
    if not data:
        return [[] for _ in range(height - 1)] + [[Segment(BARS[0] * width,
                                                           base + Style(color=low))]]
    if width <= 0:
        return [[] for _ in range(height)]
    if len(data) == 1:
        return [[Segment(BARS[-1] * width, base + Style(color=high))] for _ in range(height)]
    minimum, maximum = min(data), max(data)
    extent = maximum - minimum or 1
    steps = len(BARS) * height - 1
    peaks = bucket_peaks(data, width)
    step = len(peaks) / width
    # One bar per cell: its height in eighths, and its colour, the same on every line.
    bars = []
    styles: dict[float, Style] = {}  # a graph has few distinct heights
    position = 0.0
    for _ in range(width):
        ratio = (peaks[int(position)] - minimum) / extent
        style = styles.get(ratio)
        if style is None:
            style = styles[ratio] = base + Style(color=blend_colors(low, high, ratio))
        bars.append((int(ratio * steps), style))
        position += step
    lines = []
    for line in reversed(range(height)):
        floor, ceiling = line * len(BARS), (line + 1) * len(BARS)
        segments = []
        for eighths, style in bars:
            if eighths < floor:
                segments.append(Segment(" ", base))
            elif eighths >= ceiling:
                segments.append(Segment(BARS[-1], style))
            else:
                segments.append(Segment(BARS[eighths % len(BARS)], style))
        lines.append(segments)
    return lines


class SignalGraph(Sparkline):
    """A :class:`~textual.widgets.Sparkline` that draws its bars without Rich's renderable
    pipeline and redraws only when its data, size or colours change.  Each bar is the highest
    value of its slice (Textual's default ``summary_function``; another is not supported)."""

    _drawn_key: object = None
    _drawn: list[Strip] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the graph again if its data, size or colours changed, then let Textual crop
        and style its lines (which it asks of :meth:`render_line`)."""
        width, height = self.size
        base = self.visual_style.rich_style
        _, background = self.background_colors
        low = (background + (self.get_component_styles("sparkline--min-color").color
                             if self.min_color is None else self.min_color)).rich_color
        high = (background + (self.get_component_styles("sparkline--max-color").color
                              if self.max_color is None else self.max_color)).rich_color
        data = tuple(self.data or ())
        key = (data, width, height, base, low, high)
        if key != self._drawn_key:
            self._drawn_key = key
            self._drawn = [Strip(segments) for segments in
                           graph_lines(data, width, height, base, low, high)]
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the graph as last drawn (Textual's line API)."""
        if y < len(self._drawn):
            return self._drawn[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)
