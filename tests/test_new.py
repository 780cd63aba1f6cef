"""`drill new ID`: a commented starter scenario that validates and plays to each of its endings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.loading import load_scenario, validate_paths

GOOD_PLAY = [
    {"at": 1, "do": "update", "audience": "team", "impact": "Checkout is failing",
     "doing": "Looking at the dashboards", "next_update": 15},
    {"at": 1, "do": "start", "action": "check_dashboards"},
    {"at": 2, "do": "start", "action": "rollback"},
    {"at": 3, "do": "page", "person": "payments_dev"},
    {"at": 4, "do": "update", "audience": "support", "impact": "Checkout fails for everyone",
     "doing": "Rolling back release 812", "next_update": 10},
    {"at": 5, "do": "update", "audience": "customers", "impact": "Payments are failing",
     "doing": "Rolling back the last release", "next_update": 20},
    {"at": 8, "do": "estimate", "audience": "management", "milestone": "mitigated",
     "low": 3, "high": 8},
    {"at": 9, "do": "update", "audience": "management", "impact": "Checkout down",
     "doing": "Rollback running", "next_update": 15},
    {"at": 12, "do": "start", "action": "verify"},
    {"at": 15, "do": "update", "audience": "support", "status": "resolved",
     "impact": "Checkout works again", "doing": "Rolled back and verified", "data_loss": "none"},
    {"at": 15, "do": "resolve"},
]


def new(tmp_path: Path, scenario_id: str = "my-drill", *extra: str) -> Path:
    assert main(["new", scenario_id, "--dir", str(tmp_path), *extra]) == 0
    return tmp_path / f"{scenario_id}.toml"


def test_the_starter_validates_and_says_what_to_run_next(tmp_path, capsys):
    folder = tmp_path / "not" / "there" / "yet"
    path = new(folder)
    out = capsys.readouterr().out
    assert f"wrote {path}" in out
    assert f"drill validate {path}" in out and f"drill play {path}" in out
    # It points to a guide that exists on this machine, not to a path only a checkout has.
    guide = out.split("every field is explained in ", 1)[1].splitlines()[0]
    assert Path(guide).is_file() and Path(guide).name == "scenario-format.md"
    assert validate_paths([path]) == []
    assert load_scenario(path).meta.id == "my-drill"


def test_the_starter_explains_itself_and_points_at_the_schema(tmp_path):
    text = new(tmp_path).read_text()
    # The directive on the first line, then a blank line (Tombi requires it).
    assert text.startswith("#:schema ./scenario.schema.json\n\n")
    assert "drill schema > scenario.schema.json" in text
    assert "scenario-format.md, shipped with drill" in text
    lines = text.splitlines()
    first_headers: dict[str, int] = {}
    for number, line in enumerate(lines):
        if line.startswith("["):
            name = line.strip("[]").split(".")[0]
            first_headers.setdefault(name, number)
    assert set(first_headers) >= {"meta", "briefing", "clock", "truth", "state", "milestones",
                                  "events", "actions", "people", "requests", "comms", "scoring",
                                  "endings", "postmortem"}
    for name, number in first_headers.items():
        assert lines[number - 1].startswith("# "), f"no explanation above [{name}]"


def test_the_starter_is_a_complete_drill(tmp_path):
    scenario = load_scenario(new(tmp_path))
    assert {e.kind for e in scenario.endings} == {"resolved", "failed", "out_of_time"}
    assert {m.id for m in scenario.milestones} >= {"mitigated", "resolved"}
    assert {(r.kind, r.audience) for r in scenario.requests} >= {("update", "support"),
                                                                 ("estimate", "management")}
    assert len(scenario.people) == 1
    rollback = scenario.scoring.rollback
    assert [a.mitigation for a in scenario.actions if a.id in rollback.generic_mitigations] == [
        "rollback"]
    assert scenario.comms.audiences and scenario.scoring.escalation.triggers
    assert scenario.postmortem.action_items


def test_the_starter_plays_to_each_ending(tmp_path):
    compiled = CompiledScenario.build(load_scenario(new(tmp_path)))
    good = play(compiled, 1, PlayScript.model_validate({"steps": GOOD_PLAY}).steps)
    assert good.ending is not None and (good.ending.id, good.ending.kind) == ("fixed", "resolved")
    assert score_run(good).overall >= 80

    idle = play(compiled, 1, [])
    assert idle.ending is not None and idle.ending.kind == "out_of_time"
    assert idle.ended_at == compiled.scenario.clock.limit
    assert score_run(idle).overall < score_run(good).overall

    trap = play(compiled, 1, PlayScript.model_validate({"steps": [
        {"at": 3, "do": "start", "action": "hotfix"}]}).steps)
    assert trap.ending is not None and trap.ending.kind == "failed"


@pytest.mark.parametrize("bad_id", [
    "../escape", "..", "a/b", "a\\b", "/tmp/abs", "x.toml", "Upper", "has space", "", "9lives",
    "café", "a..b", "x" * 65,
])
def test_bad_ids_and_paths_out_of_the_folder_are_refused(tmp_path, capsys, bad_id):
    folder = tmp_path / "scenarios"
    assert main(["new", bad_id, "--dir", str(folder)]) == 1
    assert "is not a scenario id" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # not even the folder was created


def test_an_existing_file_is_kept_unless_forced(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("# my work\n")
    assert main(["new", "mine", "--dir", str(tmp_path)]) == 1
    assert "exists already; add --force" in capsys.readouterr().err
    assert path.read_text() == "# my work\n"

    new(tmp_path, "mine", "--force")
    assert validate_paths([path]) == []
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # no temporary file left


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_symlink_is_never_written_through(tmp_path, capsys):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "linked.toml").symlink_to(outside)
    assert main(["new", "linked", "--dir", str(folder)]) == 1
    assert "exists already" in capsys.readouterr().err

    path = new(folder, "linked", "--force")
    assert not path.is_symlink() and validate_paths([path]) == []
    assert outside.read_text() == "precious\n"


def test_a_folder_that_cannot_be_made_is_reported(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["new", "x", "--dir", str(blocker / "sub")]) == 1
    assert "drill new: cannot write in" in capsys.readouterr().err
