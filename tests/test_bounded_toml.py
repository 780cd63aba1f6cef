"""The scan that keeps tomllib's work bounded: it refuses what goes past a limit, never what the
format needs, and cannot be fooled by strings or comments into letting a deep structure through."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drill.bounded_toml import (
    MAX_ARRAY_ITEMS, MAX_KEY_PARTS, MAX_NESTING, MAX_TABLE_KEYS, MAX_VALUES, TomlRefused,
    limit_exceeded, oversized, parse,
)

REPO = Path(__file__).resolve().parent.parent
REAL_FILES = sorted([*REPO.glob("scenarios/*.toml"), *REPO.glob("docs/**/*.toml"),
                     *REPO.glob("tests/fixtures/*.toml"), *REPO.glob("tests/plays/*/*.toml")])


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_real_file_keeps_the_limits(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert limit_exceeded(text) is None
    assert oversized(tomllib.loads(text)) is None


def keys(parts: int) -> str:
    return ".".join(f"k{i}" for i in range(parts))


@pytest.mark.parametrize(("text", "line", "reason"), [
    (f"{keys(MAX_KEY_PARTS + 1)} = 1\n", 1, f"a key has more than {MAX_KEY_PARTS} parts"),
    (f"[{keys(MAX_KEY_PARTS + 1)}]\n", 1, f"a table name has more than {MAX_KEY_PARTS} parts"),
    (f"[[{keys(MAX_KEY_PARTS + 1)}]]\n", 1, "a table name has more than"),
    (f"\n[{keys(6)}]\n{keys(5)} = 1\n", 3, "its table's name included"),
    (f'x = {{ {keys(MAX_KEY_PARTS + 1)} = 1 }}\n', 1, "a key has more than"),
    ('"a"."b".' * MAX_KEY_PARTS + "c = 1\n", 1, "a key has more than"),
    ("x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), 1, "nested more than"),
    ("x = " + "{a = " * (MAX_NESTING + 1), 1, "nested more than"),
    ("x = [" + "1," * (MAX_ARRAY_ITEMS + 1) + "]\n", 1, "an array of more than"),
    ("x = {" + ", ".join(f"a{i} = 1" for i in range(MAX_TABLE_KEYS + 1)) + "}", 1,
     "keys in one inline table"),
    ("[t]\n" + "".join(f"a{i} = 1\n" for i in range(MAX_TABLE_KEYS + 1)), MAX_TABLE_KEYS + 2,
     "keys under one table header"),
    ("".join(f"[t{i}]\na = [1, 2, 3, 4]\n" for i in range(MAX_VALUES // 5 + 1)), None,
     f"more than {MAX_VALUES:,} values"),
], ids=lambda value: value[:30] if isinstance(value, str) else None)
def test_each_limit_is_refused_with_its_line_before_parsing(text: str, line: int | None,
                                                           reason: str) -> None:
    found = limit_exceeded(text)
    assert found is not None and reason in found[1]
    if line is not None:
        assert found[0] == line
    with pytest.raises(TomlRefused, match=reason.split("{")[0][:20]):
        parse(text)


@pytest.mark.parametrize("text", [
    f"{keys(MAX_KEY_PARTS)} = 1\n",
    f"[{keys(5)}]\n{keys(5)} = 1.5\n",
    f"[{keys(MAX_KEY_PARTS - 1)}]\nx = 1979-05-27T07:32:00.999\n",  # dots in a value
    'a = "' + "." * 500 + '"\n',  # dots in a string
    "a = 1 # " + "[{." * 500 + "\n",  # in a comment
    "x = [" + "1," * MAX_ARRAY_ITEMS + "]\n",  # a trailing comma: exactly the limit
    "x = [\n" + "  [1.5, 2.5],\n" * 10 + "]\n",
    "x = {" + ", ".join(f"a{i} = 1" for i in range(MAX_TABLE_KEYS)) + "}",
], ids=lambda value: value[:30])
def test_what_keeps_the_limits_parses(text: str) -> None:
    assert limit_exceeded(text) is None
    assert parse(text) == tomllib.loads(text)


@pytest.mark.parametrize("hiding", [
    'x = ["""a""""',  # a multi-line string may end with up to two extra quotes
    "x = ['''a'''''",
    'x = ["a\\"b"',  # an escaped quote does not end a basic string
    'x = ["""a\\\n  b"""',  # a line-ending backslash inside a multi-line string
    "x = ['a\\'",  # a literal string has no escapes
])
def test_strings_cannot_hide_nesting_from_the_scan(hiding: str) -> None:
    deep = hiding + ", " + "[" * 200 + "]" * 200 + "]\n"
    found = limit_exceeded(deep)
    try:
        tomllib.loads(deep)
    except (tomllib.TOMLDecodeError, RecursionError):
        return  # tomllib refuses it itself, before or at the deep part
    assert found is not None and "nested more than" in found[1]


def test_an_unterminated_string_is_left_to_tomllib() -> None:
    text = 'a = "open\nb = ' + "[" * 10_000
    assert limit_exceeded(text) is None
    with pytest.raises(TomlRefused, match="invalid TOML"):
        parse(text)


def test_oversized_data_is_found_in_file_order() -> None:
    data = {"a": [1] * 3, "b": {"c": list(range(MAX_ARRAY_ITEMS + 1))},
            "d": {str(i): 1 for i in range(MAX_TABLE_KEYS + 1)}}
    assert oversized(data) == (("b", "c"), f"an array of {MAX_ARRAY_ITEMS + 1:,} items; the "
                                           f"limit is {MAX_ARRAY_ITEMS:,}")
    del data["b"]
    assert oversized(data)[0] == ("d",)
