"""Hostile scenario files, generated: the worst a file up to the 1 MiB limit can do to the loader.

Shared by the test suite (tests/test_hostile_files.py builds each once per session) and by
``bench/validate_hostile.py``, which times them against a normal scenario.  Each generator
returns the file's text; none is written to the repository (they are up to a mebibyte each).
"""

from __future__ import annotations

from pathlib import Path

from drill.bounded_toml import MAX_ARRAY_ITEMS, MAX_KEY_PARTS, MAX_NESTING, MAX_TABLE_KEYS
from drill.loading import MAX_BYTES

TINY = (Path(__file__).parent / "fixtures" / "tiny.toml").read_text(encoding="utf-8")
OSC52 = "\\u001b]52;c;cm0gLXJmIH4=\\u0007"
"""The clipboard-writing escape sequence, as a TOML basic string spells it."""


def _fill(line: str, budget: int = MAX_BYTES - 200) -> int:
    return max(1, budget // len(line))


def deep_dotted_key(parts: int = 20_000) -> str:
    """One key of ``parts`` dotted parts (tomllib's work grows with the square of it)."""
    return TINY + "\n[extra]\n" + ".".join(["a"] * parts) + " = 1\n"


def deep_table_header(parts: int = 20_000) -> str:
    """A table header ``[a.a.a...]`` of ``parts`` parts."""
    return TINY + "\n[" + ".".join(["a"] * parts) + "]\nx = 1\n"


def deep_inline_tables(depth: int = 100_000) -> str:
    """Inline tables nested ``depth`` deep (tomllib recurses once per level)."""
    return TINY + "\nx = " + "{a = " * depth + "1" + "}" * depth + "\n"


def many_long_keys() -> str:
    """As many keys as fit in 1 MiB, each exactly as long as the limit allows: accepted TOML,
    refused by the models (unknown keys), the most work a dotted key can legally cause."""
    prefix = ".".join(["k"] * (MAX_KEY_PARTS - 2))
    lines = "".join(f"{prefix}.x{i} = 1\n" for i in range(_fill(prefix + ".x100000 = 1\n")))
    return TINY + "\n[extra]\n" + lines


def huge_array(items: int = 330_000) -> str:
    """An array of ``items`` wrong-typed elements where the format wants tables."""
    return "roles = [" + ",".join(["1"] * items) + "]\n" + TINY


def huge_table() -> str:
    """A ``[state]`` table of as many wrong-typed values as fit in 1 MiB (about 80,000)."""
    body = "".join(f'v{i} = [1]\n' for i in range(_fill("v100000 = [1]\n")))
    return TINY.replace("[state]\nerrors = 0\nfixed = 0\n", "[state]\nerrors = 0\nfixed = 0\n" + body)


def many_problems() -> str:
    """Every array and table at its limit, every element wrong: thousands of problems."""
    events = "".join(f'[[events]]\nid = "E{i}"\nat = "soon"\n'
                     for i in range(MAX_ARRAY_ITEMS - 2))
    return TINY.replace("[[events]]", events + "[[events]]", 1)


def hostile_keys() -> str:
    """Unknown keys holding an escape sequence and a newline (the problem quotes the key)."""
    return TINY.replace(
        "[briefing]",
        f'"{OSC52}" = 1\n"a\\nok: totally-fine.toml" = 2\n\n[briefing]', 1)


def largest_legal() -> str:
    """A valid scenario with every list at its limit and long texts, just under 1 MiB: the
    most work a file `drill validate` accepts can ask of the loader and the checks."""
    # Format 2: it uses every and until, and a format-1 file would get a note per request.
    parts = [TINY.split("[[events]]")[0].replace("[state]\nerrors = 0\nfixed = 0\n", "")
             .replace("[meta]\n", "[meta]\nformat = 2\n", 1)]
    parts.append("[state]\nerrors = 0\nfixed = 0\n" + "".join(f"v{i} = 0\n" for i in range(498)))
    parts += [f'[[signals]]\nvar = "v{i}"\nlabel = "Signal {i}"\n' for i in range(8)]
    parts += [f'[[status]]\nwhen = "v{i} > 3"\nlevel = "degraded"\nlabel = "Status {i}"\n'
              for i in range(50)]
    parts.append('[[milestones]]\nid = "fixed"\nlabel = "All fixed"\nwhen = "fixed >= 4"\n')
    parts += [f'[[milestones]]\nid = "m{i}"\nlabel = "Milestone {i}"\nwhen = "v{i} >= 2"\n'
              for i in range(99)]
    texts = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 9
    parts.append('[[events]]\nid = "alert"\nat = 2\nchannel = "alert"\ntext = "Errors up"\n'
                 'effects = { errors = 50 }\n')
    parts.append('[[events]]\nid = "tick"\nevery = 10\nuntil = "fixed >= 4"\ntext = "still"\n')
    for i in range(998):
        var = f"v{i % 498}"
        trigger = f"at = {1 + i % 110}" if i % 2 else f'when = "fired.alert and {var} < 5"'
        parts.append(f'[[events]]\nid = "e{i}"\n{trigger}\nchannel = "monitoring"\n'
                     f'text = "{texts}"\neffects = {{ {var} = "{var} + 1" }}\n')
    parts.append('[[actions]]\nid = "fix"\nlabel = "Fix box"\nkind = "fix"\ntargets = 4\n'
                 'per_target = 10\nprogress_var = "fixed"\nhelper_skills = ["ops"]\n'
                 'available_when = "fired.alert"\neffects = { errors = 0 }\n')
    for i in range(299):
        parts.append(f'[[actions]]\nid = "a{i}"\nlabel = "Action {i}"\nduration = {1 + i % 7}\n'
                     f'available_when = "fired.alert and v{i} < 3"\nrepeatable = true\n'
                     f'effects = {{ v{i} = "v{i} + 1" }}\nreveals = "{texts[:200]}"\n')
    parts.append('[[people]]\nid = "ops"\nrole = "Ops"\nskills = ["ops"]\ndelay = 5\nzone = "sf"\n'
                 'hours = [9, 18]\noff_hours_delay = 20\n')
    for i in range(99):
        lines = "".join(f'[[people.lines]]\nafter = {j + 1}\ntext = "Line {j}"\n' for j in range(20))
        parts.append(f'[[people]]\nid = "p{i}"\nrole = "Role {i}"\nskills = ["s{i}"]\n'
                     f'arrives_text = "{texts[:300]}"\n{lines}')
    parts += [f'[[customers]]\nid = "c{i}"\nabout = "Customer {i}"\n' for i in range(50)]
    parts += [f'[[requests]]\nid = "r{i}"\nat = {1 + i % 100}\nsender = "Boss"\n'
              f'audience = "management"\nkind = "estimate"\nmilestone = "m{i % 99}"\n'
              f'text = "When, {{customer.c{i % 50}}}?"\n' for i in range(200)]
    parts.append('[[endings]]\nid = "ok"\nkind = "resolved"\nwhen = "errors == 0 and fired.alert"\n'
                 'title = "Fixed"\ndebrief = "Well done."\n')
    parts += [f'[[endings]]\nid = "f{i}"\nkind = "failed"\nwhen = "v{i} >= 9"\ntitle = "F{i}"\n'
              f'debrief = "Lost."\n' for i in range(49)]
    parts.append('[postmortem]\nimpact = "x"\ntrigger = "y"\nroot_cause = "z"\n')
    text = "\n".join(parts)
    # Pad the briefing with known facts up to just under the size limit.
    room = MAX_BYTES - 1024 - len(text.encode("utf-8"))
    fact = f'"{texts}", '
    count = min(MAX_ARRAY_ITEMS, max(0, room // len(fact)))
    known = "known = [" + (fact * count).rstrip(", ") + "]\n"
    return text.replace('role = "You are on call."\n', 'role = "You are on call."\n' + known, 1)


GENERATORS = {
    "deep dotted key (20,000 parts)": deep_dotted_key,
    "deep table header (20,000 parts)": deep_table_header,
    "deep inline tables (100,000)": deep_inline_tables,
    f"1 MiB of {MAX_KEY_PARTS}-part keys": many_long_keys,
    "array of 330,000 wrong items": huge_array,
    "table of 80,000 wrong values": huge_table,
    f"{MAX_ARRAY_ITEMS - 2} wrong events": many_problems,
    "largest legal scenario": largest_legal,
}
"""Name -> generator of the text, for the benchmark and the tests."""

__all__ = ["GENERATORS", "MAX_NESTING", "MAX_TABLE_KEYS", "OSC52", "hostile_keys"]


def spread_wrong_items() -> str:
    """Arrays just under the limit, as many as fit in 1 MiB, every item of the wrong type:
    about 500,000 wrong items, each a problem for the models."""
    array = "[" + ",".join(["1"] * MAX_ARRAY_ITEMS) + "]"
    action = f'[[actions]]\nid = "a"\nlabel = "A"\nhelper_skills = {array}\n'
    return TINY + "\n" + action * _fill(action, MAX_BYTES - len(TINY) - 200)


def many_headers() -> str:
    """As many ``[[events]]`` headers as fit in 1 MiB (about 95,000 empty events)."""
    return TINY + "[[events]]\n" * _fill("[[events]]\n", MAX_BYTES - len(TINY) - 200)


def most_problems() -> str:
    """As many wrong values as the limits allow: 998 events of 46 unknown keys each."""
    keys = "".join(f"x{k} = {k}\n" for k in range(46))
    events = "".join(f'[[events]]\nid = "e{i}"\nat = 1\n{keys}'
                     for i in range(MAX_ARRAY_ITEMS - 2))
    return TINY.replace("[[events]]", events + "[[events]]", 1)


GENERATORS["46,000 unknown keys"] = most_problems
GENERATORS["1 MiB of arrays of wrong items"] = spread_wrong_items
GENERATORS["95,000 array-of-tables headers"] = many_headers
