"""Side panels of the board: what is owed, who can help, and the work in progress.

Each entry is one line, most telling part first, so that a narrow board (80 columns) cuts only
the tail of a line, with an ellipsis (``text-overflow`` in app.tcss), never a whole entry.
"""

from __future__ import annotations

import math

from textual.content import Content

from ...engine.rules import Owed, channel_down, owed, person_status
from ...engine.simulation import Run
from ...engine.text import audience_name
from ..safe import plain
from .quiet import QuietStatic
from .timefmt import clock_label, countdown, span, span_told

BAR_WIDTH = 10
WIDE = 44
SHORT_LIMIT = 6
"""Lines the owed panel takes at most on a short terminal (80x24), its '+N more' included."""
"""Columns from which a panel line has room for the details (roles, when a request came)."""


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ███████░░░."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


class PeoplePanel(QuietStatic):
    """Who can help: available, off hours, busy elsewhere, paged and on their way, here."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        record = run.record()
        running = run.running_actions()
        wide = self.size.width >= WIDE
        lines: list[Content | str] = []
        for person in run.scenario.people:
            name = record.person_name(person.id)
            status = person_status(record, person, run.now)
            if status.state == "here":
                helping = [a.label for a in run.scenario.actions if a.id in running
                           and set(a.helper_skills) & set(person.skills)]
                mark, style = "●", "$success"
                state = f"here, on: {helping[0]}" if helping else "here"
            elif status.state == "paged":
                left = ""
                if status.told is not None:  # the span players know until the person answers
                    low, high = status.told
                    left = f", {span_told(run, (low - run.now, high - run.now), round_up=True)}"
                mark, state, style = "◐", f"paged{left}", "$warning"
            elif status.state == "busy" and status.busy is not None:
                until = clock_label(run, status.free_at)
                mark, state, style = "◌", f"{status.busy.doing}, until {until}", "$text-muted"
            elif status.state == "available":
                mark, state, style = "○", "available", "$text-muted"
            else:
                hour = status.hour
                when = f" ({int(hour):02d}:{int(hour % 1 * 60):02d})" if hour is not None else ""
                mark, state, style = "☾", f"off hours{when}", "$text-muted"
            # The state before the role: a narrow panel cuts the end of the line.
            role = [plain(f"  · {person.role}", "dim")] if wide and person.role else []
            lines += [plain(mark, style), " ", plain(name, "bold"), "  ", plain(state, style),
                      *role, "\n"]
        self.update(Content.assemble(*lines).rstrip() if lines else plain("Nobody to page.", "dim"))


def owed_parts(run: Run, item: Owed, wide: bool = False) -> tuple[str, str, str, str]:
    """One thing owed as the board says it: (when, to whom, what, style); the style tells how
    urgent it is and the words say it too (NO_COLOR).  ``wide``: room for the details."""
    now = run.now
    audience = audience_name(item.audience)
    if item.kind == "eta":
        milestone = next((m.label for m in run.scenario.milestones if m.id == item.milestone),
                         item.milestone)
        style = "$error" if item.overdue(now) else ""
        return f"by {clock_label(run, item.due)}", audience, f"ETA: {milestone}", style
    if item.overdue(now):
        style, when = "$error", f"{countdown(run, now - item.due)} late"
    elif now >= item.due:
        style, when = "$warning", "due now"
    else:
        style = "$warning" if item.due - now < 3 else ""
        when = f"in {countdown(run, item.due - now)}"
    if item.kind == "first_update":
        what = "first update"
    elif item.kind == "next_update":
        what = "next update (promised)" if wide and item.promised else \
            "promised" if item.promised else "next update"
    else:
        kind = item.request.kind if item.request is not None else "update"
        asked = {"estimate": "estimate", "question": "yes/no (y)"}.get(kind, "update")
        what = f"asks {asked}"
        if wide and item.asked_at is not None:
            what = f"asks {asked}, {span(run, now - item.asked_at)} ago"
    if channel_down(run.record(), item.audience):
        # Said in words, not only in colour: an update now would not reach them.
        what += " (channel down: an update will not reach them)" if wide else ", channel down"
    return when, audience, what, style


class PromisesPanel(QuietStatic):
    """What is owed: first and next updates, questions waiting for an answer, ETAs given
    (:func:`drill.engine.rules.owed`, the same facts the score judges), soonest first, one
    line each: when, to whom, what."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        wide = self.size.width >= WIDE
        items = sorted(owed(run.record(), run.now),
                       key=lambda i: (i.kind == "eta", i.due if math.isfinite(i.due) else 1e18))
        rows = [owed_parts(run, item, wide) for item in items]
        if not rows:
            self.update(plain("Nothing owed right now.", "dim"))
            return
        # On a short terminal the people below must stay in sight: the most urgent lines, then
        # how many more there are (u and e show them all, by audience and milestone).
        limit = SHORT_LIMIT if self.screen.has_class("-short") else len(rows)
        shown = rows if len(rows) <= limit else rows[:limit - 1]
        when_width = max(len(r[0]) for r in shown)
        to_width = max(len(r[1]) for r in shown)
        lines: list[Content | str] = []
        for when, audience, what, style in shown:
            lines += [plain(when.rjust(when_width), style or "bold"), " ",
                      plain(audience.ljust(to_width), style), " ", plain(what, style), "\n"]
        if len(shown) < len(rows):
            later = rows[len(shown):]
            late = sum(1 for r in later if r[3] == "$error")
            more = f"+{len(later)} more" + (f", {late} of them late" if late else "")
            lines += [plain(more, "$error" if late else "dim"), "\n"]
        self.update(Content.assemble(*lines).rstrip())


class WorkPanel(QuietStatic):
    """Actions in progress, one line each: the progress first, then the action."""

    def show(self, run: Run) -> None:
        """Redraw from the run; hidden while nothing runs."""
        running = run.shown_progress()
        self.display = bool(running)
        if not running:
            return
        lines: list[Content | str] = []
        for action_id, (fraction, left) in running.items():
            action = next(a for a in run.scenario.actions if a.id == action_id)
            # The scenario decides what the board shows: the truth, nothing, or its estimate.
            if fraction is None:
                said = (f"about {countdown(run, left)} left (estimate)" if left is not None
                        else "running, no progress shown")
                lines += [plain(f"{said}  ", "dim"), plain(action.label, "bold"), "\n"]
                continue
            detail = (f"{int(run.value(f'count.{action_id}'))}/{action.targets}" if action.targets
                      else f"{fraction:.0%}")
            if left is None:  # a draw hides how long it takes: the pace is the player's to read
                said = f"{detail} done  "
            else:
                said = f"{detail} ~{countdown(run, left) if math.isfinite(left) else '?'} left  "
            lines += [plain(bar(fraction), "$accent"), " ", plain(said, "dim"),
                      plain(action.label, "bold"), "\n"]
        self.update(Content.assemble(*lines).rstrip())
