"""(a) Communication cadence (DOMAIN §9.1)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..rules import (
    AudienceRule,
    answering_update,
    audience_rules,
    cadence,
    entries_from,
    news_between,
    request_answer,
)
from ..record import LogKind
from ..scenario import AFFECTED_ORDER, AUDIENCES, Request
from ..scorecard import AudienceReport, DimensionScore, PromiseRow, RequestRow
from ..record import PostedUpdate
from ..text import AUDIENCE_NAMES
from .outcome import ending_class
from .common import (
    decay,
    _Ledger,
    _capped,
    _weighted,
    _dimension,
    _not_applicable,
    _renormalised,
    _Context,
)

# -- (a) communication ----------------------------------------------------------------------------


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


def _score_communication(ctx: _Context) -> tuple[DimensionScore, tuple[AudienceReport, ...]]:
    run, scenario = ctx.run, ctx.scenario
    comms = scenario.comms
    start = run.evidence.get(comms.starts_when)
    mitigated_at = run.mitigated_at
    by_audience: dict[str, list[PostedUpdate]] = {a: [] for a in AUDIENCES}
    for update in run.updates:
        by_audience[update.step.audience].append(update)
    requests: dict[str, list[tuple[Request, float]]] = {a: [] for a in AUDIENCES}
    by_id = ctx.requests
    for asked, request_id in run.asked:
        request = by_id[request_id]
        if request.kind in ("update", "question"):
            requests[request.audience].append((request, asked))

    rules = audience_rules(scenario)
    reports: list[AudienceReport] = []
    judged: list[tuple[float, _Ledger]] = []
    for audience in AUDIENCES:
        rule = rules[audience]
        updates = by_audience[audience]
        rows, kept, broken = _promises(updates, ctx.end, ctx.grace)
        facts = _Facts()
        if start is not None and rule.required and rule.weight > 0:
            ledger = _Ledger()
            if _score_audience(ctx, audience, rule, updates, requests[audience], start,
                               mitigated_at, kept, broken, ledger, facts):
                judged.append((rule.weight, ledger))
        reports.append(AudienceReport(
            audience, rule.required, start + rule.first_by if start is not None else None,
            updates[0].time if updates else None, len(updates), len(rows), kept, len(broken),
            tuple(rows), tuple(facts.dark), tuple(facts.requests or _request_rows(
                ctx, requests[audience], charged=False))))
    promises = tuple(reports)
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
    # Charged once, on the whole dimension: updates the evidence called for, and claims the
    # visible truth contradicted (§9.7).
    _evidence_updates(ctx, result)
    _honesty(ctx, result)
    return _dimension("communication", result), promises


def _evidence_updates(ctx: _Context, ledger: _Ledger) -> None:
    """Escalation triggers answered by an update (expect = 'update'): the audience is told once
    the evidence is visible, or proactively just before it.  Judged here, on communication, and
    nowhere else (a late update is charged once)."""
    comms = ctx.scenario.comms
    policy = ctx.scenario.scoring.escalation
    t = ctx.t
    for trigger in policy.triggers:
        if trigger.expect != "update":
            continue
        seen = ctx.run.evidence.get(trigger.observable)
        if seen is None:
            continue
        due = seen + trigger.window
        if ctx.end <= due and answering_update(ctx.run, trigger.audience, seen, ctx.end) is None:
            continue  # the run ended before an answer was owed
        answer = answering_update(ctx.run, trigger.audience, seen, math.inf)
        name = AUDIENCE_NAMES[trigger.audience] if trigger.audience else "anyone"
        evidence = trigger.id.replace("_", " ").replace("-", " ")
        at = answer if answer is not None else ctx.end
        score = decay(at - due, policy.tau)
        if score >= 0.999:
            if answer is not None:
                ledger.credits.append(f"Told {name} at {t(answer)} once {evidence} was visible")
            continue
        what = (f"Told {name} at {t(answer)}; {evidence} was visible from {t(seen)}, expected by "
                f"{t(due)}" if answer is not None else
                f"Never told {name} after {evidence} became visible at {t(seen)} (expected by "
                f"{t(due)})")
        ledger.lose(comms.evidence_cost * (1 - score), at if answer is not None else due, what,
                    f"{trigger.norm} (this scenario: within {ctx.span(trigger.window)})")


_NORM_ALL_CLEAR = ("Statuspage: only resolve when you are confident the issue is fixed; "
                   "Atlassian incident values: be honest; a false all-clear breaks trust in "
                   "every later update (this scenario: {cost:g} of the dimension each)")
_NORM_CLAIM = ("PagerDuty communications: don't speculate, never guess; Atlassian: be honest "
               "and transparent (this scenario: {cost:g} of the dimension each)")


def _honesty(ctx: _Context, ledger: _Ledger) -> None:
    """Claims checked against the truth visible when they were made (§9.7): a false all-clear
    (an update saying 'resolved', or declaring the incident resolved, while it is not),
    'identified' before any cause was visible, 'no data lost' after a loss was visible, and who
    is affected more than one step off what the signals showed."""
    comms = ctx.scenario.comms
    t = ctx.t
    all_clear = _NORM_ALL_CLEAR.format(cost=comms.false_all_clear_cost)
    claim = _NORM_CLAIM.format(cost=comms.claim_cost)
    declared = set(ctx.run.declared)
    log = ctx.run.log
    # Only the log from the first declaration on can hold one (the log is in time order).
    since = entries_from(log, min(declared)) if declared else len(log)
    for entry in log[since:]:
        if entry.kind is LogKind.DECLARED and not entry.ref and entry.time in declared:
            ledger.lose(comms.false_all_clear_cost, entry.time,
                        f"Declared the incident resolved at {t(entry.time)} while it was not: "
                        f"{entry.text.removeprefix('Declared resolved, but it is not over: ')}",
                        all_clear)
    questions = {r.id: r for r in ctx.scenario.requests if r.kind == "question"}
    for given in ctx.run.answers:
        if given.step.yes != given.truth:
            request = questions.get(given.step.request)
            asked = f"'{request.text[:60]}'" if request is not None else given.step.request
            ledger.lose(comms.claim_cost, given.time,
                        f"Answered {'yes' if given.step.yes else 'no'} to {asked} at "
                        f"{t(given.time)}; the truth then was "
                        f"{'yes' if given.truth else 'no'}", claim)
    for update in ctx.run.updates:
        step, truth = update.step, update.truth
        status = step.status
        if status == "resolved" and not truth.resolvable:
            name = AUDIENCE_NAMES[step.audience]
            ledger.lose(comms.false_all_clear_cost, update.time,
                        f"Told {name} at {t(update.time)} it was resolved while it was not",
                        all_clear)
        if status == "identified" and truth.cause_visible is False:
            name = AUDIENCE_NAMES[step.audience]
            ledger.lose(comms.claim_cost, update.time,
                        f"Told {name} at {t(update.time)} the cause was identified before any "
                        f"cause was visible", claim)
        if truth.loss_visible and step.data_loss == "none":
            name = AUDIENCE_NAMES[step.audience]
            ledger.lose(comms.claim_cost, update.time,
                        f"Told {name} at {t(update.time)} no data was lost after a loss was "
                        f"visible", claim)
        claimed = step.affected
        if claimed and truth.affected and _off_by_more_than_a_step(claimed, truth.affected):
            name = AUDIENCE_NAMES[step.audience]
            ledger.lose(comms.claim_cost, update.time,
                        f"Told {name} at {t(update.time)} that {step.affected} were affected "
                        f"while the signals showed {truth.affected}", claim)


_AFFECTED_RANK = {affected: rank for rank, affected in enumerate(AFFECTED_ORDER)}
"""Where each claim of who is affected sits in AFFECTED_ORDER."""


def _off_by_more_than_a_step(claimed: str, truth: str) -> bool:
    return abs(_AFFECTED_RANK[claimed] - _AFFECTED_RANK[truth]) > 1


@dataclass(slots=True)
class _Facts:
    """What scoring one audience found, for its report."""

    dark: list[tuple[float, float]] = field(default_factory=list)
    requests: list[RequestRow] = field(default_factory=list)


def _claims(update: PostedUpdate) -> tuple[object, ...]:
    """What an update says, as far as the score reads it: its structured fields."""
    step = update.step
    return (step.status, step.affected, step.data_loss, step.rollback_insufficient)


def _request_rows(ctx: _Context, requests: list[tuple[Request, float]],
                  charged: bool) -> list[RequestRow]:
    rows = []
    for request, asked in requests:
        answer = request_answer(ctx.run, request, asked)
        limit = asked + request.respond_within + ctx.grace
        rows.append(RequestRow(request.id, asked, limit, answer,
                               charged and answer is None and ctx.end > limit))
    return rows


def _promises(updates: list[PostedUpdate], end: float, grace: float,
              ) -> tuple[list[PromiseRow], int, list[tuple[float, float, float | None]]]:
    """Stated next updates and whether the next update came in time.

    Returns the table rows, how many were kept, and the broken ones as (made_at, due, next_at).
    A promise still open when the run ended is neither kept nor broken.
    """
    rows: list[PromiseRow] = []
    broken: list[tuple[float, float, float | None]] = []
    kept = 0
    for i, update in enumerate(updates):
        next_update = update.step.next_update
        if next_update is None:
            continue
        promised_by = update.time + next_update
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
        rows.append(PromiseRow(update.time, promised_by, next_at, held))
    return rows, kept, broken


def _score_audience(
    ctx: _Context, audience: str, rule: AudienceRule, updates: list[PostedUpdate],
    requests: list[tuple[Request, float]], start: float, mitigated_at: float | None,
    kept: int, broken: list[tuple[float, float, float | None]], ledger: _Ledger,
    facts: _Facts,
) -> bool:
    """Score one audience into ``ledger`` (fractions of the audience); False if nothing to judge."""
    comms, end, grace = ctx.scenario.comms, ctx.end, ctx.grace
    name = AUDIENCE_NAMES[audience]
    t = ctx.t
    due = start + rule.first_by

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
        if f_loss is None and ending_class(ctx) == "unfinished":
            f_loss = (end, f"Nobody told {name} anything before the drill was stopped at "
                           f"{t(end)} (the first update was due by {t(due)}): a run stopped "
                           f"early is judged on what was said by then")
        elif f_loss is None:
            f_loss = (end, f"Nobody told {name} anything, not even that it was over; the "
                           f"incident ended at {t(end)}, before the first update was due by "
                           f"{t(due)}")

    # Cov: dark time, past each update's window (its stated next update, capped) plus grace.
    cov_score: float | None = None
    gaps: list[tuple[float, float]] = []
    active = end - due
    if active > 0:
        state = cadence(ctx.scenario, rule, updates, start, mitigated_at, end)
        gaps = list(state.gaps)
        dark = sum(gap_end - gap_start for gap_start, gap_end in gaps)
        cov_score = 0.0 if silent_all_run else 1 - dark / active
    # P: promised next updates kept (counted by _promises).
    p_score = kept / (kept + len(broken)) if kept + len(broken) else None
    if kept and not broken:
        ledger.credits.append(f"Kept every promised update to {name} ({kept} of {kept})")

    # Q: content checks, one per update and check (the ETA one for customers only), plus the
    # resolution message's data-loss line.  Each list holds the times of the updates failing it.
    no_impact: list[float] = []
    no_next: list[float] = []
    eta_given: list[float] = []
    no_data: list[float] = []
    customers = audience == "customers"
    resolutions = 0
    for update in updates:
        step, time = update.step, update.time
        resolved = step.status == "resolved"
        resolutions += resolved
        if not step.affected:
            no_impact.append(time)
        if step.next_update is None and not resolved:
            no_next.append(time)
        if customers and step.eta is not None:
            eta_given.append(time)
        # The resolution message says whether data was lost (PagerDuty); an update that is not
        # the all-clear is not held to it.
        if resolved and not step.data_loss:
            no_data.append(time)
    total_checks = len(updates) * (3 if customers else 2) + resolutions
    failed = len(no_impact) + len(no_next) + len(eta_given) + len(no_data)
    q_score = (total_checks - failed) / total_checks if total_checks else None

    parts = comms.parts
    weight = _renormalised({"F": (parts.first, f_score), "Cov": (parts.coverage, cov_score),
                            "P": (parts.promises, p_score), "Q": (parts.content, q_score)})
    if not weight:
        return False
    if f_loss is not None and f_score is not None:
        first_norm = (f"{rule.source}; this scenario: first update to {name} within "
                      f"{ctx.span(rule.first_by)}{rule.first_note}")
        ledger.lose(weight["F"] * (1 - f_score), f_loss[0] if f_loss[0] is not None else due,
                    f_loss[1], first_norm)
    if cov_score is not None:
        facts.dark = list(gaps)  # the cadence's dark time, as the board showed it
    if silent_all_run and cov_score is not None:
        # Silence all run is all dark, grace and all: the whole coverage share is lost.
        gaps = [(due, end)]
        active = end - due
    if cov_score is not None and gaps:
        every_norm = (f"{rule.source}; this scenario: an update to {name} every "
                      f"{ctx.span(rule.every)}{rule.every_note}, or by the stated next update "
                      f"(at most {comms.max_promise_extension:g}x that)")
        for gap_start, gap_end in gaps:
            ledger.lose(weight["Cov"] * (gap_end - gap_start) / active, gap_start,
                        f"{name.capitalize()} went {ctx.lateness(gap_end - gap_start)} past the "
                        f"expected cadence with no update ({t(gap_start)} to {t(gap_end)})",
                        every_norm)
    if p_score is not None:
        judged_promises = kept + len(broken)
        for made_at, promised_by, next_at in broken:
            came = f"the next came at {t(next_at)}" if next_at is not None else "none came"
            ledger.lose(weight["P"] / judged_promises, promised_by,
                        f"Told {name} at {t(made_at)} the next update would come by "
                        f"{t(promised_by)}; {came}", _NORM_PROMISE)
    if q_score is not None and failed:
        # (times, what was missing, norm, whether only resolution updates are judged on it)
        checks = ((no_impact, "did not say who is affected", _NORM_IMPACT, False),
                  (no_next, "did not say when the next update comes", _NORM_NEXT, False),
                  (eta_given, "promised customers a resolution time", _NORM_ETA, False),
                  (no_data, "did not say whether any data was lost", _NORM_DATA, True))
        for times, what, norm, resolution_only in checks:
            if not times:
                continue
            when = ", ".join(t(x) for x in times[:4]) + (" ..." if len(times) > 4 else "")
            count = (f"{len(times)} of {len(updates)} updates" if not resolution_only
                     else "The resolution update" if len(times) == 1
                     else f"{len(times)} resolution updates")
            ledger.lose(weight["Q"] * len(times) / total_checks, max(times[0], start),
                        f"{count} to {name} {what} ({when})", norm)

    # N: noise: an update too soon after the previous one that says nothing new, with no news
    # in between (PagerDuty anti-pattern); judged on what the updates say, never on hidden state.
    if rule.min_gap > 0:
        noise = 0.0
        for previous, update in zip(updates, updates[1:]):
            gap = update.time - previous.time
            if gap < rule.min_gap and _claims(update) == _claims(previous) and \
                    not news_between(ctx.run, previous.time, update.time):
                cost = min(comms.noise_cost, comms.noise_cap - noise)
                if cost <= 0:
                    break
                noise += cost
                ledger.lose(cost, update.time,
                            f"Updated {name} at {t(update.time)}, {ctx.span(gap)} after the "
                            f"previous update, with nothing new to say",
                            f"{_NORM_NOISE}; this scenario: at least {ctx.span(rule.min_gap)} "
                            f"apart unless something changed")

    # Requests for an update: each unanswered within its time costs `request_cost` (0.1), at
    # most `request_cap` (0.3).
    penalty = 0.0
    for request, asked in requests:
        within, sender = request.respond_within, ctx.run.person_name(request.sender)
        answer = request_answer(ctx.run, request, asked)
        charged = (answer is None and end > asked + within + grace
                   and penalty < comms.request_cap and comms.request_cost > 0)
        facts.requests.append(RequestRow(request.id, asked, asked + within + grace, answer,
                                         charged))
        what = "an answer" if request.kind == "question" else "an update"
        if answer is not None:
            ledger.credits.append(f"Answered {sender}'s request for {what} at {t(answer)}")
        elif charged:
            cost = min(comms.request_cost, comms.request_cap - penalty)
            penalty += cost
            asked_for = (f"asked {name} '{request.text[:60]}'" if request.kind == "question"
                         else f"asked for an update to {name}")
            ledger.lose(cost, asked + within,
                        f"{sender} {asked_for} at {t(asked)}; none came by "
                        f"{t(asked + within)}",
                        f"{_NORM_REQUEST}; this scenario expects an answer within "
                        f"{ctx.span(within)}")
    return True


