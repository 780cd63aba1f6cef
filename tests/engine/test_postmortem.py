"""The postmortem: every section in order, deterministic, blameless, and safe with hostile text."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.postmortem import SECTIONS, render_postmortem
from drill.engine.text import clean as clean_text
from drill.engine.scenario import Scenario
from drill.engine.scorecard import (
    AudienceReport,
    Deduction,
    DimensionScore,
    EstimateRow,
    PromiseRow,
    ScoreCard,
)
from drill.engine.simulation import CompiledScenario, Run

from ..conftest import FIXTURES, REPO

NAMES = {"ops": "Dana Ops"}


def steps(*raw: dict):
    return PlayScript.model_validate({"steps": list(raw)}).steps


def tiny_data() -> dict:
    with open(FIXTURES / "tiny.toml", "rb") as handle:
        return tomllib.load(handle)


def compiled(data: dict) -> CompiledScenario:
    return CompiledScenario.build(Scenario.model_validate(data))


GOOD_PLAY = (
    {"at": 1, "do": "start", "action": "fix"},  # refused: the alert has not fired yet
    {"at": 3, "do": "start", "action": "fix"},
    {"at": 4, "do": "update", "audience": "support", "impact": "Errors for some users.",
     "doing": "Fixing the boxes.", "next_update": 15},
    {"at": 5, "do": "page", "person": "ops"},
    {"at": 6, "do": "estimate", "audience": "support", "milestone": "fixed", "low": 20,
     "high": 45},
    {"at": 60, "do": "resolve"},
)


def card(
    communication: DimensionScore | None = None, overall: float = 72.5, **tables: object
) -> ScoreCard:
    """A hand-built score card, so these tests do not depend on the scoring rules."""
    return ScoreCard(
        communication=communication or DimensionScore(
            "communication", 60.0,
            deductions=(Deduction("communication", 40.0, 12.0,
                                  "No update to customers all run (the first was due by T+10)",
                                  "PagerDuty external comms: first public post within 5 min"),),
            credits=("Support heard from the incident lead by T+4",)),
        help=DimensionScore("help", 85.0, credits=("Paged the ops engineer early",)),
        rollback=DimensionScore("rollback", 0.0, applicable=False),
        estimates=DimensionScore("estimates", 100.0),
        overall=overall,
        **tables,  # type: ignore[arg-type]
    )


def sections(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


def section(text: str, name: str) -> str:
    """The body of one section."""
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def cells(row: str) -> int:
    """Cells in a Markdown table row: pipes not escaped by a backslash split them."""
    count, backslashes = 0, 0
    for char in row:
        if char == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return count - 1


@pytest.fixture
def resolved(tiny: CompiledScenario) -> Run:
    run = play(tiny, 7, steps(*GOOD_PLAY), names=NAMES)
    assert run.ending is not None and run.ending.kind == "resolved"
    return run


@pytest.fixture
def out_of_time(tiny: CompiledScenario) -> Run:
    run = play(tiny, 7, steps({"at": 4, "do": "update", "audience": "team", "doing": "Looking."}),
               names=NAMES)
    assert run.ending is not None and run.ending.kind == "out_of_time"
    return run


# -- structure -----------------------------------------------------------------------------------


def test_a_resolved_run_has_every_section_in_order(resolved):
    text = render_postmortem(resolved, card())
    assert text.startswith("# Postmortem: Tiny\n")
    assert sections(text) == list(SECTIONS)
    header = text.split("\n## ")[0]
    assert "**Date:** 2018-06-27" in header
    assert "**Status:**" in header
    assert "**Outcome:** Resolved: Fixed, at T+60 (11:00)" in header
    assert "resolved at T+60" in section(text, "Summary")
    assert "Well done." in section(text, "Debrief")


def test_an_out_of_time_run_has_every_section_and_says_time_ran_out(out_of_time):
    text = render_postmortem(out_of_time, card())
    assert sections(text) == list(SECTIONS)
    assert "**Outcome:** Out of time" in text
    assert "time ran out at T+120" in section(text, "Summary")
    impact = section(text, "Impact")
    assert "| Resolved | not reached before the run ended at T+120 |" in impact
    assert "still open" in section(text, "What went wrong")
    assert "Nobody was paged" in section(text, "Responders")


def test_impact_shows_morgue_times(resolved):
    impact = section(render_postmortem(resolved, card()), "Impact")
    assert "| Impact began | T+0 (10:00) |" in impact
    assert "| Detected (first signal to the responders) | T+2 (10:02) |" in impact
    assert "| Time undetected | 2 min |" in impact
    assert "| Time to resolve | 60 min |" in impact
    # tiny has no 'mitigated' milestone: said so, not silently blank.
    assert "| Time to mitigate | not measured |" in impact


def test_time_to_mitigate_comes_from_the_mitigated_milestone(tiny):
    data = tiny_data()
    data["milestones"].append({"id": "mitigated", "label": "Half fixed", "when": "fixed >= 2"})
    run = play(compiled(data), 7, steps(*GOOD_PLAY), names=NAMES)
    text = render_postmortem(run, card())
    mitigated_at = run.reached["mitigated"]
    assert f"| Time to mitigate | {mitigated_at:g} min |" in section(text, "Impact")
    assert "**IMPACT MITIGATED** Milestone reached: Half fixed." in section(text, "Timeline")


def test_responders_list_each_page_with_role_name_and_times(resolved):
    responders = section(render_postmortem(resolved, card()), "Responders")
    assert "You are on call." in responders
    # Paged at T+5 outside San Francisco hours: 5 + 20 minutes later.
    assert "| Ops | Dana Ops | T+5 (10:05) | T+30 (10:30) | outside their hours |" in responders


def test_timeline_lists_decisions_with_what_was_visible(resolved):
    timeline = section(render_postmortem(resolved, card()), "Timeline")
    assert "- **T+3 (10:03)** Started: 'Fix box'. *Seen then:* T+2 Errors up" in timeline
    assert "Paged Dana Ops (Ops), outside their working hours, expected by T+30." in timeline
    assert "Update to support (investigating): Errors for some users." in timeline
    # A refused step is a decision too: nothing was visible yet at T+1.
    assert "- **T+1 (10:01)** Tried to start an action; the system refused" in timeline
    assert "*Seen then:* nothing yet." in timeline
    # Every log entry is there, in order, between the impact and incident markers.
    bullets = [line for line in timeline.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(resolved.log) + 1
    assert "IMPACT BEGINS" in bullets[0] and "INCIDENT ENDS" in bullets[-1]
    assert "**DETECTED** Alert: Errors up" in timeline


def test_score_card_lists_scores_na_and_every_deduction_with_its_norm(resolved):
    text = section(render_postmortem(resolved, card()), "Score card")
    assert "| Communication cadence | 60/100 | 0.25 |" in text
    assert "| Rollback choices | N/A (nothing to judge in this run) | 0.25 |" in text
    assert "| **Overall** | **72.5/100** |  |" in text
    assert ("- **-40 points** at T+12: No update to customers all run (the first was due by "
            "T+10). *Norm:* PagerDuty external comms: first public post within 5 min") in text


def test_went_well_and_wrong_come_from_the_card_and_the_run(resolved):
    text = render_postmortem(resolved, card())
    well = section(text, "What went well")
    assert "- Support heard from the incident lead by T+4" in well
    assert "- Paged the ops engineer early" in well
    assert "- Help arrived: Dana Ops (Ops)." in well
    wrong = section(text, "What went wrong")
    assert "No update to customers all run" in wrong
    assert "Support heard" not in wrong


def test_communication_and_estimates_use_the_score_card_tables(resolved):
    audiences = (AudienceReport("support", True, 10.0, 4.0, 1, 1, 0, 1,
                                (PromiseRow(4.0, 19.0, None, False),)),)
    estimates = (EstimateRow(6.0, "support", "fixed", "20-45", 30.5, False, 0.97, True, False),)
    text = render_postmortem(resolved, card(audiences=audiences, estimate_rows=estimates))
    comms = section(text, "Communication")
    assert "| Support | yes | T+10 | T+4 | 1 | 1 | 0 | 1 |" in comms
    assert "| Support | T+4 | T+19 | none | no |" in comms
    est = section(text, "Estimates vs actuals")
    assert ("| T+6 | Support | All fixed | 20-45 min (80% range) | 30.5 min | +0.02 | hit "
            "| 0.97 |") in est


def test_without_score_card_tables_communication_comes_from_the_run(resolved):
    text = render_postmortem(resolved, card())
    comms = section(text, "Communication")
    assert "| Support | - | - | T+4 | 1 | 1 | - | - |" in comms
    assert "| Customers (status page) | - | - | none | 0 | 0 | - | - |" in comms
    est = section(text, "Estimates vs actuals")
    # The milestone came at T+36.5: 30.5 min after the estimate at T+6.
    assert "| T+6 | Support | All fixed | 20-45 min (80% range) | 30.5 min | +0.02 |" in est


def test_the_real_scorer_feeds_the_postmortem(resolved):
    from drill.engine.scoring import score_run

    scored = score_run(resolved)
    text = render_postmortem(resolved, scored)
    assert sections(text) == list(SECTIONS)
    for dimension in scored.dimensions():
        for deduction in dimension.deductions:
            assert clean_text(deduction.norm) in text


# -- determinism -----------------------------------------------------------------------------------


def test_the_same_run_gives_the_same_text(tiny):
    first = render_postmortem(play(tiny, 7, steps(*GOOD_PLAY), names=NAMES), card())
    second = render_postmortem(play(tiny, 7, steps(*GOOD_PLAY), names=NAMES), card())
    assert first == second


def test_the_text_does_not_depend_on_the_process_hash_seed():
    # Set and dict orders that leak into the text would differ between these processes.
    script = (
        "import sys, tomllib\n"
        "from drill.engine.headless import play\n"
        "from drill.engine.playscript import PlayScript\n"
        "from drill.engine.postmortem import render_postmortem\n"
        "from drill.engine.scenario import Scenario\n"
        "from drill.engine.scoring import score_run\n"
        "from drill.engine.simulation import CompiledScenario\n"
        "s = Scenario.model_validate(tomllib.load(open('tests/fixtures/tiny.toml', 'rb')))\n"
        "p = PlayScript.model_validate(tomllib.load(open('tests/fixtures/tiny-play.toml', 'rb')))\n"
        "run = play(CompiledScenario.build(s), p.seed, p.steps)\n"
        "sys.stdout.write(render_postmortem(run, score_run(run)))\n"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                       check=True, env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("# Postmortem: Tiny")


# -- untrusted text ---------------------------------------------------------------------------------


HOSTILE = ("a|b\nc\x1b[2J\x1b]0;pwned\x07d\r\n## Score card\n```\n<script>x</script>\n---\n"
           "\\<img src=x>\\")


def hostile_run() -> Run:
    data = tiny_data()
    data["meta"]["title"] = "Title | " + HOSTILE
    data["meta"]["summary"] = HOSTILE
    data["truth"]["summary"] = HOSTILE
    data["events"][0]["text"] = HOSTILE
    data["events"][0]["sender"] = "sup|port\x1b[31m"
    data["actions"][0]["label"] = "Fix | box\x1b[2J"
    data["people"][0]["role"] = "Ops | SRE\nlead"
    data["milestones"][0]["label"] = "All | fixed\n"
    data["endings"][0]["title"] = "Fixed\x1b[2J"
    data["endings"][0]["debrief"] = HOSTILE
    data["postmortem"] = {
        "impact": HOSTILE, "trigger": HOSTILE, "root_cause": HOSTILE,
        "contributing_factors": [HOSTILE], "surprises": [HOSTILE], "lucky": [HOSTILE],
        "lessons": ["1986. " + HOSTILE],
        "action_items": [{"text": HOSTILE, "type": "process", "owner": "SRE | lead\x1b[2J"}],
    }
    return play(compiled(data), 7, steps(*GOOD_PLAY), names={"ops": "Eve\x1b[2J|\nMallory"})


def test_hostile_scenario_text_cannot_break_tables_or_sections():
    run = hostile_run()
    bad = DimensionScore("communication", 50.0, deductions=(
        Deduction("communication", 50.0, 3.0, "what | " + HOSTILE, "norm\n" + HOSTILE),),
        credits=(HOSTILE,))
    text = render_postmortem(run, card(communication=bad))
    # The headings are exactly ours: the "## Score card" inside the text did not make one.
    assert sections(text) == list(SECTIONS)
    assert [line for line in text.splitlines()[1:] if line.lstrip().startswith("#")
            and not line.startswith(("## ", "### "))] == []
    # No line opens a code fence, an HTML block or a setext underline.
    for line in text.splitlines():
        stripped = line.lstrip()
        assert not stripped.startswith(("```", "~~~", "<", "---", "===")), line
    # Every table keeps its shape: each row has as many cells as its header.
    width = None
    for line in text.splitlines():
        if line.startswith("|"):
            width = width or cells(line)
            assert cells(line) == width, line
        else:
            width = None
    assert "| Ops \\| SRE lead | Eve\\| Mallory |" in section(text, "Responders")
    assert "| process | SRE \\| lead |" in section(text, "Action items")


def test_hostile_text_reaches_the_output_clean():
    text = render_postmortem(hostile_run(), card())
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "[2J" not in text and "pwned" not in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    # Every "<" that could open a tag is escaped by an odd number of backslashes.
    for match in re.finditer(r"(\\*)<(?=[A-Za-z/!?])", text):
        assert len(match.group(1)) % 2 == 1, text[match.start() - 20:match.end() + 20]
    # The words themselves survive, escaped.
    assert "\\<script>" in text and "\\\\\\<img src=x>" in text
    assert text.splitlines()[0].startswith("# Postmortem: Title | a|b cd ## Score card")


def test_hostile_text_parses_as_plain_text_in_a_markdown_parser():
    # markdown-it is what Rich's Markdown (the end screen) parses with; HTML switched on here
    # so that any raw tag that slipped through would show up as a token.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(
        render_postmortem(hostile_run(), card()))
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or ()}
    assert not kinds & {"html_block", "html_inline", "fence", "code_block", "hr"}
    level2 = [tokens[i + 1].content for i, t in enumerate(tokens)
              if t.type == "heading_open" and t.tag == "h2"]
    assert level2 == list(SECTIONS)
    assert sum(t.type == "heading_open" and t.tag == "h1" for t in tokens) == 1


# -- blameless language ----------------------------------------------------------------------------


BLAME = re.compile(r"human error|should have|could have|would have|\bif\b[^.]*\bhad\b|\bblame|"
                   r"\bfault\b|careless|\bfailed to\b", re.I)


def test_generated_text_has_no_blame_or_counterfactuals(resolved, out_of_time, tiny):
    live = Run(tiny, 7, NAMES)
    live.advance_to(30)
    stopped = live.record()
    from drill.engine.scoring import score_run

    for run in (resolved, out_of_time, stopped):
        for score_card in (card(), score_run(run)):
            text = render_postmortem(run, score_card)
            assert not BLAME.search(text), BLAME.search(text)


def test_a_stopped_run_says_it_has_no_ending(tiny):
    live = Run(tiny, 7, NAMES)
    live.advance_to(30)
    text = render_postmortem(live.record(), card())
    assert sections(text) == list(SECTIONS)
    assert "**Outcome:** No ending: the run was stopped at T+30 (10:30)" in text
    assert "no debrief yet" in section(text, "Debrief")


# -- days clock ------------------------------------------------------------------------------------


def days_scenario() -> dict:
    data = tiny_data()
    data["clock"] = {"unit": "days", "start": tomllib.loads("d = 2019-03-01T09:00:00")["d"],
                     "limit": 40}
    data["events"][1]["every"] = 7
    data["actions"][0]["per_target"] = 3
    data["people"][0]["delay"] = 2
    return data


def test_days_clock_prints_days_and_dates_never_minutes():
    run = play(compiled(days_scenario()), 7, steps(
        {"at": 3, "do": "start", "action": "fix"},
        {"at": 4, "do": "estimate", "audience": "management", "milestone": "fixed", "point": 10},
        {"at": 20, "do": "resolve"},
    ), names=NAMES)
    text = render_postmortem(run, card())
    assert sections(text) == list(SECTIONS)
    assert "**Date:** 2019-03-01 (day 0 of the project)" in text
    timeline = section(text, "Timeline")
    assert "- **day 2 (2019-03-03)** **DETECTED** Alert: Errors up" in timeline
    assert "- **day 3 (2019-03-04)** Started: 'Fix box'. *Seen then:* day 2 Errors up" in timeline
    # The hand-made card's deduction says "T+12"; everything the postmortem writes is in days.
    for name in ("Summary", "Impact", "Timeline", "Estimates vs actuals", "Communication"):
        assert "T+" not in section(text, name) and " min" not in section(text, name), name
    assert "| Time to resolve | 20 days |" in section(text, "Impact")
    assert "| day 4 | Management | All fixed | 10 days |" in section(text, "Estimates vs actuals")


# -- speed -----------------------------------------------------------------------------------------


def test_a_long_run_renders_its_whole_timeline():
    # How fast it renders is bench/engine.py's to measure (timed assertions are not tests).
    data = tiny_data()
    data["clock"]["limit"] = 400
    data["events"][1]["every"] = 0.5
    data["events"][1]["until"] = "false"
    run = play(compiled(data), 7, steps(*GOOD_PLAY[:5]), names=NAMES)
    assert len(run.log) > 700
    timeline = section(render_postmortem(run, card()), "Timeline").splitlines()
    assert sum("Monitoring: still broken" in line for line in timeline) == \
        sum(entry.text == "still broken" for entry in run.log)
    assert "**INCIDENT ENDS** Out of time" in timeline[-1]


def test_seen_then_quotes_a_long_message_short_and_requests_read_naturally(tiny):
    data = tiny_data()
    data["events"][0]["text"] = "Errors up. " + "The dashboard is all red and support is flooded. " * 6
    data["requests"] = [{"id": "eta", "at": 1, "sender": "The CTO", "audience": "management",
                         "kind": "estimate", "milestone": "fixed", "text": "When?"}]
    run = play(compiled(data), 7, steps(*GOOD_PLAY), names=NAMES)
    timeline = section(render_postmortem(run, card()), "Timeline")
    started = next(line for line in timeline.splitlines() if "Started: 'Fix box'" in line)
    seen = started.split("*Seen then:* ", 1)[1]
    assert seen.startswith("T+2 ") and seen.endswith("…") and len(seen) < 110
    assert "The CTO asked for an estimate for 'All fixed': When?" in timeline


def test_times_past_midnight_carry_the_date():
    data = tiny_data()
    data["clock"]["limit"] = 900  # 10:00 + 15 h = 01:00 the next day
    run = play(compiled(data), 7, [], names=NAMES)
    text = render_postmortem(run, card())
    assert "**Outcome:** Out of time, at T+900 (2018-06-28 01:00)" in text
    assert "- **T+10 (10:10)** Monitoring: still broken" in section(text, "Timeline")


def test_five_judged_ranges_get_calibration_feedback_but_no_deduction():
    from drill.engine.scoring import score_run

    with open(FIXTURES / "scoring_estimates.toml", "rb") as handle:
        scenario = CompiledScenario.build(Scenario.model_validate(tomllib.load(handle)))
    fix = {"at": 0, "do": "start", "action": "fix"}   # "Fixed" at T+40: 30 min after T+10

    def ranges(*bounds):
        return [{"at": 10, "do": "estimate", "audience": "team", "milestone": "fixed",
                 "low": low, "high": high} for low, high in bounds]

    narrow = play(scenario, 1, steps(fix, *ranges((5, 8), (10, 12), (20, 40), (50, 60),
                                                  (25, 35))), names={})
    card = score_run(narrow)
    text = render_postmortem(narrow, card)
    assert "Calibration: 2 of 5 ranges held (40%) at a stated 80% confidence: over-confident" \
        in text
    assert not any("alibrat" in d.what for d in card.estimates.deductions), "feedback only"
    four = play(scenario, 1, steps(fix, *ranges((5, 8), (10, 12), (20, 40), (50, 60))),
                names={})
    assert "Calibration:" not in render_postmortem(four, score_run(four)), "too few to judge"


def test_links_and_images_in_scenario_text_are_shown_not_followed():
    # A tracking pixel on a forge, and a link whose text hides where it goes (issue 9).
    data = tiny_data()
    data["events"][0]["text"] = "Errors up ![pixel](https://tracker.example/p.png)"
    data["postmortem"]["impact"] = "See [the runbook](https://evil.example) [ref][1]"
    data["postmortem"]["lessons"] = ["[1]: https://evil.example"]
    text = render_postmortem(play(compiled(data), 7, steps(*GOOD_PLAY), names=NAMES), card())
    assert "https://tracker.example/p.png" in text and "https://evil.example" in text
    # Every bracket is escaped by an odd number of backslashes: no link, image or reference.
    for match in re.finditer(r"(\\*)[\[\]]", text):
        if "tracker" in text[match.start():match.start() + 60] or \
                "evil" in text[max(0, match.start() - 40):match.start() + 60]:
            assert len(match.group(1)) % 2 == 1, text[match.start() - 30:match.end() + 30]
    assert "!\\[pixel\\](https://tracker.example/p.png)" in text
