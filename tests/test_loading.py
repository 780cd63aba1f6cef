"""Loading untrusted files: every failure is one line naming the file, the line and the field."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from drill import bounded_toml, loading, storage
from drill.engine.playscript import PlayScript
from drill.loading import (
    LoadError,
    Problem,
    TomlLocator,
    check_playscript,
    load_playscript,
    load_scenario,
    validate_paths,
)

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
BAD = FIXTURES / "bad"
TINY = (FIXTURES / "tiny.toml").read_text()


def problems_of(path: Path | str) -> list[str]:
    """The problems of loading a scenario file, as printed."""
    with pytest.raises(LoadError) as caught:
        load_scenario(path)
    return [str(problem) for problem in caught.value.problems]


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# -- the problem format ------------------------------------------------------------------------


def test_problem_prints_file_line_field_and_message() -> None:
    assert str(Problem("a.toml", 3, None, "events[2].at", "bad")) == "a.toml:3: events[2].at: bad"
    assert str(Problem("a.toml", 3, 7, "", "bad")) == "a.toml:3:7: bad"
    assert str(Problem("a.toml", None, None, "postmortem", "bad")) == "a.toml: postmortem: bad"
    assert str(Problem("a.toml", None, None, "", "bad")) == "a.toml: bad"


def test_load_error_lists_one_problem_per_line() -> None:
    error = LoadError([Problem("a.toml", 1, None, "x", "one"),
                       Problem("a.toml", 2, None, "y", "two")])
    assert str(error) == "a.toml:1: x: one\na.toml:2: y: two"


# -- files that cannot be read -----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert problems_of(path) == [f"{path}: no such file"]


def test_directory(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: is a directory, not a TOML file"]


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[list[str]] = []
    worker = threading.Thread(target=lambda: outcome.append(problems_of(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert outcome == [[f"{fifo}: is a FIFO (named pipe), not a TOML file"]]


def test_device_is_refused() -> None:
    assert problems_of("/dev/null") == ["/dev/null: is a character device, not a TOML file"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, TINY)
    if os.geteuid() == 0:  # root reads anything: simulate the refusal the OS would give
        def refuse(*_args: object, **_kwargs: object) -> int:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(storage.os, "open", refuse)
    else:
        path.chmod(0)
    assert problems_of(path) == [f"{path}: permission denied: cannot read it"]


def test_file_over_one_mebibyte_is_refused_before_reading(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, b"# " + b"x" * (1024 * 1024))
    monkeypatch.setattr(storage.os, "open", lambda *a, **k: pytest.fail("opened a huge file"))
    assert problems_of(path) == [f"{path}: too large: 1,048,578 bytes, the limit is 1,048,576"]


def test_file_growing_after_stat_is_read_only_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, b"#" * (3 * 1024 * 1024))
    real_stat, real_read = os.stat, os.read
    read: list[int] = []

    class Small:
        st_mode = real_stat(path).st_mode
        st_size = 10

    monkeypatch.setattr(storage.os, "stat", lambda _path: Small)
    monkeypatch.setattr(storage.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(LoadError, match="too large: more than 1,048,576 bytes"):
        loading.read_text(path)
    assert sum(read) <= 1024 * 1024 + 1


def test_binary_file_names_the_nul_byte_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"[meta]\nid = 1\n\x00\x01\x02")
    assert problems_of(path) == [f"{path}:3: binary data, not TOML text (NUL byte at byte 14)"]


def test_non_utf8_file_names_the_byte_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"[meta]\n\ntitle = \"caf\xe9\"\n")
    assert problems_of(path) == [f"{path}:3: not UTF-8 text: invalid byte 0xe9 at byte 20"]


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + TINY.encode())
    assert load_scenario(path).meta.id == "tiny"


def test_deep_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[meta]\n\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert problems_of(path) == [f"{path}:3: brackets nested more than 50 levels deep"]


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting(tmp_path: Path) -> None:
    deep = "[" * 80
    text = TINY.replace('summary = "A tiny test scenario."',
                        f'summary = "{deep}"  # {deep}\n# {deep}')
    text = text.replace('root_cause = "z"', f"root_cause = '''\n{deep}\n'''")
    assert load_scenario(write(tmp_path, text)).meta.summary == deep


def test_recursion_in_the_toml_parser_becomes_a_load_error(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Even without the bracket pre-scan, tomllib's RecursionError must not escape.
    monkeypatch.setattr(bounded_toml, "MAX_NESTING", 10**9)
    path = write(tmp_path, "x = " + "[" * 100_000)
    assert problems_of(path) == [f"{path}: invalid TOML: nested too deeply"]


# -- TOML syntax -------------------------------------------------------------------------------


def test_syntax_error_gives_line_and_column() -> None:
    path = BAD / "syntax_error.toml"
    assert problems_of(path) == [f"{path}:6:9: invalid TOML: Invalid value"]


def test_syntax_error_at_end_of_file_gives_the_last_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[meta]\nid = [1,\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: invalid TOML: ") and "end of the file" in problem


def test_duplicate_table_is_a_syntax_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, TINY + "\n[meta]\nid = 'again'\n")
    (problem,) = problems_of(path)
    assert problem == f"{path}:75:6: invalid TOML: Cannot declare ('meta',) twice"


# -- schema errors, located --------------------------------------------------------------------


def test_schema_errors_name_line_and_dotted_field() -> None:
    path = BAD / "schema_errors.toml"
    assert problems_of(path) == [
        f"{path}:19: clock.zones[1].utc_offset: Input should be a valid number, unable to parse "
        "string as a number",
        f"{path}:35: events[1].at: Input should be a valid number, unable to parse string as a "
        "number",
        f"{path}:41: actions[0].duraton: unknown key (did you mean 'duration'?)",
        f"{path}:43: people[0].role: required key is missing",
    ]


def test_missing_top_level_table_has_no_line(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.split("[postmortem]")[0])
    assert problems_of(path) == [f"{path}: postmortem: required key is missing"]


def test_union_errors_are_merged_into_one_message(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace("fixed = 0", "fixed = [0]"))
    assert problems_of(path) == [
        f"{path}:23: state.fixed: expected true or false, an integer, a number or a string, "
        "got an array"
    ]


def test_model_rule_is_reported_at_the_table_header(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace("at = 2\n", ""))
    assert problems_of(path) == [
        f"{path}:25: events[0]: give a trigger: `at`, `when`, `every` or `follows` (or mark it `optional`)"
    ]


def test_bad_expression_is_reported_at_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace('until = "fixed >= 4"', 'until = "fixed >="'))
    assert problems_of(path) == [f"{path}:35: events[1].until: expression ends too early"]


def test_unknown_key_with_nothing_close_lists_the_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace("[truth]\n", "[truth]\nzzz = 1\n"))
    assert problems_of(path) == [f"{path}:19: truth.zzz: unknown key; known keys: summary, details"]


def test_problems_come_in_file_order(tmp_path: Path) -> None:
    text = TINY.replace('id = "tiny"', 'id = "Not An Id"').replace("delay = 5", "delay = -5")
    lines = [problem.split(":")[1] for problem in problems_of(write(tmp_path, text))]
    assert lines == ["2", "53"]


# -- semantic errors stop loading; what merely never happens does not --------------------------


def test_semantic_errors_are_located() -> None:
    path = BAD / "bad_references.toml"
    assert problems_of(path) == [
        f"{path}:29: events[0].effects.eror: unknown state variable 'eror' (did you mean "
        "'errors'?); declare it under [state]",
        f"{path}:32: events[1].id: duplicate id 'alert' (first used at events[0])",
        f"{path}:33: events[1].when: unknown action 'rolback' in 'done.rolback' (did you mean "
        "'rollback'?)",
        f"{path}:38: actions[0].available_when: a condition must be true or false, this is a "
        "number",
        f"{path}:39: actions[0].effects.status: 'status' holds a text, this expression gives a "
        "number",
        f"{path}:40: actions[0].progress_var: 'status' must be a number variable, it is a text",
        f"{path}:45: people[0].zone: unknown zone 'moon'",
        f"{path}:50: milestones[0].when: cannot compare a str with a number",
        f"{path}:58: requests[0].milestone: unknown milestone 'down'",
    ]


def test_a_scenario_with_dead_parts_still_loads_for_play() -> None:
    assert load_scenario(BAD / "unreachable.toml").meta.id == "unreachable"


def test_validate_reports_what_can_never_happen() -> None:
    path = BAD / "unreachable.toml"
    assert [str(p) for p in validate_paths([path])] == [
        f"{path}:27: events[0].at: never fires: at 500 is after the clock's limit (120)",
        f"{path}:32: events[1].when: can never hold, so event 'never' never fires",
        f"{path}:42: events[3].every: recurs 120,000 times before the clock's limit (120): a "
        "run stops after 10,000 firings of one event",
        f"{path}:48: actions[0].available_when: can never hold, so action 'panic' is never offered",
        f"{path}:59: milestones[0].when: can never hold, so milestone 'calm' is never reached",
        f"{path}:61: endings: no `resolved` ending can be reached: players can never win this "
        "scenario",
        f"{path}:64: endings[0].when: can never hold, so ending 'ok' is never reached",
        f"{path}:68: endings[1].when: this failed ending holds from the start, so every run "
        "would end at once; give it a `when`",
    ]


def test_validate_accepts_a_valid_scenario() -> None:
    assert validate_paths([FIXTURES / "tiny.toml"]) == []


def test_validate_reports_bad_paths_and_goes_on(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    problems = validate_paths(
        [tmp_path, missing, FIXTURES / "tiny.toml", BAD / "syntax_error.toml"]
    )
    assert [str(p) for p in problems] == [
        f"{tmp_path}: is a directory, not a TOML file",
        f"{missing}: no such file",
        f"{BAD / 'syntax_error.toml'}:6:9: invalid TOML: Invalid value",
    ]


# -- play scripts ------------------------------------------------------------------------------


def test_play_script_steps_are_checked_against_the_scenario() -> None:
    path = BAD / "bad_playscript.toml"
    script = load_playscript(path)
    problems = check_playscript(script, load_scenario(FIXTURES / "tiny.toml"), path)
    assert [str(p) for p in problems] == [
        f"{path}:7: steps[0].action: unknown action 'fixx' (did you mean 'fix'?)",
        f"{path}:12: steps[1].person: unknown person 'nobody'",
        f"{path}:25: steps[3].milestone: unknown milestone 'unknown'",
    ]


def test_play_script_written_for_another_scenario(tmp_path: Path) -> None:
    script = PlayScript(scenario="other")
    (problem,) = check_playscript(script, load_scenario(FIXTURES / "tiny.toml"))
    assert str(problem) == "<play script>: scenario: written for scenario 'other', not 'tiny'"


def test_validate_checks_a_play_script_against_a_scenario_given_with_it() -> None:
    problems = validate_paths([BAD / "bad_playscript.toml", FIXTURES / "tiny.toml"])
    assert [p.field for p in problems] == ["steps[0].action", "steps[1].person",
                                           "steps[3].milestone"]


def test_play_script_schema_errors_skip_pydantic_tags(tmp_path: Path) -> None:
    path = write(tmp_path, "[[steps]]\nat = 1\ndo = 'start'\n\n[[steps]]\nat = 2\ndo = 'dance'\n",
                 "script.toml")
    with pytest.raises(LoadError) as caught:
        load_playscript(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: steps[0].action: required key is missing",
        f"{path}:5: steps[1]: Input tag 'dance' found using 'do' does not match any of the "
        "expected tags: 'start', 'update', 'page', 'estimate', 'answer', 'resolve', 'takeover', 'facilitate'",
    ]


# -- the line locator --------------------------------------------------------------------------

LOCATOR_TEXT = '''\
title = "x"   # a comment with [brackets]
[a]
b.c = 1
"quoted key" = 2
text = """
[[not_a_header]]
"""
[[arr]]
k = 1
[[arr]]
k = 2
[[arr.sub]]
z = 3
[arr.tbl]
y = 4
[[arr.sub]]
z = 5
[other]
list = [
  { id = "one" },
  { id = "two", n = [1,
                     2] },
]
inline = { p = { q = 1 } }
'''


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("title",), 1),
        (("a",), 2),
        (("a", "b", "c"), 3),
        (("a", "quoted key"), 4),
        (("a", "text"), 5),
        (("not_a_header",), None),
        (("arr", 0, "k"), 9),
        (("arr", 1), 10),
        (("arr", 1, "k"), 11),
        (("arr", 1, "sub", 0, "z"), 13),
        (("arr", 1, "tbl", "y"), 15),
        (("arr", 1, "sub", 1, "z"), 17),
        (("arr", 1, "missing_key"), 10),
        (("other", "list", 1, "id"), 21),
        (("other", "list", 1, "n", 1), 22),
        (("other", "inline", "p", "q"), 24),
        (("nowhere",), None),
    ],
)
def test_locator_finds_the_line_of_a_location(loc: tuple, line: int | None) -> None:
    assert TomlLocator(LOCATOR_TEXT).line_for(loc) == line


def test_locator_never_fails_on_text_it_does_not_understand() -> None:
    locator = TomlLocator("a = 1\n[b\nc = {{{{\n")
    assert locator.line_for(("a",)) == 1 and locator.line_for(("c",)) is None
