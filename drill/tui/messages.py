"""What screens tell the app: the player chose, the run started or ended, the player wants back.

A screen never imports or pushes another screen.  It posts one of these messages (named for what
happened) and :class:`~drill.tui.navigation.Navigation` decides what to show next, so the whole
flow picker → set-up → briefing → board → end → compare reads in one module.  Messages bubble from
the screen that posts them to the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from textual.message import Message
from textual.screen import ModalScreen

if TYPE_CHECKING:
    from ..session import GameSession

Answer = TypeVar("Answer")


@dataclass
class ScenarioChosen(Message):
    """The player chose a scenario to play: open its set-up."""

    reference: str
    """A bundled scenario id or a path to a ``.toml`` file."""


@dataclass
class SaveChosen(Message):
    """The player chose a saved run: continue it, or show how it ended."""

    path: Path


@dataclass
class RunStarted(Message):
    """The briefing was read: the run's clock starts on the board."""

    session: GameSession


@dataclass
class RunEnded(Message):
    """The run reached an ending: show the scores and the postmortem."""

    session: GameSession


@dataclass
class CompareRequested(Message):
    """The player asked to compare this finished run with others of the same scenario."""

    session: GameSession


@dataclass
class BackToPicker(Message):
    """The player left this screen for the scenario picker."""


@dataclass
class DialogRequested(Message, Generic[Answer]):
    """A screen needs an answer from a dialog; the app shows it and passes the answer on.

    ``answered`` receives what the dialog returns (a step model, a yes/no, or None when the
    player cancelled).
    """

    dialog: ModalScreen[Answer]
    answered: Callable[[Answer | None], Any]
