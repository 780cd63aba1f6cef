"""What `drill check` learns from many automatic runs of a scenario.

Pure: it takes short summaries of finished runs (made where the runs were played, so only small
records cross process boundaries) and the scenario, and returns a typed report.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from . import expressions as ex
from .scenario import Scenario
from .scorecard import DIMENSIONS, ScoreCard
from .simulation import Run, expression_texts

HOLE_OVERALL = 60.0
"""A run that resolves without a single update and still scores this much overall is a hole."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the report needs of one run."""

    strategy: str
    seed: int
    ending: str
    ending_kind: str
    ended_at: float
    scores: tuple[float, ...]
    """The four dimensions in DIMENSIONS order, then overall."""
    updates: int
    started: frozenset[str]
    fired: frozenset[str]


def summarise(strategy: str, seed: int, run: Run, card: ScoreCard) -> RunSummary:
    """The summary of one finished run."""
    ending = run.ending
    return RunSummary(
        strategy, seed,
        ending.id if ending else "", ending.kind if ending else "",
        run.ended_at if run.ended_at is not None else run.now,
        tuple(round(d.score, 3) for d in card.dimensions()) + (round(card.overall, 3),),
        len(run.updates), frozenset(run.started), frozenset(run.fired),
    )


@dataclass(frozen=True, slots=True)
class Spread:
    """min, first quartile, median, third quartile, max."""

    low: float
    q1: float
    median: float
    q3: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        ordered = sorted(values)
        if len(ordered) == 1:
            value = ordered[0]
            return cls(value, value, value, value, value)
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        return cls(ordered[0], q1, median, q3, ordered[-1])


@dataclass(frozen=True, slots=True)
class StrategyStats:
    """How one strategy fared over all its runs."""

    strategy: str
    runs: int
    endings: dict[str, int]
    scores: dict[str, Spread]
    """Per dimension and 'overall'."""


@dataclass(frozen=True)
class CheckReport:
    """Everything `drill check` found."""

    scenario: str
    strategies: list[StrategyStats]
    unreachable_endings: list[str] = field(default_factory=list)
    never_started: list[str] = field(default_factory=list)
    dead_actions: list[str] = field(default_factory=list)
    unseen_events: list[str] = field(default_factory=list)
    scoring_holes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[str]:
        """Every problem, one line each."""
        return ([f"ending '{e}' was never reached" for e in self.unreachable_endings]
                + [f"action '{a}' was never possible: its precondition never held"
                   for a in self.never_started]
                + [f"action '{a}' changes nothing: no effect, nothing revealed, nothing reads it"
                   for a in self.dead_actions]
                + [f"event '{e}' is never seen by anyone" for e in self.unseen_events]
                + [f"scoring hole: {hole}" for hole in self.scoring_holes])


def _reads(scenario: Scenario) -> set[str]:
    """Every state name and ns.id fact something visible or conditional reads."""
    names: set[str] = set()
    for text in expression_texts(scenario):
        found, facts = ex.references(ex.parse(text))
        names |= found | {f"{ns}.{ident}" for ns, ident in facts}
    names |= {signal.var for signal in scenario.signals}
    return names


def analyse(scenario: Scenario, summaries: list[RunSummary]) -> CheckReport:
    """The report for a scenario from the summaries of its automatic runs."""
    order = list(dict.fromkeys(s.strategy for s in summaries))
    stats = []
    for strategy in order:
        runs = [s for s in summaries if s.strategy == strategy]
        endings: dict[str, int] = {}
        for run in runs:
            endings[run.ending] = endings.get(run.ending, 0) + 1
        scores = {name: Spread.of([r.scores[i] for r in runs])
                  for i, name in enumerate((*DIMENSIONS, "overall"))}
        stats.append(StrategyStats(strategy, len(runs), dict(sorted(endings.items())), scores))
    reached = {s.ending for s in summaries}
    started = set().union(*(s.started for s in summaries)) if summaries else set()
    fired = set().union(*(s.fired for s in summaries)) if summaries else set()
    reads = _reads(scenario)

    def action_is_read(action_id: str) -> bool:
        return any(f"{ns}.{action_id}" in reads for ns in ("done", "started", "running", "count"))

    dead = [a.id for a in scenario.actions
            if not a.effects and not a.reveals and not a.progress_var and not action_is_read(a.id)]
    unseen = []
    for event in scenario.events:
        if event.optional:
            continue
        if event.id not in fired:
            unseen.append(event.id)
        elif not event.text and not any(name in reads for name in event.effects) \
                and f"fired.{event.id}" not in reads:
            unseen.append(event.id)
    holes = []
    for strategy in order:
        silent_wins = [s for s in summaries if s.strategy == strategy and s.updates == 0
                       and s.ending_kind == "resolved" and s.scores[-1] >= HOLE_OVERALL]
        if silent_wins:
            best = max(s.scores[-1] for s in silent_wins)
            holes.append(f"'{strategy}' resolved without a single update in {len(silent_wins)} "
                         f"run(s) and scored up to {best:.0f} overall")
        quiet_comms = [s for s in summaries if s.strategy == strategy and s.updates == 0
                       and s.scores[0] > 20]
        if quiet_comms:
            holes.append(f"'{strategy}' scored up to {max(s.scores[0] for s in quiet_comms):.0f} "
                         f"on communication without sending any update")
    return CheckReport(
        scenario=scenario.meta.id,
        strategies=stats,
        unreachable_endings=[e.id for e in scenario.endings if e.id not in reached],
        never_started=[a.id for a in scenario.actions if a.id not in started],
        dead_actions=dead,
        unseen_events=unseen,
        scoring_holes=holes,
    )


def render(report: CheckReport) -> str:
    """The report as text for the terminal."""
    lines = [f"drill check: {report.scenario}", ""]
    for stats in report.strategies:
        lines.append(f"{stats.strategy}: {stats.runs} runs")
        for ending, count in stats.endings.items():
            lines.append(f"  ending {ending:<24} {count:>6} ({count / stats.runs:.0%})")
        lines.append(f"  {'score':<12} {'min':>5} {'q1':>5} {'med':>5} {'q3':>5} {'max':>5}")
        for name, spread in stats.scores.items():
            lines.append(f"  {name:<12} {spread.low:5.0f} {spread.q1:5.0f} {spread.median:5.0f} "
                         f"{spread.q3:5.0f} {spread.high:5.0f}")
        lines.append("")
    findings = report.findings
    lines.append(f"{len(findings)} finding(s)" + (":" if findings else ": nothing to fix."))
    lines += [f"- {finding}" for finding in findings]
    return "\n".join(lines) + "\n"
