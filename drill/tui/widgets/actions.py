"""The actions possible now, with their durations."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...engine.disclosure import told_length, told_targets
from ...engine.scenario import Action
from ...engine.simulation import Run
from ...engine.text import number
from ..safe import plain
from .timefmt import span_told


def action_length(run: Run, action: Action) -> str:
    """How long an action takes, as players know it (:mod:`drill.engine.disclosure`): '4 min',
    '36 × 5 min' for one with targets, '36 × 4–5 min' where a draw hides the time per target."""
    length = span_told(run, told_length(run.scenario, action))
    if action.targets:
        low, high = told_targets(run.scenario, action)
        count = number(low) if low == high else f"{number(low)}–{number(high)}"
        return f"{count} × {length}"
    return length


class ActionList(OptionList):
    """Enter starts the highlighted action; each on one line, its duration first, so that a
    narrow board cuts only the end of a long label (with an ellipsis)."""

    def show(self, run: Run, hints: bool) -> None:
        """Rebuild the list when the available actions change."""
        available = run.available_actions()
        signature = (tuple(a.id for a in available), hints)
        if signature == getattr(self, "_signature", None):
            return
        self._signature = signature
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        lengths = [action_length(run, a) for a in available]
        column = max((len(length) for length in lengths), default=0)
        options = []
        for action, length in zip(available, lengths):
            prompt = plain(length.rjust(column), "dim") + plain("  ") + plain(action.label)
            if action.confirm:
                prompt += plain(" ⚠", "$warning")
            if hints and action.hint:
                # Only the actions on offer have their hint shown: a hint never points at
                # what the player cannot see yet.
                prompt += plain("\n" + " " * (column + 2)) + plain(action.hint, "italic $text-muted")
            options.append(Option(prompt, id=action.id))
        if not available:
            options.append(Option(plain("Nothing to start right now: wait, page or communicate.",
                                        "dim"), disabled=True))
        # All at once: one layout of the list, not one per option.
        self.set_options(options)
        ids = [a.id for a in available]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif ids:
            self.highlighted = 0
