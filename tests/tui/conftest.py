"""Fixtures for driving the TUI with Pilot: a frozen clock, a saves folder of the test's own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from drill.tui.app import DrillApp, Settings

FIXTURES = Path(__file__).parent.parent / "fixtures"
FROZEN_START = dt.datetime(2026, 11, 27, 9, 30, 0)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor makes screenshots differ from one run to the next (a text area's too:
    on a busy machine its first blink came before the update dialog's screenshot)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run in an empty folder: ./saves is the test's own, no stray ./scenarios."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DRILL_SAVES_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def make_app(extra: list[str] | None = None, **overrides) -> DrillApp:
    """A DrillApp whose clock only moves when the test says so."""
    fields = {"saves_dir": Path("saves"), "tick": None, "wall_clock": lambda: FROZEN_START,
              "extra_scenarios": [str(FIXTURES / "tiny.toml")] if extra is None else extra}
    settings = Settings(**{**fields, **overrides})
    return DrillApp(settings)
