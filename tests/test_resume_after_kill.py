"""A run killed with SIGKILL part-way resumes to exactly the state it had at its last save."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drill.engine.naming import generate_names
from drill.engine.simulation import Run
from drill.engine.playscript import PlayScript
from drill.session import GameSession, ScenarioSource

TINY = Path(__file__).parent / "fixtures" / "tiny.toml"
STEPS = [
    {"at": 3, "do": "start", "action": "fix"},
    {"at": 4, "do": "page", "person": "ops"},
    {"at": 5, "do": "update", "audience": "support", "impact": "errors", "next_update": 15},
    {"at": 9, "do": "estimate", "audience": "management", "milestone": "fixed", "low": 20, "high": 40},
]

PLAYER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from drill.engine.playscript import PlayScript
    from drill.session import GameSession, ScenarioSource

    steps = PlayScript.model_validate({"steps": %r}).steps
    session = GameSession.start(ScenarioSource.open(%r), seed=5, pace=1.0,
                                saves_dir=Path(sys.argv[1]))
    for step in steps:
        session.act(step)
    session.advance_to(17.5)
    session.save()
    print(session.save_path, flush=True)
    time.sleep(600)  # still "playing" when it is killed
    """
)


def generate_names_for_tiny(seed: int) -> dict[str, str]:
    return generate_names(ScenarioSource.open(str(TINY)).scenario, seed)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_run_resumes_to_the_same_state(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", PLAYER % (STEPS, str(TINY)), str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
    )
    try:
        save_path = Path(process.stdout.readline().strip())
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    resumed = GameSession.resume(save_path)

    # An uninterrupted run of the same inputs, stopped at the same moment.
    reference = Run(ScenarioSource.open(str(TINY)).compiled, 5, generate_names_for_tiny(5))
    for step in PlayScript.model_validate({"steps": STEPS}).steps:
        reference.perform(step)
    reference.advance_to(17.5)
    assert resumed.run.now == 17.5
    assert resumed.run.record().log == reference.record().log
    assert resumed.run.record().state == reference.record().state
    assert resumed.run.names == reference.names
    assert resumed.record.steps == PlayScript.model_validate({"steps": STEPS}).steps


def test_a_save_whose_scenario_changed_is_refused(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY.read_text())
    session = GameSession.start(ScenarioSource.open(str(scenario)), seed=1, pace=1.0,
                                saves_dir=tmp_path / "saves")
    scenario.write_text(TINY.read_text().replace("Errors up", "Errors way up"))
    from drill.saves import SaveError

    with pytest.raises(SaveError, match="has changed since this run was saved"):
        GameSession.resume(session.save_path)


def test_a_save_resumes_after_its_file_is_reworded_or_upgraded_but_plays_the_same(tmp_path):
    import json

    from drill.cli import main
    from drill.saves import SaveError

    scenario = tmp_path / "tiny.toml"
    scenario.write_text((TINY.parent / "format1" / "tiny.toml").read_text())
    session = GameSession.start(ScenarioSource.open(str(scenario)), seed=1, pace=1.0,
                                saves_dir=tmp_path / "saves")
    for step in PlayScript.model_validate({"steps": STEPS}).steps[:2]:
        session.act(step)
    session.save()
    older = tmp_path / "older.json"  # the same run, saved before saves kept the game's hash
    body = json.loads(session.save_path.read_text())
    del body["scenario"]["game_sha256"]
    older.write_text(json.dumps(body))

    scenario.write_text("# Our copy, annotated for the game day.\n" + scenario.read_text())
    assert main(["upgrade", str(scenario)]) == 0  # format 1 to the current format
    resumed = GameSession.resume(session.save_path)
    assert resumed.record.steps == session.record.steps
    assert resumed.run.record().log == session.run.record().log
    with pytest.raises(SaveError, match="has changed since this run was saved"):
        GameSession.resume(older)  # no game hash: only the very same file will do


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"format": "drill-save", "version": 1, "scen', "not a save file"),
        ("\x00\x01binary", "not a save file"),
        ('{"format": "something-else"}', "not a drill save file"),
        ('{"format": "drill-save", "version": 99}', "version 99"),
        ('{"format": "drill-save", "version": 1, "scenario": {"id": "x", "sha256": "y"}, '
         '"seed": 1, "pace": 1, "steps": [{"do": "dance", "at": 1}]}', "steps.0"),
    ],
)
def test_a_damaged_save_gives_a_one_line_reason(tmp_path, content, reason):
    from drill.saves import SaveError

    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SaveError, match=reason) as caught:
        GameSession.resume(path)
    assert str(path) in str(caught.value)


def test_a_run_of_a_local_scenario_resumes_from_another_folder(tmp_path, monkeypatch):
    (tmp_path / "drills").mkdir()
    (tmp_path / "drills" / "tiny.toml").write_text(TINY.read_text())
    monkeypatch.chdir(tmp_path)
    session = GameSession.start(ScenarioSource.open("drills/tiny.toml"), seed=1, pace=1.0,
                                saves_dir=tmp_path / "saves")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert GameSession.resume(session.save_path).scenario.meta.id == "tiny"


def test_a_resumed_run_keeps_the_customer_names_it_was_saved_with(tmp_path):
    # A Faker upgrade could rename the customer: the save's names, not new ones, are replayed.
    source = ScenarioSource.open("black-friday")
    session = GameSession.start(source, seed=8, pace=1.0, saves_dir=tmp_path)
    assert session.record.names["customer.us_retailer"] == \
        generate_names(source.scenario, 8)["customer.us_retailer"]
    session.record.names["customer.us_retailer"] = "Stored Retail Inc"
    session.advance_to(26)
    session.save()
    resumed = GameSession.resume(session.save_path)
    call = next(e for e in resumed.run.record().log if e.ref == "retailer_call")
    assert call.sender == "Stored Retail Inc (US retailer), head of e-commerce"
    assert resumed.scenario.customers[0].id == "us_retailer"


def test_a_saves_recorded_result_is_kept_only_when_well_formed(tmp_path):
    from drill.saves import SaveRecord

    session = GameSession.start(ScenarioSource.open(str(TINY)), seed=2, pace=1.0,
                                saves_dir=tmp_path)
    for step in PlayScript.model_validate({"steps": STEPS}).steps:
        session.act(step)
    session.advance_to(120)
    session.finish()
    record = SaveRecord.from_json(session.save_path.read_text(), "save")
    assert record.result["kind"] == session.run.ending.kind
    assert record.result["overall"] == round(session.card.overall, 1)
    import json

    body = json.loads(session.save_path.read_text())
    body["result"] = {"kind": 3, "overall": "99", "scores": {"help": True, "rollback": 50}}
    odd = SaveRecord.from_json(json.dumps(body), "save")
    assert odd.result == {"scores": {"rollback": 50.0}}, "listing data, never trusted blindly"
    body["result"] = ["not", "a", "table"]
    assert SaveRecord.from_json(json.dumps(body), "save").result == {}


def test_the_game_hash_tells_an_endless_interval_from_none(tmp_path):
    # pydantic's JSON writes inf as null, like a value left out; the two play differently.
    from drill.loading import load_scenario
    from drill.saves import game_hash

    text = (Path(__file__).parent.parent / "scenarios" / "black-friday.toml").read_text()
    assert text.count("every_after_mitigation = 30\n") == 2
    endless, unset = tmp_path / "endless.toml", tmp_path / "unset.toml"
    interval = "every_after_mitigation = 30\n"
    endless.write_text(text.replace(interval, "every_after_mitigation = inf\n", 1))
    unset.write_text(text.replace(interval, "", 1))
    assert game_hash(load_scenario(endless)) != game_hash(load_scenario(unset))
