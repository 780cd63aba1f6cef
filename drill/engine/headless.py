"""Play a whole run from a timed list of player actions, with no UI."""

from __future__ import annotations

from typing import Iterable, Mapping

from .naming import generate_names
from .playscript import PlayerAction
from .record import RunRecord
from .simulation import ActionRejected, CompiledScenario, Run


def play(
    compiled: CompiledScenario,
    seed: int,
    steps: Iterable[PlayerAction],
    names: Mapping[str, str] | None = None,
) -> RunRecord:
    """Play ``steps`` against a fresh run and continue to an ending; return its record.

    A step the run refuses (an action not possible at that moment) is kept in the log as a
    ``rejected`` entry with the reason, and play goes on, as it would for a player.
    """
    run = Run(compiled, seed, generate_names(compiled.scenario, seed) if names is None else names)
    for step in steps:
        if run.finished_run:
            break
        try:
            run.perform(step)
        except ActionRejected as refused:
            run.refuse(step, str(refused))
    if not run.finished_run:
        run.advance_to(run.scenario.clock.limit)
    return run.record()
