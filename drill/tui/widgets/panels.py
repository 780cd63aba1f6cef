"""Side panels of the board: people, promises and requests, work in progress."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.rules import Owed, channel_down, owed, person_status
from ...engine.simulation import Run
from ...engine.text import audience_name
from ..safe import plain
from .timefmt import clock_label, span

BAR_WIDTH = 12


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ███████░░░░░."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


class PeoplePanel(Static):
    """Who can help: available, off hours, busy elsewhere, paged and on their way, here."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        record = run.record()
        running = run.running_actions()
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
                left = f", {span(run, status.arrives_at - run.now)}" \
                    if status.arrives_at is not None else ""
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
            # Name and state only: roles are in the briefing and the page dialog, and a narrow
            # board needs every row for what changes.
            lines += [plain(mark, style), " ", plain(name, "bold"), " ", plain(state, style), "\n"]
        self.update(Content.assemble(*lines).rstrip() if lines else plain("Nobody to page.", "dim"))


def owed_line(run: Run, item: Owed) -> tuple[str, str]:
    """One thing owed as the board says it, with its style: what the score will judge."""
    now = run.now
    audience = audience_name(item.audience)
    if item.overdue(now):
        style, when = "$error", f"overdue by {span(run, now - item.due)}"
    elif now >= item.due:
        style, when = "$warning", "due now"
    else:
        style = "$warning" if item.due - now < 3 else ""
        when = f"due in {span(run, item.due - now)}"
    if item.kind == "first_update":
        return f"first update to {audience} {when}", style
    if item.kind == "next_update":
        promised = "promised " if item.promised else ""
        return f"{promised}next update to {audience} {when}", style
    if item.kind == "request":
        request = item.request
        what = "an estimate" if request is not None and request.kind == "estimate" \
            else "an update"
        asked = span(run, now - (item.asked_at or now))
        return f"{audience} asked for {what} {asked} ago ({when})", style
    label = next((m.label for m in run.scenario.milestones if m.id == item.milestone),
                 item.milestone)
    style = "$error" if item.overdue(now) else ""
    return f"told {audience}: {label} by {clock_label(run, item.due)}", style


_MARKS = {"first_update": "▸ ", "next_update": "▸ ", "request": "? ", "eta": "◷ "}


class PromisesPanel(Static):
    """What is owed: first and next updates, questions waiting for an answer, ETAs given
    (:func:`drill.engine.rules.owed`, the same facts the score judges)."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        lines: list[Content | str] = []
        record = run.record()
        for item in owed(record, run.now):
            text, style = owed_line(run, item)
            if item.kind != "eta" and channel_down(record, item.audience):
                text += " (channel down: an update will not reach them)"
            lines += [plain(_MARKS[item.kind], style), plain(text, style), "\n"]
        self.update(Content.assemble(*lines).rstrip() if lines
                    else plain("Nothing owed right now.", "dim"))


class WorkPanel(Static):
    """Actions in progress, with progress bars."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        running = run.shown_progress()
        if not running:
            self.update(plain("Nothing in progress.", "dim"))
            return
        lines: list[Content | str] = []
        for action_id, (fraction, left) in running.items():
            action = next(a for a in run.scenario.actions if a.id == action_id)
            # The scenario decides what the board shows: the truth, nothing, or its estimate.
            if fraction is None:
                said = (f"about {span(run, left)} left (estimate)" if left is not None
                        else "running; no progress shown")
                lines += [plain(action.label, "bold"), "\n", plain(said, "dim"), "\n"]
                continue
            detail = (f"{int(run.value(f'count.{action_id}'))}/{action.targets}" if action.targets
                      else f"{fraction:.0%}")
            remaining = span(run, left) if left is not None and left != float("inf") else "?"
            lines += [plain(action.label, "bold"), "\n", plain(bar(fraction), "$accent"), " ",
                      plain(f"{detail}  ~{remaining} left", "dim"), "\n"]
        self.update(Content.assemble(*lines).rstrip())
