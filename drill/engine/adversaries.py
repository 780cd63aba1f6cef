"""The adversaries of `drill check`: automatic players that attack the score (DOMAIN §9.7).

A score is only trusted once it has been attacked.  Two kinds of attacker play here.

Good play broken on one dimension, against good play:

* ``oracle``: good play as an automatic player can know it.  It reads the scenario's own scoring
  rules (whom each escalation trigger wants, which actions are the generic mitigation, the check
  after it, the real fix, which are unsafe), keeps every audience informed at its cadence with
  honest claims (who is affected as the signals show it, 'identified' only once a cause is
  visible), answers every request, pages the people a trigger wants as soon as its evidence shows
  and plays twice: estimates never change the simulation, so its second pass plays the same
  incident as its first and gives ranges that know when each milestone came.  It is the baseline
  the others are measured against, seed by seed.
* ``off-communication``: the oracle saying nothing to anyone;
* ``off-help``: the oracle paging the people the triggers want one escalation tau after their
  window (helpers no trigger wants still come on time, so the work is not much slower);
* ``off-rollback``: the oracle acting late on every rollback decision: the generic mitigation
  twice the rollback tau after its window, the check after it once its window has passed, the
  pivot to the real fix twice the tau after its window;
* ``off-estimates``: the oracle answering every request for an estimate with one optimistic
  number, a quarter of what it really took (the planning fallacy), never revised.

Each should lose at least 30 points on its own dimension and at most 5 on each of the others;
:mod:`drill.engine.check_report` reports a scoring hole when one does not.

Ritual without the fix:

* ``ritual``: the checklist kept busy: pages every listed person at once, starts the generic
  mitigation and its check, posts filler updates with a next-update time to every audience every
  half to three quarters of the shortest cadence (no impact stated), answers every estimate with
  an enormous range, declares the incident resolved early and again every twelfth of the clock,
  and never starts the real fix (the correct remediations, any ``fix`` action, and the generic
  mitigation itself when the scenario says it fully fixes the incident).  It must never score
  above 60 overall.

Like every strategy, an adversary's only randomness is a ``random.Random`` seeded from the run's
seed and its name; the oracle's two passes draw the same numbers.
"""

from __future__ import annotations

import math
import random
from typing import Literal

from .players import DECISIONS_PER_RUN, REPEATS, Player, play_script
from .playscript import DeclareResolved, GiveEstimate, Page, PostUpdate, StartAction
from .rules import AudienceRule, audience_rules, interval, request_answer, answering_update
from .scenario import (AUDIENCES, RESOLVED_KINDS, Action, Audience, Milestone, Person,
                       Scenario, Trigger)
from .record import RunRecord
from .simulation import CompiledScenario, Run

Dimension = Literal["communication", "help", "rollback", "estimates"]

OFF_DIMENSION: dict[str, Dimension] = {
    "off-communication": "communication",
    "off-help": "help",
    "off-rollback": "rollback",
    "off-estimates": "estimates",
}
"""Each off-dimension strategy and the one dimension it breaks."""

ADVERSARIES: tuple[str, ...] = ("oracle", *OFF_DIMENSION, "ritual")
"""The adversaries, in the order reports list them."""

ADVERSARY_RUNS = 100
"""`drill check` plays the adversaries on at most this many seeds: their runs differ only in
reaction times, so more seeds would change no median (and the oracle and its variants play
every incident twice)."""

SHARPNESS = 1.25
"""The oracle's ranges run from the truth divided by this to the truth times it: sharper than
the scoring's reference range (1.5 by default), so they score full marks."""

OPTIMISM = 4.0
"""off-estimates says a quarter of the time a milestone really took."""

LATE_TAUS = 2.0
"""off-rollback starts the generic mitigation and the real fix this many rollback taus after
their windows (decay e^-2: about 0.14 of each part kept)."""

REACTION = 0.3
"""The oracle pages within this share of a trigger's window after its evidence shows."""

CADENCE = (0.8, 0.95)
"""The oracle posts its next update between these shares of the interval it promised."""

RITUAL_CADENCE = (0.5, 0.75)
"""The ritual posts filler between these shares of the shortest audience interval."""

RITUAL_LOW = 0.2
"""The ritual's ranges start at this share of the clock's limit..."""

RITUAL_HIGH = 100_000.0
"""...and end here (the largest estimate a step can hold)."""

RITUAL_DECLARE = 1 / 12
"""The ritual declares the incident resolved every this share of the clock's limit."""

FILLER = "Working on it."


def _floor(scenario: Scenario) -> float:
    """The smallest duration an estimate states: half a minute, or a twentieth of a day."""
    return 0.5 if scenario.clock.unit == "minutes" else 0.05


# -- the oracle and its off-dimension variants ----------------------------------------------------


class _Oracle:
    """Good play from the scenario's own scoring rules, with one dimension broken if asked."""

    def __init__(self, player: Player, rng: random.Random, breaks: Dimension | None) -> None:
        self.player = player
        self.run = run = player.run
        self.scenario = scenario = run.scenario
        self.rng = rng
        self.breaks = breaks
        self.limit = scenario.clock.limit
        self.step = self.limit / DECISIONS_PER_RUN
        scoring = scenario.scoring
        self.rollback = rollback = scoring.rollback
        self.escalation = scoring.escalation
        self.unsafe = {u.action for u in rollback.unsafe}
        judged = rollback.applies
        self.generic = set(rollback.generic_mitigations) if judged else set()
        self.checks = set(rollback.verify_actions) if judged else set()
        self.fixes = set(rollback.correct_remediations) if judged else set()
        self.page_triggers = [t for t in scoring.escalation.triggers if t.expect == "page"]
        self.update_triggers = [t for t in scoring.escalation.triggers if t.expect == "update"]
        self.wanted = {t.id: _wanted(scenario.people, t) for t in self.page_triggers}
        self.everyone_wanted = {p for people in self.wanted.values() for p in people}
        self.rules: dict[str, AudienceRule] = {
            a: r for a, r in audience_rules(scenario).items() if r.required and r.weight > 0}
        self.requests = {r.id: r for r in scenario.requests}
        self.resolved = [e for e in scenario.endings if e.kind in RESOLVED_KINDS]
        self.helped = [a for a in scenario.actions if a.helper_skills]
        """Actions people can speed up."""
        self.wakes: list[float] = []
        """Moments the oracle means to act at (a late page, a late start)."""
        self.first_offer: dict[str, float] = {}
        self.evidence: dict[str, float] = {}
        """When each trigger's evidence first showed, by trigger id."""
        self.page_at: dict[str, float] = {}
        self.persisted_seen: float | None = None
        self.handled: set[str] = set()
        self.volunteered = False
        self.comms_start: float | None = None
        self.next_due: dict[str, float] = {}
        self.checked: float = -math.inf
        """When the oracle last started a check of the key signal."""

    # -- the loop ------------------------------------------------------------------------------

    def play(self) -> None:
        self.player.decide_until_the_end(self.decide, self.step, self.wake)

    def wake(self) -> float:
        """The oracle's own next moment: a planned wake-up or an update falling due."""
        now = self.run.now
        return min((t for t in [*self.wakes, *self.next_due.values()] if t > now),
                   default=math.inf)

    def decide(self) -> None:
        now = self.run.now
        self.wakes = [w for w in self.wakes if w > now]
        if self.persisted_seen is None and self.run.holds(self.rollback.persisted_evidence):
            self.persisted_seen = now
        offered = self.player.look()
        self.page(now, offered)
        self.work(now, offered)
        if self.breaks != "communication":
            self.talk(now)
        self.estimate(now)
        self.close(now)

    def cut_short(self) -> bool:
        """Whether the run ended before a late act the broken dimension called for."""
        return self.breaks is not None and any(w > self.run.now for w in self.wakes)

    def later(self, at: float) -> bool:
        """Whether ``at`` is still to come; if so, wake up then."""
        if self.run.now < at:
            self.wakes.append(at)
            return True
        return False

    # -- help ----------------------------------------------------------------------------------

    def page(self, now: float, offered: list[Action]) -> None:
        run, player = self.run, self.player
        for trigger in self.page_triggers:
            if trigger.id not in self.evidence:
                if not run.holds(trigger.observable):
                    continue
                self.evidence[trigger.id] = now
                late = (trigger.window + self.escalation.tau if self.breaks == "help"
                        else self.rng.uniform(0, REACTION) * trigger.window)
                self.page_at[trigger.id] = now + late
            if self.later(self.page_at[trigger.id]):
                continue
            wanted = self.wanted[trigger.id]
            if not wanted and not player.paged:
                # Anyone answers it: the first person the scenario lists who is relevant.
                wanted = [p.id for p in run.scenario.people if p.relevant][:1]
            for person in wanted:
                if person not in player.paged:
                    player.act(Page(at=now, do="page", person=person))
        # People whose skills speed up work on offer are free to page (§9.2); off-help brings
        # only those no trigger wants on time, so its work is not much slower than good play's.
        running = self.run.running_actions() if self.helped else {}
        skills = {s for a in self.helped if a.id in running or a in offered
                  for s in a.helper_skills}
        if not skills:
            return
        for person in run.scenario.people:
            if (person.relevant and person.id not in player.paged
                    and skills.intersection(person.skills)
                    and not (self.breaks == "help" and person.id in self.everyone_wanted)):
                player.act(Page(at=now, do="page", person=person.id))

    # -- rollback and the rest of the work -----------------------------------------------------

    def work(self, now: float, offered: list[Action]) -> None:
        player = self.player
        mitigations = sorted(t for a in self.generic for t in player.finished.get(a, ()))
        unchecked = [t for t in mitigations if t > self.checked]
        for action in offered:
            action_id = action.id
            self.first_offer.setdefault(action_id, now)
            # Unsafe and risky actions are left alone, except a generic mitigation the scenario
            # expects first even though it asks for confirmation.
            if action_id in self.unsafe or (action.confirm and action_id not in self.generic):
                continue
            if action_id in self.checks:
                if unchecked:
                    # The key signal, checked after each mitigation (late when off-rollback).
                    if self.breaks == "rollback" and self.later(
                            unchecked[0] + self.rollback.verify_within + self.step):
                        continue
                elif player.starts.get(action_id):
                    continue  # with no mitigation to check, a check is one more look, once
                if player.act(StartAction(at=now, do="start", action=action_id)):
                    self.checked = now
                continue
            if action.repeatable and player.starts.get(action_id):
                continue
            if self.breaks == "rollback" and self.later(self._late_start(action_id)):
                continue
            player.act(StartAction(at=now, do="start", action=action_id))

    def _late_start(self, action_id: str) -> float:
        """When off-rollback starts an action: the generic mitigation and the real fix late."""
        policy = self.rollback
        at = -math.inf
        offered = self.first_offer[action_id]
        if action_id in self.generic:
            at = offered + policy.mitigate_within + LATE_TAUS * policy.tau
        if action_id in self.fixes:
            seen = max(offered, self.persisted_seen if self.persisted_seen is not None
                       else offered)
            at = max(at, seen + policy.pivot_within + LATE_TAUS * policy.tau)
        return at

    # -- communication -------------------------------------------------------------------------

    def talk(self, now: float) -> None:
        run = self.run
        if self.comms_start is None:
            if not run.holds(self.scenario.comms.starts_when):
                return
            self.comms_start = now
            for audience in self.rules:
                self.next_due[audience] = now
        told: set[str] = set()
        for request_id in self.player.asked:
            request = self.requests[request_id]
            if request.kind != "update" or request_id in self.handled:
                continue
            self.handled.add(request_id)
            asked = self.player.asked_at[request_id]
            if request_answer(run.record(), request, asked) is None:
                self.update(request.audience, now)
                told.add(request.audience)
        for trigger in self.update_triggers:
            if trigger.id in self.evidence or not run.holds(trigger.observable):
                continue
            self.evidence[trigger.id] = now
            if answering_update(run.record(), trigger.audience, now, now) is None:
                audience = trigger.audience or "team"
                if audience not in told:
                    self.update(audience, now)
                    told.add(audience)
        for audience, due in list(self.next_due.items()):
            if now >= due and audience not in told:
                self.update(audience, now)

    def update(self, audience: str, now: float, final: bool = False) -> None:
        run, scenario = self.run, self.scenario
        rule = self.rules.get(audience)
        mitigated = run.value("reached.mitigated")
        if final:
            status, affected, promised = "resolved", "none", None
        else:
            status = ("monitoring" if mitigated else
                      "identified" if scenario.comms.cause_visible is not None
                      and run.holds(scenario.comms.cause_visible) else "investigating")
            affected = next((t.affected for t in scenario.comms.affected if run.holds(t.when)),
                            "none" if mitigated else "some")
            promised = interval(rule, scenario, self.comms_start or 0.0,
                                now if mitigated else None, now) if rule else None
        lost = any(h.data_loss and run.holds(h.when) for h in scenario.scoring.outcome.harm)
        told = (self.rollback.rollback_effect in ("none", "partial") and self.persisted_seen
                is not None and any(self.player.finished.get(a) for a in self.generic))
        step = PostUpdate(at=now, do="update", audience=audience, status=status,  # type: ignore[arg-type]
                          affected=affected, impact="Who is affected, in their terms.",  # type: ignore[arg-type]
                          doing="What we are doing, and what comes next.",
                          next_update=promised, data_loss="some" if lost else "none",
                          rollback_insufficient=bool(told))
        if self.player.act(step) and promised is not None:
            self.next_due[audience] = now + promised * self.rng.uniform(*CADENCE)

    def close(self, now: float) -> None:
        run = self.run
        if not any(run.holds(ending.when) for ending in self.resolved):
            return
        if self.breaks != "communication":
            for audience in self.rules:
                self.update(audience, now, final=True)
        self.player.act(DeclareResolved(at=now, do="resolve"))

    # -- estimates -----------------------------------------------------------------------------

    def estimate(self, now: float) -> None:
        run = self.run
        if not self.volunteered and run.holds(self.scenario.comms.starts_when):
            # Management hears when each milestone should come without having to ask
            # (PagerDuty Internal Liaison: the expected time remaining).
            self.volunteered = True
            for milestone in self.scenario.milestones:
                if not run.value(f"reached.{milestone.id}"):
                    self.player.act(self._estimate("management", milestone, now))
        for request_id in self.player.asked:
            request = self.requests[request_id]
            if request.kind != "estimate" or request_id in self.handled:
                continue
            self.handled.add(request_id)
            milestone = next((m for m in self.scenario.milestones if m.id == request.milestone),
                             None)
            if milestone is not None:
                self.player.act(self._estimate(request.audience, milestone, now))

    def _estimate(self, audience: str, milestone: Milestone, now: float) -> GiveEstimate:
        """The estimate's form (a range, or off-estimates' single number); its figures are
        written once the run is over (see :func:`knowing`)."""
        if self.breaks == "estimates":
            return GiveEstimate(at=now, do="estimate", audience=audience,  # type: ignore[arg-type]
                                milestone=milestone.id, point=1)
        return GiveEstimate(at=now, do="estimate", audience=audience,  # type: ignore[arg-type]
                            milestone=milestone.id, low=1, high=1, basis="past_actuals")


def knowing(step: GiveEstimate, record: RunRecord) -> GiveEstimate:
    """The oracle's estimate with its figures from what happened in ``record``: a range from
    the time left divided by SHARPNESS to it times SHARPNESS, flagging the imposed deadline as
    at risk when the project rubric would want it; or a quarter of the time left, for a single
    number (off-estimates).  The time left is the milestone's time less its unforeseeable delay,
    or, for a milestone never reached, the run's end."""
    scenario = record.scenario
    floor = _floor(scenario)
    milestone = next(m for m in scenario.milestones if m.id == step.milestone)
    reached = record.reached.get(milestone.id)
    came = reached - milestone.unforeseeable_delay if reached is not None else record.end
    remaining = max(floor, came - step.at)
    if step.point is not None:
        return step.model_copy(update={"point": max(floor, remaining / OPTIMISM)})
    policy = scenario.scoring.estimates
    risky = (policy.imposed_deadline is not None
             and policy.imposed_deadline - step.at < policy.risk_ratio * remaining)
    return step.model_copy(update={"low": remaining / SHARPNESS, "high": remaining * SHARPNESS,
                                   "flags_risk": risky})


def _wanted(people: list[Person], trigger: Trigger) -> list[str]:
    """The people a page trigger names, or whose skills it asks for (empty: anyone)."""
    skills = set(trigger.skills)
    return [p.id for p in people if p.id in trigger.people or skills.intersection(p.skills)]


def play_oracle(compiled: CompiledScenario, player: Player, seed: int, name: str) -> None:
    """Play the oracle, or one of its off-dimension variants (``name``), twice: first in a run
    of its own, which tells when each milestone came; then ``player``'s run replays the same
    steps with estimates that know it (estimates never change the simulation, so it is the same
    incident)."""
    first = Player(Run(compiled, seed, names=player.run.names))
    oracle = _Oracle(first, random.Random(f"{seed}:{name}"), OFF_DIMENSION.get(name))
    oracle.play()
    record = first.run.record()
    play_script(player, [knowing(step, record) if isinstance(step, GiveEstimate) else step
                         for step in record.steps])
    player.seen.cut_short = oracle.cut_short()


# -- the ritual without the fix -------------------------------------------------------------------


class _Ritual:
    """The checklist kept busy, and never the fix (see the module's docstring)."""

    def __init__(self, player: Player, rng: random.Random) -> None:
        self.player = player
        self.run = run = player.run
        self.scenario = scenario = run.scenario
        self.rng = rng
        self.limit = limit = scenario.clock.limit
        self.step = limit / DECISIONS_PER_RUN
        rollback = scenario.scoring.rollback
        fixes = set(rollback.correct_remediations) | {
            a.id for a in scenario.actions if a.kind == "fix"}
        if rollback.rollback_effect == "full":
            fixes |= set(rollback.generic_mitigations)  # there, the rollback is the fix
        self.motions = {a for a in (*rollback.generic_mitigations, *rollback.verify_actions)
                        if a not in fixes}
        everies = [r.every for r in audience_rules(scenario).values()
                   if r.required and r.weight > 0]
        self.cadence = min(everies, default=limit / 10)
        self.low = max(_floor(scenario), limit * RITUAL_LOW)
        self.requests = {r.id: r for r in scenario.requests}
        self.handled: set[str] = set()
        self.start: float | None = None
        self.next_filler = math.inf
        self.next_declare = math.inf

    def play(self) -> None:
        self.player.decide_until_the_end(self.decide, self.step,
                                         lambda: min(self.next_filler, self.next_declare))

    def decide(self) -> None:
        run, player = self.run, self.player
        now = run.now
        for person in run.scenario.people:
            if person.id not in player.paged:
                player.act(Page(at=now, do="page", person=person.id))
        for action in player.look():
            if action.id in self.motions and player.starts.get(action.id, 0) < REPEATS:
                player.act(StartAction(at=now, do="start", action=action.id))
        if self.start is None and run.holds(self.scenario.comms.starts_when):
            self.start = now
            self.next_filler = now
            self.next_declare = now + self.limit * RITUAL_DECLARE
            for milestone in self.scenario.milestones:
                for audience in ("management", "customers"):
                    self.wide(audience, milestone.id, now)
        if self.start is None:
            return
        for request_id in player.asked:
            if request_id in self.handled:
                continue
            self.handled.add(request_id)
            request = self.requests[request_id]
            if request.kind == "estimate":
                self.wide(request.audience, request.milestone, now)
            else:
                self.filler(request.audience, now)
        if now >= self.next_filler:
            for audience in AUDIENCES:
                self.filler(audience, now)
            self.next_filler = now + self.cadence * self.rng.uniform(*RITUAL_CADENCE)
        if now >= self.next_declare:
            self.next_declare = now + self.limit * RITUAL_DECLARE
            player.act(DeclareResolved(at=now, do="resolve"))

    def filler(self, audience: Audience, now: float) -> None:
        self.player.act(PostUpdate(at=now, do="update", audience=audience, impact=FILLER,
                                   doing=FILLER,
                                   next_update=self.cadence * RITUAL_CADENCE[1]))

    def wide(self, audience: str, milestone: str, now: float) -> None:
        self.player.act(GiveEstimate(at=now, do="estimate", audience=audience,  # type: ignore[arg-type]
                                     milestone=milestone, low=self.low, high=RITUAL_HIGH))


def play_ritual(player: Player, rng: random.Random) -> None:
    """Play the ritual without the fix until the run ends."""
    _Ritual(player, rng).play()
