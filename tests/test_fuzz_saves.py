"""Damaged saves, fuzzed: reading, listing, replaying and resuming a mutated real save gives a
good run or a one-line SaveError, never another exception."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drill.engine.playscript import PlayScript
from drill.saves import SaveError, read_save, replay_save
from drill.session import GameSession, ScenarioSource
from drill.tui.listing import save_cards

from .hostile import DANGEROUS

TINY = Path(__file__).parent / "fixtures" / "tiny.toml"
STEPS = [
    {"at": 3, "do": "start", "action": "fix"},
    {"at": 4, "do": "page", "person": "ops"},
    {"at": 5, "do": "update", "audience": "support", "impact": "errors", "next_update": 15},
    {"at": 9, "do": "estimate", "audience": "management", "milestone": "fixed", "low": 20,
     "high": 40},
]


@pytest.fixture(scope="module")
def real_saves(tmp_path_factory) -> list[dict[str, Any]]:
    """Two real saves of the tiny scenario as JSON: one going, one finished and scored."""
    folder = tmp_path_factory.mktemp("saves")
    bodies = []
    for finish in (False, True):
        session = GameSession.start(ScenarioSource.open(str(TINY)), seed=4, pace=1.0,
                                    saves_dir=folder, players=["Ana (commander)"])
        for step in PlayScript.model_validate({"steps": STEPS}).steps:
            session.act(step)
        session.advance_to(120 if finish else 12)
        session.save()
        bodies.append(json.loads(session.save_path.read_text()))
    return bodies


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([2**63, -1, 10**300, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\x1b]52;c;cm0=\x07", "a\nok: fine", "x" * 100_000,
                     "", "drill-save", "black-friday", "../../etc/passwd", "/dev/zero"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                        max_size=3),
)
NUMBER_SPELLINGS = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" * 5000, "-0", "1.5"]


def places(node: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += places(value, (*path, index))
    return found


@st.composite
def damaged_saves(draw: st.DrawFn, bodies: list[dict[str, Any]]) -> str:
    """A real save with a few values replaced, keys removed, or numbers spelled to overflow."""
    body = copy.deepcopy(draw(st.sampled_from(bodies)))
    marker = None
    for _ in range(draw(st.integers(1, 3))):
        # Half the time a top-level field (seed, pace, clock...), where damage matters most.
        top = draw(st.booleans())
        where = draw(st.sampled_from([p for p in places(body) if p and (len(p) == 1 or not top)]))
        parent = body
        for part in where[:-1]:
            parent = parent[part]
        operation = draw(st.sampled_from(["replace", "remove", "number"]))
        if operation == "remove" and isinstance(parent, dict):
            del parent[where[-1]]
        elif operation == "number" and marker is None:
            marker = draw(st.sampled_from(NUMBER_SPELLINGS))
            parent[where[-1]] = "@@NUMBER@@"
        else:
            parent[where[-1]] = draw(ODD_VALUES)
    text = json.dumps(body)
    return text.replace('"@@NUMBER@@"', marker) if marker else text


def assert_one_line(error: SaveError, path: Path) -> None:
    message = str(error)
    assert message.startswith(str(path)), message
    assert "\n" not in message and not any(char in message for char in DANGEROUS), message


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_save_is_refused_in_one_line_or_replays(real_saves, tmp_path, data) -> None:
    text = data.draw(damaged_saves(real_saves))
    path = tmp_path / "damaged.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        record = read_save(path)
    except SaveError as error:
        assert_one_line(error, path)
    else:
        # What the TUI and the replay rely on, whatever the file said.
        assert isinstance(record.seed, int) and 0 <= record.seed < 2**63
        assert math.isfinite(record.clock) and record.clock >= 0
        assert math.isfinite(record.pace) and record.pace > 0
        assert all(isinstance(p, str) for p in record.players)
        assert record.to_json()  # a save that loads can be written back
        try:
            replayed = replay_save(path, record)
        except SaveError as error:
            assert_one_line(error, path)
        else:
            assert replayed.run.now <= replayed.source.scenario.clock.limit
            try:
                GameSession.resume(path).save()  # resuming and saving again work too
            except SaveError as error:
                assert_one_line(error, path)
    (card,) = save_cards(tmp_path)  # the picker's listing never fails either
    assert card.path == path
    assert "\n" not in card.problem


def test_the_real_saves_replay(real_saves, tmp_path) -> None:
    """The fuzzing starts from good saves: both replay as they are."""
    for number, body in enumerate(real_saves):
        path = tmp_path / f"good-{number}.json"
        path.write_text(json.dumps(body))
        assert replay_save(path).run.finished_run == (number == 1)
