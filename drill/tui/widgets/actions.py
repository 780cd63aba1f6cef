"""The actions possible now, with their durations."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...engine.simulation import Run
from ..safe import plain
from .timefmt import span


class ActionList(OptionList):
    """Enter starts the highlighted action."""

    def show(self, run: Run, hints: bool) -> None:
        """Rebuild the list when the available actions change."""
        available = run.available_actions()
        signature = (tuple(a.id for a in available), hints)
        if signature == getattr(self, "_signature", None):
            return
        self._signature = signature
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.clear_options()
        for action in available:
            if action.targets:
                length = f"{action.targets} × {span(run, action.per_target)}"
            else:
                length = span(run, action.duration)
            prompt = plain(action.label) + plain(f" · {length}", "dim")
            if action.confirm:
                prompt += plain("  ⚠", "$warning")
            if hints and action.hint:
                prompt += plain(f"\n  {action.hint}", "italic $text-muted")
            self.add_option(Option(prompt, id=action.id))
        if not available:
            self.add_option(Option(plain("Nothing to start right now: wait, page or communicate.",
                                         "dim"), disabled=True))
        ids = [a.id for a in available]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif ids:
            self.highlighted = 0
