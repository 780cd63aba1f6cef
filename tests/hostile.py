"""Hostile strings, one corpus for every printer (CLI, postmortem, TUI) to be tested against.

Each entry is (name, text, what must be shown): the sanitiser must turn the text into exactly
the expected string, and no printer may let a byte of the dangerous part through.
"""

from __future__ import annotations

ESC = "\x1b"

HOSTILE: tuple[tuple[str, str, str], ...] = (
    ("csi clear screen", "ok\x1b[2Jok", "okok"),
    ("csi colour", "red\x1b[31;1mtext\x1b[0m", "redtext"),
    ("osc title (bel)", "\x1b]0;owned\x07visible", "visible"),
    ("osc title (st)", "\x1b]2;owned\x1b\\visible", "visible"),
    ("osc 52 clipboard", "a\x1b]52;c;cm0gLXJmIH4=\x07b", "ab"),
    ("osc 8 link", "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),
    ("dcs string", "x\x1bPq#0;2;0;0;0\x1b\\y", "xy"),
    ("8-bit csi", "8-bit\x9b2Jcsi", "8-bitcsi"),
    ("8-bit osc", "t\x9d0;owned\x07u", "tu"),
    ("8-bit osc (st)", "t\x9d52;c;cm0=\x9cu", "tu"),
    ("c0 controls", "a\x00b\x07c\x7fd\x08e", "abcde"),
    ("bidi override", "evil\u202etxt.exe", "eviltxt.exe"),
    ("bidi isolate", "a\u2066b\u2069c", "abc"),
    ("bidi marks", "a\u200eb\u200fc\u061cd", "abcd"),
    ("byte-order mark", "\ufeffbom", "bom"),
    ("lone surrogate", "a\ud800b", "ab"),
    ("newlines", "one\r\ntwo\rthree\u2028four\x85five", "one\ntwo\nthree\nfour\nfive"),
    ("tab", "tab\there", "tab    here"),
    ("lone escape", "end\x1b", "end"),
    ("unicode kept", "café 👩\u200d💻 日本", "café 👩\u200d💻 日本"),
)
"""(name, hostile text, what the sanitiser must make of it)."""

DANGEROUS = ("\x1b", "\x9b", "\x9d", "\x07", "\u202e", "\x00")
"""Characters that must never reach a terminal or a file from untrusted text."""
