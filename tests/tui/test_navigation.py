"""The app owns navigation: screens and dialogs say what happened, they never switch screens."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest

from drill.session import GameSession, ScenarioSource
from drill.tui.dialogs.update import UpdateDialog
from drill.tui.messages import RunEnded
from drill.tui.screens.end import EndScreen

from .conftest import FIXTURES, FROZEN_START, make_app
from .helpers import open_board, settle

TUI = Path(__file__).resolve().parents[2] / "drill" / "tui"
NAVIGATING = {"push_screen", "switch_screen", "pop_screen", "push_screen_wait", "switch_mode"}
COMPONENTS = sorted([*TUI.glob("screens/*.py"), *TUI.glob("dialogs/*.py"), *TUI.glob("widgets/*.py")])


def imported(tree: ast.Module, package: str) -> set[str]:
    """Absolute names of the modules ``tree`` imports (relative imports resolved in ``package``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
            module = ".".join([*base, node.module] if node.level else [node.module or ""])
            names.add(module.rstrip("."))
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("path", COMPONENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_screen_dialog_or_widget_imports_a_screen_or_changes_screens(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = f"drill.tui.{path.parent.name}"
    screens = {name for name in imported(tree, package) if name.startswith("drill.tui.screens.")}
    assert not screens, f"{path.name} imports {sorted(screens)}: post a message instead"
    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in NAVIGATING}
    assert not calls, f"{path.name} calls {sorted(calls)}: navigation.py does that"


def test_the_check_sees_a_screen_import() -> None:
    tree = ast.parse("from .board import BoardScreen\nfrom ..screens import end\n")
    assert {"drill.tui.screens.board", "drill.tui.screens.end"} <= imported(tree, "drill.tui.screens")


@pytest.fixture
def nothing_frozen():
    """The test harness freezes what collecting the tests made (tests/conftest.py), and drill
    leaves a collector it finds frozen as it is: this test starts with nothing frozen."""
    gc.unfreeze()
    yield
    gc.freeze()


def test_drill_thaws_only_what_it_froze(nothing_frozen):
    from drill.tui.collector import freeze_long_lived, thaw

    freeze_long_lived()
    assert gc.get_freeze_count() > 0
    thaw()
    assert gc.get_freeze_count() == 0
    gc.freeze()  # as a harness or an embedding program might
    frozen = gc.get_freeze_count()
    freeze_long_lived()
    thaw()
    assert gc.get_freeze_count() == frozen, "what drill did not freeze stays frozen"


async def test_the_end_of_a_run_closes_an_open_dialog_and_shows_the_end(in_tmp, nothing_frozen):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        await pilot.press("u")
        dialog = app.screen
        assert isinstance(dialog, UpdateDialog)
        assert gc.get_freeze_count() > 0, "the board's long-lived objects are frozen"
        board.advance_to(120)  # out of time while the player types
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["EndScreen"]
        # Nothing of the run is held back from the collector once its board has gone: not its
        # kept dialogs, not the objects frozen while it was on screen (drill.tui.collector).
        assert not app.is_screen_installed(dialog)
        assert gc.get_freeze_count() == 0


async def test_a_run_that_ended_unscored_is_scored_off_the_ui_thread_then_shown(in_tmp):
    session = GameSession.start(ScenarioSource.open(str(FIXTURES / "tiny.toml")), seed=1, pace=1,
                                saves_dir=Path("saves"), started=FROZEN_START)
    session.run.advance_to(120)  # the run, not the session: nothing scored or written yet
    assert session.run.finished_run and session.card is None
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.post_message(RunEnded(session))
        await settle(pilot)
        assert isinstance(app.screen, EndScreen) and session.card is not None
    assert session.save_path.with_suffix(".md").is_file(), "the postmortem is written"
