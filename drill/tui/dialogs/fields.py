"""Rows of a dialog: a short label on the left, the field filling the rest, its problem below."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label, Static

from ...engine.scenario import AUDIENCES
from ...engine.text import AUDIENCE_TITLES

AUDIENCE_CHOICES = tuple((AUDIENCE_TITLES[a], a) for a in AUDIENCES)
"""Who an update or an estimate goes to, as a Choice offers it."""


def field(label: str, widget: Widget) -> Horizontal:
    """``label`` and ``widget`` side by side, one row high."""
    return Horizontal(Label(label, classes="field-label"), widget, classes="field")


def problem_line(field_id: str) -> Static:
    """Where a dialog says what is wrong with the field ``field_id``; hidden until it does."""
    return Static(id=f"{field_id}-problem", classes="field-problem")
