"""The scenario picker: bundled and local scenarios, and saved runs to continue."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ..listing import SaveCard, ScenarioCard, best_run, save_cards, scenario_cards
from ..messages import SaveChosen, ScenarioChosen
from ..widgets.keybar import KeyBar
from ..safe import notify_plain, plain, styled
from ...engine.text import plural


class PickerScreen(Screen[None]):
    """Choose a scenario to play, or continue a saved run."""

    BINDINGS = [
        Binding("enter", "choose", "Play / continue", priority=True, id="choose"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("q", "app.request_quit", "Quit", id="picker-quit", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.scenarios: list[ScenarioCard] = []
        self.saves: list[SaveCard] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="picker"):
            yield OptionList(id="choices")
            with VerticalScroll(id="details-box"):
                yield Static(id="details")
        yield Static(id="picker-problems")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_choices()

    def action_refresh(self) -> None:
        """Read the scenario folders and the saves again."""
        self.refresh_choices()

    def refresh_choices(self) -> None:
        """Fill the list: runs to continue first, then scenarios."""
        settings = self.app.settings  # type: ignore[attr-defined]
        self.scenarios = scenario_cards(settings.extra_scenarios)
        self.saves = save_cards(settings.saves_dir)
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        continuable = [s for s in self.saves if not s.finished and not s.problem]
        if continuable:
            choices.add_option(Option(Content.from_markup("[b]Continue a run[/b]"), disabled=True))
            for index, save in enumerate(continuable[:5]):
                label = styled("  ▶ $id  T+$clock  ($when)", id=save.scenario_id,
                               clock=f"{save.clock:.0f}", when=save.started_at.replace("T", " "))
                choices.add_option(Option(label, id=f"save-{self.saves.index(save)}"))
        choices.add_option(Option(Content.from_markup("[b]Scenarios[/b]"), disabled=True))
        for index, card in enumerate(self.scenarios):
            if card.problem:
                label = broken_label(card)
            else:
                label = styled("  $title", title=card.title)
            choices.add_option(Option(label, id=f"scenario-{index}"))
        damaged = [s for s in self.saves if s.problem]
        notes = self.query_one("#picker-problems", Static)
        if damaged:
            notes.update(styled("[$warning]Skipped $n damaged save(s): $first[/]",
                                n=str(len(damaged)), first=f"{damaged[0].path.name}: {damaged[0].problem}"))
            notes.display = True
        else:
            notes.display = False
        first = next((i for i, o in enumerate(choices.options) if not o.disabled), None)
        if first is not None:
            choices.highlighted = first
        choices.focus()
        if any(not card.problem and card.origin != "bundled" for card in self.scenarios):
            # After the first paint: loading in full imports pydantic and the models, which
            # must not delay the list (bench/startup.py).
            self.call_after_refresh(self._check_scenarios, list(self.scenarios))

    @work(thread=True, exclusive=True, group="check-scenarios")
    def _check_scenarios(self, cards: list[ScenarioCard]) -> None:
        """Load every scenario from outside the bundle in full, once the picker has painted.

        Only ``[meta]`` and ``[clock]`` are read to list them quickly; this marks a file that is
        broken elsewhere before anyone chooses it.  Bundled scenarios are tested in CI.
        """
        from textual.worker import get_current_worker

        from ...loading import LoadError
        from ...session import ScenarioSource

        worker = get_current_worker()
        for index, card in enumerate(cards):
            if worker.is_cancelled:
                return
            if card.problem or card.origin == "bundled":
                continue
            try:
                ScenarioSource.open(card.reference)
            except (LoadError, LookupError, OSError, ValueError) as error:
                self.app.call_from_thread(self._mark_broken, index, card, str(error)[:1000])

    def _mark_broken(self, index: int, card: ScenarioCard, problem: str) -> None:
        if index >= len(self.scenarios) or self.scenarios[index] is not card:
            return  # the list was refreshed meanwhile
        self.scenarios[index] = broken = replace(card, problem=problem)
        choices = self.query_one("#choices", OptionList)
        choices.replace_option_prompt(f"scenario-{index}", broken_label(broken))
        highlighted = choices.highlighted
        if highlighted is not None and choices.options[highlighted].id == f"scenario-{index}":
            self.query_one("#details", Static).update(describe_scenario(broken))

    @on(OptionList.OptionHighlighted, "#choices")
    def show_details(self, event: OptionList.OptionHighlighted) -> None:
        """Describe the highlighted scenario or save."""
        details = self.query_one("#details", Static)
        option_id = event.option.id or ""
        if option_id.startswith("scenario-"):
            card = self.scenarios[int(option_id.removeprefix("scenario-"))]
            details.update(describe_scenario(card, *best_run(self.saves, card.id)))
        elif option_id.startswith("save-"):
            save = self.saves[int(option_id.removeprefix("save-"))]
            details.update(styled(
                "[b]Continue $id[/b]\n\nSaved at scenario time T+$clock, seed $seed.\n"
                "Started $when.\n\n[dim]$path[/dim]",
                id=save.scenario_id, clock=f"{save.clock:.0f}", seed=save.seed,
                when=save.started_at.replace("T", " "), path=str(save.path)))

    @on(OptionList.OptionSelected, "#choices")
    def chose(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on an entry."""
        self.open_option(event.option.id or "")

    def action_choose(self) -> None:
        """Play the highlighted scenario or continue the highlighted run."""
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is not None:
            self.open_option(choices.options[choices.highlighted].id or "")

    def open_option(self, option_id: str) -> None:
        """Tell the app which scenario or saved run the player chose."""
        if option_id.startswith("scenario-"):
            card = self.scenarios[int(option_id.removeprefix("scenario-"))]
            if card.problem:
                notify_plain(self, f"{card.reference}: {card.problem}", title="Cannot open",
                             severity="error")
                return
            self.post_message(ScenarioChosen(card.reference))
        elif option_id.startswith("save-"):
            self.post_message(SaveChosen(self.saves[int(option_id.removeprefix("save-"))].path))


def broken_label(card: ScenarioCard) -> Content:
    """A scenario that cannot be played, as the list shows it."""
    return styled("  ✗ $name  [dim](cannot be played)[/dim]", name=card.title)


def describe_scenario(card: ScenarioCard, best: SaveCard | None = None,
                      finished: int = 0) -> Content:
    """The details pane for a scenario, with the best of the runs played to the end."""
    if card.problem:
        return styled("[b $error]$name cannot be played[/]\n\n$problem\n\n"
                      "[dim]drill validate FILE lists every problem; fix them and press r.[/dim]",
                      name=card.reference, problem=card.problem)
    clock = "days (a project drill)" if card.unit == "days" else "minutes (an outage)"
    # The best run first: at 80x24 the facts below may be out of sight, the score to beat not.
    best_line: list[Content | str] = [] if best is None else [
        styled("[b]Your best[/b]   $score overall ($kind, seed $seed, $when)\n",
               score=f"{best.overall:.0f}", kind=best.ending_kind or "ended",
               seed=best.seed, when=best.started_at[:10]),
        styled("[dim]Played to the end $n. Same seed, same incident: try to beat it, or "
               "compare runs from the end screen.[/dim]\n",
               n=plural(finished, "time")),
    ]
    origin = card.origin
    if card.replaces:
        origin += f": {card.reference}, in place of the bundled scenario of the same id"
    return Content.assemble(
        plain(card.title, "bold"), "\n",
        *best_line, "\n",
        plain(card.summary), "\n\n",
        styled("[dim]Source[/dim]      $v\n", v=card.source),
        styled("[dim]Clock[/dim]       $v\n", v=clock),
        styled("[dim]Difficulty[/dim]  $v\n", v=card.difficulty),
        styled("[dim]Severity[/dim]    $v\n", v=card.severity),
        styled("[dim]Play time[/dim]   about $v min\n", v=card.play_minutes),
        styled("[dim]From[/dim]        $v", v=origin),
    )
