"""The facilitator documentation stays true to the code.

docs/scenario-format.md and docs/play-scripts.md document every field of the scenario and
play-script models with its default; these tests fail when a field is added, removed or given a new
default without the docs following, when the documented examples stop loading or playing as the
docs say, or when the documented error messages change.
"""

from __future__ import annotations

import inspect
import re
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel, ValidationError

from drill.engine import validation, playscript, scenario as scenario_module
from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.scenario import Model, Scenario
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.loading import check_playscript, load_playscript, load_scenario, validate_paths

from .conftest import REPO

DOCS = REPO / "docs"
SCENARIO_DOC = DOCS / "scenario-format.md"
PLAYSCRIPT_DOC = DOCS / "play-scripts.md"
EXAMPLE = DOCS / "example-scenario.toml"
GOOD = DOCS / "example-play-good.toml"
POOR = DOCS / "example-play-poor.toml"
TEAM = DOCS / "example-play-team.toml"

_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.S | re.M)
_MODEL_HEADING = re.compile(r"^#{2,6} .*\(model `(\w+)`\)\s*$")
_ROW = re.compile(r"^\| `(\w+)` \|(.*)\|\s*$")


def _blocks(path: Path, language: str) -> list[str]:
    """The fenced code blocks of one language in a Markdown file (indented ones dedented)."""
    return [textwrap.dedent(body) for _, lang, body in
            _FENCE.findall(path.read_text(encoding="utf-8")) if lang == language]


def _documented_tables(path: Path) -> dict[str, dict[str, list[str]]]:
    """``{model name: {field: [type cell, default cell, meaning cell]}}`` from the field tables.

    A model's table is the one under a heading that ends with ``(model `Name`)``.
    """
    tables: dict[str, dict[str, list[str]]] = {}
    current: str | None = None
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("#"):
            heading = _MODEL_HEADING.match(line)
            current = heading.group(1) if heading else None
            if current is not None:
                assert current not in tables, f"two sections document model {current}"
                tables[current] = {}
            continue
        row = _ROW.match(line)
        if row and current is not None:
            cells = [cell.strip() for cell in row.group(2).split(" | ")]
            tables[current][row.group(1)] = cells
    return tables


def _models(module: ModuleType) -> dict[str, type[BaseModel]]:
    """The models a module defines (not the ones it imports, not the shared base)."""
    return {
        name: cls for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Model) and cls is not Model and cls.__module__ == module.__name__
    }


def _own_fields(cls: type[BaseModel]) -> dict[str, object]:
    """Fields a model adds to its bases (a step documents `at`/`by` once, under StepBase)."""
    inherited: set[str] = set()
    for base in cls.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, Model) and base is not Model:
            inherited |= set(base.model_fields)
    return {name: info for name, info in cls.model_fields.items() if name not in inherited}


def _check_defaults(model: str, field: str, info, cell: str) -> None:  # noqa: ANN001
    where = f"{model}.{field}: documented default {cell!r}"
    if info.is_required():
        assert cell == "required", f"{where}, but the field is required"
        return
    default = info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel) or (
            isinstance(default, list) and default and isinstance(default[0], BaseModel)):
        return  # nested tables: their own section documents their defaults
    if default is None:
        assert cell.startswith("not set"), f"{where}, but the field is unset by default"
        return
    token = re.search(r"`([^`]*)`", cell)
    assert token, f"{where}: give the default as a TOML value in backticks"
    value = tomllib.loads(f"v = {token.group(1)}")["v"]
    expected = list(default) if isinstance(default, tuple) else default
    # `0` must not pass for `false`, nor `1` for `true`.
    same = value == expected and isinstance(value, bool) == isinstance(expected, bool)
    assert same, f"{where}, but the code's default is {default!r}"


def _assert_documents_every_field(doc: Path, module: ModuleType) -> None:
    tables = _documented_tables(doc)
    for name, cls in _models(module).items():
        assert name in tables, f"{doc.name} has no section '(model `{name}`)' for {name}"
        fields = _own_fields(cls)
        rows = tables[name]
        missing = sorted(set(fields) - set(rows))
        stale = sorted(set(rows) - set(fields))
        assert not missing, f"{doc.name}: {name} fields not documented: {missing}"
        assert not stale, f"{doc.name}: {name} documents fields the code lacks: {stale}"
        for field, info in fields.items():
            _check_defaults(name, field, info, rows[field][1])


# -- the example scenario ----------------------------------------------------------------------


def test_example_scenario_loads_compiles_and_validates_without_a_problem() -> None:
    with open(EXAMPLE, "rb") as handle:
        raw = Scenario.model_validate(tomllib.load(handle))
    CompiledScenario.build(raw)
    loaded = load_scenario(EXAMPLE)
    assert loaded == raw
    assert loaded.meta.id == "config-generator"
    # Every check drill has, including what can never happen, and the scripts against it.
    assert validate_paths([EXAMPLE, GOOD, POOR]) == []


def test_example_scenario_uses_every_section_of_the_format() -> None:
    scenario = load_scenario(EXAMPLE)
    for name in Scenario.model_fields:
        assert name in scenario.model_fields_set, f"the example leaves out [{name}]"
    # The features the guide walks through, so the example shows each of them.
    assert {e.kind for e in scenario.endings} == {"resolved", "failed", "out_of_time"}
    assert any(e.every and e.until for e in scenario.events), "a recurring event with `until`"
    assert any(e.optional for e in scenario.events), "a facilitator-only inject"
    assert any(e.when for e in scenario.events) and any(e.at for e in scenario.events)
    assert any(a.targets and a.helper_skills for a in scenario.actions), "per-target work"
    assert any(not p.name for p in scenario.people), "a person named by faker"
    assert any(not p.relevant for p in scenario.people)
    assert {r.kind for r in scenario.requests} == {"estimate", "update", "question"}
    assert scenario.scoring.rollback.unsafe and scenario.scoring.escalation.triggers
    assert any(isinstance(v, str) for v in scenario.state.values()), "a text state variable"


def test_the_example_block_in_the_guide_is_the_example_file() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") in _blocks(SCENARIO_DOC, "toml")


def test_every_toml_block_in_the_scenario_guide_is_valid_toml() -> None:
    blocks = _blocks(SCENARIO_DOC, "toml")
    assert len(blocks) >= 5
    for block in blocks:
        tomllib.loads(block)


@pytest.fixture(scope="module")
def compiled_example() -> CompiledScenario:
    return CompiledScenario.build(load_scenario(EXAMPLE))


def test_good_example_play_resolves_and_scores_above_90(
    compiled_example: CompiledScenario,
) -> None:
    script = load_playscript(GOOD)
    run = play(compiled_example, script.seed, script.steps)
    assert run.ending is not None and run.ending.id == "fixed" and run.ending.kind == "resolved"
    assert run.ended_at == 25
    assert not [e for e in run.log if e.kind == "rejected"]
    assert score_run(run).overall > 90


def test_poor_example_play_fails_scores_below_25_and_has_its_rejected_step(
    compiled_example: CompiledScenario,
) -> None:
    script = load_playscript(POOR)
    run = play(compiled_example, script.seed, script.steps)
    assert run.ending is not None and run.ending.id == "lost_the_day"
    assert run.ended_at == 83
    rejected = [e for e in run.log if e.kind == "rejected"]
    assert [(e.time, e.text) for e in rejected] == [
        (33, "Push the good config to each load balancer is not possible right now")]
    # As the guide says, declaring too early is recorded and play goes on.
    assert any(e.kind == "declared" and "not over" in e.text for e in run.log)
    assert score_run(run).overall < 25


def test_the_play_scripts_guide_shows_the_rejection_warning_drill_prints(
    compiled_example: CompiledScenario,
) -> None:
    script = load_playscript(POOR)
    run = play(compiled_example, script.seed, script.steps)
    entry = next(e for e in run.log if e.kind == "rejected")
    warning = f"warning: {entry.ref} step at T+{entry.time:.0f} was rejected: {entry.text}"
    assert warning in PLAYSCRIPT_DOC.read_text(encoding="utf-8")


# -- the field tables ----------------------------------------------------------------------------


def test_scenario_guide_documents_every_field_with_its_default() -> None:
    _assert_documents_every_field(SCENARIO_DOC, scenario_module)


def test_play_script_guide_documents_every_field_with_its_default() -> None:
    _assert_documents_every_field(PLAYSCRIPT_DOC, playscript)


def test_the_field_check_notices_a_missing_field(tmp_path: Path) -> None:
    # The guard above must be able to fail: drop one row and it does.
    text = SCENARIO_DOC.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `off_hours_delay` |"))
    broken = tmp_path / "doc.md"
    broken.write_text(text.replace(row + "\n", ""), encoding="utf-8")
    with pytest.raises(AssertionError, match="off_hours_delay"):
        _assert_documents_every_field(broken, scenario_module)


def test_the_field_check_notices_a_wrong_default(tmp_path: Path) -> None:
    text = SCENARIO_DOC.read_text(encoding="utf-8")
    broken = tmp_path / "doc.md"
    broken.write_text(text.replace("| `delay` | duration | `10` |", "| `delay` | duration | `15` |"),
                      encoding="utf-8")
    with pytest.raises(AssertionError, match="Person.delay"):
        _assert_documents_every_field(broken, scenario_module)


# -- expressions ---------------------------------------------------------------------------------


def _refused_rows() -> list[tuple[str, str]]:
    text = SCENARIO_DOC.read_text(encoding="utf-8")
    section = text.split("### What is refused, and why", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(.+?)` \| `(.+?)` \|$", section, re.M)
    assert len(rows) >= 6
    return rows


@pytest.mark.parametrize(("written", "message"), _refused_rows())
def test_refused_expressions_give_the_documented_message(written: str, message: str) -> None:
    with open(EXAMPLE, "rb") as handle:
        data = tomllib.load(handle)
    data["actions"][0]["available_when"] = written
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        assert message in str(error)
        return
    assert message in [finding.message for finding in validation.check_scenario(scenario)]


# -- play scripts --------------------------------------------------------------------------------


def test_every_toml_block_in_the_play_scripts_guide_is_a_play_script_for_the_example() -> None:
    scenario = load_scenario(EXAMPLE)
    blocks = _blocks(PLAYSCRIPT_DOC, "toml")
    assert len(blocks) >= 7
    for block in blocks:
        script = PlayScript.model_validate(tomllib.loads(block))
        # The ids the snippets use exist in the example scenario, so they can be copied.
        assert check_playscript(script, scenario) == []


def test_the_example_scripts_in_the_guide_are_the_files() -> None:
    blocks = _blocks(PLAYSCRIPT_DOC, "toml")
    assert GOOD.read_text(encoding="utf-8") in blocks
    assert POOR.read_text(encoding="utf-8") in blocks
    assert TEAM.read_text(encoding="utf-8") in blocks


def test_team_example_plays_as_the_guide_says(compiled_example: CompiledScenario) -> None:
    from drill.engine.roles import score_players

    script = load_playscript(TEAM)
    assert validate_paths([EXAMPLE, TEAM]) == []
    run = play(compiled_example, script.seed, script.steps)
    assert run.ending is not None and run.ending.id == "fixed" and run.ended_at == 25
    assert not [e for e in run.log if e.kind == "rejected"]
    # The facilitator's acts are in the log as theirs, and the inject reached the feed.
    acts = [e for e in run.log if e.kind == "facilitator"]
    assert {e.by for e in acts} == {"facilitator"} and len(acts) == 4
    assert "influencer_tweet" in run.fired
    assert any(e.text.startswith("Hint: ") for e in acts)
    # Dee speaks for the network on-call: the scenario's own answer and line are never said.
    assert run.taken_over == {"net_oncall": "Dee (ops)"}
    said = {e.text for e in run.log if e.kind == "said"}
    assert not said & {"Paged. Grabbing my laptop, eight minutes.",
                       "The pushes line up with config-gen's runs, every ten minutes. "
                       "Is it still generating?"}
    # Each player is judged on their role's dimensions, the facilitator on none.
    by_player = {s.player: s for s in score_players(run)}
    # Dee only took a teammate over: nothing the four dimensions judge, so no score.
    assert set(by_player) == {"Ana (commander)", "Bo (comms)", "Cy (ops)"}
    assert by_player["Bo (comms)"].dimensions == ("communication",)
    assert by_player["Ana (commander)"].dimensions == ("help", "estimates")
    assert by_player["Cy (ops)"].dimensions == ("rollback",)
    assert by_player["Bo (comms)"].actions == 5 and by_player["Cy (ops)"].actions == 8


def test_without_a_takeover_the_paged_teammate_answers_in_their_own_words(
    compiled_example: CompiledScenario,
) -> None:
    # The counterpart of the team example: solo, the scenario's `acknowledges` and line are said.
    script = load_playscript(GOOD)
    run = play(compiled_example, script.seed, script.steps)
    said = [(e.time, e.text) for e in run.log if e.kind == "said"]
    assert (7, "Paged. Grabbing my laptop, eight minutes.") in said
    assert any(text.startswith("The pushes line up") for _, text in said)


def test_a_script_naming_a_teammate_or_inject_the_scenario_lacks_is_refused() -> None:
    scenario = load_scenario(EXAMPLE)
    script = PlayScript.model_validate({"scenario": "config-generator", "steps": [
        {"at": 1, "by": "Dee (ops)", "do": "takeover", "person": "net_oncal"},
        {"at": 2, "do": "facilitate", "act": "inject", "event": "influencer_twet"},
    ]})
    messages = [(p.field, p.message) for p in check_playscript(script, scenario)]
    assert messages == [
        ("steps[0].person", "unknown person 'net_oncal' (did you mean 'net_oncall'?)"),
        ("steps[1].event", "unknown event 'influencer_twet' (did you mean 'influencer_tweet'?)"),
    ]


def test_the_facilitator_guide_names_real_injects_and_commands() -> None:
    """Every optional inject the guide names exists, and every `drill` command it uses too."""
    import re as _re

    from drill.cli import build_parser

    guide = (DOCS / "facilitator.md").read_text(encoding="utf-8")
    named = set(_re.findall(r"^\s*\| [a-z0-9-]+ \| `([a-z_]+)` \|", guide, _re.M))
    assert len(named) == 12
    optional = set()
    for path in sorted((REPO / "scenarios").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        optional |= {e["id"] for e in data.get("events", []) if e.get("optional")}
    assert named <= optional
    commands = set(_re.findall(r"`drill ([a-z]+)", guide))
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert commands <= set(subparsers.choices)


def _options(parser) -> set[str]:  # noqa: ANN001 - argparse.ArgumentParser
    """Every option string of a parser and of its subcommands."""
    import argparse

    found: set[str] = set()
    for action in parser._actions:
        found |= set(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def test_the_facilitator_guide_uses_only_options_drill_has() -> None:
    """`--pace`, `--runs`, `--unfinished`...: each option the guide tells people to type exists."""
    from drill.cli import build_parser

    guide = (DOCS / "facilitator.md").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", guide))
    assert {"--pace", "--seed", "--runs", "--unfinished"} <= mentioned
    unknown = mentioned - _options(build_parser())
    assert not unknown, f"facilitator.md names options drill does not have: {sorted(unknown)}"


def test_the_facilitator_guide_lists_exactly_the_board_keys() -> None:
    from textual.app import App

    from drill.tui.app import DrillApp
    from drill.tui.screens.board import BoardScreen

    guide = (DOCS / "facilitator.md").read_text(encoding="utf-8")
    table = guide.split("Keys on the board", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `([^`]+)` \|", table, re.M))
    board = {binding.key_display or binding.key.split(",")[0] for binding in BoardScreen.BINDINGS}
    app = {binding.key for binding in DrillApp.BINDINGS} | {App.COMMAND_PALETTE_BINDING}
    assert documented == board | {"ctrl+q", "ctrl+p", "?"}
    assert {"ctrl+q", "ctrl+p", "question_mark"} <= app


# -- docs/examples: incidents beyond the bundled four ------------------------------------------

EXAMPLES = REPO / "docs" / "examples"


@pytest.mark.parametrize("name", ["mixed-version-deploy"])
def test_an_example_incident_plays_well_and_badly_and_check_finds_nothing(name: str) -> None:
    from drill.check_runner import run_check

    path = EXAMPLES / f"{name}.toml"
    compiled = CompiledScenario.build(load_scenario(path))
    cards = {}
    for kind in ("good", "poor"):
        script = load_playscript(EXAMPLES / f"{name}.{kind}.toml")
        run = play(compiled, script.seed, script.steps)
        cards[kind] = (run, score_run(run))
    (good_run, good), (poor_run, poor) = cards["good"], cards["poor"]
    assert good_run.ending.kind == "resolved" and good.overall >= 75
    assert poor_run.ending.kind == "failed" and poor.overall <= 40
    for dimension in ("communication", "help", "rollback", "estimates"):
        assert getattr(poor, dimension).score < getattr(good, dimension).score, dimension
    # Its play scripts beside it (good, poor, ritual, off-<dimension>) are replayed too; the
    # adversaries barely depend on the seed, so three runs of each are enough.
    from drill.check_runner import shipped_scripts
    from drill.engine.adversaries import ADVERSARIES
    from drill.engine.strategies import STRATEGIES

    assert {p.name for p in shipped_scripts(path, name)} >= {
        f"{name}.{play}.toml" for play in ("good", "poor", "ritual", "off-communication",
                                           "off-help", "off-rollback", "off-estimates")}
    report = run_check(path, runs=50, jobs=1, strategies=[
        s for s in STRATEGIES if s not in ADVERSARIES and s != "scripts"])
    attack = run_check(path, runs=3, jobs=1, strategies=[*ADVERSARIES, "scripts"])
    assert [f.message for f in report.findings] == []
    assert [f.message for f in attack.findings if f.kind == "scoring-hole"] == []


# -- docs/scoring.md: the model, its parameters and a worked example ----------------------------

SCORING_DOC = DOCS / "scoring.md"
SCORING_MODELS = ("CommsPolicy", "AffectedTruth", "CommsParts", "AudiencePolicy", "Weights",
                  "OutcomePolicy", "OutcomeEndings", "Harm", "EscalationPolicy", "Trigger",
                  "RollbackPolicy", "RollbackParts", "UnsafeAction", "EstimatePolicy",
                  "EstimateParts")


def test_the_scoring_guide_gives_every_scoring_parameter_with_its_default() -> None:
    tables = _documented_tables(SCORING_DOC)
    models = _models(scenario_module)
    assert set(tables) == set(SCORING_MODELS)
    for name in SCORING_MODELS:
        fields, rows = _own_fields(models[name]), tables[name]
        assert set(rows) == set(fields), f"scoring.md: {name} rows differ from its fields"
        for field, info in fields.items():
            _check_defaults(name, field, info, rows[field][0])


def _worked_example_figures() -> dict[str, float]:
    text = SCORING_DOC.read_text(encoding="utf-8").split("## Worked example", 1)[1]
    return {match.group(1): float(match.group(2))
            for match in re.finditer(r"^\| ([a-z][^|]*?) \| ([0-9.]+) \|$", text, re.M)}


def test_the_worked_example_is_what_the_code_scores() -> None:
    from .bundled import played

    figures = _worked_example_figures()
    run = played("black-friday", "off-rollback")
    card = score_run(run)
    unchecked = [d.points for d in card.rollback.deductions if "never checked" in d.what]
    cleanup = [d.points for d in card.rollback.deductions if d.what.startswith("Started Cut")]
    assert len(unchecked) == 3 and len(cleanup) == 1
    computed = {
        **{name: getattr(card, name).score for name in
           ("communication", "help", "rollback", "estimates")},
        "rollback: each unchecked mitigation": unchecked[0],
        "rollback: the late cleanup": cleanup[0],
        "outcome": card.outcome.score,
        "dimensions mean": card.dimensions_mean,
        "overall": card.overall,
    }
    assert set(figures) == set(computed)
    for name, value in computed.items():
        assert round(value, 1) == figures[name], f"{name}: the code gives {value:.2f}"
    assert not card.outcome.capped and run.ending.kind == "resolved"


def test_the_scoring_guide_is_linked_from_the_readme_and_the_format_guide() -> None:
    for doc in (REPO / "README.md", SCENARIO_DOC):
        assert "scoring.md" in doc.read_text(encoding="utf-8"), doc.name
