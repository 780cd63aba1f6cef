"""A run's variant in the TUI: the briefing tells the revealed draws, the save keeps them."""

from __future__ import annotations

import json
from pathlib import Path

from drill.engine import variety
from drill.session import GameSession, ScenarioSource
from drill.tui.screens.briefing import BriefingScreen

from .conftest import FIXTURES, make_app
from .helpers import pick

VARIED = FIXTURES / "varied.toml"


async def test_the_briefing_shows_the_variant_and_the_save_keeps_it(in_tmp):
    scenario = ScenarioSource.open(str(VARIED)).scenario
    variant = variety.draw(scenario, 3)
    app = make_app(extra=[str(VARIED)])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pick(pilot, "Varied")
        app.screen.query_one("#seed").value = "3"
        app.screen.query_one("#start").press()
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        briefing = str(app.screen.query_one("#briefing").children[0].visual)
        region = variant.value("region")
        assert f"Things break in {region}." in briefing
        assert f"This run: variant {variant.code}" in briefing
        assert f"Region hit: {region}" in briefing
        # The time to fix a box is for the debrief: the briefing only says more differs.
        assert "Time to fix one box" not in briefing
        assert "the postmortem tells what this run drew" in briefing
        assert f"Seed 3, variant {variant.code}." in briefing
        await pilot.press("enter")
        await pilot.pause()
    save, = Path("saves").glob("*.json")
    assert json.loads(save.read_text())["variant"] == variant.to_json()
    resumed = GameSession.resume(save)
    assert resumed.run.variant == variant


def test_a_save_with_a_damaged_variant_is_refused_with_its_name(in_tmp, capsys):
    from drill.cli import main

    source = ScenarioSource.open(str(VARIED))
    session = GameSession.start(source, seed=3, pace=1.0, saves_dir=Path("saves"))
    session.save()
    data = json.loads(session.save_path.read_text())
    data["variant"]["draws"]["box_minutes"] = 7
    session.save_path.write_text(json.dumps(data))
    assert main(["compare", str(session.save_path)]) != 0
    err = capsys.readouterr().err
    assert "variant: draws.box_minutes: 7 is not a value it can draw" in err
    assert "Traceback" not in err
