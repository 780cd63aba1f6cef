"""Score a finished run on the four dimensions of DOMAIN.md §9, explaining every lost point.

:func:`score_run` reads what the :class:`~drill.engine.simulation.Run` recorded (updates, pages,
estimates, action start and finish times, milestone times, and when each watched piece of
evidence first became visible) and returns a :class:`~drill.engine.scorecard.ScoreCard`.

Two rules shape everything here:

* **Judge only what could be seen.**  Every clock starts when its evidence first held
  (``run.first_true``); a trigger whose evidence never appeared is skipped, and a deadline the run
  ended before reaching is not judged.
* **Points lost add up.**  Each dimension is ``100 x (1 - sum of losses)``; every loss is one
  :class:`~drill.engine.scorecard.Deduction` with what happened, when, and the norm it stands on.
  When losses exceed the whole dimension they are scaled down together, so the deductions still
  sum to the points lost.

Scoring is pure and cheap: no pydantic model is built, the log is scanned at most once, and norm
texts are formatted only for the losses that need them (a score costs about a tenth of a
millisecond, the target being a thousand simulated and scored runs a second).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterable

from .scenario import (
    AUDIENCES,
    EXTERNAL_AUDIENCES,
    Action,
    AudiencePolicy,
    Milestone,
    Person,
    Scenario,
    Trigger,
)
from .scorecard import Deduction, DimensionScore, Dimension, ScoreCard
from .simulation import Run, UpdateRecord

MIN_POINTS = 0.05
"""Deductions smaller than this (on the 0-100 scale) are left out as noise."""

AUDIENCE_NAMES = {"support": "support", "customers": "customers", "management": "management",
                  "team": "the team"}


# -- formatting -----------------------------------------------------------------------------------


def format_time(scenario: Scenario, value: float) -> str:
    """A scenario time as players read it: ``T+24`` on a minutes clock, ``day 12`` on a days clock.

    Args:
        scenario: the scenario, for its clock unit.
        value: a time in the scenario's clock units, counted from its start.
    """
    number = _number(value)
    return f"T+{number}" if scenario.clock.unit == "minutes" else f"day {number}"


def format_span(scenario: Scenario, value: float) -> str:
    """A duration in the scenario's unit: ``25 min`` or ``3 days``."""
    number = _number(value)
    if scenario.clock.unit == "minutes":
        return f"{number} min"
    return f"{number} day" if number == "1" else f"{number} days"


def _number(value: float) -> str:
    """A time or duration to one decimal, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def decay(lateness: float, tau: float) -> float:
    """``exp(-max(0, lateness) / tau)``: 1 when on time, about 0.37 when ``tau`` late (§9)."""
    return math.exp(-max(0.0, lateness) / tau)


# -- the loss ledger ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Loss:
    """A part of a dimension lost, as a fraction of it (0..1), with its explanation."""

    fraction: float
    time: float | None
    what: str
    norm: str


@dataclass(slots=True)
class _Ledger:
    losses: list[_Loss] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)

    def lose(self, fraction: float, time: float | None, what: str, norm: str) -> None:
        if fraction > 0:
            self.losses.append(_Loss(fraction, time, what, norm))


def _capped(losses: list[_Loss]) -> list[_Loss]:
    """Scale losses down together so they never exceed the whole (score clipped at 0)."""
    total = sum(loss.fraction for loss in losses)
    if total <= 1:
        return losses
    return [_Loss(loss.fraction / total, loss.time, loss.what, loss.norm) for loss in losses]


def _weighted(losses: Iterable[_Loss], weight: float) -> list[_Loss]:
    return [_Loss(loss.fraction * weight, loss.time, loss.what, loss.norm) for loss in losses]


def _dimension(dimension: Dimension, ledger: _Ledger) -> DimensionScore:
    losses = _capped(ledger.losses)
    lost = sum(loss.fraction for loss in losses)
    # In time order (run-wide items last), as the postmortem reads them.
    ordered = sorted(losses, key=lambda loss: math.inf if loss.time is None else loss.time)
    deductions = tuple(
        Deduction(dimension, 100 * loss.fraction, loss.time, loss.what, loss.norm)
        for loss in ordered
        if 100 * loss.fraction >= MIN_POINTS
    )
    return DimensionScore(dimension, 100 * max(0.0, 1 - lost), True, deductions,
                          tuple(ledger.credits))


def _not_applicable(dimension: Dimension, why: str) -> DimensionScore:
    """A dimension with nothing to judge; ``why`` documents the reason at the call site only,
    since credits are read as 'what went well'."""
    del why
    return DimensionScore(dimension, 0.0, applicable=False)


def _renormalised(parts: dict[str, tuple[float, float | None]]) -> dict[str, float]:
    """Weights of the parts that apply (value not None), renormalised to sum to 1 (§9)."""
    total = sum(w for w, v in parts.values() if v is not None)
    if total <= 0:
        return {}
    return {key: w / total for key, (w, v) in parts.items() if v is not None}


# -- entry point ----------------------------------------------------------------------------------


def score_run(run: Run) -> ScoreCard:
    """Score a run on communication, asking for help, rollback choices and estimates.

    Args:
        run: a finished (or stopped) run; its end is ``run.ended_at``, else ``run.now``.

    Returns:
        The score card.  Each dimension is 0-100 with its deductions and credits; ``overall`` is
        the mean of the applicable dimensions weighted by ``scenario.scoring.weights``.
        ``extras`` holds two tables for the postmortem:

        * ``"promises"``: ``{audience: {"required": bool, "first_due": float | None,
          "first_update": float | None, "updates": int, "promised": int, "kept": int,
          "broken": int, "rows": [{"made_at": float, "due": float, "next_at": float | None,
          "kept": bool | None}]}}`` for each of the four audiences (``kept`` is None when the run
          ended before the promise fell due);
        * ``"estimates"``: a list of rows ``{"made_at": float, "audience": str, "milestone": str,
          "said": str, "actual": float | None, "censored": bool, "score": float | None,
          "hit": bool | None}``: ``actual`` is the remaining time the milestone really took
          (minus its unforeseeable delay), or the lower bound run end - made_at when it was never
          reached (``censored``); ``score`` is 0..1, None when a censored estimate cannot be
          judged yet; ``hit`` says whether the actual fell in the range (for a point, within the
          policy's reference spread of it).
    """
    context = _Context(run)
    communication, promises = _score_communication(context)
    estimates, rows = _score_estimates(context)
    dimensions = {
        "communication": communication,
        "help": _score_help(context),
        "rollback": _score_rollback(context),
        "estimates": estimates,
    }
    weights = run.scenario.scoring.weights
    pairs = [(getattr(weights, name), card.score) for name, card in dimensions.items()
             if card.applicable]
    total = sum(w for w, _ in pairs)
    overall = sum(w * s for w, s in pairs) / total if total > 0 else 0.0
    return ScoreCard(overall=overall, extras={"promises": promises, "estimates": rows},
                     **dimensions)  # type: ignore[arg-type]


class _Context:
    """What every dimension needs from the run, looked up once."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.scenario = scenario = run.scenario
        self.end = run.ended_at if run.ended_at is not None else run.now
        self.grace = scenario.comms.grace
        self._news: list[float] | None = None

    # Lookups by id, built only when a dimension needs them.
    @cached_property
    def actions(self) -> dict[str, Action]:
        return {a.id: a for a in self.scenario.actions}

    @cached_property
    def people(self) -> dict[str, Person]:
        return {p.id: p for p in self.scenario.people}

    @cached_property
    def milestones(self) -> dict[str, Milestone]:
        return {m.id: m for m in self.scenario.milestones}

    def t(self, value: float) -> str:
        return format_time(self.scenario, value)

    def span(self, value: float) -> str:
        return format_span(self.scenario, value)

    def label(self, action_id: str) -> str:
        action = self.actions.get(action_id)
        return action.label if action is not None else action_id

    def first_start(self, action_ids: Iterable[str]) -> tuple[float, str] | None:
        starts = [(self.run.started[a][0], a) for a in action_ids if self.run.started.get(a)]
        return min(starts) if starts else None

    def news_between(self, after: float, until: float) -> bool:
        """Whether anything new reached the player in (after, until]: built once, then bisected."""
        if self._news is None:
            self._news = [e.time for e in self.run.log
                          if e.kind in ("event", "finished", "arrived", "milestone", "target")]
        i = bisect.bisect_right(self._news, after)
        return i < len(self._news) and self._news[i] <= until


# -- (a) communication ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AudienceRule:
    """One audience's expectations, from the scenario or the severity's defaults (§9.1)."""

    required: bool
    weight: float
    first_by: float
    every: float
    every_after_mitigation: float
    min_gap: float
    source: str
    first_note: str
    every_note: str


_GAME = " (game default)"
_SEV = {"SEV1": 0, "SEV2": 1, "SEV3": 2}
_SOURCES = {
    "customers": "PagerDuty external comms: first public post within 5 min of the incident call, "
                 "then at least every 20 min, each saying when the next comes",
    "management": "PagerDuty Internal Liaison: status to executives roughly every 30 min",
    "support": "GitLab CMOC: support is told at the start and kept updated (Google SRE: people "
               "assume nothing is being done unless told)",
    "team": "PagerDuty IC: announce the incident, who leads and the plan in the incident channel "
            "first",
}


@lru_cache(maxsize=None)
def _default_rule(audience: str, severity: str) -> _AudienceRule:
    s = _SEV[severity]
    source = _SOURCES[audience]
    if audience == "customers":
        first, every, after = (10, 15, 30)[s], (20, 30, 60)[s], (30, 60, 60)[s]
        # PagerDuty says 5 min from the call; 10 leaves room for game latency.
        return _AudienceRule(True, 0.35, first, every, after, 0, source, _GAME,
                             "" if s == 0 else _GAME)
    if audience == "management":
        first, every = (15, 30, 30)[s], (30, 60, 60)[s]
        return _AudienceRule(True, 0.25, first, every, every, 10, source, _GAME,
                             "" if s == 0 else _GAME)
    if audience == "support":
        first, every = (10, 15, 30)[s], (30, 45, 60)[s]
        return _AudienceRule(True, 0.20, first, every, every, 0, source, _GAME, _GAME)
    return _AudienceRule(True, 0.20, 5, 30, 30, 0, source, _GAME, _GAME)


def _audience_rule(audience: str, policy: AudiencePolicy | None, severity: str) -> _AudienceRule:
    if policy is None:
        return _default_rule(audience, severity)
    return _AudienceRule(
        policy.required, policy.weight, policy.first_by, policy.every,
        policy.every_after_mitigation or policy.every, policy.min_gap_without_news,
        _SOURCES[audience], " (this scenario's policy)", " (this scenario's policy)",
    )


def audience_expectations(scenario: Scenario) -> dict[str, tuple[bool, float, float]]:
    """Per audience: (required, first update due after the incident starts, interval).

    The same rules the communication score uses, for the board's countdowns.
    """
    severity = scenario.meta.severity
    return {
        audience: (rule.required, rule.first_by, rule.every)
        for audience in AUDIENCES
        for rule in [_audience_rule(audience, scenario.comms.audiences.get(audience), severity)]
    }


_NORM_PROMISE = ("PagerDuty external comms and GitLab CMOC: state when the next update comes, "
                 "then keep to it")
_NORM_IMPACT = "PagerDuty Customer Liaison, Statuspage: state the impact in the audience's terms"
_NORM_NEXT = ("PagerDuty external comms, GitLab CMOC, incident.io: every update says when the "
             "next comes")
_NORM_ETA = ("PagerDuty Customer Liaison: never promise customers a resolution time "
             "('customers get angry when you set an expectation you can't keep')")
_NORM_DATA = ("PagerDuty external comms: the resolution message says clearly whether any data was "
              "lost or corrupted")
_NORM_NOISE = ("PagerDuty anti-pattern 'too frequent status updates': updates with no news take "
               "responders away from the incident")
_NORM_REQUEST = ("Google SRE workbook: the communications lead manages inquiries about the "
                 "incident; answer a request for status")


def _score_communication(ctx: _Context) -> tuple[DimensionScore, dict[str, object]]:
    run, scenario = ctx.run, ctx.scenario
    comms = scenario.comms
    start = run.first_true.get(comms.starts_when)
    mitigated_at = run.milestone_times.get("mitigated")
    by_audience: dict[str, list[UpdateRecord]] = {a: [] for a in AUDIENCES}
    for update in run.updates:
        by_audience[update.step.audience].append(update)
    requests: dict[str, list[tuple[float, float, str]]] = {a: [] for a in AUDIENCES}
    for request in scenario.requests:
        asked = run.requests_at.get(request.id)
        if request.kind == "update" and asked is not None:
            requests[request.audience].append((asked, request.respond_within,
                                               run.person_name(request.sender)))

    severity = scenario.meta.severity
    rules = {a: _audience_rule(a, comms.audiences.get(a), severity) for a in AUDIENCES}
    promises: dict[str, object] = {}
    judged: list[tuple[float, _Ledger]] = []
    for audience in AUDIENCES:
        rule = rules[audience]
        updates = by_audience[audience]
        rows, kept, broken = _promises(updates, ctx.end, ctx.grace)
        promises[audience] = {
            "required": rule.required,
            "first_due": start + rule.first_by if start is not None else None,
            "first_update": updates[0].time if updates else None,
            "updates": len(updates), "promised": len(rows), "kept": kept, "broken": len(broken),
            "rows": rows,
        }
        if start is None or not rule.required or rule.weight <= 0:
            continue
        ledger = _Ledger()
        if _score_audience(ctx, audience, rule, updates, requests[audience], start,
                           mitigated_at, kept, broken, ledger):
            judged.append((rule.weight, ledger))
    if start is None:
        return _not_applicable("communication", "The incident never started, so there was no "
                                                "one to update."), promises
    if not judged:
        return _not_applicable("communication", "No audience had to be updated before the run "
                                                "ended."), promises
    total = sum(w for w, _ in judged)
    result = _Ledger()
    for weight, ledger in judged:
        result.losses += _weighted(_capped(ledger.losses), weight / total)
        result.credits += ledger.credits
    return _dimension("communication", result), promises


def _promises(updates: list[UpdateRecord], end: float, grace: float,
              ) -> tuple[list[dict[str, object]], int, list[tuple[float, float, float | None]]]:
    """Stated next updates and whether the next update came in time.

    Returns the table rows, how many were kept, and the broken ones as (made_at, due, next_at).
    A promise still open when the run ended is neither kept nor broken.
    """
    rows: list[dict[str, object]] = []
    broken: list[tuple[float, float, float | None]] = []
    kept = 0
    for i, update in enumerate(updates):
        if update.step.next_update is None:
            continue
        promised_by = update.time + update.step.next_update
        next_at = updates[i + 1].time if i + 1 < len(updates) else None
        held: bool | None
        if next_at is not None and next_at <= promised_by + grace:
            held = True
            kept += 1
        elif end <= promised_by + grace:
            held = None
        else:
            held = False
            broken.append((update.time, promised_by, next_at))
        rows.append({"made_at": update.time, "due": promised_by, "next_at": next_at,
                     "kept": held})
    return rows, kept, broken


def _score_audience(
    ctx: _Context, audience: str, rule: _AudienceRule, updates: list[UpdateRecord],
    requests: list[tuple[float, float, str]], start: float, mitigated_at: float | None,
    kept: int, broken: list[tuple[float, float, float | None]], ledger: _Ledger,
) -> bool:
    """Score one audience into ``ledger`` (fractions of the audience); False if nothing to judge."""
    comms, end, grace = ctx.scenario.comms, ctx.end, ctx.grace
    name = AUDIENCE_NAMES[audience]
    t = ctx.t
    due = start + rule.first_by

    def interval(at: float) -> float:
        every = (rule.every_after_mitigation if mitigated_at is not None and at >= mitigated_at
                 else rule.every)
        if at - start >= comms.long_incident_after:
            # PagerDuty's long-incident model: after two hours the cadence may relax.
            every = max(every, comms.long_every)
        return every

    # F: the first update.
    first_time = updates[0].time if updates else None
    f_score: float | None = None
    f_loss: tuple[float | None, str] | None = None
    if first_time is not None or end > due + grace:
        lateness = (first_time if first_time is not None else end) - due - grace
        f_score = 1.0 if lateness <= 0 else max(0.0, 1 - lateness / (rule.first_by or 1.0))
        if f_score < 1:
            f_loss = ((first_time, f"First update to {name} at {t(first_time)}, due by {t(due)}")
                      if first_time is not None else
                      (due, f"No update to {name} all run (the first was due by {t(due)})"))
        elif first_time is not None:
            ledger.credits.append(f"{name.capitalize()} heard from the responders by "
                                  f"{t(max(first_time, start))} (due by {t(due)})")

    silent_all_run = first_time is None and ctx.run.ending is not None
    if silent_all_run:
        # An incident that ended without a word to this audience, not even that it was over,
        # earns nothing here however short it was (PagerDuty: the resolution message; Google
        # SRE: people assume nothing is being done unless told).
        f_score = 0.0
        if f_loss is None:
            f_loss = (end, f"Nobody told {name} anything; the incident ended at {t(end)}, "
                           f"before the first update was due by {t(due)}")

    # Cov: dark time, past each update's window (its stated next update, capped) plus grace.
    cov_score: float | None = None
    gaps: list[tuple[float, float]] = []
    active = end - due
    if active > 0:
        covered = due + grace
        dark = 0.0
        for update in updates:
            at = max(update.time, start)
            gap_start = max(covered, due)
            if at > gap_start:
                gaps.append((gap_start, at))
                dark += at - gap_start
            step = update.step
            if step.status == "resolved":
                window = math.inf  # GitLab CMOC: no further updates once resolved
            else:
                every = interval(at)
                window = (min(step.next_update, every * comms.max_promise_extension)
                          if step.next_update is not None else every)
            covered = max(covered, at + window + grace)
        if end > max(covered, due):
            gap_start = max(covered, due)
            gaps.append((gap_start, end))
            dark += end - gap_start
        cov_score = 0.0 if silent_all_run else 1 - dark / active
    # P: promised next updates kept (counted by _promises).
    p_score = kept / (kept + len(broken)) if kept + len(broken) else None
    if kept and not broken:
        ledger.credits.append(f"Kept every promised update to {name} ({kept} of {kept})")

    # Q: content checks, one per update and check, plus the final update's data-loss line.
    checks: dict[str, list[float]] = {"impact": [], "next": [], "eta": [], "data": []}
    passed = total_checks = 0
    for update in updates:
        step = update.step
        results = {"impact": bool(step.impact.strip()),
                   "next": step.next_update is not None or step.status == "resolved"}
        if audience == "customers":
            results["eta"] = step.eta is None
        for check, ok in results.items():
            total_checks += 1
            passed += ok
            if not ok:
                checks[check].append(update.time)
    if updates:
        total_checks += 1
        if updates[-1].step.data_loss:
            passed += 1
        else:
            checks["data"].append(updates[-1].time)
    q_score = passed / total_checks if total_checks else None

    weight = _renormalised({"F": (0.25, f_score), "Cov": (0.45, cov_score),
                            "P": (0.15, p_score), "Q": (0.15, q_score)})
    if not weight:
        return False
    if f_loss is not None and f_score is not None:
        first_norm = (f"{rule.source}; this scenario: first update to {name} within "
                      f"{ctx.span(rule.first_by)}{rule.first_note}")
        ledger.lose(weight["F"] * (1 - f_score), f_loss[0] if f_loss[0] is not None else due,
                    f_loss[1], first_norm)
    if cov_score is not None and gaps:
        every_norm = (f"{rule.source}; this scenario: an update to {name} every "
                      f"{ctx.span(rule.every)}{rule.every_note}, or by the stated next update "
                      f"(at most {comms.max_promise_extension:g}x that)")
        for gap_start, gap_end in gaps:
            ledger.lose(weight["Cov"] * (gap_end - gap_start) / active, gap_start,
                        f"{name.capitalize()} went {ctx.span(gap_end - gap_start)} past the "
                        f"expected cadence with no update ({t(gap_start)} to {t(gap_end)})",
                        every_norm)
    if p_score is not None:
        judged_promises = kept + len(broken)
        for made_at, promised_by, next_at in broken:
            came = f"the next came at {t(next_at)}" if next_at is not None else "none came"
            ledger.lose(weight["P"] / judged_promises, promised_by,
                        f"Told {name} at {t(made_at)} the next update would come by "
                        f"{t(promised_by)}; {came}", _NORM_PROMISE)
    if q_score is not None:
        texts = {
            "impact": ("did not state the impact", _NORM_IMPACT),
            "next": ("did not say when the next update comes", _NORM_NEXT),
            "eta": ("promised customers a resolution time", _NORM_ETA),
            "data": ("did not say whether any data was lost", _NORM_DATA),
        }
        for check, times in checks.items():
            if not times:
                continue
            what, norm = texts[check]
            when = ", ".join(t(x) for x in times[:4]) + (" ..." if len(times) > 4 else "")
            count = (f"{len(times)} of {len(updates)} updates" if check != "data"
                     else "The final update")
            ledger.lose(weight["Q"] * len(times) / total_checks, max(times[0], start),
                        f"{count} to {name} {what} ({when})", norm)

    # N: noise, updates too close together with no news in between (PagerDuty anti-pattern).
    if rule.min_gap > 0:
        noise = 0.0
        for previous, update in zip(updates, updates[1:]):
            gap = update.time - previous.time
            if gap < rule.min_gap and not update.state_changed_since_previous and \
                    not ctx.news_between(previous.time, update.time):
                cost = min(0.02, 0.1 - noise)
                if cost <= 0:
                    break
                noise += cost
                ledger.lose(cost, update.time,
                            f"Updated {name} at {t(update.time)}, {ctx.span(gap)} after the "
                            f"previous update, with no news",
                            f"{_NORM_NOISE}; this scenario: at least {ctx.span(rule.min_gap)} "
                            f"apart unless something changed")

    # Requests for an update: each unanswered within its time costs 0.1 (at most 0.3).
    penalty = 0.0
    for asked, within, sender in requests:
        answer = next((u.time for u in updates if asked <= u.time <= asked + within + grace), None)
        if answer is not None:
            ledger.credits.append(f"Answered {sender}'s request for an update at {t(answer)}")
        elif end > asked + within + grace and penalty < 0.3:
            penalty += 0.1
            ledger.lose(0.1, asked + within,
                        f"{sender} asked for an update to {name} at {t(asked)}; none came by "
                        f"{t(asked + within)}",
                        f"{_NORM_REQUEST}; this scenario expects an answer within "
                        f"{ctx.span(within)}")
    return True


# -- (b) asking for help --------------------------------------------------------------------------


_NORM_IRRELEVANT = ("PagerDuty anti-pattern: don't page everyone; this scenario: "
                    "{penalty:g} of the dimension per unneeded page, at most {cap:g}")


def _score_help(ctx: _Context) -> DimensionScore:
    run, scenario = ctx.run, ctx.scenario
    policy = scenario.scoring.escalation
    if not policy.triggers:
        return _not_applicable("help", "The scenario sets no escalation triggers.")
    t = ctx.t
    judged = 0
    ledger = _Ledger()
    misses: list[tuple[float, float, str, Trigger]] = []  # (S, time, what, trigger)
    for trigger in policy.triggers:
        seen = run.first_true.get(trigger.observable)
        if seen is None:
            continue  # never judge what could not be seen
        due = seen + trigger.window
        evidence = trigger.id.replace("_", " ").replace("-", " ")
        if trigger.expect == "page":
            wanted = _wanted_people(ctx, trigger.people, trigger.skills)
            pages = [(run.paged_at[p], p) for p in wanted if p in run.paged_at]
            if pages:
                at, person = min(pages)
                judged += 1
                score = decay(at - due, policy.tau)
                if score < 0.999:
                    misses.append((score, at, f"Paged {run.person_name(person)} at {t(at)}; "
                                   f"{evidence} was visible from {t(seen)}, help was expected "
                                   f"by {t(due)}", trigger))
                else:
                    when = ("before the evidence appeared" if at <= seen
                            else f"{ctx.span(at - seen)} after {evidence} became visible")
                    ledger.credits.append(f"Paged {run.person_name(person)} at {t(at)}, {when}")
                continue
            missing = (f"Nobody paged {_who(ctx, trigger.people, trigger.skills)}; {evidence} "
                       f"was visible from {t(seen)}")
        else:
            audience = trigger.audience
            answer_at = next((u.time for u in run.updates if u.time >= seen
                              and (audience is None or u.step.audience == audience)), None)
            name = AUDIENCE_NAMES[audience] if audience else "anyone"
            if answer_at is not None:
                judged += 1
                score = decay(answer_at - due, policy.tau)
                if score < 0.999:
                    misses.append((score, answer_at, f"Told {name} at {t(answer_at)}; "
                                   f"{evidence} was visible from {t(seen)}, expected by "
                                   f"{t(due)}", trigger))
                else:
                    ledger.credits.append(f"Told {name} at {t(answer_at)} once {evidence} was "
                                          f"visible")
                continue
            missing = f"Never told {name} after {evidence} became visible at {t(seen)}"
        if ctx.end <= due:
            continue  # the run ended before the player owed an answer
        judged += 1
        misses.append((decay(ctx.end - due, policy.tau), due,
                       f"{missing} (expected by {t(due)})", trigger))
    if not judged:
        return _not_applicable("help", "None of the escalation triggers' evidence appeared in "
                                       "time to act on.")
    for score, time, what, trigger in misses:
        ledger.lose((1 - score) / judged, time, what,
                    f"{trigger.norm} (this scenario: within {ctx.span(trigger.window)})")
    spent = 0.0
    for person_id, at in sorted(run.paged_at.items(), key=lambda item: item[1]):
        person = ctx.people.get(person_id)
        if person is None or person.relevant:
            continue
        cost = min(policy.irrelevant_page_penalty, policy.irrelevant_page_cap - spent)
        if cost <= 0:
            break
        spent += cost
        ledger.lose(cost, at, f"Paged {run.person_name(person_id)} ({person.role}) at {t(at)}, "
                              f"who was not needed for this incident",
                    _NORM_IRRELEVANT.format(penalty=policy.irrelevant_page_penalty,
                                            cap=policy.irrelevant_page_cap))
    return _dimension("help", ledger)


def _wanted_people(ctx: _Context, people: list[str], skills: list[str]) -> list[str]:
    if not people and not skills:
        return list(ctx.people)
    wanted = set(skills)
    return [p.id for p in ctx.scenario.people if p.id in people or wanted.intersection(p.skills)]


def _who(ctx: _Context, people: list[str], skills: list[str]) -> str:
    # Roles first (blameless: what was needed), names after (who that was in this run).
    names = [f"the {ctx.people[p].role} ({ctx.run.person_name(p)})" if p in ctx.people
             else ctx.run.person_name(p) for p in people]
    if skills:
        names.append("anyone with " + " or ".join(skills) + " skills")
    return " or ".join(names) if names else "anyone"


# -- (c) rollback choices -------------------------------------------------------------------------


_NORM_MITIGATE = ("Google SRE ch. 12 'stop the bleeding' and the CRE rule 'roll back first, "
                  "investigate second'; this scenario: a generic mitigation within {within} of "
                  "the suspect change being visible")
_NORM_VERIFY = ("PagerDuty IC 'Verify' step: check the key signal after acting, and begin again "
                "if problems persist; this scenario: within {within}")
_NORM_PIVOT = ("AWS Builders' Library 'one-way doors'; incident.io, CrowdStrike, GKE: a rollback "
               "does not remove bad state that was persisted; this scenario: remediate within "
               "{within} of the evidence")


def _score_rollback(ctx: _Context) -> DimensionScore:
    run, scenario = ctx.run, ctx.scenario
    policy = scenario.scoring.rollback
    if not policy.applies:
        return _not_applicable("rollback", "The scenario has no rollback decision to judge.")
    t, end, tau = ctx.t, ctx.end, policy.tau
    start = run.first_true.get(scenario.comms.starts_when)
    suspect = run.first_true.get(policy.suspect_visible)
    components: list[tuple[float, float | None]] = []
    details: list[list[_Loss]] = []
    credits: list[str] = []

    # C1: a generic mitigation soon after the suspect change is visible.
    c1: float | None = None
    c1_losses: list[_Loss] = []
    if policy.generic_mitigations and start is not None and suspect is not None:
        seen = max(start, suspect)
        due = seen + policy.mitigate_within
        # Going straight to the real fix also stops the bleeding.
        first = ctx.first_start([*policy.generic_mitigations, *policy.correct_remediations])
        if first is not None:
            c1 = decay(first[0] - due, tau)
            if c1 < 1:
                c1_losses.append(_Loss(1 - c1, first[0],
                                       f"First mitigation ({ctx.label(first[1])}) started at "
                                       f"{t(first[0])}; the suspect change was visible from "
                                       f"{t(seen)}, expected by {t(due)}",
                                       _NORM_MITIGATE.format(within=ctx.span(
                                           policy.mitigate_within))))
            else:
                credits.append(f"Mitigated first: {ctx.label(first[1])} at {t(first[0])}")
        elif end > due:
            c1 = decay(end - due, tau)
            c1_losses.append(_Loss(1 - c1, due, f"No mitigation all run; the suspect change was "
                                                f"visible from {t(seen)}",
                                   _NORM_MITIGATE.format(within=ctx.span(
                                       policy.mitigate_within))))
    components.append((0.35, c1))
    details.append(c1_losses)

    # C2: verify the key signal after each finished generic mitigation.
    c2: float | None = None
    c2_losses: list[_Loss] = []
    if policy.verify_actions and policy.generic_mitigations:
        checks = sorted(t_ for a in policy.verify_actions for t_ in run.started.get(a, ()))
        results: list[tuple[float, float, str]] = []
        for action_id in policy.generic_mitigations:
            for done in run.finished.get(action_id, ()):
                i = bisect.bisect_left(checks, done)
                checked = checks[i] if i < len(checks) else None
                if checked is not None and checked <= done + policy.verify_within:
                    results.append((1.0, done, action_id))
                elif checked is not None:
                    results.append((0.5, done, action_id))
                elif end > done + policy.verify_within:
                    results.append((0.0, done, action_id))
        if results:
            c2 = sum(r for r, _, _ in results) / len(results)
            for value, done, action_id in results:
                if value < 1:
                    late = (f"was checked only after {ctx.span(policy.verify_within)}" if value
                            else "was never checked after it")
                    c2_losses.append(_Loss((1 - value) / len(results), done,
                                           f"{ctx.label(action_id)} finished at {t(done)}; the "
                                           f"key signal {late}",
                                           _NORM_VERIFY.format(
                                               within=ctx.span(policy.verify_within))))
            if c2 == 1:
                credits.append("Checked the key signal after every mitigation")
    components.append((0.15, c2))
    details.append(c2_losses)

    # C3: notice the rollback was not enough and remediate the persisted state.
    c3: float | None = None
    c3_losses: list[_Loss] = []
    evidence = run.first_true.get(policy.persisted_evidence)
    if policy.rollback_effect in ("none", "partial") and policy.correct_remediations \
            and evidence is not None:
        rolled = [run.finished[a][0] for a in policy.generic_mitigations if run.finished.get(a)]
        reference = max(evidence, min(rolled)) if rolled else evidence
        due = reference + policy.pivot_within
        said = any(u.step.rollback_insufficient for u in run.updates)
        fix = ctx.first_start(policy.correct_remediations)
        if fix is not None or end > due:
            lateness = (fix[0] if fix is not None else end) - due
            raw = decay(lateness, tau)
            c3 = min(1.0, raw + (0.1 if said else 0.0))
            if raw < 1:
                basis = (f"the persisted state was visible from {t(evidence)}"
                         + (f" and the rollback was done at {t(min(rolled))}" if rolled else ""))
                norm = _NORM_PIVOT.format(within=ctx.span(policy.pivot_within))
                if fix is not None:
                    what = (f"Started {ctx.label(fix[1])} at {t(fix[0])}; {basis}, expected "
                            f"by {t(due)}")
                elif rolled:
                    what = f"Stayed on the rollback: never remediated the persisted state; {basis}"
                else:
                    what = f"Never remediated the persisted state; {basis}"
                c3_losses.append(_Loss(1 - c3, fix[0] if fix is not None else due, what,
                                       norm + (" (+0.1 for telling people the rollback was not "
                                               "enough)" if said else "")))
            else:
                credits.append(f"Saw the rollback was not enough and started "
                               f"{ctx.label(fix[1])} at {t(fix[0])}")  # type: ignore[index]
            if said:
                credits.append("Told people the rollback did not fully fix it")
    components.append((0.30, c3))
    details.append(c3_losses)

    # C4: no unsafe action once its warning was visible.
    c4: float | None = None
    c4_losses: list[_Loss] = []
    if policy.unsafe:
        count = 0
        for unsafe in policy.unsafe:
            warned = run.first_true.get(unsafe.warning)
            if warned is None:
                continue
            for started in run.started.get(unsafe.action, ()):
                if started >= warned:
                    count += 1
                    c4_losses.append(_Loss(0.25, started,
                                           f"Started {ctx.label(unsafe.action)} at {t(started)}, "
                                           f"after the warning was visible at {t(warned)}",
                                           unsafe.norm))
        c4 = max(0.0, 1 - 0.25 * count)
        c4_losses = _capped(c4_losses)
        if count == 0:
            credits.append("Took no unsafe action after its warning")
    components.append((0.20, c4))
    details.append(c4_losses)

    total = sum(w for w, v in components if v is not None)
    if total <= 0:
        return _not_applicable("rollback", "The scenario sets no rollback choice, or none came "
                                           "up before the run ended.")
    ledger = _Ledger(credits=credits)
    for (weight, value), losses in zip(components, details):
        if value is not None:
            ledger.losses += _weighted(losses, weight / total)
    return _dimension("rollback", ledger)


# -- (d) estimates --------------------------------------------------------------------------------


def point_score(point: float, actual: float, alpha: float = 1.0, beta: float = 1.0) -> float:
    """Log accuracy ratio (Tofallis 2015): ``exp(-(alpha*max(q,0) + beta*max(-q,0)))``, q=ln(x/p).

    ``alpha`` weighs under-estimates (it took longer than said), ``beta`` over-estimates.
    """
    q = math.log(actual / point)
    return math.exp(-(alpha * max(q, 0.0) + beta * max(-q, 0.0)))


def interval_score(low: float, high: float, actual: float, confidence: float) -> float:
    """Gneiting & Raftery's interval score of a central range, in log space (lower is better)."""
    lo, hi, x = math.log(low), math.log(high), math.log(actual)
    miss = 2 / (1 - confidence)
    return (hi - lo) + miss * max(0.0, lo - x) + miss * max(0.0, x - hi)


def range_score(low: float, high: float, actual: float, confidence: float, spread: float,
                kappa: float) -> float:
    """The skill form of §9.4: ``exp(-max(0, IS - IS_ref) / kappa)``.

    ``IS_ref`` is the interval score of the reference range ``[x/spread, x*spread]``: a range as
    sharp as that around the truth scores 1, so honest uncertainty is not punished.
    """
    reference = interval_score(actual / spread, actual * spread, actual, confidence)
    return math.exp(-max(0.0, interval_score(low, high, actual, confidence) - reference) / kappa)


_NORM_POINT = ("Log accuracy ratio (Tofallis 2015){external}; being 2x off scores 0.5")
_NORM_RANGE = ("Interval score in log space (Gneiting & Raftery 2007), against a range of "
               "{spread:g}x either side of the truth at {confidence:.0%}")
_NORM_BROKEN = ("PagerDuty Customer Liaison: 'customers get angry when you set an expectation you "
                "can't keep': revise an ETA before it passes")
_NORM_ASKED = ("PagerDuty Internal Liaison: give the expected time remaining when asked; this "
               "scenario expects an answer within {within} (an unanswered request scores 0)")
_RUBRIC = {
    "range": ("Never gave a range, only single dates",
              "Jørgensen 2004: single-value estimates hide the uncertainty; give a range"),
    "basis": ("No estimate rested on past actuals (the outside view)",
              "Buehler et al. 1994 (Study 4), Jørgensen: the outside view removes optimism"),
    "risk": ("Did not flag the deadline as at risk though it was under half the estimate",
             "Planning fallacy (Buehler et al.); HealthCare.gov GAO: say no to an impossible date"),
    "shorten": ("Shortened an estimate under pressure without cutting scope",
                "PagerDuty: trust your experts' estimates; pressure leads to mistakes"),
}


def _said(scenario: Scenario, point: float | None, low: float | None, high: float | None,
          confidence: float) -> str:
    """An estimate as the player gave it: ``20 min`` or ``15-45 min (80%)``."""
    if point is not None:
        return format_span(scenario, point)
    span = format_span(scenario, high or 0)
    return f"{_number(low or 0)}-{span} ({confidence:.0%})"


def _score_estimates(ctx: _Context) -> tuple[DimensionScore, list[dict[str, object]]]:
    run, scenario = ctx.run, ctx.scenario
    policy = scenario.scoring.estimates
    t, end = ctx.t, ctx.end
    asked = [(r, run.requests_at[r.id]) for r in scenario.requests
             if r.kind == "estimate" and r.id in run.requests_at]
    rows: list[dict[str, object]] = []
    if not run.estimates and not asked:
        return _not_applicable("estimates", "No estimate was given or asked for."), rows

    scored: list[tuple[float, float, str, str]] = []  # (score, time, what, norm)
    credits: list[str] = []
    for record in run.estimates:
        step = record.step
        made = record.time
        milestone = ctx.milestones.get(step.milestone)
        delay = milestone.unforeseeable_delay if milestone is not None else 0.0
        reached = run.milestone_times.get(step.milestone)
        confidence = step.confidence or policy.default_confidence
        said = _said(scenario, step.point, step.low, step.high, confidence)
        label = milestone.label if milestone is not None else step.milestone
        external = step.audience in EXTERNAL_AUDIENCES
        row: dict[str, object] = {"made_at": made, "audience": step.audience,
                                  "milestone": step.milestone, "said": said, "actual": None,
                                  "censored": reached is None, "score": None, "hit": None}
        rows.append(row)
        if reached is not None and reached <= made:
            continue  # already reached when said: nothing to estimate
        floor = 0.5 if scenario.clock.unit == "minutes" else 0.05
        actual = max(floor, (reached if reached is not None else end) - made - delay)
        row["actual"] = actual
        high = step.point if step.point is not None else step.high
        if reached is None and high is not None and high >= actual:
            continue  # censored: it may still come true, so it is not judged
        if step.point is not None:
            alpha, beta = ((policy.external_alpha, policy.external_beta) if external
                           else (1.0, 1.0))
            score = point_score(step.point, actual, alpha, beta)
            spread = policy.reference_spread
            hit = step.point / spread <= actual <= step.point * spread
            norm = _NORM_POINT.format(external=(
                "; late costs more than padding for an external ETA (PagerDuty Customer Liaison)"
                if external and policy.external_alpha != policy.external_beta else ""))
        else:
            score = range_score(step.low, step.high, actual, confidence,  # type: ignore[arg-type]
                                policy.reference_spread, policy.kappa)
            hit = step.low <= actual <= step.high  # type: ignore[operator]
            norm = _NORM_RANGE.format(spread=policy.reference_spread, confidence=confidence)
        row.update(score=score, hit=hit)
        bound = "at least " if reached is None else ""
        what = (f"Told {AUDIENCE_NAMES[step.audience]} at {t(made)}: '{label}' in {said}; it took "
                f"{bound}{ctx.span(actual)} (score {score:.2f})")
        scored.append((score, made, what, norm))
        if hit:
            credits.append(f"Estimate for '{label}' at {t(made)} ({said}) held: it took "
                           f"{ctx.span(actual)}")

    # Requests for an estimate not answered in time count as estimates scoring 0.
    for request, at in asked:
        sender = run.person_name(request.sender)
        limit = at + request.respond_within + ctx.grace
        answered = any(r.step.milestone == request.milestone and at <= r.time <= limit
                       and r.step.audience == request.audience for r in run.estimates)
        if answered:
            credits.append(f"Answered {sender}'s request for an estimate on time")
        elif end > limit:
            label = (ctx.milestones[request.milestone].label
                     if request.milestone in ctx.milestones else request.milestone)
            scored.append((0.0, at + request.respond_within,
                           f"{sender} asked at {t(at)} when '{label}' would happen; no "
                           f"estimate by {t(at + request.respond_within)}",
                           _NORM_ASKED.format(within=ctx.span(request.respond_within))))

    # E: ETAs given to external audiences that passed unmet and unrevised.
    external_estimates = [r for r in run.estimates if r.step.audience in EXTERNAL_AUDIENCES]
    e_score: float | None = None
    e_losses: list[_Loss] = []
    if external_estimates:
        broken = 0
        for i, record in enumerate(external_estimates):
            step = record.step
            said_by = record.time + (step.point if step.point is not None else step.high or 0)
            milestone = ctx.milestones.get(step.milestone)
            slack = (milestone.unforeseeable_delay if milestone is not None else 0) + ctx.grace
            reached = run.milestone_times.get(step.milestone)
            if reached is not None and reached <= said_by + slack:
                continue
            if reached is None and end <= said_by + slack:
                continue
            revised = any(later.step.milestone == step.milestone
                          and later.step.audience == step.audience
                          and record.time < later.time <= said_by
                          for later in external_estimates[i + 1:])
            if revised or broken >= 3:
                continue
            broken += 1
            e_losses.append(_Loss(0.1, said_by,
                                  f"The ETA given to {AUDIENCE_NAMES[step.audience]} at "
                                  f"{t(record.time)} (by {t(said_by)}) passed without the "
                                  f"milestone and without a revised estimate", _NORM_BROKEN))
        e_score = 1 - 0.1 * broken

    # R: the project rubric.
    r_score: float | None = None
    r_losses: list[_Loss] = []
    if policy.project_rubric:
        items = _rubric(ctx, policy.imposed_deadline, set(policy.scope_actions))
        if items:
            r_score = sum(ok for ok, _, _ in items.values()) / len(items)
            for key, (ok, time, detail) in items.items():
                if not ok:
                    what, norm = _RUBRIC[key]
                    r_losses.append(_Loss(1 / len(items), time, what + detail, norm))

    s_score = sum(s for s, _, _, _ in scored) / len(scored) if scored else None
    parts = [(0.6, s_score), (0.2, e_score), (0.2, r_score)]
    total = sum(w for w, v in parts if v is not None)
    if total <= 0:
        return _not_applicable("estimates", "No estimate could be judged yet when the run "
                                            "ended."), rows
    ledger = _Ledger(credits=credits)
    if s_score is not None:
        for score, time, what, norm in scored:
            ledger.lose(0.6 / total * (1 - score) / len(scored), time, what, norm)
    if e_score is not None:
        ledger.losses += _weighted(e_losses, 0.2 / total)
    if r_score is not None:
        ledger.losses += _weighted(r_losses, 0.2 / total)
    return _dimension("estimates", ledger), rows


def _median(step_point: float | None, low: float | None, high: float | None) -> float:
    if step_point is not None:
        return step_point
    return math.sqrt((low or 1) * (high or 1))  # the middle of a range in log space


def _rubric(ctx: _Context, deadline: float | None,
            scope_actions: set[str]) -> dict[str, tuple[bool, float | None, str]]:
    """The project rubric's items that apply: key -> (passed, time, detail)."""
    run = ctx.run
    estimates = run.estimates
    items: dict[str, tuple[bool, float | None, str]] = {
        "range": (any(r.step.point is None for r in estimates), None, ""),
        "basis": (any(r.step.basis == "past_actuals" for r in estimates), None, ""),
    }
    if deadline is not None:
        at_risk = [r for r in estimates
                   if deadline - r.time < 0.5 * _median(r.step.point, r.step.low, r.step.high)]
        if at_risk:
            missed = [r for r in at_risk if not r.step.flags_risk]
            items["risk"] = (not missed, missed[0].time if missed else None,
                             f" (estimate at {ctx.t(missed[0].time)})" if missed else "")
    if estimates:
        scope_done = sorted(t for a in scope_actions for t in run.finished.get(a, ()))
        last: dict[str, tuple[float, float]] = {}
        shortened: float | None = None
        for record in estimates:
            step = record.step
            lands = record.time + _median(step.point, step.low, step.high)
            previous = last.get(step.milestone)
            if previous is not None and lands < previous[1] - 1e-9:
                i = bisect.bisect_right(scope_done, previous[0])
                if not (i < len(scope_done) and scope_done[i] <= record.time):
                    shortened = record.time if shortened is None else shortened
            last[step.milestone] = (record.time, lands)
        items["shorten"] = (shortened is None, shortened,
                            f" (at {ctx.t(shortened)})" if shortened is not None else "")
    return items


__all__ = ["decay", "format_span", "format_time", "interval_score", "point_score",
           "range_score", "score_run"]
