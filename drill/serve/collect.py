"""The end of a game day: every team's postmortem, save and scores in one archive.

The facilitator's console asks for it (``Collect``); the host writes
``SAVES/game-day-SCENARIO-YYYYmmdd-HHMMSS.zip`` atomically and the console offers it as a
download.  Inside:

- ``scores.md`` and ``scores.json``: each team's ending, overall and four scores, and each
  player's overall on their role's dimensions;
- ``comparison.txt``: the finished runs side by side (:mod:`drill.engine.side_by_side`), when two
  or more teams finished;
- ``TEAM/postmortem.md`` for each finished run, and ``TEAM/SAVE.json`` for every run (finished
  or not), so `drill compare` and `drill resume` work on them later.

Everything in it is text drill wrote from the runs; names and titles from the scenario are put
on one line (:func:`drill.engine.text.one_line`) where a table cell holds them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .. import storage
from ..engine.text import one_line

if TYPE_CHECKING:
    from ..catalog import ScenarioSource
    from .host import TeamHost


def archive_name(source: ScenarioSource, when: dt.datetime) -> str:
    return f"game-day-{source.scenario.meta.id}-{when.strftime('%Y%m%d-%H%M%S')}.zip"


def write_archive(saves_dir: Path, source: ScenarioSource, hosts: Sequence[TeamHost],
                  when: dt.datetime | None = None) -> Path:
    """Build the archive of every team's run and write it atomically; return its path."""
    when = when or dt.datetime.now().replace(microsecond=0)
    path = saves_dir / archive_name(source, when)
    storage.atomic_write_bytes(path, build_archive(hosts))
    return path


def build_archive(hosts: Sequence[TeamHost]) -> bytes:
    """The zip's bytes (see the module's docstring)."""
    from ..engine.side_by_side import LabelledRun, compare_runs, render_comparison
    from ..engine.roles import score_players

    buffer = io.BytesIO()
    rows: list[dict[str, Any]] = []
    finished: list[LabelledRun] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for host in hosts:
            session = host.session
            if session is None:
                rows.append({"team": host.name, "players": host.team.players, "state": "no run"})
                continue
            archive.writestr(f"{host.name}/{session.save_path.name}", session.record.to_json())
            record = session.run.record()
            row: dict[str, Any] = {"team": host.name, "players": list(session.record.players),
                                   "seed": session.record.seed, "clock": round(record.now, 2)}
            if session.card is not None and record.ending is not None:
                card = session.card
                archive.writestr(f"{host.name}/postmortem.md", session.postmortem)
                row.update(state="finished", ending=record.ending.title,
                           kind=card.outcome.ending if card.outcome else record.ending.kind,
                           scores=card.as_dict(),
                           per_player={s.player: round(s.overall, 1)
                                       for s in score_players(record)})
                finished.append(LabelledRun(host.name, record, card))
            else:
                row["state"] = "still playing"
            rows.append(row)
        archive.writestr("scores.json", json.dumps(rows, indent=1, sort_keys=True) + "\n")
        archive.writestr("scores.md", scores_markdown(rows))
        if len(finished) >= 2:
            archive.writestr("comparison.txt", render_comparison(compare_runs(finished)))
    return buffer.getvalue()


def scores_markdown(rows: list[dict[str, Any]]) -> str:
    """The teams' scores as a Markdown table, then each team's players."""
    dimensions = ("communication", "help", "rollback", "estimates", "outcome", "overall")
    lines = ["# Game day scores", "",
             "| team | ending | " + " | ".join(dimensions) + " |",
             "|---|---|" + "---|" * len(dimensions)]
    for row in rows:
        scores = row.get("scores") or {}
        cells = ["-" if scores.get(d) is None else f"{scores[d]:g}" for d in dimensions]
        ending = one_line(str(row.get("ending") or row["state"])).replace("|", "/")
        lines.append(f"| {row['team']} | {ending} | " + " | ".join(cells) + " |")
    lines.append("")
    for row in rows:
        per_player = row.get("per_player") or {}
        if per_player:
            lines.append(f"## {row['team']}")
            lines += [f"- {one_line(player)}: {score:g}" for player, score in per_player.items()]
            lines.append("")
    return "\n".join(lines)
