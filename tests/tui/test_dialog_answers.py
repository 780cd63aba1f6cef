"""Each dialog answers with a typed value (the step model itself, or the run's options) or None,
and says next to the field what is wrong instead of answering.

The dialogs are shown by a bare host app, without the board: what they return is the subject.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from drill.engine.naming import generate_names
from drill.engine.playscript import FacilitatorAct, GiveEstimate, PostUpdate
from drill.engine.simulation import Run
from drill.tui.app import DrillApp
from drill.tui.clock import faster_pace
from drill.tui.dialogs.estimate import EstimateDialog
from drill.tui.dialogs.facilitator import FacilitatorDialog
from drill.tui.dialogs.setup import RunOptions, SetupDialog, parse_players
from drill.tui.dialogs.update import UpdateDialog
from drill.session import ScenarioSource

from .conftest import FIXTURES


class Host(App[None]):
    """Shows one dialog and keeps what it answers."""

    CSS_PATH = DrillApp.CSS_PATH

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


def problem(app: App[Any], field_id: str) -> str:
    """The problem shown under a field ('' when none is)."""
    line = app.screen.query_one(f"#{field_id}-problem", Static)
    return str(line.visual) if line.display else ""


def tiny_run() -> Run:
    source = ScenarioSource.open(str(FIXTURES / "tiny.toml"))
    return Run(source.compiled, 1, generate_names(source.scenario, 1))


async def test_an_update_is_a_post_update_and_next_in_takes_only_a_number():
    app = Host(UpdateDialog(tiny_run().record()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"All down")
        app.screen.query_one("#next", Input).focus()
        await pilot.press(*"ab")
        assert app.screen.query_one("#next", Input).value == "", "letters are refused as typed"
        for text, expected in (("1e", "A number, please."), ("0", "Should be greater than 0")):
            app.screen.query_one("#next", Input).value = text
            app.screen.query_one("#post").press()
            await pilot.pause()
            assert problem(app, "next") == expected
            assert app.answers == [] and app.screen is app.dialog, "the dialog stays open"
        app.screen.query_one("#next", Input).value = "20"
        app.screen.query_one("#post").press()
        await pilot.pause()
    [update] = app.answers
    assert isinstance(update, PostUpdate)
    assert (update.impact, update.next_update, update.audience) == ("All down", 20, "support")
    assert (update.at, update.by) == (0, ""), "the board stamps when and who"


async def test_an_update_with_nothing_to_say_is_refused_next_to_the_field_and_escape_cancels():
    app = Host(UpdateDialog(tiny_run().record()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#post").press()
        await pilot.pause()
        assert problem(app, "impact") == "Say what is impacted or what is being done."
        assert problem(app, "next") == ""
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [None]


async def test_an_estimate_is_a_give_estimate_and_says_what_is_wrong_where():
    app = Host(EstimateDialog(tiny_run().scenario))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"30", "tab", *"10", "tab")
        confidence = app.screen.query_one("#confidence", Input)
        confidence.value = "3"
        app.screen.query_one("#give").press()
        await pilot.pause()
        assert problem(app, "high") == "At least the low end."
        assert problem(app, "confidence") == "Between 5 and 99 %."
        assert problem(app, "low") == "" and app.answers == []
        app.screen.query_one("#high", Input).value = "45"
        confidence.value = "90"
        app.screen.query_one("#give").press()
        await pilot.pause()
    [estimate] = app.answers
    assert isinstance(estimate, GiveEstimate)
    assert (estimate.low, estimate.high, estimate.confidence, estimate.milestone) == (30, 45, 0.9, "fixed")


async def test_the_facilitator_answers_with_the_act_itself():
    app = Host(FacilitatorDialog(tiny_run(), paused=False, pace=10))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        acts = app.screen.query_one("#acts", OptionList)
        acts.highlighted = next(i for i, o in enumerate(acts.options) if o.id == "hint")
        acts.action_select()
        await pilot.pause()
        assert problem(app, "text") == "Write the text first." and app.answers == []
        acts.highlighted = next(i for i, o in enumerate(acts.options) if o.id == "faster")
        acts.action_select()
        await pilot.pause()
    [act] = app.answers
    assert isinstance(act, FacilitatorAct)
    assert (act.act, act.pace, act.by) == ("pace", faster_pace(10), "facilitator")


async def test_the_facilitator_sees_which_injects_this_runs_draw_left_out():
    source = ScenarioSource.open("black-friday")
    run = Run(source.compiled, 7, generate_names(source.scenario, 7))
    assert set(run.variant.left_out) == {"release_scheduled", "support_handover"}
    app = Host(FacilitatorDialog(run, paused=False, pace=10))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        acts = app.screen.query_one("#acts", OptionList)
        shown = {o.id.removeprefix("inject:"): o.prompt.plain for o in acts.options
                 if o.id.startswith("inject:")}
    assert shown["release_scheduled"].startswith("Inject, left out of this variant: ")
    assert shown["support_handover"].startswith("Inject, left out of this variant: ")
    assert shown["second_release"].startswith("Inject: "), "an inject the author made optional"
    assert "press_blog" not in shown, "this run's own complication comes by itself"


async def test_the_set_up_answers_with_run_options_and_refuses_a_bad_pace_or_seed():
    source = ScenarioSource.open(str(FIXTURES / "tiny.toml"))
    app = Host(SetupDialog(source, seed=None, pace=None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#pace", Input).value = "0"
        app.screen.query_one("#seed", Input).value = "-"
        app.screen.query_one("#start").press()
        await pilot.pause()
        assert problem(app, "pace") == "Real seconds per unit, from 0.01 to 86400."
        assert problem(app, "seed") == "A whole number, please."
        assert app.answers == []
        app.screen.query_one("#pace", Input).value = "2.5"
        app.screen.query_one("#seed", Input).value = "42"
        app.screen.query_one("#players", Input).value = "Ana=commander, Bo"
        app.screen.query_one("#start").press()
        await pilot.pause()
    assert app.answers == [RunOptions(seed=42, pace=2.5, players=("Ana (commander)", "Bo"))]


def test_a_player_label_always_fits_a_step():
    [label] = parse_players(f"{'N' * 80}={'r' * 80}")
    assert len(label) <= 60, "a step's `by` holds 60 characters"
    assert parse_players("Ana\x1b]0;owned\x07=comms") == ["Ana (comms)"]
