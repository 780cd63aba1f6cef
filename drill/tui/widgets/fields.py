"""A labelled row for dialogs: a short label on the left, the field filling the rest."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label


def field(label: str, widget: Widget) -> Horizontal:
    """``label`` and ``widget`` side by side, one row high."""
    return Horizontal(Label(label, classes="field-label"), widget, classes="field")
