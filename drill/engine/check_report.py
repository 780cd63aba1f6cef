"""What `drill check` learns from many automatic runs of a scenario, for the facilitator.

Pure: it takes small summaries of finished runs (:class:`PlayedRun`, made where each run was
played, so only these cross process boundaries) and the scenario, and returns a typed
:class:`CheckReport` with a text rendering.  The findings are the problems a facilitator must fix
before game day:

* ``unreachable-ending``: a resolved or failed ending no run reached;
* ``never-possible``: an action whose precondition never held when a player looked;
* ``dead-action``: an action that changes nothing anyone can notice: no reveal text, its own
  ``done.``/``count.``/``started.``/``running.`` facts read by no condition, status rule, signal
  or scoring rule, and every time it finished it changed no state anything reads;
* ``invisible-event``: an event that never fired, or that fires silently and changes only
  what nothing visible reads (signals, status, feed text, the offer of actions, endings, and the
  conditions leading to those);
* ``scoring-hole``: a run with no update that still scores on communication, the ritual
  without the fix above 60 overall, good play broken on one dimension that does not lose at
  least 30 on it or loses more than 5 on another (each against good play on the same seeds: the
  ``oracle`` for the ``off-<dimension>`` strategies, the good play script for
  ``off-<dimension>`` scripts), or a poor play script above a good one.  (An off-dimension run
  the incident cut short before its late moves, or never owed its dimension, is a note.)
* ``never-resolved``: no run of any strategy or play script resolved the incident (every one
  failed, ran out of time or was stopped): the scenario cannot be won as written;
* ``unfair-variant``: good play (the ``oracle`` or a good play script) never resolved the
  incident in at least 3 runs that drew one value of a ``[[vary]]``, though it resolved runs
  that drew others: that variant cannot be won (or the script cannot play it);
* ``stopped``: runs that drill stopped because the scenario passed one of the limits every run
  has (:mod:`drill.engine.limits`), with the message the run ended on.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

from . import expressions as ex, variety
from .limits import HALTED_ENDING
from .scenario import RESOLVED_KINDS, Action, Event, Scenario
from .scorecard import DIMENSIONS, ScoreCard
from .record import RunRecord
from .adversaries import OFF_DIMENSION
from .players import Observed
from .sites import expression_texts

RITUAL_MAX = 60.0
"""The ritual without the fix scores at most this overall (median over its runs)."""
OFF_MIN_LOSS = 30.0
"""Good play broken on one dimension loses at least this on it (median over seeds, against the
same seeds' good play)..."""
OFF_MAX_SIDE = 5.0
"""...and at most this on each other dimension."""
HOLE_COMMUNICATION = 20.0
"""A run with no update that scores above this on communication is a hole."""
OWN_FACTS = ("done", "count", "started", "running")
"""The facts an action sets about itself, which change whenever it runs."""
SCORES = (*DIMENSIONS, "overall")

FindingKind = Literal["unreachable-ending", "never-possible", "dead-action", "invisible-event",
                      "scoring-hole", "never-resolved", "unfair-variant", "stopped"]


@dataclass(frozen=True, slots=True)
class PlayedRun:
    """What the report needs of one run: small, so thousands cross process boundaries cheaply."""

    strategy: str
    """The strategy, or ``scripts:<name>`` for a play script."""
    seed: int
    ending: str
    ending_kind: str
    ended_at: float
    scores: tuple[float, ...]
    """The four dimensions in DIMENSIONS order, then overall."""
    applicable: tuple[bool, ...]
    """Whether each dimension was judged at all in this run."""
    updates: int
    started: frozenset[str]
    possible: frozenset[str]
    changed: tuple[tuple[str, frozenset[str]], ...]
    """For each action that finished: the state names its finishing changed (see Observed)."""
    fired: frozenset[str]
    refused: int
    cut_short: bool = False
    """An adversary's run ended before a late act it meant (see Observed.cut_short)."""
    halted: str = ""
    """Why drill stopped the run (see ``RunRecord.halted``); empty when it was not stopped."""
    draws: tuple[tuple[str, str], ...] = ()
    """The run's variant: per ``[[vary]]`` id, the value drawn as the players read it."""


def summarise(strategy: str, seed: int, run: RunRecord, seen: Observed,
              card: ScoreCard) -> PlayedRun:
    """The summary of one finished run played by ``strategy``."""
    ending = run.ending
    dimensions = card.dimensions()
    return PlayedRun(
        strategy=strategy, seed=seed,
        ending=ending.id if ending else "", ending_kind=ending.kind if ending else "",
        ended_at=run.ended_at if run.ended_at is not None else run.now,
        scores=tuple(round(d.score, 2) for d in dimensions) + (round(card.overall, 2),),
        applicable=tuple(d.applicable for d in dimensions),
        updates=len(run.updates), started=frozenset(run.started),
        possible=frozenset(seen.possible),
        changed=tuple(sorted((a, frozenset(names)) for a, names in seen.changed.items())),
        fired=frozenset(run.fired), refused=seen.refused, cut_short=seen.cut_short,
        halted=run.halted or "",
        draws=tuple((vary.id, variety.value_text(run.scenario, vary, value))
                    for vary in run.scenario.vary
                    if (value := run.variant.value(vary.id)) is not None),
    )


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """Minimum, quartiles, median and maximum of some scores."""

    low: float
    q1: float
    median: float
    q3: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        """The spread of at least one value."""
        ordered = sorted(values)
        if len(ordered) == 1:
            return cls(*(ordered[0],) * 5)
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        return cls(ordered[0], round(q1, 2), round(median, 2), round(q3, 2), ordered[-1])


@dataclass(frozen=True, slots=True)
class StrategyResult:
    """How one strategy (or one play script) fared over all its runs."""

    strategy: str
    runs: int
    endings: dict[str, int]
    """Runs per ending id, in the scenario's order of endings; endings never reached left out."""
    scores: dict[str, Spread | None]
    """Per dimension and ``overall``; None for a dimension never judged."""
    silent_runs: int
    """Runs without a single update."""
    refused_steps: int


@dataclass(frozen=True, slots=True)
class EndingReach:
    """Who reached one ending."""

    id: str
    kind: str
    title: str
    reached_by: dict[str, int]
    """Runs per strategy that reached it."""
    earliest: float | None
    """The earliest scenario time any run reached it."""


@dataclass(frozen=True, slots=True)
class CheckFinding:
    """One problem: its kind, what it is about, and a sentence for the facilitator."""

    kind: FindingKind
    subject: str
    """The ending, action or event id, or the strategy for a scoring hole."""
    message: str


@dataclass(frozen=True)
class CheckReport:
    """Everything `drill check` found about a scenario."""

    scenario: str
    title: str
    runs_per_strategy: int
    strategies: list[StrategyResult]
    endings: list[EndingReach]
    findings: list[CheckFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things worth knowing that are not problems (a strategy left out, say)."""

    def subjects(self, kind: FindingKind) -> list[str]:
        """The subjects of the findings of one kind, in report order."""
        return [f.subject for f in self.findings if f.kind == kind]


# -- analysis ----------------------------------------------------------------------------------


def _reads(text: str) -> set[str]:
    """The state names and ``ns.id`` facts one expression reads."""
    names, facts = ex.references(ex.parse(text))
    return names | {f"{ns}.{ident}" for ns, ident in facts}


def _all_reads(scenario: Scenario) -> set[str]:
    """Every name any expression (condition, effect, scoring rule) or signal reads."""
    names = {signal.var for signal in scenario.signals}
    for text in set(expression_texts(scenario)):
        names |= _reads(text)
    return names


def _scored_actions(scenario: Scenario) -> set[str]:
    """Actions the scoring rules name: starting or finishing them changes the score."""
    rollback, estimates = scenario.scoring.rollback, scenario.scoring.estimates
    return {*rollback.generic_mitigations, *rollback.verify_actions,
            *rollback.correct_remediations, *(u.action for u in rollback.unsafe),
            *estimates.scope_actions}


def visible_names(scenario: Scenario) -> set[str]:
    """The state names and facts that can make a difference a player sees.

    Seen directly: signals, status rules, the feed (events with text, requests, milestones), the
    offer of actions and the endings.  Then, until nothing is added: whatever decides a value that
    is seen (the expression of an effect on it, the trigger of a silent event changing it).
    """
    seen = {signal.var for signal in scenario.signals}
    roots = [rule.when for rule in scenario.status]
    roots += [m.when for m in scenario.milestones]
    roots += [r.when for r in scenario.requests if r.when is not None]
    roots += [e.when for e in scenario.endings]
    roots += [a.available_when for a in scenario.actions]
    roots += [p.down_when for p in scenario.comms.audiences.values() if p.down_when is not None]
    for event in scenario.events:
        if event.text:
            roots += [t for t in (event.when, event.until) if t is not None]
    for text in roots:
        seen |= _reads(text)
    changes: list[tuple[set[str], set[str]]] = []
    """(what a rule writes or stands for, what it reads): read becomes visible once write is."""
    for owner in [*scenario.events, *scenario.actions]:
        for name, value in owner.effects.items():
            if isinstance(value, str):
                changes.append(({name}, _reads(value)))
        if isinstance(owner, Event) and not owner.text:
            trigger: set[str] = set()
            for text in (owner.when, owner.until):
                if text is not None:
                    trigger |= _reads(text)
            changes.append(({*owner.effects, f"fired.{owner.id}"}, trigger))
    grown = True
    while grown:
        grown = False
        for writes, reads in changes:
            if not writes.isdisjoint(seen) and not reads <= seen:
                seen |= reads
                grown = True
    return seen


def analyse(scenario: Scenario, summaries: Sequence[PlayedRun],
            notes: Iterable[str] = ()) -> CheckReport:
    """The report on a scenario from the summaries of its automatic runs.

    Strategies are reported in the order their runs come in ``summaries``; a ``scripts:poor...``
    strategy is compared with every ``scripts:good...`` one.
    """
    order = list(dict.fromkeys(s.strategy for s in summaries))
    groups = {name: [s for s in summaries if s.strategy == name] for name in order}
    results = [_strategy_result(scenario, name, runs) for name, runs in groups.items()]
    endings = [_ending_reach(ending.id, ending.kind, ending.title, groups)
               for ending in scenario.endings]
    findings = _unreachable(endings, len(summaries))
    findings += _never_resolved(scenario, endings, order, len(summaries))
    findings += _action_findings(scenario, summaries)
    findings += _event_findings(scenario, summaries)
    holes, more_notes = _scoring_holes(scenario, groups)
    findings += holes
    findings += _unfair_variants(scenario, groups)
    findings += _stopped(summaries)
    more_notes += _variety_notes(scenario, summaries)
    runs = max((len(runs) for runs in groups.values()), default=0)
    return CheckReport(scenario.meta.id, scenario.meta.title, runs, results, endings, findings,
                       [*notes, *more_notes])


def _strategy_result(scenario: Scenario, name: str, runs: list[PlayedRun]) -> StrategyResult:
    counts = {e.id: sum(1 for r in runs if r.ending == e.id) for e in scenario.endings}
    counts[HALTED_ENDING] = sum(1 for r in runs if r.halted)
    scores: dict[str, Spread | None] = {}
    for index, dimension in enumerate(SCORES):
        judged = [r.scores[index] for r in runs
                  if index == len(DIMENSIONS) or r.applicable[index]]
        scores[dimension] = Spread.of(judged) if judged else None
    return StrategyResult(
        strategy=name, runs=len(runs),
        endings={ending: count for ending, count in counts.items() if count},
        scores=scores, silent_runs=sum(1 for r in runs if r.updates == 0),
        refused_steps=sum(r.refused for r in runs))


def _ending_reach(ending_id: str, kind: str, title: str,
                  groups: dict[str, list[PlayedRun]]) -> EndingReach:
    reached = {name: sum(1 for r in runs if r.ending == ending_id) for name, runs in groups.items()}
    times = [r.ended_at for runs in groups.values() for r in runs if r.ending == ending_id]
    return EndingReach(ending_id, kind, title, {n: c for n, c in reached.items() if c},
                       min(times) if times else None)


def _stopped(summaries: Sequence[PlayedRun]) -> list[CheckFinding]:
    """One finding per reason drill stopped runs for, with how many and the first time."""
    reasons: dict[str, list[PlayedRun]] = {}
    for summary in summaries:
        if summary.halted:
            reason = summary.halted.rpartition(" at ")[0] or summary.halted
            reasons.setdefault(reason, []).append(summary)
    findings = []
    for reason, runs in reasons.items():
        first = min(runs, key=lambda r: r.ended_at)
        findings.append(CheckFinding(
            "stopped", first.strategy,
            f"drill stopped {len(runs)} of {len(summaries)} runs: {reason} (first at "
            f"{first.halted.rpartition(' at ')[2]}, {first.strategy} seed {first.seed}); see "
            "Limits in docs/scenario-format.md"))
    return findings


def _unreachable(endings: list[EndingReach], total: int) -> list[CheckFinding]:
    # Running out of time is reachable by waiting; an unreached one only says play went well.
    return [CheckFinding("unreachable-ending", e.id,
                    f"ending '{e.id}' ({e.kind}, \"{e.title}\") was never reached in {total} runs: "
                    f"check its condition and what leads to it")
            for e in endings if not e.reached_by and e.kind != "out_of_time"]


def _never_resolved(scenario: Scenario, endings: list[EndingReach], strategies: list[str],
                    total: int) -> list[CheckFinding]:
    """One finding when runs were played and not one of them resolved the incident."""
    if not total or any(e.reached_by for e in endings if e.kind in RESOLVED_KINDS):
        return []
    reached = [e for e in endings if e.reached_by]
    how = ", ".join(f"'{e.id}' ({e.kind}) {sum(e.reached_by.values())}" for e in reached)
    winnable = [e.id for e in scenario.endings if e.kind in RESOLVED_KINDS]
    where = (f"check what leads to {', '.join(repr(i) for i in winnable)}" if winnable
             else "the scenario has no resolved or degraded ending at all")
    return [CheckFinding(
        "never-resolved", scenario.meta.id,
        f"no run resolved the incident in {total} runs{_good_play_among(strategies)}"
        f"{' (' + how + ')' if how else ''}: a player cannot win it as written; {where}")]


def _is_good_play(strategy: str) -> bool:
    """Whether a strategy plays as a good lead would: the oracle or a good play script."""
    return strategy == "oracle" or strategy.startswith("scripts:good")


def _good_play_among(strategies: list[str]) -> str:
    """Says which good play was among the runs, when any was (the claim must be true)."""
    good = [s for s in strategies if _is_good_play(s)]
    return f", good play included ({', '.join(good)})" if good else ""


def _unfair_variants(scenario: Scenario, groups: dict[str, list[PlayedRun]]
                     ) -> list[CheckFinding]:
    """Good play that resolves some variants and never one value of a vary (≥ 3 runs)."""
    findings: list[CheckFinding] = []
    labels = {vary.id: vary.label for vary in scenario.vary}
    for name, runs in groups.items():
        if not _is_good_play(name) or not any(r.ending_kind in RESOLVED_KINDS
                                                     for r in runs):
            continue
        for vary_id, label in labels.items():
            by_value: dict[str, list[PlayedRun]] = {}
            for run in runs:
                value = dict(run.draws).get(vary_id)
                if value is not None:
                    by_value.setdefault(value, []).append(run)
            for value, drawn in by_value.items():
                if len(drawn) >= 3 and not any(r.ending_kind in RESOLVED_KINDS for r in drawn):
                    endings = ", ".join(sorted({r.ending or r.halted for r in drawn}))
                    findings.append(CheckFinding(
                        "unfair-variant", vary_id,
                        f"{name} never resolved the incident in the {_runs(len(drawn))} whose "
                        f"'{vary_id}' ({label}) drew {value} (they ended {endings}), though it "
                        f"resolved runs with other values: that variant cannot be won as "
                        f"written (seeds {', '.join(str(r.seed) for r in drawn[:5])})"))
    return findings


def _variety_notes(scenario: Scenario, summaries: Sequence[PlayedRun]) -> list[str]:
    """How much of each vary's values the runs covered (a value never drawn is untested)."""
    notes = []
    for vary in scenario.vary:
        drawn = {value for s in summaries for key, value in s.draws if key == vary.id}
        if vary.choices is not None:
            total = len(vary.choices)
        elif vary.range is not None:
            total = variety.range_values(vary)
        else:
            total = 0  # a deck: its draws are combinations, counted as drawn
        if total and len(drawn) < total:
            notes.append(f"vary '{vary.id}' ({vary.label}): the runs drew {len(drawn)} of its "
                         f"{total} values; play more runs to cover the rest")
        elif total:
            notes.append(f"vary '{vary.id}' ({vary.label}): the runs drew all {total} of its "
                         "values")
        else:
            notes.append(f"vary '{vary.id}' ({vary.label}): the runs drew {len(drawn)} "
                         f"different hand{'s' if len(drawn) != 1 else ''} from its deck")
    return notes


def _action_findings(scenario: Scenario, summaries: Sequence[PlayedRun]) -> list[CheckFinding]:
    possible: set[str] = set()
    changed: dict[str, set[str]] = {}
    for summary in summaries:
        possible |= summary.possible
        for action_id, names in summary.changed:
            changed.setdefault(action_id, set()).update(names)
    reads = _all_reads(scenario)
    scored = _scored_actions(scenario)
    findings: list[CheckFinding] = []
    for action in scenario.actions:
        if action.id not in possible:
            findings.append(CheckFinding(
                "never-possible", action.id,
                f"action '{action.id}' was never on offer in {len(summaries)} runs: its "
                f"precondition `{action.available_when}` never held when a player looked"))
        else:
            why = _why_dead(action, changed.get(action.id), reads, scored)
            if why:
                findings.append(CheckFinding(
                    "dead-action", action.id,
                    f"action '{action.id}' changes nothing anyone can notice: {why}; it reveals "
                    f"nothing, and no condition, status rule, signal or score reads that it ran"))
    return findings


def _why_dead(action: Action, changed: set[str] | None, reads: set[str],
              scored: set[str]) -> str:
    """Why finishing an action makes no difference, or "" when it can make one.

    ``changed``: the names its finishing changed over every run; None if it never finished, so
    its effects are judged by what they could change.
    """
    if action.reveals.strip() or action.id in scored:
        return ""
    if any(f"{fact}.{action.id}" in reads for fact in OWN_FACTS):
        return ""
    writes = set(action.effects) | ({action.progress_var} if action.progress_var else set())
    if not writes:
        return "it has no effect"
    unread = sorted(writes - reads)
    if len(unread) == len(writes):
        return f"it only changes {', '.join(unread)}, which nothing reads"
    if changed is not None and changed.isdisjoint(reads):
        return (f"every time it finished, its effects ({', '.join(sorted(writes))}) left what "
                f"is read as it was")
    return ""


def _event_findings(scenario: Scenario, summaries: Sequence[PlayedRun]) -> list[CheckFinding]:
    fired: set[str] = set().union(*(s.fired for s in summaries)) if summaries else set()
    latest = max((s.ended_at for s in summaries), default=0.0)
    seen = visible_names(scenario)
    findings: list[CheckFinding] = []
    for event in scenario.events:
        if not event.optional and event.id not in fired:
            if event.when is not None:
                why = f"its condition `{event.when}` never held"
            else:
                first = event.at if event.at is not None else event.every
                why = f"it is due at {first:g}, and every run had ended by {latest:g}"
            findings.append(CheckFinding(
                "invisible-event", event.id,
                f"event '{event.id}' never fired in {len(summaries)} runs: {why}"))
        elif not event.text and f"fired.{event.id}" not in seen and seen.isdisjoint(event.effects):
            what = ", ".join(event.effects) or "nothing"
            findings.append(CheckFinding(
                "invisible-event", event.id,
                f"event '{event.id}' is silent and changes only what no signal, status, feed "
                f"text, action or ending depends on ({what}): nobody can see it"))
    return findings


def _scoring_holes(scenario: Scenario, groups: dict[str, list[PlayedRun]]
                   ) -> tuple[list[CheckFinding], list[str]]:
    """The scoring holes the strategies and scripts found, and notes on what was not compared.

    * silence: a run without a single update that scores above HOLE_COMMUNICATION on
      communication (silence is judged there, where it belongs: ``off-communication`` and
      ``silent-greedy`` probe it);
    * the ritual (the strategy, or a play script named ``ritual``): a median overall above
      RITUAL_MAX;
    * good play broken on one dimension (``off-<dimension>``, the strategy against ``oracle``
      or a play script against the good script), seed by seed: a median loss under OFF_MIN_LOSS
      on its dimension, or over OFF_MAX_SIDE on any other;
    * a poor play script scoring no lower than a good one.
    """
    findings: list[CheckFinding] = []
    notes: list[str] = []
    overall = len(DIMENSIONS)
    for name, runs in groups.items():
        quiet = [r for r in runs if r.updates == 0 and r.applicable[0]
                 and r.scores[0] > HOLE_COMMUNICATION]
        if quiet:
            findings.append(CheckFinding(
                "scoring-hole", name,
                f"'{name}' scored up to {max(r.scores[0] for r in quiet):.0f} on communication "
                f"in {_runs(len(quiet))} without sending any update (> {HOLE_COMMUNICATION:.0f})"))
    scripts = [name for name in groups if name.startswith("scripts:")]
    goods = [n for n in scripts if "good" in _stem(n)]
    for name in [n for n in groups if n == "ritual" or (n in scripts and "ritual" in _stem(n))]:
        findings += _ritual_hole(scenario, name, groups[name])
    for name in groups:
        dimension = _off_dimension(name)
        if dimension is None:
            continue
        base = "oracle" if name in OFF_DIMENSION else (goods[0] if goods else None)
        if base is None or base not in groups:
            notes.append(f"'{name}' was not compared: it needs "
                         + ("the oracle" if name in OFF_DIMENSION else "a good play script")
                         + " played on the same seeds")
            continue
        found, note = _off_dimension_holes(name, dimension, groups[name], base, groups[base])
        findings += found
        notes += note
    for poor in (n for n in scripts if "poor" in _stem(n)):
        for good in goods:
            low = statistics.median(r.scores[overall] for r in groups[good])
            high = statistics.median(r.scores[overall] for r in groups[poor])
            if high >= low:
                findings.append(CheckFinding(
                    "scoring-hole", poor,
                    f"the poor play '{poor}' scores {high:.0f} overall, not below the good play "
                    f"'{good}' ({low:.0f}): the scoring does not tell them apart"))
    return findings, notes


def _stem(name: str) -> str:
    """A play script's name without the ``scripts:`` of its strategy."""
    return name.split(":", 1)[1] if ":" in name else name


def _off_dimension(name: str) -> str | None:
    """The dimension an off-dimension strategy or play script breaks, if it is one."""
    if name in OFF_DIMENSION:
        return OFF_DIMENSION[name]
    if not name.startswith("scripts:"):
        return None
    return next((d for d in DIMENSIONS if f"off-{d}" in _stem(name)), None)


def _ritual_hole(scenario: Scenario, name: str, runs: list[PlayedRun]) -> list[CheckFinding]:
    median = statistics.median(r.scores[len(DIMENSIONS)] for r in runs)
    if median <= RITUAL_MAX:
        return []
    outcome = scenario.scoring.outcome
    references = ("" if outcome.mitigated_by is not None or outcome.resolved_by is not None
                  else ", give it reference times (mitigated_by, resolved_by)")
    return [CheckFinding(
        "scoring-hole", name,
        f"'{name}' (the checklist without the fix) scored a median {median:.0f} overall over "
        f"{_runs(len(runs))} (at most {RITUAL_MAX:.0f} expected): what the decisions achieved "
        f"counts too little; raise scoring.outcome.weight (now {outcome.weight:g}) or lower "
        f"cap_if_not_resolved (now {outcome.cap_if_not_resolved:g}){references}")]


def _off_dimension_holes(name: str, dimension: str, runs: list[PlayedRun], base: str,
                         baseline: list[PlayedRun]) -> tuple[list[CheckFinding], list[str]]:
    """Compare good play broken on ``dimension`` with its baseline, seed by seed."""
    by_seed = {r.seed: r for r in baseline}
    own = DIMENSIONS.index(dimension)  # type: ignore[arg-type]
    if not any(r.applicable[own] for r in baseline):
        return [], [f"'{name}' was not compared: '{base}' is never judged on {dimension} in "
                    f"this scenario"]
    findings: list[CheckFinding] = []
    notes: list[str] = []
    for index, other in enumerate(DIMENSIONS):
        pairs = [(by_seed[r.seed], r) for r in runs if r.seed in by_seed]
        losses = [b.scores[index] - r.scores[index] for b, r in pairs
                  if b.applicable[index] and r.applicable[index]]
        if index == own:
            if not losses:
                # Its runs ended before what it breaks was owed (an incident over before a
                # late page was due): nothing escaped, there was nothing to judge.
                notes.append(f"'{name}' was never judged on {dimension}: its runs ended before "
                             f"its {dimension} was owed")
                continue
            loss = statistics.median(losses)
            if loss < OFF_MIN_LOSS and all(r.cut_short for _, r in pairs):
                # The incident was over before the late page or fix: the breakage was never
                # fully played, so its small loss proves nothing about the score.
                notes.append(f"'{name}' could not break {dimension} fully: every run ended "
                             f"before its late moves (lost a median {loss:.0f})")
                continue
            if loss < OFF_MIN_LOSS:
                findings.append(CheckFinding(
                    "scoring-hole", name,
                    f"'{name}' (good play but for {dimension}) lost a median {loss:.0f} on "
                    f"{dimension} against '{base}' over {_runs(len(losses))} of the same seeds "
                    f"(at least {OFF_MIN_LOSS:.0f} expected): the {dimension} score barely "
                    f"notices it"))
        elif losses:
            loss = statistics.median(losses)
            if loss > OFF_MAX_SIDE:
                findings.append(CheckFinding(
                    "scoring-hole", name,
                    f"'{name}' (good play but for {dimension}) also lost a median {loss:.0f} on "
                    f"{other} against '{base}' over {_runs(len(losses))} of the same seeds (at "
                    f"most {OFF_MAX_SIDE:.0f} expected): {other} is charged for what belongs "
                    f"to {dimension}"))
    return findings, notes


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


# -- rendering ---------------------------------------------------------------------------------


def render(report: CheckReport) -> str:
    """The report as text for a terminal: per strategy, endings, then the findings."""
    lines = [f"drill check: {report.scenario} ({report.title}), "
             f"{report.runs_per_strategy} runs per strategy", ""]
    lines += [f"note: {note}" for note in report.notes]
    if report.notes:
        lines.append("")
    for result in report.strategies:
        lines.append(f"{result.strategy}: {result.runs} runs, {result.silent_runs} without any "
                     f"update, {result.refused_steps} steps refused")
        for ending, count in result.endings.items():
            lines.append(f"  ending {ending:<28} {count:>7} ({count / result.runs:.0%})")
        lines.append(f"  {'score':<15} {'min':>5} {'q1':>5} {'med':>5} {'q3':>5} {'max':>5}")
        for name, spread in result.scores.items():
            if spread is None:
                lines.append(f"  {name:<15} {'not judged':>29}")
            else:
                lines.append(f"  {name:<15} {spread.low:5.0f} {spread.q1:5.0f} "
                             f"{spread.median:5.0f} {spread.q3:5.0f} {spread.high:5.0f}")
        lines.append("")
    lines.append("Endings")
    for ending in report.endings:
        who = ", ".join(f"{name} {count}" for name, count in ending.reached_by.items())
        when = f", earliest at {ending.earliest:g}" if ending.earliest is not None else ""
        lines.append(f"  {ending.id:<28} {ending.kind:<12} {who or 'never reached'}{when}")
    lines.append("")
    findings = report.findings
    lines.append(f"{len(findings)} finding(s)" + (":" if findings else ": nothing to fix."))
    lines += [f"- [{f.kind}] {f.message}" for f in findings]
    return "\n".join(lines) + "\n"
