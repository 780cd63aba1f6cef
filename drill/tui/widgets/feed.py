"""The feed: everything that arrives, with its time and channel, newest at the bottom."""

from __future__ import annotations

from typing import Self

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import RichLog

from ...engine.record import LogEntry, PageDetail, TargetDetail
from ...engine.rules import page_outcome, told_page_delay
from ...engine.simulation import Run
from ...engine.text import player_label
from ..safe import clean
from .actions import action_length
from .timefmt import clock_label, span_told

CHANNEL_STYLE = {
    "alert": "bold red",
    "monitoring": "yellow",
    "support": "magenta",
    "customer": "bright_magenta",
    "customers": "bright_magenta",
    "management": "cyan",
    "teammate": "green",
    "team": "green",
    "deploy": "blue",
}
SHOWN = {"event", "request", "started", "finished", "arrived", "paged", "update", "estimate",
         "milestone", "declared", "ended", "rejected", "target", "said", "takeover", "facilitator",
         "undelivered"}


def entry_text(run: Run, entry: LogEntry) -> Text | None:
    """One feed line as a Rich Text built from plain strings (no markup is parsed)."""
    if entry.kind not in SHOWN:
        return None
    if entry.kind == "target":
        count = entry.detail.count if isinstance(entry.detail, TargetDetail) else 0
        action = next((a for a in run.scenario.actions if a.id == entry.ref), None)
        # One line per target would drown the feed: show every quarter and the last.
        if action is None or (count != action.targets and count % max(1, action.targets // 4)):
            return None
    line = Text(no_wrap=False)
    line.append(f"{clock_label(run, entry.time)} ", style="dim")
    if entry.kind == "said":
        line.append("[teammate] ", style=CHANNEL_STYLE["teammate"])
        line.append(f"{clean(entry.sender)}: ", style="bold")
        line.append(clean(entry.text), style="italic")
    elif entry.kind in ("facilitator", "takeover"):
        line.append(f"◆ {clean(entry.text)}", style="bold magenta")
    elif entry.kind in ("event", "request", "arrived"):
        channel = entry.channel or "monitoring"
        line.append(f"[{channel}] ", style=CHANNEL_STYLE.get(channel, "white"))
        if entry.sender:
            line.append(f"{clean(entry.sender)}: ", style="bold")
        line.append(clean(entry.text))
    elif entry.kind == "paged":
        person = next((p for p in run.scenario.people if p.id == entry.ref), None)
        who = (player_label(run.person_name(entry.ref), person.role) if person is not None
               else clean(entry.text))
        expected = ""
        if isinstance(entry.detail, PageDetail) and person is not None:
            outcome = page_outcome(run.scenario.clock, person, entry.time)
            low, high = told_page_delay(run.scenario, person, outcome)
            # A delay a draw hides is told as its span until the person answers.
            expected = (f", expected by {clock_label(run, entry.detail.eta)}" if low == high
                        else f", expected in {span_told(run, (low, high))}")
        line.append(f"{clean(entry.by) if entry.by else 'you'} ▸ ", style="bold cyan")
        line.append(f"paged {who}{expected}", style="italic")
    elif entry.kind in ("update", "estimate", "declared"):
        line.append(f"{clean(entry.by) if entry.by else 'you'} ▸ ", style="bold cyan")
        target = f"to {entry.ref}: " if entry.kind == "update" else ""
        line.append(f"{target}{clean(entry.text)}", style="italic")
    elif entry.kind == "started":
        action = next((a for a in run.scenario.actions if a.id == entry.ref), None)
        length = f" ({action_length(run, action)})" if action is not None else ""
        line.append(f"{clean(entry.by) if entry.by else 'you'} ▸ ", style="bold cyan")
        line.append(f"started {clean(entry.text)}{length}", style="cyan")
    elif entry.kind in ("rejected", "undelivered"):
        line.append(f"✗ {clean(entry.text)}", style="red")
    elif entry.kind == "milestone":
        line.append(f"★ {clean(entry.text)}", style="bold green")
    elif entry.kind == "ended":
        line.append(f"■ {clean(entry.text)}", style="bold reverse")
    else:
        line.append(f"✓ {clean(entry.text)}", style="green")
    return line


MAX_LINES = 2000
"""Feed entries kept (and re-wrapped when the terminal is resized)."""
STYLED_LINES = 500
"""Styled feed lines kept for repainting (a screenful is at most a few dozen)."""


class Feed(RichLog):
    """A log of the run; markup is off, lines are Text objects built from clean strings.

    RichLog wraps a line once, at the width it had when written; the feed keeps its entries and
    writes them again when its width changes, so a resized terminal re-wraps the whole feed.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
    """A new line changes only what the feed scrolls over, not the board's layout (the feed's
    height is ``1fr`` in app.tcss, never its content's): writing a line no longer lays the
    whole screen out.  The feed sizes its scrollbar itself (:meth:`watch_virtual_size`)."""

    def watch_virtual_size(self, size: Size) -> None:
        # What ScrollView does when the layout reports a new virtual size (textual 8.2.8,
        # ScrollView._size_updated), here in the same frame as the new line; showing or hiding
        # a scrollbar still asks for a layout.
        if self.is_mounted and self.size:
            self._scroll_update(size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual's ScrollView (8.2.8) sizes its scrollbars again at every layout of the
        # screen, and the scrollbar is repainted a frame later: any panel that grew by a line
        # cost the board a second frame.  The feed keeps its scrollbar right itself
        # (watch_virtual_size), so a layout that leaves the feed's size, and the room inside
        # its border and padding, as they were changes nothing here.
        if size == self._size and size - self.styles.gutter.totals == self._container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, highlight=False, wrap=True, max_lines=MAX_LINES,
                         min_width=20, **kwargs)
        self._entries: list[Text] = []
        self._wrapped_at = 0
        self._styled: LRUCache[tuple[object, ...], Strip] = LRUCache(STYLED_LINES)
        self._line_style: Style | None = None
        self._line_width = 0

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint the feed (Textual asks :meth:`render_line` for each line)."""
        # The widget's style comes from its whole ancestry (about 0.1 ms); RichLog asked for it
        # for every line, at every repaint: once per repaint is enough.
        self._line_style = self.rich_style
        self._line_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of what the feed shows, styled as RichLog styles it (textual 8.2.8), and
        kept: a feed that scrolls by a line shows the lines it styled already."""
        if self._line_style is None:  # asked outside a repaint
            self._line_style = self.rich_style
            self._line_width = self.scrollable_content_region.width
        style, width = self._line_style, self._line_width
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if index >= len(self.lines):
            return Strip.blank(width, style)
        # By the line's place in the whole log: _start_line counts the lines dropped past
        # max_lines, so a place is never reused.
        key = (index + self._start_line, scroll_x, width, self._widest_line_width, style)
        strip = self._styled.get(key)
        if strip is None:
            strip = self._render_line(index, scroll_x, width).apply_style(style)
            self._styled[key] = strip
        return strip

    def clear(self) -> Self:
        """Empty the feed (and the styled lines it keeps)."""
        self._styled.clear()
        return super().clear()

    def add(self, run: Run, entries: list[LogEntry]) -> None:
        """Append the entries that belong in the feed."""
        written = False
        for entry in entries:
            line = entry_text(run, entry)
            if line is not None:
                self._entries.append(line)
                self._write(line)
                written = True
        del self._entries[:-MAX_LINES]
        if written:
            # RichLog scrolls to a new line only after the next refresh: a frame later.
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _write(self, line: Text) -> None:
        # Wrapped at the feed's own width (its scrollbar is always there, so the width does not
        # change when the feed fills up), not at the console's.
        width = self.scrollable_content_region.width
        self.write(line, width=min(line.cell_len, width) if width > 0 else None)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if self._wrapped_at and width != self._wrapped_at:
            self.clear()
            for line in self._entries:
                self._write(line)
            # Cleared, the feed stood at its top: show the newest line in the same frame.
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self._wrapped_at = width
