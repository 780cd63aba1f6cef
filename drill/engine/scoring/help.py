"""(b) Asking for help (DOMAIN §9.2)."""

from __future__ import annotations

from typing import Sequence

from ..playscript import FACILITATOR
from ..record import LogEntry, LogKind, PageDetail
from ..rules import entries_from
from ..memo import by_identity
from ..scenario import COMMANDER, Scenario, Trigger, role_of
from ..scorecard import DimensionScore
from .common import decay, _Ledger, _dimension, _lookups, _not_applicable, _Context

# -- (b) asking for help --------------------------------------------------------------------------


_NORM_IRRELEVANT = ("PagerDuty anti-pattern: don't page everyone, and alert fatigue; this "
                    "scenario: {penalty:g} of the dimension per unneeded page ({factor:g}x when "
                    "it wakes someone), at most {cap:g}")
_NORM_HANDS_ON = ("PagerDuty incident commander training: the IC coordinates and does not fix "
                  "things hands-on, or nobody is steering; hand the work to a responder "
                  "(this scenario: {penalty:g} of the dimension, once)")


def _score_help(ctx: _Context) -> DimensionScore:
    run, scenario = ctx.run, ctx.scenario
    policy = scenario.scoring.escalation
    t = ctx.t
    judged = 0
    ledger = _Ledger()
    # Triggers answered by an update are communication: judged there, never twice.
    triggers = [trigger for trigger in policy.triggers if trigger.expect == "page"]
    if not triggers:
        return _not_applicable("help", "The scenario sets no escalation triggers.")
    misses: list[tuple[float, float, str, Trigger]] = []  # (S, time, what, trigger)
    wanted_by = [_wanted_people(ctx.scenario, trigger) for trigger in triggers]
    for trigger, wanted in zip(triggers, wanted_by):
        seen = run.evidence.get(trigger.observable)
        if seen is None:
            continue  # never judge what could not be seen
        due = seen + trigger.window
        evidence = trigger.id.replace("_", " ").replace("-", " ")
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
    _over_paging(ctx, {p for wanted in wanted_by for p in wanted}, ledger)
    _role_discipline(ctx, ledger)
    return _dimension("help", ledger)


def _over_paging(ctx: _Context, wanted: set[str], ledger: _Ledger) -> None:
    """Pages nobody needed (DOMAIN §9.2 over-escalation, §9.7 over-paging).

    A page is free when some trigger wants the person (the right person keeps full credit, even
    early) or when their skills speed up work on offer at that moment; otherwise it costs
    ``irrelevant_page_penalty``, times ``off_hours_factor`` when it woke them outside their
    hours (pager fatigue), at most ``irrelevant_page_cap`` in all.  Someone the scenario marks
    as not relevant is never needed.  ``wanted``: everyone some trigger wants.
    """
    run = ctx.run
    policy = ctx.scenario.scoring.escalation
    spent = 0.0
    for person_id, at in sorted(run.paged_at.items(), key=lambda item: item[1]):
        person = ctx.people.get(person_id)
        if person is None:
            continue
        page = _page_entry(run.log, person_id, at)
        detail = page.detail if page is not None else None
        helps = isinstance(detail, PageDetail) and detail.helps
        if person.relevant and (person_id in wanted or helps):
            continue
        woken = isinstance(detail, PageDetail) and not detail.awake
        cost = policy.irrelevant_page_penalty * (policy.off_hours_factor if woken else 1.0)
        cost = min(cost, policy.irrelevant_page_cap - spent)
        if cost <= 0:
            break
        spent += cost
        why = "who was not needed for this incident" if not person.relevant else \
            "whom no visible need called for"
        ledger.lose(cost, at, f"Paged {run.person_name(person_id)} ({person.role}) at {ctx.t(at)}, "
                              f"{why}" + (", waking them outside their hours" if woken else ""),
                    _NORM_IRRELEVANT.format(penalty=policy.irrelevant_page_penalty,
                                            factor=policy.off_hours_factor,
                                            cap=policy.irrelevant_page_cap))


def _page_entry(log: Sequence[LogEntry], person_id: str, at: float) -> LogEntry | None:
    """The log's entry of the page of ``person_id`` at ``at`` (looked up from its time: the log
    is in time order)."""
    for index in range(entries_from(log, at), len(log)):
        entry = log[index]
        if entry.time > at:
            break
        if entry.kind is LogKind.PAGED and entry.ref == person_id:
            return entry
    return None


def _role_discipline(ctx: _Context, ledger: _Ledger) -> None:
    """Team play: the incident commander who starts a fix or a mitigation by hand while another
    player could have been given it loses `role_discipline_penalty`, once (DOMAIN §9.2).

    Who was there is read from the log, which keeps every player's acts even in one player's
    view; the loss goes only to a run (or view) that holds the commander's own steps, so other
    players never pay for it.
    """
    penalty = ctx.scenario.scoring.escalation.role_discipline_penalty
    if penalty <= 0:
        return
    acting = {step.by for step in ctx.run.steps}
    if not any(acting):
        return  # no named player acted (one player alone): no commander to judge
    present: list[str] = []
    for entry in ctx.run.log:
        by = entry.by
        if not by or by == FACILITATOR:
            continue
        action = ctx.actions.get(entry.ref) if entry.kind == "started" else None
        if (action is not None and action.kind in ("mitigate", "fix") and by in acting
                and (role := role_of(by, ctx.scenario)) is not None and role.id == COMMANDER):
            others = [p for p in present if p != by]
            if others:
                ledger.lose(penalty, entry.time,
                            f"{by}, the incident commander, started {ctx.label(entry.ref)} by "
                            f"hand at {ctx.t(entry.time)} while {others[0]} could have taken it",
                            _NORM_HANDS_ON.format(penalty=penalty))
                return
        if by not in present:
            present.append(by)


@by_identity
def _wanted_people(scenario: Scenario, trigger: Trigger) -> tuple[str, ...]:
    """The ids of the people a trigger wants paged (anyone, when it names no one and no skill),
    worked out once per scenario (drill.engine.memo)."""
    people, skills = trigger.people, trigger.skills
    if not people and not skills:
        return tuple(_lookups(scenario).people)
    wanted = set(skills)
    return tuple(p.id for p in scenario.people if p.id in people or wanted.intersection(p.skills))


def _who(ctx: _Context, people: list[str], skills: list[str]) -> str:
    # Roles first (blameless: what was needed), names after (who that was in this run).
    names = [f"the {ctx.people[p].role} ({ctx.run.person_name(p)})" if p in ctx.people
             else ctx.run.person_name(p) for p in people]
    if skills:
        names.append("anyone with " + " or ".join(skills) + " skills")
    return " or ".join(names) if names else "anyone"


