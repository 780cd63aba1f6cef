"""(d) Realistic estimates (DOMAIN §9.4)."""

from __future__ import annotations

import bisect
import math

from ..rules import eta_broken, eta_due, request_answer
from ..scenario import EXTERNAL_AUDIENCES, Scenario
from ..scorecard import DimensionScore, EstimateRow, RequestRow
from ..text import AUDIENCE_NAMES, number, span
from .common import (
    _Loss,
    _Ledger,
    _capped,
    _weighted,
    _dimension,
    _not_applicable,
    _Context,
)

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
                kappa: float, width_only: bool = False) -> float:
    """The skill form of §9.4: ``exp(-max(0, IS - IS_ref) / kappa)``.

    ``IS_ref`` is the interval score of the reference range ``[x/spread, x*spread]``: a range as
    sharp as that around the truth scores 1, so honest uncertainty is not punished.  With
    ``width_only`` (a milestone never reached, the range not yet wrong) only the width counts
    against the reference width.
    """
    reference = interval_score(actual / spread, actual * spread, actual, confidence)
    if width_only:
        return math.exp(-max(0.0, math.log(high / low) - reference) / kappa)
    return math.exp(-max(0.0, interval_score(low, high, actual, confidence) - reference) / kappa)


_NORM_POINT = ("Log accuracy ratio (Tofallis 2015){external}; being 2x off scores 0.5")
_NORM_RANGE = ("Interval score in log space (Gneiting & Raftery 2007), against a range of "
               "{spread:g}x either side of the truth at {confidence:.0%}")
_NORM_WIDE = ("DOMAIN §9.7: a range whose high end is more than {ratio:g}x its low end informs "
              "nobody; it scores at most {score:g} whatever happens")
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
        return span(scenario.clock.unit, point)
    upper = span(scenario.clock.unit, high or 0)
    return f"{number(low or 0)}-{upper} ({confidence:.0%})"


def _score_estimates(ctx: _Context) -> tuple[DimensionScore, tuple[EstimateRow, ...],
                                             tuple[RequestRow, ...]]:
    """The estimates dimension, each estimate against what happened, and each request for an
    estimate with its answer."""
    dimension, rows, requests = _estimates(ctx)
    return dimension, tuple(EstimateRow(**row) for row in rows), tuple(requests)  # type: ignore[arg-type]


def _estimates(ctx: _Context) -> tuple[DimensionScore, list[dict[str, object]],
                                       list[RequestRow]]:
    run, scenario = ctx.run, ctx.scenario
    policy = scenario.scoring.estimates
    t, end = ctx.t, ctx.end
    by_id = ctx.requests
    asked = [(by_id[ident], at) for at, ident in run.asked if by_id[ident].kind == "estimate"]
    rows: list[dict[str, object]] = []
    requests: list[RequestRow] = []
    if not run.estimates and not asked:
        return _not_applicable("estimates", "No estimate was given or asked for."), rows, requests

    scored: list[tuple[float, float, str, str]] = []  # (score, time, what, norm)
    credits: list[str] = []
    for record in run.estimates:
        step = record.step
        made = record.time
        milestone = ctx.milestones.get(step.milestone)
        delay = milestone.unforeseeable_delay if milestone is not None else 0.0
        reached = run.reached.get(step.milestone)
        confidence = step.confidence or policy.default_confidence
        said = _said(scenario, step.point, step.low, step.high, confidence)
        label = milestone.label if milestone is not None else step.milestone
        external = step.audience in EXTERNAL_AUDIENCES
        row: dict[str, object] = {"made_at": made, "audience": step.audience,
                                  "milestone": step.milestone, "said": said, "actual": None,
                                  "censored": reached is None, "score": None, "hit": None,
                                  "broken": False, "broken_after": None}
        rows.append(row)
        if reached is not None and reached <= made:
            continue  # already reached when said: nothing to estimate
        floor = 0.5 if scenario.clock.unit == "minutes" else 0.05
        actual = max(floor, (reached if reached is not None else end) - made - delay)
        row["actual"] = actual
        censored = reached is None
        if step.point is not None:
            alpha, beta = ((policy.external_alpha, policy.external_beta) if external
                           else (1.0, 1.0))
            # Never reached: judged against the least it could have taken (§9.7).
            score = point_score(step.point, actual, alpha, beta)
            spread = policy.reference_spread
            hit = None if censored and step.point >= actual else \
                step.point / spread <= actual <= step.point * spread
            norm = _NORM_POINT.format(external=(
                "; late costs more than padding for an external ETA (PagerDuty Customer Liaison)"
                if external and policy.external_alpha != policy.external_beta else ""))
        else:
            low, high = step.low, step.high
            assert low is not None and high is not None
            if censored and high >= actual:
                # It may still come true: only the width is known to count (§9.7).
                score = range_score(low, high, high, confidence, policy.reference_spread,
                                    policy.kappa, width_only=True)
                hit = None
            else:
                score = range_score(low, high, actual, confidence, policy.reference_spread,
                                    policy.kappa)
                hit = low <= actual <= high
            norm = _NORM_RANGE.format(spread=policy.reference_spread, confidence=confidence)
            if high / low > policy.max_informative_ratio and score > policy.uninformative_score:
                # "Somewhere between an hour and two months" helps nobody plan.
                score = policy.uninformative_score
                norm = _NORM_WIDE.format(ratio=policy.max_informative_ratio,
                                         score=policy.uninformative_score)
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
        answer = request_answer(run, request, at)
        answered = answer is not None
        requests.append(RequestRow(request.id, at, limit, answer, not answered and end > limit))
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
        for index, record in enumerate(run.estimates):
            step = record.step
            if step.audience not in EXTERNAL_AUDIENCES or not eta_broken(run, index, end):
                continue
            rows[index]["broken"] = True
            rows[index]["broken_after"] = eta_due(run, index)[1]
            if broken >= 3:
                continue
            broken += 1
            said_by = eta_due(run, index)[0]
            e_losses.append(_Loss(policy.broken_eta_cost, said_by,
                                  f"The ETA given to {AUDIENCE_NAMES[step.audience]} at "
                                  f"{t(record.time)} (by {t(said_by)}) passed without the "
                                  f"milestone and without a revised estimate", _NORM_BROKEN))
        e_score = max(0.0, 1 - policy.broken_eta_cost * broken)

    # R: the project rubric.
    r_score: float | None = None
    r_losses: list[_Loss] = []
    if policy.project_rubric:
        items = _rubric(ctx, policy.imposed_deadline, set(policy.scope_actions),
                        policy.risk_ratio)
        if items:
            r_score = sum(ok for ok, _, _ in items.values()) / len(items)
            for key, (ok, time, detail) in items.items():
                if not ok:
                    what, norm = _RUBRIC[key]
                    r_losses.append(_Loss(1 / len(items), time, what + detail, norm))

    s_score = sum(s for s, _, _, _ in scored) / len(scored) if scored else None
    weights = policy.parts
    parts = [(weights.accuracy, s_score), (weights.promises, e_score), (weights.rubric, r_score)]
    total = sum(w for w, v in parts if v is not None)
    if total <= 0:
        return _not_applicable("estimates", "No estimate could be judged yet when the run "
                                            "ended."), rows, requests
    ledger = _Ledger(credits=credits)
    if s_score is not None:
        for score, time, what, norm in scored:
            ledger.lose(weights.accuracy / total * (1 - score) / len(scored), time, what, norm)
    if e_score is not None:
        ledger.losses += _weighted(_capped(e_losses), weights.promises / total)
    if r_score is not None:
        ledger.losses += _weighted(r_losses, weights.rubric / total)
    return _dimension("estimates", ledger), rows, requests


def _median(step_point: float | None, low: float | None, high: float | None) -> float:
    if step_point is not None:
        return step_point
    return math.sqrt((low or 1) * (high or 1))  # the middle of a range in log space


def _rubric(ctx: _Context, deadline: float | None, scope_actions: set[str],
            risk_ratio: float = 0.5) -> dict[str, tuple[bool, float | None, str]]:
    """The project rubric's items that apply: key -> (passed, time, detail)."""
    run = ctx.run
    estimates = run.estimates
    items: dict[str, tuple[bool, float | None, str]] = {
        "range": (any(r.step.point is None for r in estimates), None, ""),
        "basis": (any(r.step.basis == "past_actuals" for r in estimates), None, ""),
    }
    if deadline is not None:
        at_risk = [r for r in estimates
                   if deadline - r.time < risk_ratio * _median(r.step.point, r.step.low,
                                                               r.step.high)]
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


