"""`drill upgrade FILE`: rewrite a format-1 scenario file in the current format.

The file's text is edited in place, value by value, so that every comment, blank line and
spacing stays as the author wrote it (a round trip through a TOML writer would drop them): the
edits are those :func:`drill.engine.formats.read_format_1` finds, the same ones the loader
applies when it plays a format-1 file, and ``format = 2`` is added to ``[meta]``.  Before
anything is written, the new text is read back and must give the very scenario the old file
gave (its ``format`` aside); the file is then replaced atomically, or left untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.formats import Edit
from .engine.scenario import FORMAT_VERSION
from .loading import (
    LoadError,
    ScenarioReading,
    TomlLocator,
    decode,
    dotted,
    finding_problems,
    is_playscript,
    parse_toml,
    read_bytes,
    read_scenario,
)
from .engine import validation
from .storage import atomic_write_bytes, shown

BOM = b"\xef\xbb\xbf"
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_VERSION = ("meta", "format")


class UpgradeRefused(Exception):
    """A file ``drill upgrade`` will not rewrite; the message says why, on one line."""


@dataclass(frozen=True)
class ReportLine:
    """One line of what an upgrade changes: where, and what."""

    line: int | None
    field: str
    text: str


@dataclass(frozen=True)
class Upgrade:
    """A format-1 file's upgrade, worked out but not written yet."""

    path: Path
    original: bytes
    """The file's bytes as read: it is written only if it still holds them."""
    text: str
    """The new text."""
    data: bytes
    """The new file's bytes (a byte-order mark kept if the file had one)."""
    written: tuple[ReportLine, ...]
    """What the new text holds differently, located in the new text."""
    planned: tuple[ReportLine, ...]
    """The same, located in the file as it is now (for ``--check``)."""


class AlreadyCurrent(Exception):
    """The file already declares the current format."""


def plan_upgrade(path: Path) -> Upgrade:
    """Work out the upgrade of the scenario file at ``path`` without writing anything.

    Raises:
        AlreadyCurrent: the file is already in the current format.
        UpgradeRefused: the file cannot be upgraded (unreadable, not TOML, not a scenario, a
            scenario with errors, a newer format); the message says why.
    """
    file = str(path)
    if path.is_symlink():
        # Writing through a link would create and replace files in another folder.
        raise UpgradeRefused(f"{shown(file)}: a symbolic link; upgrade the file it points to")
    raw = _quietly(file, "cannot be read", lambda: read_bytes(path))
    text = _quietly(file, "is not UTF-8 text", lambda: decode(file, raw))
    data = _quietly(file, "does not parse", lambda: parse_toml(file, text))
    if is_playscript(data):
        raise UpgradeRefused(f"{shown(file)}: a play script (steps, no [meta]): play scripts "
                             "have no format version, there is nothing to upgrade")
    before = _reading(file, text, data, "does not load")
    if before.declared >= FORMAT_VERSION:
        raise AlreadyCurrent(f"{shown(file)}: already format {before.declared}")
    new_text = _edited(file, text, before.edits)
    after = _reading(file, new_text, _quietly(file, "internal error: the upgraded text does not "
                                                    "parse", lambda: parse_toml(file, new_text)),
                     "internal error: the upgraded file does not load")
    if after.declared != FORMAT_VERSION or _meaning(after) != _meaning(before):
        raise UpgradeRefused(f"{shown(file)}: internal error: the upgraded file would not play "
                             "as this one does; nothing was written (please report it)")
    return Upgrade(path, raw, new_text, (BOM if raw.startswith(BOM) else b"") + new_text.encode(),
                   tuple(_report(new_text, before, renamed=True)),
                   tuple(_report(text, before, renamed=False)))


def write_upgrade(upgrade: Upgrade) -> Path:
    """Replace the file with its upgrade, atomically, in its own folder; return the path written.

    Raises:
        UpgradeRefused: the file changed since it was read (someone saved it meanwhile).
        OSError: it cannot be written; it is then left as it was.
    """
    try:
        now = read_bytes(upgrade.path)
    except LoadError:
        now = None
    if now != upgrade.original:
        raise UpgradeRefused(f"{shown(upgrade.path)}: changed while it was being upgraded; "
                             "nothing was written, run `drill upgrade` again")
    return atomic_write_bytes(upgrade.path, upgrade.data)


# -- reading ----------------------------------------------------------------------------------


def _quietly(file: str, what: str, work: Any) -> Any:
    """``work()``, a LoadError turned into a refusal that shows its first problem as
    ``drill validate`` does (``what`` is said only when the problem does not say it)."""
    try:
        return work()
    except LoadError as error:
        first = str(error.problems[0]) if error.problems else f"{shown(file)} {what}"
        raise UpgradeRefused(f"{first}{_UNCHANGED}") from None


_UNCHANGED = "; the file is unchanged"


def _reading(file: str, text: str, data: dict[str, Any], what: str) -> ScenarioReading:
    """The file read as a scenario, with no error: an upgrade of a broken file would hide
    what is broken in it."""
    reading = _quietly(file, what, lambda: read_scenario(file, text, data))
    errors = validation.check_scenario(reading.scenario)
    if errors:
        first = finding_problems(file, text, errors[:1])[0]
        more = f" (and {len(errors) - 1:,} more: `drill validate` lists them)" \
            if len(errors) > 1 else ""
        raise UpgradeRefused(f"{first}{more}{_UNCHANGED}")
    return reading


def _meaning(reading: ScenarioReading) -> dict[str, Any]:
    """What a scenario means to the engine: its model, whatever format it declared."""
    dumped = reading.scenario.model_dump()
    dumped["meta"].pop("format")
    return dumped


# -- editing the text -------------------------------------------------------------------------


def _edited(file: str, text: str, edits: tuple[Edit, ...]) -> str:
    """``text`` with each edit made where its value (or key) sits, and the version declared."""
    locator = TomlLocator(text)
    replacements: list[tuple[int, int, str]] = []
    for edit in edits:
        spans = locator.key_spans if edit.key else locator.value_spans
        span = spans.get(edit.loc)
        if span is None:
            raise UpgradeRefused(f"{shown(file)}: cannot find {dotted(edit.loc)} in the text to "
                                 "rewrite it; nothing was written (please report it)")
        start, end = span
        written = _key(edit.new) if edit.key else _string(edit.new, text[start:end])
        replacements.append((start, end, written))
    replacements.append(_version(file, text, locator))
    for start, end, written in sorted(replacements, reverse=True):
        text = text[:start] + written + text[end:]
    return text


def _version(file: str, text: str, locator: TomlLocator) -> tuple[int, int, str]:
    """The replacement that declares the current format in ``[meta]``."""
    version = str(FORMAT_VERSION)
    if _VERSION in locator.value_spans:  # an explicit `format = 1`
        start, end = locator.value_spans[_VERSION]
        return start, end, version
    newline = "\r\n" if "\r\n" in text else "\n"
    if ("meta",) in locator.header_spans:  # [meta]: the line after its header
        end = text.find("\n", locator.header_spans[("meta",)][1])
        if end < 0:
            return len(text), len(text), f"{newline}format = {version}{newline}"
        return end + 1, end + 1, f"format = {version}{newline}"
    if ("meta",) in locator.value_spans:  # meta = { ... }: first in the inline table
        start = locator.value_spans[("meta",)][0] + 1
        while text[start] in " \t":
            start += 1
        return start, start, f"format = {version}, "
    line = locator.line_for(("meta",))
    if line is None:
        raise UpgradeRefused(f"{shown(file)}: cannot find [meta] in the text; nothing was "
                             "written (please report it)")
    start = sum(len(row) for row in text.splitlines(keepends=True)[:line - 1])
    return start, start, f"meta.format = {version}{newline}"  # dotted keys: meta.id = ...


def _string(value: str, written: str) -> str:
    """``value`` as a TOML string, quoted as the value it replaces was when it can be."""
    if written.startswith("'") and not written.startswith("'''") and "'" not in value \
            and not any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"'{value}'"
    escapes = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
               "\r": "\\r"}
    return '"' + "".join(escapes.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127
                                             else c) for c in value) + '"'


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _string(name, '"')


# -- the report -------------------------------------------------------------------------------


def _report(text: str, reading: ScenarioReading, renamed: bool) -> list[ReportLine]:
    """What the upgrade writes and why, in file order, located in ``text`` (the new text when
    ``renamed``, where a renamed key is found under its new name; else the file as it is)."""
    locator = TomlLocator(text)
    keys = {edit.loc: (*edit.loc[:-1], edit.new) for edit in reading.edits if edit.key}

    def where(loc: tuple[str | int, ...]) -> tuple[int | None, str]:
        if renamed:
            loc = next((new for old, new in keys.items() if loc[:len(old)] == old), loc)
        return locator.line_for(loc), dotted(loc)

    lines: list[tuple[int, ReportLine]] = []
    version = f"format = {FORMAT_VERSION}"
    if _VERSION in TomlLocator(text).value_spans and not renamed:
        line, _ = where(_VERSION)
        lines.append((0, ReportLine(line, dotted(_VERSION), f"-> {FORMAT_VERSION}")))
    else:
        line, _ = where(_VERSION if renamed else ("meta",))
        lines.append((0, ReportLine(line, dotted(_VERSION), f"added `{version}`")))
    for edit in reading.edits:
        line, field = where(edit.loc)
        what = "renamed key " if edit.key else ""
        lines.append((1, ReportLine(line, field,
                                    f"{what}{edit.old!r} -> {edit.new!r} ({edit.why})")))
    for change in reading.changes:
        if not change.rewritten:  # a rewritten one is told by its edits
            line, field = where(change.loc)
            lines.append((2, ReportLine(line, field, change.message)))
    lines.sort(key=lambda item: (item[1].line is None, item[1].line or 0, item[0]))
    return [report for _, report in lines]


def report_lines(upgrade: Upgrade, check: bool) -> list[str]:
    """The lines ``drill upgrade`` prints for one file: each change where it is (in the file
    as it is with ``check``, else as written), then what was done."""
    from .loading import Problem

    file = str(upgrade.path)
    lines = [str(Problem(file, item.line, None, item.field, item.text))
             for item in (upgrade.planned if check else upgrade.written)]
    if check:
        lines.append(f"{shown(file)}: format 1: `drill upgrade {shown(file)}` rewrites it as "
                     f"format {FORMAT_VERSION}")
    else:
        lines.append(f"upgraded {shown(file)} to format {FORMAT_VERSION}")
    return lines
