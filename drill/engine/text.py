"""One vocabulary for every string a player reads, and the one sanitiser for text from files.

Everything drill prints goes through here: the CLI, the postmortem, the score card and the TUI
all format a scenario time, a duration, a count or an audience the same way, and all of them make
untrusted text safe with the same function.  Two rules hold throughout:

* **Text from a file never drives a terminal.**  :func:`clean` removes terminal escape sequences
  (7-bit and 8-bit, with their payloads), C0 and C1 control characters, bidi overrides and lone
  surrogates; :func:`escaped` shows the same characters as visible escapes instead, for quoting a
  key or an id in an error message where the reader must see what is really there.
* **Numbers read the same everywhere.**  One decimal at most, no trailing ``.0``, never ``-0``;
  counts agree with their nouns; durations carry their unit.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Literal

Unit = Literal["minutes", "days"]

# -- untrusted text -------------------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Terminal escape sequences, removed whole with their payloads: "\x1b]52;c;cm0gLXJm\x07" must
# vanish, not leave "52;c;cm0gLXJm" behind.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"                 # CSI: cursor moves, screen clears, colours
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, clipboard, links (to BEL/ST)
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                        # any other escape, and a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]?"                  # 8-bit CSI
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # 8-bit DCS, SOS, PM, APC
)
# C0/C1 controls but newline, DEL, bidi marks, overrides and isolates (they make text read
# differently from what it is), the byte-order mark, and lone surrogates (a JSON save can hold
# "\ud800", which no terminal or file encoding accepts).
_CONTROLS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff]")
TAB = "    "
"""What a tab becomes: terminals, Markdown and widgets would each show it differently."""


@lru_cache(maxsize=1024)  # the same scenario texts are shown again and again
def clean(text: str) -> str:
    """Untrusted text made safe to show: what a reader sees is what the text says.

    Newlines of every kind become ``\\n`` and tabs four spaces; terminal escape sequences are
    removed whole (``"\\x1b[2J"`` leaves nothing behind); any other control character, bidi
    control, byte-order mark or lone surrogate is dropped.
    """
    text = _NEWLINES.sub("\n", text).replace("\t", TAB)
    text = _ESCAPE_SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


@lru_cache(maxsize=1024)
def one_line(text: str) -> str:
    """Untrusted text cleaned and put on one line: every run of whitespace becomes one space."""
    return " ".join(clean(text).split())


def shorten(text: str, limit: int) -> str:
    """One-line text cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit - 1)
    return flat[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e", "\\": "\\\\"}


def _visible(char: str) -> str:
    if char.isprintable() and char != "\\":
        return char  # format characters (bidi controls, zero-width) are not printable
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def sentence(text: str) -> str:
    """A text as a sentence of a longer line: a full stop added unless it already ends one
    ("Checkout is failing" -> "Checkout is failing.", "Back?" unchanged)."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?", "…", ":", ";")) else text + "."


def escaped(text: str, limit: int = 80) -> str:
    """Untrusted text quoted so that every character shows: escapes, controls, newlines and
    bidi controls become visible escapes (``\\e]52;c;…``), on one line, cut at ``limit``.

    For keys, ids and values quoted in error messages, where the reader must see what is there.
    """
    shown = "".join(map(_visible, text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# -- numbers, counts and times --------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _number_text(value: float, decimals: int) -> str:
    rounded = round(value, decimals) + 0.0  # + 0.0: "-0" reads as nothing
    if rounded.is_integer():
        return f"{rounded:.0f}"
    return f"{rounded:.{decimals}f}".rstrip("0")


def number(value: float, decimals: int = 1) -> str:
    """A number to ``decimals`` places at most (one by default), without trailing zeros, never
    ``-0``: ``24``, ``2.5``; ``number(23.75, 0)`` is ``24``."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞" if value < 0 else "?"
    return _number_text(float(value) + 0.0, decimals)


def whole(value: float) -> str:
    """A count that may have been computed: the nearest whole number, never ``-0``."""
    if not math.isfinite(value):
        return "?"
    return f"{round(value) + 0:d}"


def plural(count: float, one: str, many: str | None = None) -> str:
    """``1 action``, ``3 actions``, ``2.5 days``: the count and the noun that agrees with it."""
    shown = number(count)
    return f"{shown} {one if shown == '1' else (many or one + 's')}"


def points(value: float) -> str:
    """Points lost, as the score card prints them: ``−3.4`` with a true minus sign, to one
    decimal, and never ``−0`` (a loss that rounds to nothing shows as ``−<0.1``)."""
    shown = number(abs(value))
    if shown == "0":
        return "−<0.1" if value else "0"
    return f"−{shown}"


@lru_cache(maxsize=4096)  # the score card, the board and the postmortem name the same moments
def clock_time(unit: Unit | str, value: float, whole_units: bool = False) -> str:
    """A scenario time as players read it: ``T+24`` on a minutes clock, ``day 12`` on a days
    clock.

    Args:
        unit: the clock unit.
        value: the scenario time.
        whole_units: the whole minute or day the time falls in, as a clock shows it (the board
            and the score card); without it, one decimal (the postmortem's timeline).
    """
    if whole_units and math.isfinite(value):
        value = math.floor(value + 1e-9)
    shown = number(value)
    if unit != "minutes":
        return f"day {shown}"
    return f"T−{shown[1:]}" if shown.startswith("-") else f"T+{shown}"


@lru_cache(maxsize=4096)  # the same few durations are written again and again
def span(unit: Unit | str, amount: float, whole_units: bool = False,
         round_up: bool = False) -> str:
    """A duration in the scenario's unit: ``25 min``, ``1 day``, ``3.5 days``.

    Args:
        unit: the clock unit.
        amount: the duration, in that unit.
        whole_units: round to whole minutes or days (durations on the board).
        round_up: with ``whole_units``, round up instead: a countdown or a lateness never
            reads ``0 min`` while there is time left or a deadline has passed.
    """
    value = amount
    if whole_units and math.isfinite(amount):
        value = math.ceil(amount - 1e-9) if round_up else round(amount)
    if unit == "minutes":
        return f"{number(value)} min"
    return plural(value, "day")


def span_between(unit: Unit | str, low: float, high: float, whole_units: bool = False,
                 round_up: bool = False) -> str:
    """A duration known only within bounds: ``10–25 min``, ``1–2 days``; as :func:`span` when
    both bounds read the same (see :func:`span` for the arguments)."""
    first, last = span(unit, low, whole_units, round_up), span(unit, high, whole_units, round_up)
    if first == last:
        return first
    return f"{first.split(' ')[0]}–{last}"  # the unit once: 10–25 min


# -- labels ---------------------------------------------------------------------------------------

AUDIENCE_NAMES: dict[str, str] = {
    "support": "support", "customers": "customers", "management": "management",
    "team": "the team",
}
"""Each audience inside a sentence: 'Told support at T+3'."""

AUDIENCE_TITLES: dict[str, str] = {
    "support": "Support", "customers": "Customers (status page)", "management": "Management",
    "team": "Team channel",
}
"""Each audience as a heading, a table row or a choice in a dialog."""

CHANNEL_TITLES: dict[str, str] = {
    "alert": "Alert", "support": "Support", "customer": "Customer", "customers": "Customers",
    "management": "Management", "teammate": "Teammate", "monitoring": "Monitoring",
    "deploy": "Deploy", "team": "Team",
}
"""Where a message arrived, as the feed and the timeline label it."""

ENDING_TITLES: dict[str, str] = {
    "resolved": "Resolved", "degraded": "Resolved, degraded", "failed": "Failed",
    "out_of_time": "Out of time", "unfinished": "Unfinished", "open": "No ending yet",
}
"""Each kind of ending, as a word."""


def audience_name(audience: str) -> str:
    """An audience inside a sentence (``the team``); an unknown one as itself, cleaned."""
    return AUDIENCE_NAMES.get(audience) or one_line(audience)


def audience_title(audience: str) -> str:
    """An audience as a heading (``Customers (status page)``)."""
    return AUDIENCE_TITLES.get(audience) or one_line(audience)


def channel_title(channel: str) -> str:
    """A message channel as a label (``Monitoring``)."""
    return CHANNEL_TITLES.get(channel) or one_line(channel).capitalize()


def player_label(name: str, role: str = "") -> str:
    """A team player as shown: ``Ana (Incident commander)``, or the name alone; parentheses in
    the role are dropped so the label never nests them."""
    name = one_line(name)
    role = one_line(role).replace("(", "").replace(")", "").strip()
    return f"{name} ({role})" if role else name
