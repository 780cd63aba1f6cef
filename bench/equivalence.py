"""Behaviour fingerprint of the engine: 248 runs, their logs, scores and postmortems, hashed.

A refactoring of the engine must leave every run the same.  This plays the four bundled
scenarios with each automatic strategy of `drill check` over 12 seeds and with their good and
poor play scripts (4 x (5 x 12 + 2) = 248 runs), and prints one digest per part (logs, scores,
postmortems) and for the whole.  Run it before and after a change and compare the lines;
``--dump FILE`` writes one JSON line per run to find which run differs.

Usage: ``python bench/equivalence.py [--all] [--dump FILE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.catalog import bundled_dir  # noqa: E402
from drill.engine import strategies  # noqa: E402
from drill.engine.postmortem import render_postmortem  # noqa: E402
from drill.engine.scoring import score_run  # noqa: E402
from drill.engine.simulation import CompiledScenario  # noqa: E402
from drill.loading import load_playscript, load_scenario  # noqa: E402

SCENARIOS = ("black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline")
"""The 248-run check issue 7 names; ``--all`` adds the scenarios bundled since."""
LATER = ("s3-us-east-1", "deleted-sites")
"""Bundled after the 248-run check was fixed; they alone have repeating events, so a change to
the engine's handling of those is only seen with ``--all`` (372 runs)."""
STRATEGIES = ("random", "greedy", "cautious", "explorer", "silent-greedy")
SEEDS = range(1, 13)


def _plain(value: Any) -> Any:
    """Log data as JSON: mappings sorted, floats as repr, so nothing depends on dict order."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in sorted(dict(value).items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def _data(entry: Any) -> Any:
    """What a log entry carries, as the log's own ``data`` mapping once held it (so that
    fingerprints from before and after the typed log compare)."""
    data = getattr(entry, "data", None)
    if data is not None:
        return _plain(data)
    from drill.engine.record import LogKind, PageDetail, TargetDetail

    detail, kind = entry.detail, entry.kind
    seen = entry.seen
    visible = f"T+{seen.time:g} {seen.text}" if seen is not None else ""
    if kind is LogKind.PAGED and isinstance(detail, PageDetail):
        out = {"awake": detail.awake, "busy": detail.busy, "eta": detail.eta, "visible": visible}
    elif kind is LogKind.TARGET and isinstance(detail, TargetDetail):
        out = {"count": detail.count, "workers": detail.workers}
    elif kind is LogKind.REQUEST:
        out = {"kind": detail.kind, "audience": detail.audience, "milestone": detail.milestone}
    elif kind is LogKind.ENDED:
        out = {"kind": detail.kind}
    elif kind is LogKind.UPDATE:
        out = {"status": detail.status, "visible": visible}
    elif kind in (LogKind.STARTED, LogKind.ESTIMATE):
        out = {"visible": visible}
    elif kind is LogKind.FACILITATOR or (kind is LogKind.EVENT and entry.by):
        out = {"act": detail.act}
    else:
        out = {}
    return _plain(out)


def fingerprint(run: Any, card: Any) -> dict[str, Any]:
    """What a run produced, as plain JSON: its log, ending, scores and deductions."""
    log = [[repr(float(e.time)), str(e.kind), e.ref, e.channel, e.sender, e.text, e.by,
            _data(e)] for e in run.log]
    dims = []
    for dim in card.dimensions():
        dims.append([dim.dimension, repr(round(dim.score, 6)), dim.applicable,
                     [[d.dimension, repr(round(d.points, 6)),
                       None if d.time is None else repr(float(d.time)), d.what, d.norm]
                      for d in dim.deductions], list(dim.credits)])
    return {"log": log,
            "ending": [run.ending.id, run.ending.kind, repr(float(run.ended_at))]
            if run.ending else None,
            "scores": [repr(round(card.overall, 6)), dims]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write one JSON line per run here")
    parser.add_argument("--all", action="store_true",
                        help="every bundled scenario with play scripts (372 runs), not the "
                             "original four (248 runs)")
    args = parser.parse_args()
    folder = bundled_dir()
    assert folder is not None
    digests = {"logs": hashlib.sha256(), "scores": hashlib.sha256(),
               "postmortems": hashlib.sha256()}
    lines: list[str] = []
    count = 0
    for scenario_id in SCENARIOS + (LATER if args.all else ()):
        compiled = CompiledScenario.build(load_scenario(folder / f"{scenario_id}.toml"))
        plays: list[tuple[str, int, tuple]] = [(s, seed, ()) for s in STRATEGIES for seed in SEEDS]
        for kind in ("good", "poor"):
            script = load_playscript(REPO / "tests" / "plays" / scenario_id / f"{kind}.toml")
            plays.append((f"scripts:{kind}", script.seed, tuple(script.steps)))
        for name, seed, steps in plays:
            run, _ = strategies.play(compiled, name.split(":")[0], seed, steps)
            card = score_run(run)
            print_ = fingerprint(run, card)
            postmortem = render_postmortem(run, card)
            digests["logs"].update(json.dumps(print_["log"]).encode())
            digests["scores"].update(json.dumps([print_["ending"], print_["scores"]]).encode())
            digests["postmortems"].update(postmortem.encode())
            count += 1
            if args.dump:
                lines.append(json.dumps({"scenario": scenario_id, "play": name, "seed": seed,
                                         **print_, "postmortem": postmortem}))
    whole = hashlib.sha256("".join(d.hexdigest() for d in digests.values()).encode())
    print(f"runs         {count}")
    for part, digest in digests.items():
        print(f"{part:<12} {digest.hexdigest()[:16]}")
    print(f"{'all':<12} {whole.hexdigest()[:16]}")
    if args.dump:
        args.dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
