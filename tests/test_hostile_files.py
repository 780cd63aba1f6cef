"""The shell's hostile corpus: scenario files, play scripts and saves written to attack the CLI,
the loader and the picker's listing.  Each case ends in a clean one-line error or a safe display:
no escape byte reaches stdout or stderr, no traceback, no hang, every limit kept.

The big files (up to 1 MiB each) are generated once per session; the strings come from
tests/hostile.py, the generators from tests/hostile_files.py (shared with
bench/validate_hostile.py, which times them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Callable

import pytest

from drill import cli
from drill.loading import MAX_PROBLEMS, LoadError
from drill.saves import SaveError
from drill.session import GameSession, ScenarioSource
from drill.tui.listing import save_cards, scenario_cards

from .hostile import DANGEROUS, HOSTILE
from .hostile_files import GENERATORS, OSC52, TINY, hostile_keys

FIXTURES = Path(__file__).parent / "fixtures"
TINY_PLAY = FIXTURES / "tiny-play.toml"


def drill(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_safe(*outputs: str) -> None:
    """Nothing that drives a terminal, no traceback."""
    for output in outputs:
        assert not any(char in output for char in DANGEROUS), repr(output[:300])
        assert "Traceback" not in output


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty current directory, and a terminal for `drill play`/`resume` whose TUI must
    never start: every case here is refused before it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DRILL_SAVES_DIR", raising=False)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    monkeypatch.setattr(cli, "run_app", lambda settings: pytest.fail("started the TUI"))
    return tmp_path


@pytest.fixture(scope="session")
def big_files(tmp_path_factory) -> dict[str, Path]:
    """Every generated hostile file, written once."""
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for number, (name, generate) in enumerate(GENERATORS.items()):
        files[name] = folder / f"hostile-{number}.toml"
        files[name].write_text(generate(), encoding="utf-8")
    return files


# -- files past the limits ---------------------------------------------------------------------

REFUSALS = {
    "deep dotted key (20,000 parts)": ":76: a key has more than 10 parts, its table's name included",
    "deep table header (20,000 parts)": ":75: a table name has more than 10 parts",
    "deep inline tables (100,000)": ":75: brackets nested more than 50 levels deep",
    "1 MiB of 10-part keys": ":1076: more than 1,000 keys under one table header",
    "array of 330,000 wrong items": ":1: an array of more than 1,000 items",
    "table of 80,000 wrong values": ":1022: more than 1,000 keys under one table header",
    "1 MiB of arrays of wrong items": ":274: more than 50,000 values in one file",
    "95,000 array-of-tables headers": ":49998: more than 50,000 values in one file",
}
"""What `drill validate` says of each file past a limit, after its path: the line and the
limit, found before the TOML parser or the models do the work."""


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_file_past_a_limit_is_refused_in_one_line(capsys, big_files, name) -> None:
    path = big_files[name]
    code, out, err = drill(capsys, "validate", str(path))
    assert (code, out) == (1, f"{path}{REFUSALS[name]}\n")
    assert_safe(out, err)


def test_many_problems_are_cut_to_a_count(capsys, big_files) -> None:
    path = big_files["998 wrong events"]
    code, out, _ = drill(capsys, "validate", str(path))
    lines = out.splitlines()
    assert code == 1 and len(lines) == MAX_PROBLEMS + 1
    assert all(line.startswith(f"{path}:") for line in lines[:-1])
    assert lines[-1] == f"{path}: … and 1,976 more problems"


def test_the_largest_legal_scenario_validates(capsys, big_files) -> None:
    path = big_files["largest legal scenario"]
    assert path.stat().st_size > 1_000_000
    code, out, err = drill(capsys, "validate", str(path))
    assert (code, out) == (0, f"ok: {path}\n"), err


def test_hostile_files_in_scenarios_do_not_stop_list_run_or_the_picker(capsys, big_files,
                                                                       workdir) -> None:
    local = workdir / "scenarios"
    local.mkdir()
    for name in ("deep dotted key (20,000 parts)", "array of 330,000 wrong items",
                 "95,000 array-of-tables headers"):
        shutil.copy(big_files[name], local / big_files[name].name)
    os.mkfifo(local / "pipe.toml")
    shutil.copy(FIXTURES / "tiny.toml", local / "tiny.toml")
    # The picker reads only [meta] and [clock] to list a scenario: put one deep key there.
    (local / "meta.toml").write_text(TINY.replace("[meta]\n", "[meta]\n" + "a." * 20_000 + "b = 1\n"))

    code, out, err = drill(capsys, "list")
    assert code == 0 and any(line.startswith("tiny ") for line in out.splitlines())
    warnings = err.splitlines()
    assert len(warnings) == 5 and all(line.startswith("warning: skipped ") for line in warnings)
    assert any("is a FIFO (named pipe), not a TOML file" in line for line in warnings)

    code, _, err = drill(capsys, "run", "tiny", "--script", str(TINY_PLAY))
    assert code == 0, err
    code, _, err = drill(capsys, "run", "no-such-id", "--script", str(TINY_PLAY))
    assert code == 1 and "unknown scenario 'no-such-id'" in err

    cards = {card.reference: card for card in scenario_cards([])}
    assert cards[str(local / "tiny.toml")].problem == ""
    assert "is a FIFO" in cards[str(local / "pipe.toml")].problem
    assert cards[str(local / "meta.toml")].problem == (
        "line 2: a key has more than 10 parts, its table's name included")
    # Listed from their headers; the picker's check in the background opens them in full.
    for name in ("array of 330,000 wrong items", "95,000 array-of-tables headers"):
        reference = str(local / big_files[name].name)
        assert cards[reference].problem == ""
        with pytest.raises(LoadError, match="more than"):
            ScenarioSource.open(reference)
    assert_safe(out, err)


# -- escape sequences and newlines in keys and texts ---------------------------------------------


@pytest.fixture
def hostile_keys_file(workdir) -> Path:
    path = workdir / "keys.toml"
    path.write_text(hostile_keys(), encoding="utf-8")
    return path


SHOWN_KEYS = ("\\e]52;c;cm0gLXJmIH4=\\x07", "a\\nok: totally-fine.toml")


def assert_keys_quoted(path: Path, output: str) -> None:
    lines = output.splitlines()
    for shown in SHOWN_KEYS:
        assert any(line.startswith(f"{path}:") and shown in line for line in lines), output
    assert not any(line.startswith("ok: totally-fine.toml") for line in lines)
    assert_safe(output)


@pytest.mark.parametrize("argv", [
    ["validate", "{path}"],
    ["run", "{path}", "--script", str(TINY_PLAY)],
    ["check", "{path}", "--runs", "1", "--jobs", "1"],
    ["play", "{path}"],
])
def test_hostile_keys_are_quoted_visibly_on_one_line(capsys, hostile_keys_file, argv) -> None:
    code, out, err = drill(capsys, *[a.format(path=hostile_keys_file) for a in argv])
    assert code == 1
    assert_keys_quoted(hostile_keys_file, out + err)


def test_list_quotes_hostile_keys_in_its_warning(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    path = workdir / "scenarios" / "keys.toml"
    path.write_text(hostile_keys(), encoding="utf-8")
    code, out, err = drill(capsys, "list")
    assert code == 0
    assert all(line.startswith("warning: skipped ") for line in err.splitlines())
    assert_keys_quoted(path, err.replace("warning: skipped ", ""))
    assert_safe(out)


@pytest.mark.parametrize("place", ["[meta]", "[[events]]", "[[people]]", "[clock]", "[truth]"])
def test_escapes_in_any_table_key_are_quoted(capsys, workdir, place) -> None:
    path = workdir / "nested.toml"
    path.write_text(TINY.replace(place, f'{place}\n"{OSC52}" = 1', 1), encoding="utf-8")
    code, out, _ = drill(capsys, "validate", str(path))
    assert code == 1 and SHOWN_KEYS[0] in out
    assert_safe(out)


@pytest.mark.parametrize("header", [f'["{OSC52}"]', f'[["{OSC52}"]]', f'[meta."{OSC52}"]'])
def test_escapes_in_table_names_are_quoted(capsys, workdir, header) -> None:
    path = workdir / "header.toml"
    path.write_text(TINY + f"\n{header}\nx = 1\n", encoding="utf-8")
    code, out, _ = drill(capsys, "validate", str(path))
    assert code == 1 and SHOWN_KEYS[0] in out and len(out.splitlines()) == 1
    assert_safe(out)


def test_escapes_in_a_play_scripts_keys_and_ids_are_quoted(capsys, workdir) -> None:
    script = workdir / "script.toml"
    script.write_text(f'scenario = "tiny"\n"{OSC52}" = 1\n[[steps]]\nat = 3\ndo = "start"\n'
                      f'action = "{OSC52}"\n', encoding="utf-8")
    code, out, err = drill(capsys, "run", str(FIXTURES / "tiny.toml"), "--script", str(script))
    assert code == 1 and SHOWN_KEYS[0] in err
    assert_safe(out, err)
    good = workdir / "good.toml"
    good.write_text(f'scenario = "tiny"\n[[steps]]\nat = 3\ndo = "start"\naction = "{OSC52}"\n')
    code, out, err = drill(capsys, "validate", str(FIXTURES / "tiny.toml"), str(good))
    assert code == 1 and "steps[0].action" in out
    assert_safe(out, err)


def hostile_texts(scenario: str) -> str:
    """Every kind of text of the tiny scenario made hostile (the scenario stays valid)."""
    texts = [text for _, text, _ in HOSTILE]
    spelled = [json.dumps(text) for text in texts]  # a TOML basic string spells them the same
    replacements = [('title = "Tiny"', f"title = {json.dumps('ab' + chr(10) + 'ok: forged')}"),
                    ('summary = "A tiny test scenario."', f"summary = {spelled[0]}"),
                    ('text = "Errors up"', f"text = {spelled[2]}"),
                    ('label = "Fix box"', f"label = {spelled[5]}"),
                    ('role = "Ops"', f"role = {spelled[7]}\nname = {spelled[11]}"),
                    ('title = "Fixed"', f"title = {spelled[9]}"),
                    ('debrief = "Well done."', f"debrief = {spelled[16]}"),
                    ('label = "All fixed"', f"label = {spelled[3]}")]
    for old, new in replacements:
        assert old in scenario, old
        scenario = scenario.replace(old, new, 1)
    return scenario


def test_hostile_texts_of_a_valid_scenario_never_reach_the_terminal(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    path = workdir / "scenarios" / "tiny.toml"
    path.write_text(hostile_texts(TINY), encoding="utf-8")
    outputs = []
    for argv in (["validate", str(path)], ["list"],
                 ["run", str(path), "--script", str(TINY_PLAY)],
                 ["run", str(path), "--script", str(TINY_PLAY), "--json"],
                 ["check", str(path), "--runs", "2", "--jobs", "1"]):
        code, out, err = drill(capsys, *argv)
        assert code in (0, 1), err  # check exits 1 when it finds something
        outputs += [out, err]
    assert "Ending:" in outputs[4] and "ab ok: forged (scenario tiny, seed 7)" in outputs[4]
    assert not any(line.startswith("ok: forged") for output in outputs
                   for line in output.splitlines())
    assert any(line.startswith("tiny ") for line in outputs[2].splitlines())
    assert_safe(*outputs)


def test_a_hostile_file_name_is_shown_escaped(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    path = workdir / "scenarios" / "evil\x1b]0;owned\x07.toml"
    path.write_text("[meta\n")
    code, out, err = drill(capsys, "list")
    assert code == 0 and "evil\\e]0;owned\\x07.toml" in err
    code, out, err = drill(capsys, "validate", str(path))
    assert code == 1 and "evil\\e]0;owned\\x07.toml" in out
    assert_safe(out, err)


# -- damaged saves -------------------------------------------------------------------------------


@pytest.fixture
def good_save(workdir) -> Path:
    session = GameSession.start(ScenarioSource.open(str(FIXTURES / "tiny.toml")), seed=2,
                                pace=1.0, saves_dir=workdir / "saves",
                                players=["Ana (commander)"])
    from drill.engine.playscript import PlayScript

    for step in PlayScript.model_validate({"steps": [
            {"at": 3, "do": "page", "person": "ops"},
            {"at": 4, "do": "start", "action": "fix"}]}).steps:
        session.act(step)
    session.advance_to(120)
    return session.save_path


def raw(spelling: str) -> str:
    """A number spelled as JSON allows but drill never writes (``1e400``, ``NaN``)."""
    return f"@@RAW:{spelling}@@"


def set_field(key: str, value: object) -> Callable[[dict], None]:
    def change(body: dict) -> None:
        body[key] = value
    return change


def damage(path: Path, change: Callable[[dict], None]) -> Path:
    """Apply ``change`` to the save at ``path``, in place."""
    body = json.loads(path.read_text())
    change(body)
    path.write_text(re.sub(r'"@@RAW:(.*?)@@"', r"\1", json.dumps(body)))
    return path


DAMAGED_FIELDS = [
    ("huge seed", set_field("seed", raw("1e400")), "seed: must be a whole number from 0 to "
                                                   "2**63-1, not Infinity"),
    ("negative seed", set_field("seed", -1), "seed: must be a whole number"),
    ("text seed", set_field("seed", "7"), "seed: must be a whole number"),
    ("nan clock", set_field("clock", raw("NaN")), "clock: must be a finite number, not NaN"),
    ("negative clock", set_field("clock", -5), "clock: must be 0 or more, not -5"),
    ("zero pace", set_field("pace", 0), "pace: must be above 0"),
    ("infinite pace", set_field("pace", raw("Infinity")), "pace: must be a finite number"),
    ("steps not a list", set_field("steps", "x"), "steps: Input should be a valid list"),
    ("unknown step", set_field("steps", [{"at": 1, "do": "dance"}]), "steps.0"),
    ("lone surrogate", set_field("players", ["\ud800"]), "players[0]: not valid Unicode"),
    ("name not text", set_field("names", {"ops": 5}), "names.ops: must be text"),
    ("scenario not an object", set_field("scenario", "tiny"), "scenario: must be an object"),
    ("version true", set_field("version", True), "save format version true"),
    ("digits", set_field("seed", raw("9" * 5000)), "not a save file"),
    ("hostile scenario", lambda body: body["scenario"].update(
        id="x\x1b]52;c;cm0=\x07", path="/dev/zero"),
     "its scenario 'x\\e]52;c;cm0=\\x07' does not load: /dev/zero: is a character device"),
]


@pytest.mark.parametrize(("name", "change", "reason"), DAMAGED_FIELDS,
                         ids=[case[0] for case in DAMAGED_FIELDS])
def test_a_damaged_save_is_refused_in_one_line_everywhere(capsys, workdir, good_save, name,
                                                          change, reason) -> None:
    bad = damage(Path(shutil.copy(good_save, good_save.with_name("bad.json"))), change)
    again = Path(shutil.copy(bad, bad.with_name("again.json")))
    with pytest.raises(SaveError) as caught:
        GameSession.resume(bad)
    assert str(caught.value).startswith(f"{bad}: ") and reason in str(caught.value)

    code, out, err = drill(capsys, "compare", str(bad), str(again))
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2 and all(reason in line for line in lines)
    assert lines[0] == f"drill compare: {caught.value}"
    code, out, err = drill(capsys, "resume", str(bad))
    assert code == 1 and err == f"drill resume: {caught.value}\n"
    assert_safe(out, err, str(caught.value))


def test_the_picker_marks_a_damaged_save_and_goes_on(good_save) -> None:
    folder = good_save.parent
    for number, (_, change, _) in enumerate(DAMAGED_FIELDS[:7]):
        damage(Path(shutil.copy(good_save, folder / f"bad-{number}.json")), change)
    (folder / "empty.json").write_text("")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00")
    (folder / "deep.json").write_text("[" * 100_000)
    (folder / "digits.json").write_text('{"format": "drill-save", "seed": ' + "9" * 5000 + "}")
    cards = save_cards(folder)
    assert len(cards) == 12
    good = [card for card in cards if not card.problem]
    assert [card.path for card in good] == [good_save] and good[0].finished
    for card in cards:
        assert "\n" not in card.problem and not any(c in card.problem for c in DANGEROUS)


def test_non_regular_files_in_the_saves_folder_are_never_opened(capsys, good_save) -> None:
    folder = good_save.parent
    os.mkfifo(folder / "pipe.json")
    (folder / "dir.json").mkdir()
    (folder / "null.json").symlink_to("/dev/null")
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(save_cards(folder)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done, "listing the saves blocked on a FIFO"
    assert [card.path for card in done[0]] == [good_save]
    code, _, err = drill(capsys, "compare", str(good_save), str(folder / "pipe.json"))
    assert code == 1 and "is a FIFO (named pipe), not a save file" in err
    code, _, err = drill(capsys, "resume", str(folder / "null.json"))
    assert code == 1 and "is a character device, not a save file" in err


def test_a_save_whose_steps_no_longer_replay_names_the_step(capsys, good_save) -> None:
    body = json.loads(good_save.read_text())
    body["steps"].append({"at": 12, "do": "page", "person": "ops"})
    good_save.write_text(json.dumps(body))
    who = body["names"]["ops"]
    expected = (f"{good_save}: the saved steps no longer replay: step 3 (page at T+12): {who} "
                "has already been paged")
    with pytest.raises(SaveError) as caught:
        GameSession.resume(good_save)
    assert str(caught.value) == expected
    code, _, err = drill(capsys, "compare", str(good_save), str(good_save))
    assert code == 1 and err == f"drill compare: {expected}\ndrill compare: {expected}\n"
    body["steps"] = [{"at": 5, "do": "page", "person": "ops"},
                     {"at": 2, "do": "start", "action": "fix"}]
    good_save.write_text(json.dumps(body))
    with pytest.raises(SaveError, match=r"step 2 \(start at T\+2\): cannot act in the past"):
        GameSession.resume(good_save)
