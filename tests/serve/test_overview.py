"""What the facilitator's console says about a team, read from a replica of its run."""

from __future__ import annotations

from drill.catalog import ScenarioSource
from drill.engine.naming import generate_names
from drill.engine.playscript import PostUpdate
from drill.serve import overview
from drill.serve import protocol as p
from drill.serve.remote_session import RemoteSession


def replica(steps=(), clock: float = 0.0, paused: bool = False) -> RemoteSession:
    source = ScenarioSource.open("black-friday")
    info = p.RunInfo(reference="black-friday", sha256=source.sha256, seed=7,
                     names=generate_names(source.scenario, 7), players=["Ana (comms)"],
                     steps=list(steps), clock=clock, pace=8.0, paused=paused)
    return RemoteSession(info, lambda step: None)


def test_coming_next_is_the_schedule_after_now_then_the_injects():
    lines = overview.coming_lines(replica(clock=2.5).run.record(), limit=4)
    assert lines[0].startswith("    T+3  support_flood: ")
    times = [line.split()[0] for line in lines[:4]]
    assert times == ["T+3", "T+4", "T+5", "T+8"]  # the request at T+4 is in its place
    assert "asks for an update" in lines[1]
    injects = [line for line in lines if "inject 'ceo_on_twitter'" in line]
    assert len(injects) == 1
    later = overview.coming_lines(replica(clock=26).run.record())
    assert not any("support_flood" in line for line in later)
    assert any("renotify (every 15)" in line and line.lstrip().startswith("T+30")
               for line in later)


def test_an_unanswered_audience_shows_as_overdue_until_it_is_told():
    silent = overview.team_view("red", ["Ana (comms)"], ["Ana (comms)"], replica(clock=30))
    assert silent.state == "playing" and silent.clock == "T+30"
    assert silent.overdue >= 1
    lines = overview.owed_lines(silent, "minutes", 30)
    assert any(line.startswith("first update to support: OVERDUE by") for line in lines)
    told = replica([PostUpdate(do="update", at=29, by="Ana (comms)", audience="support",
                               impact="Search errors", doing="Investigating",
                               next_update=30)], clock=30)
    view = overview.team_view("red", ["Ana (comms)"], [], told, held=True)
    assert view.state == "held"
    assert not any(line.startswith("first update to support")
                   for line in overview.owed_lines(view, "minutes", 30))
    assert view.overdue < silent.overdue
    assert view.overall is not None


def test_a_team_without_a_run_is_waiting():
    view = overview.team_view("blue", ["Cy (ops)"], [], None)
    assert (view.state, view.clock, view.summary, view.overall) == ("waiting", "-", "-", None)


def test_the_hidden_truth_and_the_live_comparison():
    session = replica(clock=10)
    truth = overview.truth_lines(session.scenario)
    assert truth[0] == overview.shorten(session.scenario.truth.summary, 300)
    assert "needs two teams" in overview.live_comparison({"red": session, "blue": None})
    both = overview.live_comparison({"red": session, "blue": replica(clock=12, paused=True)})
    assert "red" in both and "blue" in both and "First update: support" in both
