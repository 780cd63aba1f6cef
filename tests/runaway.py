"""Scenarios that validate and would then run away, one corpus for the engine's limits.

Every scenario here passes the models and the engine's checks (``drill validate`` may warn about
some of them); played, each would hang, eat memory or take minutes without the limits of
:mod:`drill.engine.limits`.  The tests assert the clean outcome of each (tests/engine/
test_limits.py); ``bench/limits.py`` times them against a bundled scenario.

Each builder returns the scenario as plain data (what ``tomllib`` would give), so a test can
write it as a file or validate it directly.  :data:`RUNAWAYS` names the builders with the
words the run's stop message must contain.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

import tomli_w

Data = dict[str, Any]


def scenario(**sections: Any) -> Data:
    """A small valid scenario, with ``sections`` replacing or adding top-level tables."""
    data: Data = {
        "meta": {"id": "runaway", "title": "Runaway", "summary": "A scenario that runs away.",
                 "source": "tests", "difficulty": "easy", "play_minutes": 5},
        "briefing": {"situation": "Things grow.", "role": "You watch."},
        "clock": {"start": dt.datetime(2018, 6, 27, 10, 0), "limit": 120},
        "truth": {"summary": "It grows."},
        "state": {"errors": 0},
        "endings": [{"id": "ok", "kind": "resolved", "when": "errors == 0 and time >= 100",
                     "title": "Ok", "debrief": "Done."}],
        "postmortem": {"impact": "i", "trigger": "t", "root_cause": "r"},
    }
    data.update(sections)
    return data


def clock(limit: float) -> Data:
    """A clock table with this limit."""
    return {"start": dt.datetime(2018, 6, 27, 10, 0), "limit": limit}


# -- growth bombs: values an expression makes ------------------------------------------------------


def doubling_text() -> Data:
    """``s = "s + s"`` every minute: 2 characters, then 4, 8... (3.1 GB at T+30 unbounded)."""
    return scenario(state={"errors": 0, "s": "ab"},
                    events=[{"id": "grow", "every": 1, "effects": {"s": "s + s"}}])


def squaring_number() -> Data:
    """``x = "x * x"`` every minute: 2, 4, 16, 256... (a CPU-bound big integer unbounded)."""
    return scenario(state={"errors": 0, "x": 2},
                    events=[{"id": "square", "every": 1, "effects": {"x": "x * x"}}])


def doubling_number() -> Data:
    """``x = "x + x"``: slower than squaring, beyond 10^15 after about 50 doublings."""
    return scenario(state={"errors": 0, "x": 1},
                    events=[{"id": "double", "every": 1, "effects": {"x": "x + x"}}])


def dividing_by_little() -> Data:
    """``x = "x / 0.001"``: a number multiplied by 1000 every minute."""
    return scenario(state={"errors": 0, "x": 1.5},
                    events=[{"id": "divide", "every": 1, "effects": {"x": "x / 0.001"}}])


def huge_product_in_a_condition() -> Data:
    """A condition that multiplies a big (but legal) number by itself many times."""
    product = " * ".join(["x"] * 40)
    return scenario(state={"errors": 0, "x": 1000},
                    events=[{"id": "watch", "when": f"{product} > 5"}])


# -- slow schedules --------------------------------------------------------------------------------


def recurring_spam(events: int = 998, every: float = 0.01) -> Data:
    """Hundreds of events recurring every hundredth of a minute (62 s of CPU unbounded)."""
    return scenario(events=[{"id": f"spam-{i}", "every": every} for i in range(events)])


def one_fast_event(limit: float = 1_000_000, every: float = 0.5) -> Data:
    """One event recurring far more often than a run allows, with a long clock."""
    return scenario(clock=clock(limit), events=[{"id": "spam", "every": every}])


def many_time_conditions(conditions: int = 900, limit: float = 1_000_000) -> Data:
    """Many ``when`` conditions on ``time`` with a long clock (118 s unbounded): each was
    re-checked at every whole clock unit."""
    return scenario(clock=clock(limit), events=[
        {"id": f"late-{i}", "when": f"time >= {limit - i}"} for i in range(conditions)])


def unplannable_time_conditions(conditions: int = 300, limit: float = 1_000_000) -> Data:
    """Conditions on ``time`` that no analysis can plan (``%``): checked at every whole unit."""
    return scenario(clock=clock(limit), events=[
        {"id": f"odd-{i}", "when": f"time % {limit} == {limit - i - 0.5}"}
        for i in range(conditions)])


def wide_effects(variables: int = 499) -> Data:
    """One recurring event setting 499 variables with the longest expressions allowed."""
    names = [f"v{i}" for i in range(variables)]
    long_sum = " + ".join(["1"] * 250)  # 997 characters, 499 nodes
    return scenario(state={"errors": 0, **{name: 0 for name in names}},
                    events=[{"id": "wide", "every": 0.01,
                             "effects": {name: long_sum for name in names}}])


def cascade(conditions: int = 1000) -> Data:
    """``when`` events that all read one counter and bump it: each firing re-tests the rest."""
    long_test = " and ".join(["n >= 0"] * 90)  # 985 characters
    return scenario(state={"errors": 0, "n": 0}, events=[
        {"id": "tick", "every": 0.01, "effects": {"n": "n + 1"}},
        *({"id": f"c-{i}", "when": f"n < 0 and {long_test}"} for i in range(conditions - 1))])


RUNAWAYS: dict[str, tuple[Callable[[], Data], str]] = {
    "doubling text": (doubling_text,
                      "event 'grow' made a text longer than 10,000 characters"),
    "squaring number": (squaring_number, "event 'square' made a number beyond"),
    "doubling number": (doubling_number, "event 'double' made a number beyond"),
    "dividing by little": (dividing_by_little, "event 'divide' made a number beyond"),
    "huge product in a condition": (huge_product_in_a_condition,
                                    "the condition of event 'watch' made a number beyond"),
    "recurring spam": (recurring_spam, "the run went past 100,000 happenings"),
    "one fast event": (one_fast_event, "event 'spam' recurred more than 10,000 times"),
    "unplannable time conditions": (unplannable_time_conditions, "time"),
    "wide effects": (wide_effects, "evaluat"),
    "cascade": (cascade, "evaluat"),
}
"""name -> (builder, words the stop message holds)."""


# -- the biggest legal scenario --------------------------------------------------------------------


def biggest(scale: float = 1.0) -> Data:
    """Every list at its model's ``max_length`` (times ``scale``), with busy, plausible content:
    recurring and timed events, conditions on ``time`` and on state, per-target work, people
    with lines and busy spells, requests, triggers, status rules and endings.

    ``scale=1`` gives a file just under the 1 MiB limit; the suite uses a smaller one.
    """

    def n(count: int) -> int:
        return max(1, round(count * scale))

    variables = n(500) - 2  # and `phase`, `calm`
    state: Data = {f"v{i}": 0 for i in range(variables)}
    state["phase"] = "calm"
    state["calm"] = True
    numbers = [f"v{i}" for i in range(variables)]

    def var(i: int) -> str:
        return numbers[i % len(numbers)]

    def bulk(i: int) -> str:
        """A clause that always holds and reads twenty variables: realistic weight."""
        return " + ".join(var(i + 13 * k) for k in range(20)) + " < 1000000"

    events: list[Data] = []
    count_events = n(1000)
    for i in range(count_events):
        kind = i % 10
        event: Data = {"id": f"e{i}", "channel": "monitoring",
                       "text": f"Event {i}: the dashboards show something new about the shop. "
                               f"Metric {var(i)} moved again; check it before it spreads."}
        if kind == 0:
            event.update(every=1 + i % 7, until=f"{var(i)} >= 1000 or time >= {60 + i % 50}",
                         effects={var(i): f"{var(i)} + 1", var(i + 1): f"min(100, {var(i + 1)} + 2)"})
        elif kind in (1, 2, 3):
            event.update(at=i % 110, effects={var(i): f"{var(i)} + {i % 9}"})
        elif kind in (4, 5, 6, 7):
            event.update(when=f"time >= {i % 115} and {var(i)} >= {i % 5} and "
                              f"({var(i + 3)} < 50 or fired.e{(i + 1) % count_events}) and "
                              f"{bulk(i)}",
                         effects={var(i + 2): f"max(0, {var(i + 2)} - 1)", "phase": "'busy'"})
        elif kind == 8:
            event.update(when=f"phase == 'busy' and {var(i)} * 2 + {var(i + 5)} > {i % 40} "
                              f"and {bulk(i)}")
        else:
            event.update(optional=True, effects={"calm": False})
        events.append(event)

    people = []
    for i in range(n(100)):
        people.append({
            "id": f"p{i}", "role": "SRE" if i % 2 else "DBA", "skills": ["ops" if i % 2 else "db"],
            "delay": 2 + i % 5, "arrives_text": f"Person {i} is here.",
            "busy": [{"at": j * 5, "until": j * 5 + 2, "doing": "in a meeting"}
                     for j in range(n(20))],
            "lines": [{"after": 1 + j, "text": f"Person {i}, remark {j}: looking at it."}
                      for j in range(n(20))],
        })

    actions = []
    for i in range(n(300)):
        action: Data = {"id": f"a{i}", "label": f"Action number {i}", "kind": "investigate",
                        "duration": 1 + i % 10,
                        "available_when": f"{var(i)} >= 0 and not done.a{(i + 1) % n(300)}"
                                          if i % 3 else "true",
                        "effects": {var(i + 7): f"{var(i + 7)} + 3",
                                    var(i + 307): f"{var(i + 307)} + 1"},
                        "reveals": f"Action {i} finished: the graphs say it helped a little."}
        if i % 30 == 0:
            action.update(targets=100, per_target=0.5, target_label="machine",
                          helper_skills=["ops"], progress_var=var(i + 11))
        if i % 50 == 1:
            action.update(repeatable=True)
        actions.append(action)

    milestones = [{"id": f"m{i}", "label": f"Milestone {i}",
                   "when": f"{var(i)} >= {5 + i % 20} and time >= {i % 100} and {bulk(i)}"}
                  for i in range(n(100))]
    requests = []
    for i in range(n(200)):
        request: Data = {"id": f"r{i}", "sender": "Support lead", "audience": "support",
                         "kind": "update", "text": f"Request {i}: any news for the customers?"}
        if i % 2:
            request["at"] = i % 120
        else:
            request["when"] = f"time >= {i % 120} and {var(i)} > 2"
        requests.append(request)
    endings: list[Data] = [{"id": "fixed", "kind": "resolved", "title": "Fixed",
                            "when": f"{var(0)} >= 3 and calm and time >= 110",
                            "debrief": "Fixed it."}]
    endings += [{"id": f"fail{i}", "kind": "failed", "title": f"Failure {i}",
                 "when": f"time >= {100 + i % 20} and {var(i)} > {10_000 + i}",
                 "debrief": "It broke."} for i in range(n(48))]
    endings.append({"id": "late", "kind": "out_of_time", "title": "Late", "debrief": "Too late."})
    return scenario(
        meta={"id": "biggest", "title": "The biggest legal scenario",
              "summary": "Every list at its limit.", "source": "tests", "difficulty": "hard",
              "play_minutes": 60},
        state=state,
        signals=[{"var": var(i), "label": f"Signal {i}"} for i in range(min(8, n(8)))],
        status=[{"when": f"{var(i)} > {i} or time > {i * 2}", "level": "degraded",
                 "label": f"Degraded {i}"} for i in range(n(50))],
        milestones=milestones, events=events, actions=actions, people=people,
        customers=[{"id": f"c{i}"} for i in range(n(50))],
        requests=requests, endings=endings,
        scoring={"escalation": {"triggers": [
            {"id": f"t{i}", "observable": f"{var(i)} > {i % 7} and time >= {i % 60}",
             "expect": "page", "skills": ["ops"], "norm": "Page for help."}
            for i in range(n(50))]}},
    )


def write(data: Data, path: Path) -> Path:
    """Write scenario data as a TOML file and return its path."""
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path
