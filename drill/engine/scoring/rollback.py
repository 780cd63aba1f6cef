"""(c) Rollback choices (DOMAIN §9.3)."""

from __future__ import annotations

import bisect

from ..rules import mitigation_effect
from ..scorecard import DimensionScore
from .common import (
    decay,
    _Loss,
    _Ledger,
    _capped,
    _weighted,
    _dimension,
    _not_applicable,
    _Context,
)

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
    start = run.evidence.get(scenario.comms.starts_when)
    suspect = run.evidence.get(policy.suspect_visible)
    components: list[tuple[float, float | None]] = []
    details: list[list[_Loss]] = []
    credits: list[str] = []

    # C1: a generic mitigation soon after the suspect change is visible.
    c1: float | None = None
    c1_losses: list[_Loss] = []
    if policy.generic_mitigations and start is not None and suspect is not None:
        seen = max(start, suspect)
        due = seen + policy.mitigate_within
        # Only a generic mitigation stops the bleeding: starting the real, long fix does nothing
        # for the errors customers see meanwhile.
        first = ctx.first_start(policy.generic_mitigations)
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
    components.append((policy.parts.mitigate, c1))
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
                    results.append((policy.late_verify, done, action_id))
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
    components.append((policy.parts.verify, c2))
    details.append(c2_losses)

    # C3: notice the rollback was not enough and remediate the persisted state.
    c3: float | None = None
    c3_losses: list[_Loss] = []
    evidence = run.evidence.get(policy.persisted_evidence)
    done = sorted((run.finished[a][0], a) for a in policy.generic_mitigations
                  if run.finished.get(a))
    rolled = [at for at, _ in done]
    first_done = done[0] if done else (0.0, "")
    inferred = evidence is None and bool(rolled)
    if inferred:
        # Not looking is no escape: a responder who checked the key signal after the rollback
        # would have seen it was not enough (DOMAIN §9.7).
        evidence = min(rolled) + policy.verify_within
    # What the mitigation that was used really did (each may differ: a restart helps partly).
    effect = (mitigation_effect(ctx.scenario, first_done[1]) if done
              else policy.rollback_effect)
    if effect in ("none", "partial") and policy.correct_remediations \
            and evidence is not None:
        reference = max(evidence, min(rolled)) if rolled else evidence
        due = reference + policy.pivot_within
        said = any(u.step.rollback_insufficient for u in run.updates)
        fix = ctx.first_start(policy.correct_remediations)
        if fix is not None or end > due:
            lateness = (fix[0] if fix is not None else end) - due
            raw = decay(lateness, tau)
            c3 = min(1.0, raw + (policy.told_bonus if said else 0.0))
            if raw < 1:
                seen = ("was there for any check of the key signal from" if inferred
                        else "was visible from")
                basis = (f"the persisted state {seen} {t(evidence)}"
                         + (f" and {ctx.label(first_done[1])} was done at {t(first_done[0])}"
                            if rolled else ""))
                norm = _NORM_PIVOT.format(within=ctx.span(policy.pivot_within))
                if fix is not None:
                    what = (f"Started {ctx.label(fix[1])} at {t(fix[0])}; {basis}, expected "
                            f"by {t(due)}")
                elif rolled:
                    what = (f"Stayed on {ctx.label(first_done[1])}: never remediated the "
                            f"persisted state; {basis}")
                else:
                    what = f"Never remediated the persisted state; {basis}"
                c3_losses.append(_Loss(1 - c3, fix[0] if fix is not None else due, what,
                                       norm + (f" (+{policy.told_bonus:g} for telling people the "
                                               "rollback was not enough)" if said else "")))
            else:
                credits.append(f"Saw the rollback was not enough and started "
                               f"{ctx.label(fix[1])} at {t(fix[0])}")  # type: ignore[index]
            if said:
                credits.append("Told people the rollback did not fully fix it")
    components.append((policy.parts.pivot, c3))
    details.append(c3_losses)

    # C4: no unsafe action once its warning was visible.  Judged only when there was a choice:
    # a warning was seen and work was started.  A run that did nothing (or was stopped at once)
    # must not earn the dimension's marks from what it did not do.
    c4: float | None = None
    c4_losses: list[_Loss] = []
    warned_of = [u for u in policy.unsafe if u.warning in run.evidence]
    if warned_of and run.started:
        count = 0
        lost = 0.0
        # Judged when the action started: was its warning holding then (a copy without a
        # backup is unsafe only until the backup exists)?  Only this record's own starts count.
        for started, index in run.warned_starts:
            unsafe = policy.unsafe[index]
            if started not in run.started.get(unsafe.action, ()):
                continue
            warned = run.evidence.get(unsafe.warning, started)
            count += 1
            lost += unsafe.cost
            c4_losses.append(_Loss(unsafe.cost, started,
                                   f"Started {ctx.label(unsafe.action)} at {t(started)}, "
                                   f"after the warning was visible at {t(warned)}",
                                   unsafe.norm))
        c4 = max(0.0, 1 - lost)
        c4_losses = _capped(c4_losses)
        if count == 0:  # a real choice: a warning was visible and work was done
            credits.append("Took no unsafe action after its warning ("
                           + ", ".join(ctx.label(u.action) for u in warned_of[:2]) + ")")
    components.append((policy.parts.safety, c4))
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


