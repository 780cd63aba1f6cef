"""Scoring finds moments in a run's log by binary search (rules.entries_from); it must find
exactly what reading the whole log would."""

from __future__ import annotations

import pytest

from drill.engine.rules import VISIBLE_NEWS, entries_from, news_between
from tests.bundled import BUNDLED, played


def _moments(times: list[float]) -> list[float]:
    """Every time in the log, just before and after it, and a moment past the end."""
    moments = {0.0, max(times, default=0.0) + 1}
    for time in times:
        moments |= {time, time - 0.5, time + 0.5}
    return sorted(moments)


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_entries_from_finds_the_first_entry_at_or_after_a_moment(scenario_id: str) -> None:
    log = played(scenario_id, "good").log
    times = [entry.time for entry in log]
    assert times == sorted(times), "the log is written in time order"
    for moment in _moments(times):
        first_at = next((i for i, time in enumerate(times) if time >= moment), len(log))
        first_after = next((i for i, time in enumerate(times) if time > moment), len(log))
        assert entries_from(log, moment) == first_at, moment
        assert entries_from(log, moment, strictly_after=True) == first_after, moment


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_news_between_sees_what_a_reader_of_the_whole_log_sees(scenario_id: str) -> None:
    run = played(scenario_id, "poor")
    moments = _moments([entry.time for entry in run.log])
    for after in moments:
        for before in moments[::7] + [after - 1, after, after + 0.5, after + 3]:
            expected = any(after < e.time < before and e.kind in VISIBLE_NEWS and e.text
                           for e in run.log)
            assert news_between(run, after, before) == expected, (after, before)
