"""Dialogs a screen builds once and shows again, set up afresh each time.

Building a dialog is most of the time it takes to open: Textual creates, styles and lays out
each of its widgets (about thirty for the update dialog; bench/latency.py).  A dialog kept here
is installed in the app, so closing it does not destroy it, and the next opening only resets
its fields (its ``prepare``, which takes the arguments of its ``__init__``) and paints it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.app import ScreenStackError
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..widgets.quiet import shown_key
from .backdrop import Dialog

Kept = TypeVar("Kept", bound=Dialog[Any])


class KeptDialogs:
    """The dialogs one screen keeps, one per class, until :meth:`discard`."""

    def __init__(self, owner: Screen[Any]) -> None:
        self.owner = owner
        self._dialogs: dict[type[Dialog[Any]], Dialog[Any]] = {}

    def get(self, kind: type[Kept], *args: Any) -> Kept:
        """The ``kind`` dialog for ``args``: built the first time, prepared afresh after.

        One that is showing already (one confirmation asked over another) is not taken from
        under the player: a new one, not kept, is built instead.
        """
        dialog = self._dialogs.get(kind)
        if dialog is not None and dialog in self.owner.app.screen_stack:
            return kind(*args)
        if dialog is None:
            dialog = kind(*args)
            self._dialogs[kind] = dialog
            self.owner.app.install_screen(dialog, f"kept-{kind.__name__}-{id(self.owner)}")
        else:
            dialog.prepare(*args)
        assert isinstance(dialog, kind)
        return dialog

    def discard(self) -> None:
        """Let the app destroy the kept dialogs (their screen is going)."""
        app = self.owner.app
        for dialog in self._dialogs.values():
            try:
                app.uninstall_screen(dialog)
            except ScreenStackError:
                continue  # still showing: the app removes it with its stack
            dialog.remove()
        self._dialogs.clear()


def refill(options: OptionList, offered: list[Option]) -> None:
    """Offer ``offered`` in ``options``, the first one that can be chosen highlighted, as a
    new list would be.

    When the same choices are offered again (the same ids, in the same order), only the
    prompts and disabled states that changed are replaced: setting the options anew lays the
    dialog out again, which was most of the time to show a kept page or facilitator dialog.
    """
    current = options.options
    if [o.id for o in current] != [o.id for o in offered]:
        options.set_options(offered)
    else:
        for index, (was, now) in enumerate(zip(current, offered)):
            if shown_key(was.prompt) != shown_key(now.prompt):
                options.replace_option_prompt_at_index(index, now.prompt)
            if was.disabled != now.disabled:
                if now.disabled:
                    options.disable_option_at_index(index)
                else:
                    options.enable_option_at_index(index)
    options.highlighted = next((i for i, o in enumerate(offered) if not o.disabled), None)
