"""(O) The outcome: what the decisions achieved (DOMAIN §9.6).

The four dimensions judge how the responders worked; on their own they reward ritual. The
outcome judges the result against the same scenario's reference: the kind of ending, how long
mitigating and resolving took against what a strong team achieves, and the lasting harm done.
The overall score weighs it in, and is held at the scenario's cap when the incident was not
resolved, so keeping the checklist busy without a fix never wins.
"""

from __future__ import annotations

from ..scenario import OutcomePolicy
from ..scorecard import Deduction, HarmDone, Outcome, OutcomeClass
from ..simulation import FACILITATOR_ENDING
from .common import _Context, decay

_NORM_ENDING = ("DORA (Accelerate, 2018) and Google SRE workbook ch. 9: what counts is that "
                "service comes back ('mitigate, then fix'); this scenario weighs the ending "
                "'{kind}' {weight:g}")
_NORM_TIME = ("DORA time to restore service, judged against this scenario's reference (a "
              "strong team's {what} by {reference}), never against other incidents")
_NORM_HARM = ("AWS Builders' Library 'one-way doors' and Google SRE 'preserve what you cannot "
              "rebuild': lasting harm costs {cost:.0%} of the outcome in this scenario")


def ending_class(ctx: _Context) -> OutcomeClass:
    """How the run ended, for the outcome: a resolution with harm done is ``degraded``."""
    run = ctx.run
    ending = run.ending
    if ending is None:
        return "open"
    if ending.id == FACILITATOR_ENDING and any(
            getattr(step, "act", "") == "end" for step in run.steps):
        return "unfinished"
    if ending.kind == "resolved" and _harm(ctx):
        return "degraded"
    return ending.kind  # type: ignore[return-value]


def _harm(ctx: _Context) -> list[HarmDone]:
    policy = ctx.scenario.scoring.outcome
    done = []
    for harm in policy.harm:
        at = ctx.run.evidence.get(harm.when)
        if at is not None and at <= ctx.end:
            done.append(HarmDone(harm.id, harm.label, at, harm.cost))
    return done


def score_outcome(ctx: _Context) -> Outcome:
    """The outcome of a run, 0-100, with a deduction for each thing it lost."""
    run = ctx.run
    policy: OutcomePolicy = ctx.scenario.scoring.outcome
    kind = ending_class(ctx)
    mitigated = run.mitigated_at
    resolved = run.ended_at if kind in ("resolved", "degraded") else None
    harm = tuple(_harm(ctx))
    if kind in ("unfinished", "open"):
        return Outcome(kind, None, mitigated, policy.mitigated_by, resolved, policy.resolved_by,
                       harm)
    t = ctx.t
    losses: list[tuple[float, float | None, str, str]] = []
    weight = getattr(policy.endings, kind)
    title = run.ending.title if run.ending is not None else kind
    if weight < 1:
        losses.append((1 - weight, ctx.end, f"The run ended {kind.replace('_', ' ')}: {title}",
                       _NORM_ENDING.format(kind=kind.replace("_", " "), weight=weight)))
    # The time part: each reference the scenario sets, a milestone never reached counting at
    # the run's end.
    parts: list[tuple[str, float, float, bool]] = []
    if policy.mitigated_by is not None:
        at = mitigated if mitigated is not None else ctx.end
        parts.append(("mitigated", at, policy.mitigated_by, mitigated is not None))
    if policy.resolved_by is not None:
        at = resolved if resolved is not None else ctx.end
        parts.append(("resolved", at, policy.resolved_by, resolved is not None))
    for what, at, reference, reached in parts:
        lost = weight * (1 - decay(at - reference, policy.tau)) / len(parts)
        if lost <= 0:
            continue
        said = (f"{what.capitalize()} at {t(at)}" if reached
                else f"Not {what} by the end ({t(at)})")
        losses.append((lost, at, f"{said}; a strong team is {what} by {t(reference)}",
                       _NORM_TIME.format(what=what, reference=t(reference))))
    for item in harm:
        losses.append((item.cost, item.at, f"Harm done at {t(item.at)}: {item.label}",
                       _NORM_HARM.format(cost=item.cost)))
    lost = sum(loss for loss, _, _, _ in losses)
    scale = 1 / lost if lost > 1 else 1.0  # points lost never exceed the whole
    deductions = tuple(Deduction("outcome", 100 * loss * scale, time, what, norm)
                       for loss, time, what, norm in losses if 100 * loss * scale >= 0.05)
    score = 100 * max(0.0, 1 - lost)
    return Outcome(kind, score, mitigated, policy.mitigated_by, resolved, policy.resolved_by,
                   harm, deductions)


def overall_score(outcome: Outcome, dimensions_mean: float, policy: OutcomePolicy
                  ) -> tuple[float, bool]:
    """The overall score: the outcome weighed with the dimensions, then held at a cap: the
    scenario's ``cap_if_not_resolved`` when the incident was not resolved, and 100 x (1 - the
    harm's total cost) when lasting harm was done, so a run that takes a one-way door cannot
    reach the good bar however well it talked (§9.3, §9.6).  Returns (overall, whether a cap
    held it)."""
    if outcome.score is None:
        overall = dimensions_mean
    else:
        overall = policy.weight * outcome.score + (1 - policy.weight) * dimensions_mean
    cap = 100.0 * max(0.0, 1 - sum(h.cost for h in outcome.harm))
    if not outcome.resolved:
        cap = min(cap, policy.cap_if_not_resolved)
    if overall > cap:
        return cap, True
    return overall, False
