"""`drill compare SAVE SAVE...`: replay saved runs of one scenario and compare them.

The imperative shell around :mod:`drill.engine.side_by_side`: it reads each save and replays it
with :func:`drill.saves.replay_save`, exactly as resuming does (the scenario is checked against
the save's hash), and scores it.  Nothing is written: no save, no postmortem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .engine.side_by_side import Comparison, LabelledRun, compare_runs
from .engine.scoring import score_run
from .engine.text import escaped
from .saves import SaveError, SaveRecord, read_save, replay_save
from .storage import shown


class CompareError(Exception):
    """Saves that cannot be compared; each of ``lines`` is one problem, naming its file."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass
class CompareResult:
    """The comparison, and what the reader should know about it (printed as warnings)."""

    comparison: Comparison
    warnings: list[str] = field(default_factory=list)


def label_of(path: Path, record: SaveRecord) -> str:
    """A run's column title: its players, else the save's file name."""
    players = ", ".join(p for p in record.players if p.strip())
    return players or path.stem


def compare_saves(paths: Sequence[Path], include_unfinished: bool = False) -> CompareResult:
    """Read, check, replay and score saves, and compare them.

    Refused (``CompareError``, every problem listed): a damaged or unreadable save, saves of
    different scenarios, a save whose scenario changed, fewer than two runs left to compare.
    Runs still going are left out with a warning unless ``include_unfinished``; different seeds
    only give a warning, since the runs are then not quite the same incident.
    """
    records: list[tuple[Path, SaveRecord]] = []
    problems: list[str] = []
    for path in paths:
        try:
            records.append((path, read_save(path)))
        except SaveError as error:
            problems.append(str(error))
    if problems:
        raise CompareError(problems)

    scenario_ids = {record.scenario_id for _, record in records}
    if len(scenario_ids) > 1:
        raise CompareError(["these saves are runs of different scenarios, which cannot be "
                            "compared:"] + [f"  {shown(path)}: {escaped(record.scenario_id)}"
                                            for path, record in records])

    warnings: list[str] = []
    runs: list[LabelledRun] = []
    for path, record in records:
        try:
            run = replay_save(path, record).run.record()
        except SaveError as error:
            problems.append(str(error))
            continue
        if not run.over and not include_unfinished:
            warnings.append(f"left out {shown(path)}: the run is still going (add --unfinished to "
                            "include it as it stands)")
            continue
        runs.append(LabelledRun(label_of(path, record), run, score_run(run)))
    if problems:
        raise CompareError(problems)
    if len(runs) < 2:
        raise CompareError([*warnings, f"need at least two runs to compare, and {len(runs)} "
                                       f"{'is' if len(runs) == 1 else 'are'} left"])

    seeds = sorted({labelled.run.seed for labelled in runs})
    if len(seeds) > 1:
        warnings.append(f"the runs used different seeds ({', '.join(map(str, seeds))}), so "
                        "they are not quite the same incident (names and timings can differ)")
    return CompareResult(compare_runs(_distinct_labels(runs)), warnings)


def _distinct_labels(runs: list[LabelledRun]) -> list[LabelledRun]:
    """The same players may have played twice: number the repeats so columns stay apart."""
    seen: dict[str, int] = {}
    result = []
    for labelled in runs:
        count = seen[labelled.label] = seen.get(labelled.label, 0) + 1
        label = labelled.label if count == 1 else f"{labelled.label} #{count}"
        result.append(LabelledRun(label, labelled.run, labelled.card))
    return result
