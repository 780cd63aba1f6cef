"""TOML from untrusted files, parsed with bounded work: the limits, checked before the work.

``tomllib`` is safe (it never evaluates anything) but not cheap on every input: it recurses once
per level of brackets, its work grows with the square of a dotted key's length (a 40 KB file of
keys 20,000 parts deep took 10 s and 1.6 GB), and the models then validate every element of an
array however long it is (330,000 wrong elements took over 10 s and 500 MB).  So a text is
scanned for its nesting and its key lengths *before* ``tomllib`` sees it, and the parsed data is
measured (array lengths, table sizes) *before* pydantic sees it.  The limits are far above what
the scenario format needs and are documented in docs/scenario-format.md ("Limits").

This module imports only the standard library: the picker uses it to peek at scenario headers
without paying for pydantic.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

MAX_BYTES = 1024 * 1024
"""Largest file accepted (1 MiB): a scenario is a few dozen KiB."""
MAX_NESTING = 50
"""Deepest nesting of ``[`` and ``{`` in values; the format needs about 4."""
MAX_KEY_PARTS = 10
"""Most parts in a key, a table header's parts included (``[a.b]`` then ``c.d = 1`` is 4);
the format needs 5 at most (``scoring.rollback.parts.first = 0.3`` at the top level)."""
MAX_ARRAY_ITEMS = 1000
"""Longest array anywhere; the format's longest list (``events``) holds at most 1000."""
MAX_TABLE_KEYS = 1000
"""Most keys in one table; the format's largest table (``[state]``) holds at most 500."""
MAX_VALUES = 50_000
"""Most values (strings, numbers, arrays, tables...) in one file; a bundled scenario holds about
600.  The models' work grows with every value, more so with every wrong one."""

Location = tuple[str | int, ...]


class TomlRefused(Exception):
    """A text that is not parsed: a syntax error, or a limit exceeded before parsing.

    ``message`` says what is wrong; ``line`` and ``column`` where, when known.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# -- before parsing: nesting, key length, array and table sizes ------------------------------

# Outside strings and comments, the only characters that matter (a run of one kind at once).
_TOKEN = re.compile(r"[\"'#.\[{]|\n+|\]+|\}+|,+|=+")
# After `=` on a top-level line, dots are part of a value (1.5, a date): not even looked at.
_VALUE_TOKEN = re.compile(r"[\"'#\[{]|\n+|\]+|\}+|,+")
# Whole strings, skipped at once (the same rules tomllib applies: a multi-line string may end
# with up to two extra quotes, and a backslash may end a line inside a multi-line basic string).
_STRINGS = {
    '"""': re.compile(r'"""(?:\\.|[^\\])*?"""(?!")', re.S),
    "'''": re.compile(r"'''.*?'''(?!')", re.S),
    '"': re.compile(r'"(?:\\[^\n]|[^\\"\n])*"'),
    "'": re.compile(r"'[^'\n]*'"),
}


def limit_exceeded(text: str) -> tuple[int, str] | None:
    """The line and reason where ``text`` goes past a limit, or None when it keeps them all.

    One pass over the text that skips strings and comments, in time proportional to its length,
    and stops at the first limit exceeded: brackets nested deeper than :data:`MAX_NESTING`, a
    key of more than :data:`MAX_KEY_PARTS` parts, an array of more than
    :data:`MAX_ARRAY_ITEMS` items, more than :data:`MAX_TABLE_KEYS` keys under one table header
    or in one inline table, more than :data:`MAX_VALUES` values.  A text it cannot follow (an unterminated string) is left to
    ``tomllib``, which stops at the same place with a syntax error, so nothing after it is ever
    parsed.
    """
    openers: list[str] = []  # the [ and { open inside values
    commas: list[int] = []  # commas so far inside each of them
    header_parts = 0  # parts of the last [table] header (none before the first)
    section_keys = 0  # keys written under the last header
    values = 0  # at least this many values so far: one per `=` and per header, one per comma
    dots = 0  # dots in the key being read
    in_header = in_value = False  # in a [table] header; after `=` on a top-level line
    line, pos = 1, 0
    length = len(text)
    while pos < length:
        found = (_VALUE_TOKEN if in_value and not openers else _TOKEN).search(text, pos)
        if found is None:
            return None
        pos, token = found.start(), found.group()
        first = token[0]
        if first in "\"'":
            quote = first * 3 if text.startswith(first * 3, pos) else first
            string = _STRINGS[quote].match(text, pos)
            if string is None:
                return None  # unterminated: tomllib stops here too
            line += text.count("\n", pos, string.end())
            pos = string.end()
            continue
        pos = found.end()
        if first == "\n":
            line += len(token)
            if not openers:
                in_value = False
            dots = 0
        elif first == "#":
            end = text.find("\n", pos)
            pos = length if end < 0 else end
        elif first == ".":
            if in_header:
                header_parts += 1
                if header_parts > MAX_KEY_PARTS:
                    return line, f"a table name has more than {MAX_KEY_PARTS} parts"
            else:
                dots += 1
                if dots + 1 + (0 if openers else header_parts) > MAX_KEY_PARTS:
                    return line, (f"a key has more than {MAX_KEY_PARTS} parts"
                                  + ("" if openers else ", its table's name included"))
        elif first == "[" and not openers and not in_value:
            dots = 0
            if not in_header:  # the second [ of [[ changes nothing
                in_header, header_parts, section_keys = True, 1, 0
                values += 1  # a table
                if values > MAX_VALUES:
                    return line, f"more than {MAX_VALUES:,} values in one file"
        elif first in "[{":
            dots = 0
            openers.append(first)
            commas.append(0)
            if len(openers) > MAX_NESTING:
                return line, f"brackets nested more than {MAX_NESTING} levels deep"
        elif first in "]}":
            dots = 0
            closing = len(token)
            if in_header and not openers:
                in_header = False
                closing -= 1
            if closing > 0:
                del openers[-closing:], commas[-closing:]
        elif first == "=":
            dots = 0
            values += 1
            if values > MAX_VALUES:
                return line, f"more than {MAX_VALUES:,} values in one file"
            if not openers:
                in_value = True
                section_keys += 1
                if section_keys > MAX_TABLE_KEYS:
                    return line, f"more than {MAX_TABLE_KEYS:,} keys under one table header"
        else:  # a run of commas
            dots = 0
            values += len(token)
            if values > MAX_VALUES:
                return line, f"more than {MAX_VALUES:,} values in one file"
            if commas:
                commas[-1] += len(token)
                # n commas separate at least n items (a trailing comma is allowed in arrays).
                if openers[-1] == "[" and commas[-1] > MAX_ARRAY_ITEMS:
                    return line, f"an array of more than {MAX_ARRAY_ITEMS:,} items"
                if openers[-1] == "{" and commas[-1] >= MAX_TABLE_KEYS:
                    return line, f"more than {MAX_TABLE_KEYS:,} keys in one inline table"
    return None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def parse(text: str) -> dict[str, Any]:
    """TOML text to data, or :class:`TomlRefused` with the line (and column) of the problem."""
    exceeded = limit_exceeded(text)
    if exceeded is not None:
        raise TomlRefused(exceeded[1], exceeded[0])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message, line, column = str(error), None, None
        found = _TOML_POSITION.search(message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            message = message[: found.start()]
        elif _TOML_END.search(message):
            line = text.count("\n") + 1
            message = _TOML_END.sub("", message) + " (at the end of the file)"
        raise TomlRefused(f"invalid TOML: {message}", line, column) from None
    except RecursionError:
        raise TomlRefused("invalid TOML: nested too deeply") from None
    except ValueError as error:  # a defensive net: tomllib reports bad values as TOMLDecodeError
        raise TomlRefused(f"invalid TOML: {error}") from None


# -- after parsing: sizes ----------------------------------------------------------------------


def oversized(data: object) -> tuple[Location, str] | None:
    """Where parsed data is too big for the models to validate quickly, and why; None when it
    fits: an array longer than :data:`MAX_ARRAY_ITEMS`, a table with more than
    :data:`MAX_TABLE_KEYS` keys (an array of tables is counted here: its headers are not), or
    more than :data:`MAX_VALUES` values in all.
    """
    stack: list[tuple[Location, object]] = [((), data)]
    values = 0
    while stack:
        loc, node = stack.pop()
        if isinstance(node, list):
            if len(node) > MAX_ARRAY_ITEMS:
                return loc, (f"an array of {len(node):,} items; the limit is "
                             f"{MAX_ARRAY_ITEMS:,}")
            children: list[tuple[Location, object]] = [((*loc, index), item)
                                                       for index, item in enumerate(node)]
        elif isinstance(node, dict):
            if len(node) > MAX_TABLE_KEYS:
                return loc, (f"a table of {len(node):,} keys; the limit is "
                             f"{MAX_TABLE_KEYS:,}")
            children = [((*loc, key), value) for key, value in node.items()]
        else:
            continue
        values += len(children)
        if values > MAX_VALUES:
            return (), f"more than {MAX_VALUES:,} values in one file"
        # Depth first, in file order, so the first problem found is the first in the file.
        stack.extend(reversed([child for child in children
                               if isinstance(child[1], (list, dict))]))
    return None
