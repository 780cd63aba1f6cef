"""The blameless postmortem of a finished run, as Markdown.

:func:`render_postmortem` is a pure function of the run and its score card: the same run and card
always give the same bytes (no machine clock, no dict-order or float-repr surprises; dates come
from the scenario's own clock through :meth:`RunRecord.wall_time`).  The sections merge Google's
example postmortem, PagerDuty's template and Etsy Morgue's fields (DOMAIN.md §5 and §9.5).

Language rules (DOMAIN.md §5.2): the generated text refers to roles, never blames, never says
"human error", writes no counterfactual "if X had..." in the timeline, and keeps "what happened"
(summary to lessons) apart from "what to change" (action items).

Scenario files are untrusted: every scenario string passes through :func:`drill.engine.text.clean` (terminal
escape sequences and control characters removed) and then through a Markdown escaper suited to
where it lands (a paragraph, a one-line list item, a table cell), so it can neither break the
document's structure nor reach a terminal raw.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterable, Sequence

from .playscript import FacilitatorAct, GiveEstimate, PostUpdate
from .scenario import AUDIENCES, Ending, Request, RunText, Scenario
from .scorecard import TITLES, Deduction, DimensionScore, EstimateRow, ScoreCard, cap_note
from .record import DECISION_KINDS, GivenEstimate, LogEntry, PageDetail, RunRecord
from .rules import first_mitigation, mitigation_effect
from .text import (AUDIENCE_NAMES, AUDIENCE_TITLES, ENDING_TITLES, audience_name, channel_title, clean, clock_time, number,
                   one_line, plural, span)
from .variety import described

# -- untrusted text ---------------------------------------------------------------------------------

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_MARKER = re.compile(r"[#`~>|]")  # "<" is left to _TAG_START
_RULE_LINE = re.compile(r"[-=_*+ \t]+")
_ORDERED = re.compile(r"(\d{1,9})([.)])")


def _literal(text: str) -> str:
    """Backslashes doubled, tag openings and square brackets escaped, so the text shows as
    written: no live HTML, and no Markdown link or image (a tracking pixel loaded when the
    postmortem is opened on a forge, a link whose text hides where it goes).

    Doubling comes first: a scenario's own "\\<b>" must not turn our escape into an escaped
    backslash followed by live HTML.
    """
    text = _TAG_START.sub(r"\\<", text.replace("\\", "\\\\"))
    return text.replace("[", "\\[").replace("]", "\\]")


def _escape_line_start(line: str) -> str:
    """Neutralise what would open a Markdown block at the start of a line.

    Headings (a fake section), code fences (which would swallow the rest of the document), HTML
    blocks, quotes, table rows and setext underlines are escaped; plain list markers are left,
    as they cannot break the document's sections.
    """
    if not line:
        return line
    if _BLOCK_MARKER.match(line) or _RULE_LINE.fullmatch(line):
        return "\\" + line
    return line


@lru_cache(maxsize=4096)  # a long timeline repeats the same texts and labels many times
def _inline(text: str) -> str:
    """Untrusted text for one line of Markdown (a list item, a heading, a field)."""
    return _escape_line_start(_literal(one_line(text)))


SEEN_LENGTH = 100
"""'Seen then' quotes at most this many characters: the full message is earlier in the timeline."""


CALIBRATION_MIN_RANGES = 5
"""DOMAIN §9.4: calibration is only worth showing once there are this many judged ranges."""


def _calibration(estimates: Sequence[GivenEstimate], rows: Sequence[EstimateRow],
                 default_confidence: float) -> str:
    """Feedback on the ranges' hit rate against their stated confidence (DOMAIN §9.4).

    Weighted 0 in the score, as DOMAIN recommends: a handful of ranges is a noisy sample, so it
    is shown for the debrief, never deducted.
    """
    judged = [(record.step.confidence or default_confidence, bool(row.hit))
              for record, row in zip(estimates, rows)
              if record.step.point is None and row.hit is not None]
    if len(judged) < CALIBRATION_MIN_RANGES:
        return ""
    hits = sum(hit for _, hit in judged)
    rate = hits / len(judged)
    stated = sum(c for c, _ in judged) / len(judged)
    # Rounded: 65% against a stated 80% is 15 points, whatever the floats say.
    verdict = ("over-confident: the ranges were too narrow for what was known"
               if round(stated - rate, 9) >= 0.15 else "well calibrated")
    return (f"Calibration: {hits} of {len(judged)} ranges held ({rate:.0%}) at a stated "
            f"{stated:.0%} confidence: {verdict}. Shown for the debrief, not scored (Jørgensen "
            f"2004: over-confidence when the hit rate is 15 points or more below the stated "
            f"confidence).")


def _when_paged(detail: PageDetail | None) -> str:
    """The postmortem's 'When paged' cell: within or outside their hours, or busy elsewhere."""
    if detail is not None and not detail.awake:
        return "outside their hours"
    if detail is not None and detail.busy:
        return _cell(f"within their hours, {detail.busy}")
    return "within their hours"


@lru_cache(maxsize=4096)
def _short(text: str, limit: int = SEEN_LENGTH) -> str:
    """Text cut at a word boundary to about ``limit`` characters, before it is escaped."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _ordered_ok(line: str) -> str:
    # "1986. A fine year" at the start of a one-line item would turn into a numbered list.
    match = _ORDERED.match(line)
    return f"{match.group(1)}\\{line[match.end(1):]}" if match else line


def _item(text: str) -> str:
    """Untrusted text that follows a list marker."""
    return _ordered_ok(_inline(text))


def _cell(text: str) -> str:
    """Untrusted text for a table cell: one line, with backslashes and pipes escaped."""
    return _literal(one_line(text)).replace("|", "\\|") or " "


def _block(text: str) -> list[str]:
    """Untrusted multi-line text as paragraphs: each line cleaned and made harmless."""
    lines: list[str] = []
    for raw in clean(text).split("\n"):
        # Leading spaces would make an indented code block; trailing ones a hard break.
        line = _escape_line_start(_literal(raw.strip()))
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


# -- numbers and times ----------------------------------------------------------------------------


class _Clock:
    """Scenario times as the postmortem prints them."""

    def __init__(self, run: RunRecord) -> None:
        self.run = run
        self.scenario: Scenario = run.scenario
        self.minutes = self.scenario.clock.unit == "minutes"
        self.start_date = run.wall_time(0).date()
        self._at: dict[float, str] = {}

    def t(self, value: float) -> str:
        """``T+24`` or ``day 12``, as the score card writes it."""
        return clock_time(self.scenario.clock.unit, value)

    def span(self, value: float) -> str:
        return span(self.scenario.clock.unit, max(0.0, value))

    def at(self, value: float) -> str:
        """The scenario time with the wall clock: ``T+24 (10:24)`` or ``day 3 (2019-03-05)``."""
        text = self._at.get(value)
        if text is None:
            text = self._at[value] = self._format_at(value)
        return text

    def _format_at(self, value: float) -> str:
        wall = self.run.wall_time(value)
        if not self.minutes:
            return f"{self.t(value)} ({wall.date().isoformat()})"
        hour = f"{wall.hour:02d}:{wall.minute:02d}"
        if wall.date() == self.start_date:
            return f"{self.t(value)} ({hour})"
        return f"{self.t(value)} ({wall.date().isoformat()} {hour})"


# -- the document ---------------------------------------------------------------------------------

SECTIONS: tuple[str, ...] = (
    "Summary",
    "Impact",
    "Responders",
    "Timeline",
    "Trigger and root cause",
    "Contributing factors",
    "Why were we surprised?",
    "What went well",
    "What went wrong",
    "Where we got lucky",
    "Action items",
    "Communication",
    "Estimates vs actuals",
    "Score card",
    "Debrief",
)
"""The second-level sections, in the order the postmortem prints them."""

_STEP_VERBS = {"start": "start an action", "update": "post an update", "page": "page someone",
               "estimate": "give an estimate", "resolve": "declare the incident resolved"}
_NO_BLAME = ("Each point below describes what the run shows and the norm it is measured "
             "against; it assumes everyone acted in good faith with the information they had.")


def render_postmortem(run: RunRecord, card: ScoreCard) -> str:
    """The blameless postmortem of ``run`` in Markdown, the same text for the same inputs.

    Args:
        run: a finished run (or one stopped early: the text then says it has no ending).
        card: its score card, from :func:`drill.engine.scoring.score_run`; a card without its
            tables (audiences, estimate rows) gets them rebuilt from the run where possible.

    Returns:
        The document, with the sections of :data:`SECTIONS` in order, ending in a newline.
    """
    return _Writer(run, card).render()


class _Writer:
    """Builds the document as a list of lines joined once."""

    def __init__(self, run: RunRecord, card: ScoreCard) -> None:
        self.run = run
        self.card = card
        self.scenario = run.scenario
        self.clock = _Clock(run)
        self.lines: list[str] = []
        self.end = run.end
        self.ending = run.ending
        # By what the run shows, not by the ending's id, which a scenario could reuse.
        self.facilitator_ended = any(isinstance(step, FacilitatorAct) and step.act == "end"
                                     for step in run.steps)
        began = run.evidence.get(self.scenario.comms.starts_when)
        # A fault can have hurt users for hours before the drill starts (the scenario says how
        # long): the impact then began before T+0.
        self.impact_start = (None if began is None
                             else began - self.scenario.postmortem.impact_began_before)
        self.mitigated = run.mitigated_at
        self.resolved = (run.ended_at if self.ending is not None
                         and self.ending.kind == "resolved" else None)
        self.detected = self._detection_time()
        self.actions = {a.id: a for a in self.scenario.actions}
        self.people = {p.id: p for p in self.scenario.people}
        self.milestones = {m.id: m for m in self.scenario.milestones}

    def render(self) -> str:
        self._title()
        variant = () if self.run.variant.empty else (("This run's variant", self._variant),)
        for name, build in (
            ("Summary", self._summary),
            *variant,
            ("Impact", self._impact),
            ("Responders", self._responders),
            ("Timeline", self._timeline),
            ("Trigger and root cause", self._root_cause),
            ("Contributing factors", self._contributing),
            ("Why were we surprised?", self._surprises),
            ("What went well", self._went_well),
            ("What went wrong", self._went_wrong),
            ("Where we got lucky", self._lucky),
            ("Action items", self._action_items),
            ("Communication", self._communication),
            ("Estimates vs actuals", self._estimates),
            ("Score card", self._score_card),
            ("Debrief", self._debrief),
        ):
            self.lines += ["", f"## {name}", ""]
            build()
        return "\n".join(self.lines) + "\n"

    # -- helpers ------------------------------------------------------------------------------

    def _sentences(self, items: Iterable[str | RunText]) -> Iterable[str]:
        """The scenario's sentences true of this run, as list items: plain ones always, the
        conditional ones when their condition held at the end; ``{state.NAME}`` filled."""
        for item in items:
            if isinstance(item, RunText):
                if not self.run.holds(item.when):
                    continue
                item = item.text
            yield _item(self.run.told(item))

    def _paragraphs(self, value: str | list[str | RunText]) -> list[str]:
        """A text, or conditional sentences, as paragraphs true of this run."""
        if isinstance(value, str):
            return _block(self.run.told(value))
        sentences = [item if isinstance(item, str) else item.text for item in value
                     if isinstance(item, str) or self.run.holds(item.when)]
        return _block(" ".join(self.run.told(s) for s in sentences))

    def _add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def _bullets(self, items: Iterable[str], empty: str) -> None:
        rows = [f"- {item}" for item in items]
        self.lines.extend(rows or [empty])

    def _table(self, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
        header = list(header)
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        self.lines.extend("| " + " | ".join(row) + " |" for row in rows)

    def _detection_time(self) -> float | None:
        """When the first message reached the player once the impact began (Morgue detecttime)."""
        since = self.impact_start if self.impact_start is not None else 0.0
        for entry in self.run.log:
            if entry.kind in ("event", "request") and entry.time >= since:
                return entry.time
        return None

    def _outcome(self) -> str:
        if self.ending is None:
            return f"No ending: the run was stopped at {self.clock.at(self.end)}"
        kind = ENDING_TITLES.get(self.card.outcome.ending if self.card.outcome is not None
                                 else self.ending.kind, self.ending.kind)
        title = _inline(self.ending.title)
        # "Out of time: Out of time" says nothing twice.
        said = kind if title.lower() == kind.lower() else f"{kind}: {title}"
        return f"{said}, at {self.clock.at(self.end)}"

    def _person(self, person_id: str) -> str:
        person = self.people.get(person_id)
        name = _inline(self.run.person_name(person_id))
        return f"{name} ({_inline(person.role)})" if person is not None else name

    # -- sections -----------------------------------------------------------------------------

    def _title(self) -> None:
        scenario, clock = self.scenario, self.scenario.clock
        zone = f", {_inline(clock.zones[0].label)} time" if clock.zones else ""
        start = self.run.wall_time(0)
        when = (f"{start.date().isoformat()} (starts {start.strftime('%H:%M')}{zone})"
                if self.clock.minutes else f"{start.date().isoformat()} (day 0 of the project)")
        level, label = self.run.status
        self._add(
            f"# Postmortem: {_inline(scenario.meta.title)}",
            "",
            f"- **Date:** {when}",
            "- **Status:** Draft for the review meeting, written by drill from the run",
            f"- **Outcome:** {self._outcome()}",
            f"- **Service status at the end:** {_inline(label)} ({level})",
            f"- **Severity:** {scenario.meta.severity}",
            f"- **Scenario:** `{scenario.meta.id}`, seed {self.run.seed}"
            f"{'' if self.run.variant.empty else f', variant {self.run.variant.code}'}; "
            f"source: {_inline(scenario.meta.source) or 'not given'}",
        )

    def _summary(self) -> None:
        run, clock = self.run, self.clock
        self._add(f"Drill: {_inline(self.scenario.meta.summary)}", "")
        if self.ending is None:
            said = f"The run was stopped at {clock.t(self.end)} before it reached an ending."
        elif self.ending.kind == "resolved":
            said = f"The incident was resolved at {clock.t(self.end)}"
            if self.impact_start is not None:
                said += f", {clock.span(self.end - self.impact_start)} after the impact began"
            said += "."
        elif self.facilitator_ended:
            said = (f"The facilitator ended the drill at {clock.t(self.end)}, before the incident "
                    "was resolved.")
        elif self.ending.kind == "out_of_time":
            said = (f"The drill's time ran out at {clock.t(self.end)} before the incident was "
                    "resolved.")
        else:
            said = f"The run reached a failed ending at {clock.t(self.end)}: {_inline(self.ending.title)}."
        if self.mitigated is not None:
            said += f" The impact was mitigated at {clock.t(self.mitigated)}."
        per_audience = [f"{n} to {AUDIENCE_NAMES[a]}"
                        for a in AUDIENCES
                        if (n := sum(1 for u in run.updates if u.step.audience == a))]
        updates = plural(len(run.updates), "update")
        if per_audience:
            updates += f" ({', '.join(per_audience)})"
        if run.undelivered:
            updates += (f" ({plural(len(run.undelivered), 'more update')} did not go out: "
                        "the channel was down)")
        said += (f" The responders posted {updates}, paged "
                 f"{plural(len(run.paged_at), 'person', 'people')} and gave "
                 f"{plural(len(run.estimates), 'estimate')}.")
        said += f" Overall score: {number(self.card.overall)}/100."
        self._add(f"**TL;DR:** {said}")

    def _variant(self) -> None:
        self._add("What this run drew of what differs from seed to seed (another seed plays "
                  "another variant of the incident):", "")
        self._bullets((f"**{_inline(label)}:** {_inline(value)}"
                       for label, value in described(self.scenario, self.run.variant, "debrief")),
                      "Nothing.")

    def _impact(self) -> None:
        clock, start = self.clock, self.impact_start
        self._add(*(self._paragraphs(self.scenario.postmortem.impact)
                    or ["No impact described."]), "")

        def moment(value: float | None, missing: str) -> str:
            return clock.at(value) if value is not None else missing

        def since_start(value: float | None, missing: str) -> str:
            if value is None or start is None:
                return missing
            return clock.span(value - start)

        open_ended = f"not reached before the run ended at {clock.t(self.end)}"
        if self.resolved is not None:
            total = since_start(self.resolved, "not known")
        elif start is not None:
            total = f"at least {clock.span(self.end - start)} (still open when the run ended)"
        else:
            total = "none: the impact never began"
        measured = self.scenario.scoring.mitigated_milestone in self.milestones
        mitigate_missing = (open_ended if measured
                            else "not measured (the scenario has no 'mitigated' milestone)")
        messages = sum(1 for e in self.run.log if e.kind == "event"
                       and e.channel in ("support", "customer"))
        rows = [
            ("Impact began", moment(start, "never during the run")),
            ("Detected (first signal to the responders)", moment(self.detected, "never")),
            ("Time undetected", since_start(self.detected, "not known")),
            ("Mitigated", moment(self.mitigated, mitigate_missing)),
            ("Time to mitigate", since_start(self.mitigated,
                                             "not reached" if measured else "not measured")),
            ("Resolved", moment(self.resolved, open_ended)),
            ("Time to resolve", since_start(self.resolved, "not reached")),
            ("Total impact time", total),
            ("Messages from support and customers", str(messages)),
        ]
        self._table(("Measure", "Value"), rows)

    def _responders(self) -> None:
        run = self.run
        self._add(f"- **The player (the incident lead):** {_item(self.scenario.briefing.role)}")
        players = list(dict.fromkeys(step.by for step in run.steps if step.by))
        if players:
            self._add(f"- **Players who acted:** {', '.join(_inline(p) for p in players)}")
        self._add("")
        if not run.paged_at:
            self._add("Nobody was paged during the run.")
        else:
            paged_detail = {e.ref: e.detail for e in run.log if isinstance(e.detail, PageDetail)}
            rows = []
            for person_id, paged in sorted(run.paged_at.items(), key=lambda kv: (kv[1], kv[0])):
                person = self.people.get(person_id)
                arrived = run.arrived_at.get(person_id)
                rows.append((
                    _cell(person.role if person else person_id),
                    _cell(run.person_name(person_id)),
                    self.clock.at(paged),
                    self.clock.at(arrived) if arrived is not None else "not before the run ended",
                    _when_paged(paged_detail.get(person_id)),
                ))
            self._table(("Role", "Name", "Paged", "Arrived", "When paged"), rows)
        unpaged = [p.id for p in self.scenario.people if p.id not in run.paged_at]
        if unpaged:
            self._add("", "Not paged: " + ", ".join(self._person(p) for p in unpaged) + ".")

    def _timeline(self) -> None:
        clock = self.clock
        self._add("Times are scenario times"
                  + (" with the team's wall clock." if clock.minutes else " with the date.")
                  + " For each decision, *seen then* is the latest message in front of the "
                  "responders at that moment.", "")
        marked_start = self.impact_start is None
        marked_detection = self.detected is None
        for entry in self.run.log:
            if not marked_start and entry.time >= self.impact_start:  # type: ignore[operator]
                self._add(f"- **{clock.at(self.impact_start)}** **IMPACT BEGINS**")  # type: ignore[arg-type]
                marked_start = True
            marker = ""
            if not marked_detection and entry.kind in ("event", "request") \
                    and entry.time == self.detected:
                marker, marked_detection = "**DETECTED** ", True
            if entry.kind == "milestone" and \
                    entry.ref == self.scenario.scoring.mitigated_milestone:
                marker = "**IMPACT MITIGATED** "
            elif entry.kind == "ended":
                marker = "**INCIDENT ENDS** "
            line = f"- **{clock.at(entry.time)}** {marker}{self._describe(entry)}"
            if entry.kind in DECISION_KINDS:
                line += f" *Seen then:* {self._seen(entry)}"
            self._add(line)
        if not marked_start:
            self._add(f"- **{clock.at(self.impact_start)}** **IMPACT BEGINS**")  # type: ignore[arg-type]

    def _seen(self, entry: LogEntry) -> str:
        """What was in front of the responders when they decided."""
        seen = entry.seen
        if seen is None:
            return "nothing yet."
        return f"{self.clock.t(seen.time)} {_inline(_short(seen.text))}"

    def _describe(self, entry: LogEntry) -> str:
        """One log entry in plain, blameless words (scenario text escaped)."""
        kind, text, detail = entry.kind, _inline(entry.text), entry.detail
        who = f" (by {_inline(entry.by)})" if entry.by else ""
        if kind == "event":
            channel = _inline(channel_title(entry.channel))
            if isinstance(detail, FacilitatorAct):
                return f"**Facilitator** inject ({channel.lower()}): {text}"
            sender = f" from {_inline(entry.sender)}" if entry.sender else ""
            return f"{channel}{sender}: {text}"
        if kind == "request":
            milestone = (self.milestones.get(detail.milestone)
                         if isinstance(detail, Request) else None)
            what = (f"for an estimate for '{_inline(milestone.label)}'" if milestone is not None
                    else "for an update")
            return f"{_inline(entry.sender) or 'Someone'} asked {what}: {text}"
        if kind == "started":
            return f"Started: {self._action(entry.ref)}{who}."
        if kind == "finished":
            return f"Finished: {self._action(entry.ref)}. {text}"
        if kind == "target":
            return f"Progress on {self._action(entry.ref)}: {text}."
        if kind == "paged":
            hours, expected = "", ""
            if isinstance(detail, PageDetail):
                hours = "" if detail.awake else ", outside their working hours"
                if detail.busy:
                    hours = f", while {_inline(detail.busy)}"
                expected = f", expected by {self.clock.t(detail.eta)}"
            return f"Paged {self._person(entry.ref)}{hours}{expected}{who}."
        if kind == "arrived":
            return f"{self._person(entry.ref)} joined: {text}"
        if kind == "update":
            audience = _inline(audience_name(entry.ref))
            status = detail.status if isinstance(detail, PostUpdate) else ""
            return f"Update to {audience} ({status}){who}: {text or '(no text)'}"
        if kind == "undelivered":
            audience = _inline(audience_name(entry.ref))
            status = detail.status if isinstance(detail, PostUpdate) else ""
            return f"Update to {audience} ({status}) did not go out{who}: {text}"
        if kind == "estimate":
            return f"{text}{who}."
        if kind == "answer":
            return f"{text.rstrip('.')}{who}."
        if kind == "milestone":
            return f"Milestone reached: {text}."
        if kind == "declared":
            return f"{text}{who}"
        if kind == "ended":
            outcome = ENDING_TITLES.get(detail.kind, "Ended") if isinstance(detail, Ending) else "Ended"
            return f"{outcome}: {text}."
        if kind == "said":
            return f"{self._person(entry.ref)}: {text}"
        if kind == "takeover":
            return text
        if kind == "facilitator":
            return f"**Facilitator:** {text}"
        if kind == "rejected":
            verb = _STEP_VERBS.get(entry.ref, "act")
            return f"Tried to {verb}; the system refused: {text}{who}."
        return f"{_inline(kind)}: {text}"

    def _action(self, action_id: str) -> str:
        action = self.actions.get(action_id)
        return f"'{_inline(action.label)}'" if action is not None else _inline(action_id)

    def _root_cause(self) -> None:
        material, truth = self.scenario.postmortem, self.scenario.truth
        self._add("### Trigger", "", *(_block(material.trigger) or ["Not described."]), "",
                  "### Root cause", "", *(_block(material.root_cause) or ["Not described."]), "",
                  "### What was really going on (hidden during the run)", "",
                  *(_block(truth.summary) or ["Not described."]))
        if truth.details:
            self._add("")
            self._bullets((_item(d) for d in truth.details), "")

    def _contributing(self) -> None:
        self._bullets(self._sentences(self.scenario.postmortem.contributing_factors),
                      "None recorded for this scenario.")

    def _surprises(self) -> None:
        items = list(self._sentences(self.scenario.postmortem.surprises))
        policy = self.scenario.scoring.rollback
        first = first_mitigation(self.run)
        effect = mitigation_effect(self.scenario, first[1]) if first is not None else ""
        if policy.applies and first is not None and effect in ("none", "partial"):
            said = "did not end" if effect == "none" else "only partly ended"
            label = self.actions[first[1]].label if first[1] in self.actions else first[1]
            items.append(f"{_inline(label)} finished at "
                         f"{self.clock.t(first[0])} but {said} the impact: the bad state had "
                         "persisted.")
        self._bullets(items, "Nothing recorded for this scenario.")

    def _went_well(self) -> None:
        items: list[str] = []
        if self.resolved is not None:
            items.append(f"The incident was resolved at {self.clock.t(self.resolved)}.")
        if self.mitigated is not None:
            items.append(f"The impact was mitigated at {self.clock.t(self.mitigated)}.")
        arrived = [p for p in self.run.paged_at if p in self.run.arrived_at]
        if arrived:
            items.append("Help arrived: " + ", ".join(self._person(p) for p in arrived) + ".")
        credits = dict.fromkeys(c for d in self.card.dimensions() for c in d.credits)
        items += [_item(c) for c in credits]
        self._bullets(items, "Nothing stood out on the score card.")

    def _went_wrong(self) -> None:
        self._add(_NO_BLAME, "")
        items: list[str] = []
        if self.ending is None:
            items.append(f"The run was stopped at {self.clock.t(self.end)} before an ending.")
        elif self.facilitator_ended:
            items.append(f"The incident was still open when the facilitator ended the drill at "
                         f"{self.clock.t(self.end)}.")
        elif self.ending.kind == "out_of_time":
            items.append(f"The incident was still open when the drill's time ran out at "
                         f"{self.clock.t(self.end)}.")
        elif self.ending.kind == "failed":
            items.append(f"The run reached a failed ending at {self.clock.t(self.end)}: "
                         f"{_inline(self.ending.title)}.")
        refused = sum(1 for e in self.run.log if e.kind == "rejected")
        if refused:
            items.append(f"{plural(refused, 'step was', 'steps were')} refused because the "
                         "system did not allow it at that moment.")
        for dimension in self.card.dimensions():
            for deduction in dimension.deductions:
                items.append(f"{_inline(deduction.what)} ({TITLES[dimension.dimension]}).")
        self._bullets(items, "Nothing the score card flagged.")

    def _lucky(self) -> None:
        self._bullets(self._sentences(self.scenario.postmortem.lucky),
                      "Nothing recorded for this scenario.")

    def _action_items(self) -> None:
        items = self.scenario.postmortem.action_items
        if not items:
            self._add("No action items recorded for this scenario.")
            return
        self._table(("Action item", "Type", "Owner (role)"),
                    ((_cell(i.text), i.type, _cell(i.owner) if i.owner else "to be assigned")
                     for i in items))

    def _communication(self) -> None:
        rows: list[tuple[str, ...]] = []
        details: list[tuple[str, ...]] = []
        t = self.clock.t
        for report in self.card.audiences:
            rows.append((
                AUDIENCE_TITLES[report.audience],
                "yes" if report.required else "no",
                t(report.first_due) if report.first_due is not None else "-",
                t(report.first_update) if report.first_update is not None else "none",
                str(report.updates), str(report.promised), str(report.kept), str(report.broken),
            ))
            for row in report.promises:
                verdict = ("yes" if row.kept is True else "no" if row.kept is False
                           else "not yet due")
                details.append((AUDIENCE_TITLES[report.audience], t(row.made_at), t(row.due),
                                t(row.next_at) if row.next_at is not None else "none", verdict))
        if not rows:
            rows = self._communication_from_run()
        if not rows:
            self._add("No communication was recorded.")
            return
        self._table(("Audience", "Required", "First due", "First update", "Updates sent",
                     "Next updates promised", "Kept", "Broken"), rows)
        if details:
            self._add("", "Each promised next update:", "")
            self._table(("Audience", "Promised at", "Due by", "Next update sent", "Kept"), details)

    def _communication_from_run(self) -> list[tuple[str, ...]]:
        """Promised versus sent per audience, straight from the run (no score card table)."""
        rows: list[tuple[str, ...]] = []
        for audience in AUDIENCES:
            updates = [u for u in self.run.updates if u.step.audience == audience]
            promised = sum(1 for u in updates if u.step.next_update is not None)
            rows.append((AUDIENCE_TITLES[audience], "-", "-",
                         self.clock.t(updates[0].time) if updates else "none",
                         str(len(updates)), str(promised), "-", "-"))
        return rows

    def _estimates(self) -> None:
        run = self.run
        if not run.estimates:
            self._add("No estimates were given.")
            return
        scored = self.card.estimate_rows
        aligned = len(scored) == len(run.estimates)
        rows = []
        for i, record in enumerate(run.estimates):
            step = record.step
            milestone = self.milestones.get(step.milestone)
            label = milestone.label if milestone is not None else step.milestone
            reached = run.reached.get(step.milestone)
            row = scored[i] if aligned else None
            actual = row.actual if row is not None else (
                reached - record.time if reached is not None else None)
            censored = row.censored if row is not None else reached is None
            middle = step.point if step.point is not None else math.sqrt(step.low * step.high)  # type: ignore[operator]
            ratio = "-"
            if isinstance(actual, (int, float)) and actual > 0 and not censored:
                ratio = f"{math.log(actual / middle):+.2f}"
            if isinstance(actual, (int, float)):
                took = ("at least " if censored else "") + self.clock.span(actual)
            else:
                took = "not reached"
            hit = row.hit if row is not None else None
            score = row.score if row is not None else None
            rows.append((
                self.clock.t(record.time), AUDIENCE_TITLES[step.audience], _cell(label),
                self._said(record.step), took, ratio,
                "hit" if hit is True else "miss" if hit is False else "not judged",
                f"{score:.2f}" if isinstance(score, (int, float)) else "-",
            ))
        self._table(("Given at", "To", "Milestone", "Said", "Actual", "Log ratio", "Hit",
                     "Score (0-1)"), rows)
        self._add("", "Log ratio is ln(actual / estimate), with a range's geometric middle: 0 is "
                  "exact, +0.69 took twice as long, -0.69 half as long.")
        if aligned:
            calibration = _calibration(run.estimates, scored,
                                       self.scenario.scoring.estimates.default_confidence)
            if calibration:
                self._add("", calibration)

    def _said(self, step: GiveEstimate) -> str:
        if step.point is not None:
            return self.clock.span(step.point)
        confidence = step.confidence or self.scenario.scoring.estimates.default_confidence
        return (f"{number(step.low)}-{self.clock.span(step.high)} "
                f"({number(confidence * 100)}% range)")

    def _score_card(self) -> None:
        weights = self.scenario.scoring.weights
        rows = []
        for dimension in self.card.dimensions():
            score = (f"{number(dimension.score)}/100" if dimension.applicable
                     else "N/A (nothing to judge in this run)")
            rows.append((TITLES[dimension.dimension], score,
                         f"{getattr(weights, dimension.dimension):g}"))
        outcome = self.card.outcome
        policy = self.scenario.scoring.outcome
        if outcome is not None:
            shown = (f"{number(outcome.score)}/100" if outcome.score is not None
                     else f"not judged ({ENDING_TITLES[outcome.ending].lower()})")
            rows.append((TITLES["outcome"], shown, f"{policy.weight:g} of the overall"))
        rows.append(("**Overall**", f"**{number(self.card.overall)}/100**", ""))
        self._table(("Dimension", "Score", "Weight"), rows)
        note = cap_note(self.card)
        if note:
            self._add("", _inline(note))
        for dimension in self.card.dimensions():
            self._add("", f"### {TITLES[dimension.dimension]}", "")
            self._deductions(dimension)
        if outcome is not None:
            self._add("", f"### {TITLES['outcome']}", "")
            if outcome.score is None:
                self._add("Not judged: the run has no ending of its own, so what the decisions "
                          "achieved is not known yet.")
            elif not outcome.deductions:
                self._add("No points lost.")
            for deduction in outcome.deductions:
                self._deduction(deduction)

    def _deductions(self, dimension: DimensionScore) -> None:
        if not dimension.applicable:
            self._add("N/A: the run gave nothing to judge here, so it is left out of the overall "
                      "score.")
            return
        if not dimension.deductions:
            self._add("No points lost.")
            return
        for deduction in dimension.deductions:
            self._deduction(deduction)

    def _deduction(self, deduction: Deduction) -> None:
        when = f" at {self.clock.t(deduction.time)}" if deduction.time is not None else ""
        points = number(deduction.points)
        self._add(f"- **-{points} {'point' if points == '1' else 'points'}**{when}: "
                  f"{_inline(deduction.what)}. *Norm:* {_inline(deduction.norm)}")

    def _debrief(self) -> None:
        if self.ending is None:
            self._add("The run was stopped before an ending, so there is no debrief yet.")
        else:
            self._add(f"**{_inline(self.ending.title)}**", "",
                      *(_block(self.run.told(self.ending.debrief)) or ["No debrief text."]))
        lessons = list(self._sentences(self.scenario.postmortem.lessons))
        if lessons:
            self._add("", "Lessons from this scenario:", "")
            self._bullets(lessons, "")
