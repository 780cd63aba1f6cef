"""Team play, facilitator acts and simulated teammates, in the engine."""

from __future__ import annotations

import pytest

from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.postmortem import render_postmortem
from drill.engine.roles import role_of, score_players
from drill.engine.scoring import score_run
from drill.engine.simulation import ActionRejected, Run

from ..conftest import FIXTURES


def steps(*raw: dict):
    return PlayScript.model_validate({"steps": list(raw)}).steps


TEAM = steps(
    {"at": 2, "by": "Bo (comms)", "do": "update", "audience": "support", "impact": "Errors for all",
     "next_update": 20},
    {"at": 3, "by": "Ana (commander)", "do": "page", "person": "ops"},
    {"at": 3, "by": "Cy (ops)", "do": "start", "action": "fix"},
    {"at": 4, "by": "Ana (commander)", "do": "estimate", "audience": "management",
     "milestone": "fixed", "low": 20, "high": 45},
    {"at": 22, "by": "Bo (comms)", "do": "update", "audience": "support", "impact": "Still down",
     "next_update": 20},
    {"at": 40, "by": "Ana (commander)", "do": "resolve"},
)


def test_every_action_is_attributed_and_each_player_is_scored_on_their_role(tiny):
    run = play(tiny, 1, TEAM, names={})
    assert run.ending is not None and run.ending.kind == "resolved"
    by_player = {score.player: score for score in score_players(run)}
    assert list(by_player) == ["Bo (comms)", "Ana (commander)", "Cy (ops)"]
    assert by_player["Bo (comms)"].dimensions == ("communication",)
    assert by_player["Ana (commander)"].dimensions == ("help", "estimates")
    assert by_player["Bo (comms)"].actions == 2
    # Only Bo's updates count for Bo; Ana sent none, so Ana's communication score is low.
    assert by_player["Bo (comms)"].card.communication.score > by_player["Ana (commander)"].card.communication.score
    assert run.view_of("Cy (ops)").updates == ()


def test_role_labels_match_ids_or_labels_and_unknown_roles_count_everything(tiny):
    scenario = tiny.scenario
    assert role_of("Ana (commander)", scenario).id == "commander"
    assert role_of("Bo (Communications)", scenario).id == "comms"
    assert role_of("Dee", scenario) is None
    run = play(tiny, 1, steps({"at": 3, "by": "Dee", "do": "start", "action": "fix"}), names={})
    [dee] = score_players(run)
    assert dee.dimensions == ("communication", "help", "rollback", "estimates")


def test_the_postmortem_lists_responders_by_role(tiny):
    run = play(tiny, 1, TEAM, names={})
    text = render_postmortem(run, score_run(run))
    assert "Ana (commander)" in text and "Bo (comms)" in text and "Cy (ops)" in text


def test_facilitator_acts_are_in_the_timeline_and_the_postmortem(tiny):
    data = tiny.scenario.model_dump()
    data["events"].append({"id": "vp_calls", "optional": True, "channel": "management",
                           "text": "The VP is on the phone.", "effects": {"errors": 99}})
    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario

    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, steps(
        {"at": 5, "do": "facilitate", "act": "inject", "event": "vp_calls"},
        {"at": 6, "do": "facilitate", "act": "message", "channel": "customer",
         "text": "A journalist is asking questions."},
        {"at": 7, "do": "facilitate", "act": "hint", "text": "Who else knows this system?"},
        {"at": 8, "do": "facilitate", "act": "pause"},
        {"at": 9, "do": "facilitate", "act": "end"},
    ), names={})
    assert run.value("errors") == 99, "an optional inject fires with its effects"
    assert run.ending is not None and run.ending.id == "ended-by-facilitator" and run.ended_at == 9
    assert [e.kind for e in run.log if e.by == "facilitator"] == [
        "facilitator", "event", "facilitator", "facilitator", "facilitator"]
    text = render_postmortem(run, score_run(run))
    assert "The facilitator injected: The VP is on the phone." in text
    assert "**Facilitator** inject (customer): A journalist is asking questions." in text
    assert "Hint: Who else knows this system?" in text
    assert "The facilitator ended the run." in text
    assert "The facilitator ended the drill at T+9, before the incident was resolved." in text
    assert "time ran out" not in text
    assert score_players(run) == [], "the facilitator is not a player"


def test_an_inject_of_an_unknown_event_is_refused(tiny):
    run = Run(tiny, 1, {})
    with pytest.raises(ActionRejected, match="no event 'nope'"):
        run.perform(steps({"at": 1, "do": "facilitate", "act": "inject", "event": "nope"})[0])


def test_a_paged_teammate_answers_in_character_with_their_delay(tiny):
    run = play(tiny, 1, steps({"at": 3, "do": "page", "person": "ops"}), names={"ops": "Sam"})
    said = [e for e in run.log if e.kind == "said"]
    # 10:03 in Paris is 01:03 in San Francisco: asleep, so the answer comes late and says so.
    assert said[0].time == 13 and said[0].sender == "Sam"
    assert said[0].text.startswith("It's 01:13 here. Just woke up")
    assert "about 15 min" in said[0].text


def test_a_teammate_taken_over_by_a_player_stops_speaking_on_their_own(tiny):
    run = play(tiny, 1, steps(
        {"at": 1, "by": "Cy (ops)", "do": "takeover", "person": "ops"},
        {"at": 3, "by": "Ana (commander)", "do": "page", "person": "ops"},
    ), names={"ops": "Sam"})
    assert [e for e in run.log if e.kind == "said"] == []
    assert any(e.kind == "takeover" and "Cy (ops) now plays Sam" in e.text for e in run.log)
    arrived = next(e for e in run.log if e.kind == "arrived")
    assert "played by Cy (ops)" in arrived.text
    fresh = Run(tiny, 1, {})
    fresh.perform(steps({"at": 1, "by": "Cy (ops)", "do": "takeover", "person": "ops"})[0])
    with pytest.raises(ActionRejected, match="already played by Cy"):
        fresh.perform(steps({"at": 2, "by": "Bo (comms)", "do": "takeover", "person": "ops"})[0])


def test_a_player_who_only_took_a_teammate_over_gets_no_score(tiny):
    run = play(tiny, 1, steps(
        {"at": 1, "by": "Dee (ops)", "do": "takeover", "person": "ops"},
        {"at": 3, "by": "Cy (ops)", "do": "start", "action": "fix"},
    ), names={})
    assert [score.player for score in score_players(run)] == ["Cy (ops)"]


def test_a_players_overall_uses_the_scenarios_weights_like_the_teams():
    from drill.engine.roles import PlayerScore
    from drill.engine.scorecard import DimensionScore, ScoreCard

    card = ScoreCard(DimensionScore("communication", 100), DimensionScore("help", 0),
                     DimensionScore("rollback", 0), DimensionScore("estimates", 0, False), 0)
    # No role named: judged on every dimension that applies, weighed 0.4/0.2/0.2(/0.2).
    weighed = PlayerScore("Zed", None, card, 3, (0.4, 0.2, 0.2, 0.2))
    assert weighed.overall == pytest.approx(100 * 0.4 / 0.8)
    assert PlayerScore("Zed", None, card, 3).overall == pytest.approx(100 / 3)


def test_a_teammate_busy_in_a_meeting_answers_from_it_and_joins_when_it_ends(tiny):
    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario

    data = tiny.scenario.model_dump()
    data["people"][0]["busy"] = [{"at": 0, "until": 30, "doing": "in the quarterly review"}]
    data["people"][0]["acknowledges"] = "On it."
    data["people"][0]["hours"] = (0, 24)    # awake: being off hours would come first
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    person = data["people"][0]["id"]
    run = play(compiled, 1, steps({"at": 6, "do": "page", "person": person}), names={})
    said = next(e for e in run.log if e.kind == "said" and e.ref == person)
    assert said.time == 7
    assert said.text == "I'm in the quarterly review; I can join in about 23 min."
    assert run.arrived_at[person] == 30, "they come when the meeting ends, not after their delay"
    paged = next(e for e in run.log if e.kind == "paged")
    assert paged.detail.busy == "in the quarterly review" and paged.detail.eta == 30
    text = render_postmortem(run, score_run(run))
    assert "within their hours, in the quarterly review" in text
    assert "while in the quarterly review, expected by T+30" in text
    # Back-to-back meetings: they come after the last one.
    data["people"][0]["busy"].append({"at": 30, "until": 45, "doing": "in the 1:1"})
    chained = CompiledScenario.build(Scenario.model_validate(data))
    run = play(chained, 1, steps({"at": 6, "do": "page", "person": person}), names={})
    assert run.arrived_at[person] == 45
    # Paged after the meeting, their own words and delay again.
    later = play(compiled, 1, steps({"at": 31, "do": "page", "person": person}), names={})
    assert next(e.text for e in later.log if e.kind == "said") == "On it."
    assert later.arrived_at[person] == 31 + data["people"][0]["delay"]


def test_a_commander_who_fixes_things_by_hand_while_others_are_there_loses_a_little():
    import tomllib

    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario

    with open(FIXTURES / "scoring_trap.toml", "rb") as handle:
        trap = CompiledScenario.build(Scenario.model_validate(tomllib.load(handle)))

    def hands_on(card):
        return [d for d in card.help.deductions if "incident commander" in d.what]

    alone = play(trap, 1, steps({"at": 6, "by": "Ana (commander)", "do": "start",
                                 "action": "rollback"}), names={})
    assert not hands_on(score_run(alone)), "nobody to hand it to"
    team = play(trap, 1, steps(
        {"at": 2, "by": "Cy (ops)", "do": "page", "person": "sre"},
        {"at": 3, "by": "Dee", "do": "update", "audience": "team", "impact": "Errors"},
        {"at": 6, "by": "Ana (commander)", "do": "start", "action": "rollback"}), names={})
    [lost] = hands_on(score_run(team))
    assert lost.what.startswith("Ana (commander), the incident commander, started")
    assert "while Cy (ops) could have taken it" in lost.what and lost.time == 6
    by_player = {entry.player: entry for entry in score_players(team)}
    assert hands_on(by_player["Ana (commander)"].card), "the commander's own score carries it"
    assert not hands_on(by_player["Dee"].card), "other players never pay for it"
    handed = play(trap, 1, steps(
        {"at": 2, "by": "Cy (ops)", "do": "page", "person": "sre"},
        {"at": 6, "by": "Cy (ops)", "do": "start", "action": "rollback"}), names={})
    assert not hands_on(score_run(handed))
