"""Hostile and mangled scenario files: loading says what is wrong, and never crashes or hangs."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drill.engine.scenario import Scenario
from drill.loading import INTERNAL, LoadError, Problem, load_scenario, validate_paths

from .hostile import DANGEROUS

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
SEED_FILES = [
    FIXTURES / "tiny.toml",
    *sorted((REPO / "scenarios").glob("*.toml")),
    *sorted((FIXTURES / "bad").glob("*.toml")),
]
SEED_TEXTS = [path.read_bytes() for path in SEED_FILES]

JUNK = [
    b"[", b"]", b"[[", b"]]", b"{", b"}", b'"', b"'", b'"""', b"'''", b"=", b"\\", b".", b",",
    b"#", b"\x00", b"\xff", b"\xfe\xff", "é".encode(), "🔥".encode(), "\u202e".encode(),
    b"\x1b]52;c;cm0=\x07", b'"\\u001b]0;x\\u0007"', b'"a\\nok: fine.toml"', b"\xc2\x9b2J",
    b"[[events]]", b"[meta]", b"[" * 200, b"{a=" * 80, b"\r\n", b"\t", b"\n\n",
]
VALUES = [
    b"-1", b"0", b"1e999", b"nan", b"inf", b"-inf", b"9" * 60, b'"x"', b"[]", b"{}", b"true",
    b"1979-05-27", b"07:32:00", b'"done.x and"', b'"errors +"', b'"fired.nope"', b'"time > 1e9"',
    b'"(((((((((((((((((((((((((((((((((((((((((((x)))))))))))))))))))))))))))))))))))))))))))"',
    b'"' + b"not " * 300 + b'true"', b"[1, 2, 3]", b'{ x = 1 }', b'"' + b"a" * 30_000 + b'"',
    b'"errors * errors * errors * errors"', b"0.000001", b"100000000",
]


@st.composite
def mangled_scenarios(draw: st.DrawFn) -> bytes:
    """A real scenario file with a few lines or bytes changed."""
    lines = draw(st.sampled_from(SEED_TEXTS)).split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [b""]
        where = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "value", "flip", "truncate", "insert"]
        ))
        if operation == "delete":
            del lines[where]
        elif operation == "duplicate":
            lines.insert(where, lines[where])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            key, _, value = lines[where].partition(b"=")
            other_key, _, other_value = lines[other].partition(b"=")
            if value and other_value:
                lines[where], lines[other] = key + b"=" + other_value, other_key + b"=" + value
        elif operation == "value":
            key, sep, _ = lines[where].partition(b"=")
            if sep:
                lines[where] = key + b"= " + draw(st.sampled_from(VALUES))
        elif operation == "flip":
            blob = bytearray(b"\n".join(lines))
            if blob:
                at = draw(st.integers(0, len(blob) - 1))
                blob[at] ^= 1 << draw(st.integers(0, 7))
            lines = bytes(blob).split(b"\n")
        elif operation == "truncate":
            blob = b"\n".join(lines)
            lines = blob[: draw(st.integers(0, len(blob)))].split(b"\n")
        else:
            line = lines[where]
            at = draw(st.integers(0, len(line)))
            lines[where] = line[:at] + draw(st.sampled_from(JUNK)) + line[at:]
    return b"\n".join(lines)


def assert_safe_to_print(problem: Problem) -> None:
    """A problem prints as one line, and nothing in it can drive a terminal."""
    shown = str(problem)
    assert "\n" not in shown and "\r" not in shown, shown
    assert not any(char in shown for char in DANGEROUS), shown


def assert_only_load_errors(path: Path) -> None:
    """Loading and validating give a scenario or LoadError, never another exception or a bug."""
    try:
        scenario = load_scenario(path)
    except LoadError as error:
        assert error.problems, "a LoadError must say what is wrong"
        for problem in error.problems:
            assert isinstance(problem, Problem) and problem.file == str(path)
            assert not problem.message.startswith(INTERNAL), str(problem)
            assert_safe_to_print(problem)
    else:
        assert isinstance(scenario, Scenario)
    for problem in validate_paths([path]):
        assert problem.file == str(path)
        assert not problem.message.startswith(INTERNAL), str(problem)
        assert_safe_to_print(problem)


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(content=mangled_scenarios())
def test_mangled_scenarios_give_load_errors_or_load(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "mangled.toml"
    path.write_bytes(content)
    assert_only_load_errors(path)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_random_bytes_give_load_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.toml"
    path.write_bytes(content)
    assert_only_load_errors(path)


def test_every_seed_file_is_exercised() -> None:
    # The fuzzing starts from real files; if none were found it would test nothing useful.
    assert FIXTURES / "tiny.toml" in SEED_FILES and len(SEED_TEXTS) >= 2
