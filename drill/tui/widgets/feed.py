"""The feed: everything that arrives, with its time and channel, newest at the bottom."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from ...engine.record import LogEntry, TargetDetail
from ...engine.simulation import Run
from ..safe import clean
from .timefmt import clock_label

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
SHOWN = {"event", "request", "finished", "arrived", "paged", "update", "estimate", "milestone",
         "declared", "ended", "rejected", "target", "said", "takeover", "facilitator", "undelivered"}


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
    elif entry.kind in ("update", "estimate", "paged", "declared"):
        line.append(f"{clean(entry.by) if entry.by else 'you'} ▸ ", style="bold cyan")
        target = f"to {entry.ref}: " if entry.kind == "update" else ""
        line.append(f"{target}{clean(entry.text)}", style="italic")
    elif entry.kind in ("rejected", "undelivered"):
        line.append(f"✗ {clean(entry.text)}", style="red")
    elif entry.kind == "milestone":
        line.append(f"★ {clean(entry.text)}", style="bold green")
    elif entry.kind == "ended":
        line.append(f"■ {clean(entry.text)}", style="bold reverse")
    else:
        line.append(f"✓ {clean(entry.text)}", style="green")
    return line


class Feed(RichLog):
    """A log of the run; markup is off, lines are Text objects built from clean strings."""

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, highlight=False, wrap=True, max_lines=2000, min_width=20,
                         **kwargs)

    def add(self, run: Run, entries: list[LogEntry]) -> None:
        """Append the entries that belong in the feed."""
        for entry in entries:
            line = entry_text(run, entry)
            if line is not None:
                self.write(line)
