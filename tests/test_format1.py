"""Files written in format 1 (drill as of commit 3cc07d8) keep working.

``tests/fixtures/format1/`` holds the bundled scenarios, the docs' examples and the test
scenarios as they were at 3cc07d8, with their play scripts, and ``old_engine_runs.json``: how
3cc07d8's own engine played them (``record_old_engine.py`` says how it was made).  Today's drill
must read each file as it was meant, validate it as it did (naming what format 2 reads
differently), play the recorded moves to the same endings, and ``drill upgrade`` must rewrite it
into a format-2 file that plays exactly as the format-1 file does.
"""

from __future__ import annotations

import difflib
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from drill import cli
from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.record import RunRecord
from drill.engine.scenario import FORMAT_VERSION
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.loading import load_scenario, validate_files

HERE = Path(__file__).parent / "fixtures" / "format1"
RECORDED = json.loads((HERE / "old_engine_runs.json").read_text(encoding="utf-8"))
FILES = sorted(path.name for path in HERE.glob("*.toml"))
BY_ID = {tomllib.loads((HERE / name).read_text(encoding="utf-8"))["meta"]["id"]: name
         for name in FILES}
RUNS = RECORDED["runs"]

NEW_FINDINGS = {"scoring_trap.toml": [(135, "scoring.escalation.triggers[1].observable")]}
"""What today's validate finds that 3cc07d8's did not: a real flaw it has learned to see (a
trigger whose evidence can never appear), not a change of format."""

RENAMED_ENDINGS = {("old-workarounds", "halted"): "halted_ending"}
"""Endings format 2 renames (``halted`` is reserved): the same ending under its new id."""


def _run_id(run: dict[str, Any]) -> str:
    return f"{run['scenario']}-{run['source'].removeprefix('plays/')}-{run['seed']}"


def _steps(run: dict[str, Any]):
    return PlayScript.model_validate(
        {"scenario": run["scenario"], "seed": run["seed"], "steps": run["steps"]}).steps


_compiled: dict[Path, CompiledScenario] = {}


def _play(path: Path, run: dict[str, Any]) -> RunRecord:
    if path not in _compiled:
        _compiled[path] = CompiledScenario.build(load_scenario(path))
    return play(_compiled[path], run["seed"], _steps(run), names={})


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of every format-1 file, upgraded by `drill upgrade` in one command."""
    folder = tmp_path_factory.mktemp("upgraded")
    for name in FILES:
        shutil.copyfile(HERE / name, folder / name)
    assert cli.main(["upgrade", *(str(folder / name) for name in FILES)]) == 0
    return folder


def test_the_recording_covers_every_fixture_file() -> None:
    assert RECORDED["engine"] == "3cc07d8"
    assert sorted(RECORDED["validate"]) == FILES
    assert {run["scenario"] for run in RUNS} == set(BY_ID)
    # Every play script beside the fixtures was recorded.
    scripts = {f"plays/{path.name}" for path in (HERE / "plays").glob("*.toml")}
    assert scripts <= {run["source"] for run in RUNS}


@pytest.mark.parametrize("name", FILES)
def test_a_format1_file_validates_as_it_did(name: str) -> None:
    found = validate_files([str(HERE / name)])
    problems = [(p.line, p.field) for p in found if not p.note]
    expected = [tuple(problem) for problem in RECORDED["validate"][name]]
    assert sorted(problems, key=str) == sorted(expected + NEW_FINDINGS.get(name, []), key=str)


def test_validate_names_each_change_of_format_2_at_its_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    file = str(HERE / "old-workarounds.toml")
    code = cli.main(["validate", file])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    at = {line.split(": ")[0].rsplit(":", 1)[1] + " " + line.split(": ")[1]: line for line in out
          if line.startswith(file + ":")}
    assert sorted(at) == ["104 scoring.rollback.unsafe[0].warning",
                          "110 scoring.rollback.unsafe[1].warning", "28 state.num",
                          "38 events[0].text", "81 requests[0].milestone", "92 endings[1].id"]
    assert "reads this format-1 file's 'num' as 'num_value'" in at["28 state.num"]
    assert "as 'not done.take_backup'" in at["104 scoring.rollback.unsafe[0].warning"]
    assert "nothing to change" in at["81 requests[0].milestone"]
    assert out[-1] == (f"ok: {file} (format 1, read as the notes above say; "
                       f"`drill upgrade {file}` rewrites it)")


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_a_format1_file_plays_the_recorded_moves_as_the_old_engine_did(
        run: dict[str, Any]) -> None:
    """Same ending at the same time, and the same happenings but for two documented changes:
    format 2 asks no estimate once its milestone came, and per-target work no longer skips a
    target (the fix of commit 3c88394, which moves when such work finishes)."""
    scenario = RECORDED_SCENARIOS[run["scenario"]]
    record = _play(HERE / BY_ID[run["scenario"]], run)
    ending = RENAMED_ENDINGS.get((run["scenario"], run["ending"]), run["ending"])
    assert (record.ending.id if record.ending else None, record.ended_at) == \
        (ending, run["ended_at"])

    per_target = {a["id"] for a in scenario.get("actions", []) if a.get("targets")}
    estimates = {r["id"]: r["milestone"] for r in scenario.get("requests", [])
                 if r.get("kind") == "estimate"}

    def comparable(log: list[list[Any]]) -> list[tuple[float, str, str]]:
        reached: dict[str, float] = {}
        kept = []
        for time, kind, ref in log:
            if kind == "milestone":
                reached.setdefault(ref, time)
            if kind == "target" or kind == "finished" and ref in per_target:
                continue
            if kind == "request" and estimates.get(ref) in reached:
                continue  # format 2 no longer asks it
            if kind == "ended":
                ref = RENAMED_ENDINGS.get((run["scenario"], ref), ref)
            kept.append((float(time), kind, ref))
        return kept

    today = [[entry.time, str(entry.kind), entry.ref] for entry in record.log]
    assert comparable(today) == comparable(run["log"])


RECORDED_SCENARIOS = {sid: tomllib.loads((HERE / name).read_text(encoding="utf-8"))
                      for sid, name in BY_ID.items()}


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_an_upgraded_file_plays_exactly_as_the_format1_file(
        upgraded: Path, run: dict[str, Any]) -> None:
    name = BY_ID[run["scenario"]]
    before, after = _play(HERE / name, run), _play(upgraded / name, run)
    assert after.scenario.meta.format == FORMAT_VERSION
    assert [entry[:7] for entry in after.log] == [entry[:7] for entry in before.log]
    assert (after.ending, after.ended_at) == (before.ending, before.ended_at)
    assert score_run(after).as_dict() == score_run(before).as_dict()


@pytest.mark.parametrize("name", FILES)
def test_an_upgraded_file_validates_as_format_2_with_nothing_left_to_say(
        upgraded: Path, name: str) -> None:
    before = [(p.field, p.message) for p in validate_files([str(HERE / name)]) if not p.note]
    found = validate_files([str(upgraded / name)])
    assert not [p for p in found if p.note]
    # The same problems (the fixtures made to be flawed), one line further down.
    assert [(p.field, p.message) for p in found] == before


@pytest.mark.parametrize("name", FILES)
def test_an_upgrade_keeps_every_comment_and_line_and_only_rewrites_what_changed(
        upgraded: Path, name: str) -> None:
    old = (HERE / name).read_text(encoding="utf-8").splitlines()
    new = (upgraded / name).read_text(encoding="utf-8").splitlines()
    added = [line for line in difflib.ndiff(old, new) if line.startswith("+ ")]
    removed = [line for line in difflib.ndiff(old, new) if line.startswith("- ")]
    assert f"+ format = {FORMAT_VERSION}" in added
    assert len(added) == len(removed) + 1
    comments = [line[line.index("#"):] for line in old if "#" in line]
    assert all(any(comment in line for line in new) for comment in comments)


def test_the_upgrade_of_old_workarounds_is_these_lines(upgraded: Path) -> None:
    old = (HERE / "old-workarounds.toml").read_text(encoding="utf-8").splitlines()
    new = (upgraded / "old-workarounds.toml").read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        "+format = 2",
        "-num = 0      # copies made so far (format 2 has a function num())",
        "+num_value = 0      # copies made so far (format 2 has a function num())",
        '-var = "num"', '+var = "num_value"',
        '-effects = { num = "num + 1" }', '+effects = { num_value = "num_value + 1" }',
        '-when = "num >= 1"', '+when = "num_value >= 1"',
        '-when = "num >= 1 and done.take_backup"', '+when = "num_value >= 1 and done.take_backup"',
        '-id = "halted"', '+id = "halted_ending"',
        '-when = "time >= 90 and num == 0"', '+when = "time >= 90 and num_value == 0"',
        '-warning = "running.copy_data and not done.take_backup"',
        '+warning = "not done.take_backup"',
    ]


@pytest.mark.parametrize("run", RUNS, ids=_run_id)
def test_unsafe_starts_are_judged_as_the_old_engine_did_unless_validate_says_otherwise(
        run: dict[str, Any]) -> None:
    """Format 1 latched a warning; format 2 judges it as the action starts.  A start counts as
    unsafe as it did, except after a warning that validate names has stopped holding."""
    scenario = RECORDED_SCENARIOS[run["scenario"]]
    labels = {action["label"]: action["id"] for action in scenario.get("actions", [])}
    unsafe = scenario.get("scoring", {}).get("rollback", {}).get("unsafe", [])
    record = _play(HERE / BY_ID[run["scenario"]], run)
    today = sorted((float(time), unsafe[index]["action"]) for time, index in record.warned_starts)
    old = sorted((float(time), labels[label]) for time, label in run["unsafe_starts"])
    named = {p.field for p in validate_files([str(HERE / BY_ID[run["scenario"]])])
             if p.note and p.field.endswith(".warning")}
    if not named:
        assert today == old
    else:
        assert set(today) <= set(old)
        if run["source"] == "plays/old-workarounds.unsafe.toml":
            # A copy once the backup exists and a restart once errors are down are safe now.
            assert today == [(2.0, "copy_data"), (5.0, "restart")]
            assert old == [(2.0, "copy_data"), (5.0, "restart"), (15.0, "copy_data"),
                           (35.0, "restart")]
