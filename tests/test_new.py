"""`drill new ID`: a commented starter scenario that validates and plays to an ending."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.cli import main
from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.simulation import CompiledScenario
from drill.loading import load_scenario, validate_paths


def test_the_starter_validates_plays_to_every_kind_of_ending_and_explains_itself(tmp_path, capsys):
    assert main(["new", "my-drill", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "my-drill.toml"
    assert f"wrote {path}" in capsys.readouterr().out
    assert validate_paths([path]) == []
    text = path.read_text()
    assert text.startswith("#:schema ./scenario.schema.json\n\n")
    for explained in ("# Events:", "# Actions the player can start", "# Endings:", "# Scoring:"):
        assert explained in text
    compiled = CompiledScenario.build(load_scenario(path))
    assert compiled.scenario.meta.id == "my-drill"
    good = PlayScript.model_validate({"steps": [
        {"at": 2, "do": "update", "audience": "team", "impact": "Checkout down", "next_update": 20},
        {"at": 3, "do": "start", "action": "rollback"},
        {"at": 3, "do": "page", "person": "payments_dev"},
        {"at": 10, "do": "start", "action": "verify"},
        {"at": 13, "do": "resolve"},
    ]}).steps
    run = play(compiled, 1, good, names={})
    assert run.ending is not None and run.ending.id == "fixed"
    idle = play(compiled, 1, [], names={})
    assert idle.ending is not None and idle.ending.id == "swamped"


@pytest.mark.parametrize("bad_id", ["../escape", "Upper", "has space", "a/b", "", "9lives", "x" * 70])
def test_bad_ids_and_paths_out_of_the_folder_are_refused(tmp_path, capsys, bad_id):
    assert main(["new", bad_id, "--dir", str(tmp_path)]) == 1
    assert "is not a scenario id" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_unless_forced(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("# my work\n")
    assert main(["new", "mine", "--dir", str(tmp_path)]) == 1
    assert "exists already; use --force" in capsys.readouterr().err
    assert path.read_text() == "# my work\n"
    assert main(["new", "mine", "--dir", str(tmp_path), "--force"]) == 0
    assert validate_paths([Path(path)]) == []
