"""Side panels of the board: people, promises and requests, work in progress."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.scoring import audience_expectations
from ...engine.simulation import Run
from ..safe import plain
from .timefmt import clock_label, span

BAR_WIDTH = 12


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ███████░░░░░."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


class PeoplePanel(Static):
    """Who can help: available, off hours, paged and on their way, here."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        lines: list[Content | str] = []
        unit_is_minutes = run.scenario.clock.unit == "minutes"
        for person in run.scenario.people:
            name = run.person_name(person.id)
            if person.id in run.arrived_at:
                helping = [a.label for a in run.scenario.actions if a.id in run.running_actions()
                           and set(a.helper_skills) & set(person.skills)]
                mark, style = "●", "$success"
                state = f"here, on: {helping[0]}" if helping else "here"
            elif person.id in run.paged_at:
                eta = next((e.data.get("eta") for e in reversed(run.log)
                            if e.kind == "paged" and e.ref == person.id), None)
                left = f", {span(run, float(eta) - run.now)}" if isinstance(eta, (int, float)) else ""
                mark, state, style = "◐", f"paged{left}", "$warning"
            elif run.is_awake(person) and (busy := run.busy_with(person)) is not None:
                mark, state, style = "◌", f"{busy.doing}, until {clock_label(run, run.free_at(person))}", "$text-muted"
            elif run.is_awake(person):
                mark, state, style = "○", "available", "$text-muted"
            else:
                hour = run.local_hour(person.zone)
                when = f" ({int(hour):02d}:{int(hour % 1 * 60):02d})" if hour is not None and unit_is_minutes else ""
                mark, state, style = "☾", f"off hours{when}", "$text-muted"
            # Name and state only: roles are in the briefing and the page dialog, and a narrow
            # board needs every row for what changes.
            lines += [plain(mark, style), " ", plain(name, "bold"), " ", plain(state, style), "\n"]
        self.update(Content.assemble(*lines).rstrip() if lines else plain("Nobody to page.", "dim"))


class PromisesPanel(Static):
    """What is owed: next updates promised, ETAs given, questions waiting for an answer."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        lines: list[Content | str] = []
        last_update: dict[str, object] = {}
        for record in run.updates:
            last_update[record.step.audience] = record
        expectations = audience_expectations(run.scenario)
        for audience, record in last_update.items():
            if record.step.status == "resolved":  # type: ignore[attr-defined]
                continue
            # A stated "next update in" is a promise; without one, the audience's usual interval.
            promise = record.step.next_update or expectations[audience][2]  # type: ignore[attr-defined]
            due = record.time + promise - run.now  # type: ignore[attr-defined]
            style = "$error" if due < 0 else "$warning" if due < 3 else ""
            text = (f"update to {audience} overdue by {span(run, -due)}" if due < 0
                    else f"next update to {audience} in {span(run, due)}")
            lines += [plain("▸ ", style), plain(text, style), "\n"]
        asked = {r.id: r for r in run.scenario.requests}
        for request_id, at in run.requests_at.items():
            request = asked[request_id]
            answered = (
                any(u.time >= at and u.step.audience == request.audience for u in run.updates)
                if request.kind == "update"
                else any(e.time >= at and e.step.milestone == request.milestone for e in run.estimates)
            )
            if not answered:
                waited = run.now - at
                style = "$error" if waited > request.respond_within else "$warning"
                what = "an estimate" if request.kind == "estimate" else "an update"
                lines += [plain("? ", style),
                          plain(f"{request.audience} asked for {what} {span(run, waited)} ago", style),
                          "\n"]
        for record in run.estimates:
            step = record.step
            said = step.point if step.point is not None else step.high
            if said is None or step.milestone in run.milestone_times:
                continue
            due = record.time + said - run.now
            label = next((m.label for m in run.scenario.milestones if m.id == step.milestone), "")
            style = "$error" if due < 0 else ""
            lines += [plain("◷ ", style),
                      plain(f"told {step.audience}: {label} by {clock_label(run, record.time + said)}", style),
                      "\n"]
        started = run.first_true.get(run.scenario.comms.starts_when)
        if started is not None:
            for audience, (required, first_by, _) in expectations.items():
                if not required or audience in last_update:
                    continue
                due = started + first_by - run.now
                style = "$error" if due < 0 else "$warning"
                text = (f"first update to {audience} overdue by {span(run, -due)}" if due < 0
                        else f"first update to {audience} due in {span(run, due)}")
                lines += [plain("▸ ", style), plain(text, style), "\n"]
        self.update(Content.assemble(*lines).rstrip() if lines else plain("Nothing owed right now.", "dim"))


class WorkPanel(Static):
    """Actions in progress, with progress bars."""

    def show(self, run: Run) -> None:
        """Redraw from the run."""
        running = run.running_actions()
        if not running:
            self.update(plain("Nothing in progress.", "dim"))
            return
        lines: list[Content | str] = []
        for action_id, (fraction, finish) in running.items():
            action = next(a for a in run.scenario.actions if a.id == action_id)
            detail = (f"{int(run.value(f'count.{action_id}'))}/{action.targets}" if action.targets
                      else f"{fraction:.0%}")
            left = span(run, finish - run.now) if finish != float("inf") else "?"
            lines += [plain(action.label, "bold"), "\n", plain(bar(fraction), "$accent"), " ",
                      plain(f"{detail}  ~{left} left", "dim"), "\n"]
        self.update(Content.assemble(*lines).rstrip())
