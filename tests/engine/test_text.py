"""The one text vocabulary: the sanitiser, and how numbers, times and counts read."""

from __future__ import annotations

import pytest

from drill.engine import text
from tests.hostile import DANGEROUS, HOSTILE


@pytest.mark.parametrize("name, hostile, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_clean_removes_what_drives_a_terminal_and_keeps_the_words(name, hostile, expected):
    cleaned = text.clean(hostile)
    assert cleaned == expected
    assert not any(char in cleaned for char in DANGEROUS)


@pytest.mark.parametrize("name, hostile, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_one_line_never_spans_lines(name, hostile, expected):
    flat = text.one_line(hostile)
    assert "\n" not in flat and not any(char in flat for char in DANGEROUS)
    assert flat == " ".join(expected.split())


@pytest.mark.parametrize("name, hostile, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_escaped_shows_every_character_visibly_on_one_line(name, hostile, expected):
    shown = text.escaped(hostile, limit=500)
    assert "\n" not in shown and not any(char in shown for char in DANGEROUS)
    assert shown.isprintable()


def test_escaped_names_what_it_hides():
    assert text.escaped("\x1b]52;c;x\x07") == "\\e]52;c;x\\x07"
    assert text.escaped("a\nok: fine.toml") == "a\\nok: fine.toml"
    assert text.escaped("evil\u202etxt") == "evil\\u202etxt"
    assert text.escaped("back\\slash") == "back\\\\slash"
    assert text.escaped("x" * 100, limit=10) == "x" * 9 + "…"


def test_numbers_read_the_same_everywhere():
    assert text.number(24.0) == "24"
    assert text.number(2.54) == "2.5"
    assert text.number(-0.04) == "0"
    assert text.number(-1.25) == "-1.2"
    assert text.number(float("inf")) == "∞"


def test_a_signal_shows_the_decimals_it_asks_for():
    assert text.number(23.75, 0) == "24", "a count is whole: no 23.75 tickets"
    assert text.number(46.25, 2) == "46.25"
    assert text.number(46.2, 2) == "46.2", "no trailing zero"
    assert text.number(-0.004, 2) == "0"


def test_counts_agree_with_their_nouns():
    assert text.plural(1, "action") == "1 action"
    assert text.plural(3, "action") == "3 actions"
    assert text.plural(1.0, "day") == "1 day"
    assert text.plural(2, "person", "people") == "2 people"
    assert text.plural(0, "update") == "0 updates"


def test_points_use_a_true_minus_and_never_minus_zero():
    assert text.points(3.44) == "−3.4"
    assert text.points(0.04) == "−<0.1"
    assert text.points(0) == "0"


def test_times_and_durations_carry_their_unit():
    assert text.clock_time("minutes", 24) == "T+24"
    assert text.clock_time("days", 12.5) == "day 12.5"
    assert text.span("minutes", 25) == "25 min"
    assert text.span("days", 1) == "1 day"
    assert text.span("days", 3) == "3 days"
    assert text.span("minutes", 11.6, whole_units=True) == "12 min"


def test_the_board_and_the_score_card_name_the_minute_the_clock_shows():
    # 89.8 is in the 89th minute: the board's clock reads T+89 (and 16:34, not 16:35).
    assert text.clock_time("minutes", 89.8, whole_units=True) == "T+89"
    assert text.clock_time("days", 12.9, whole_units=True) == "day 12"
    assert text.clock_time("minutes", 89.8) == "T+89.8", "the postmortem keeps one decimal"


def test_a_countdown_or_a_lateness_never_reads_zero():
    assert text.span("minutes", 0.3, whole_units=True) == "0 min"
    assert text.span("minutes", 0.3, whole_units=True, round_up=True) == "1 min"
    assert text.span("minutes", 4.0, whole_units=True, round_up=True) == "4 min"
    assert text.span("days", 1.2, whole_units=True, round_up=True) == "2 days"


def test_labels_are_cleaned_and_never_nest_parentheses():
    assert text.player_label("Ana", "Incident commander (IC)") == "Ana (Incident commander IC)"
    assert text.player_label("Bo\x1b[2J") == "Bo"
    assert text.audience_name("team") == "the team"
    assert text.audience_title("customers") == "Customers (status page)"
    assert text.channel_title("\x1b]0;x\x07alert") == "Alert"
