"""Player actions, and play scripts: a timed list of them in TOML.

The same step models are what the TUI sends the engine and what a save file records, so a run
played by hand and a run played from a script are the same kind of thing.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from .scenario import Audience, Channel, Duration, Model, Text


class StepBase(Model):
    """Common to every player action."""

    at: Duration = Field(description="Scenario time at which the player acts.")
    by: str = Field(
        default="",
        max_length=60,
        description="Who acts: a player name or role (empty: the solo player).",
    )


class StartAction(StepBase):
    """Start one of the scenario's actions (investigate, mitigate, fix...)."""

    do: Literal["start"]
    action: str = Field(description="The action's id.")


class PostUpdate(StepBase):
    """Post an update to an audience."""

    do: Literal["update"]
    audience: Audience
    status: Literal["investigating", "identified", "monitoring", "resolved"] = Field(
        default="investigating", description="The incident status the update announces."
    )
    affected: Literal["", "all", "most", "some", "few", "none"] = Field(
        default="",
        description="Who is affected: all, most, some or few of the users, or none any more. "
                    "The impact stated in the audience's terms is judged on this field.")
    impact: Text = Field(default="", description="What is impacted, in the audience's terms.")
    doing: Text = Field(default="", description="What is being done.")
    next_update: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=None, description="When the next update will come, in clock units from now."
    )
    eta: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=None, description="A resolution ETA promised in the update (clock units from now)."
    )
    data_loss: Literal["", "none", "some", "unknown"] = Field(
        default="", description="What the update says about data loss or lingering corruption."
    )
    rollback_insufficient: bool = Field(
        default=False, description="The update says the rollback did not fully fix it."
    )


class Page(StepBase):
    """Page a person."""

    do: Literal["page"]
    person: str = Field(description="The person's id.")


class GiveEstimate(StepBase):
    """Give an estimate, a point or a range, for a named milestone."""

    do: Literal["estimate"]
    audience: Audience
    milestone: str = Field(description="The milestone's id.")
    point: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=None, description="A point estimate: time from now until the milestone."
    )
    low: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=None, description="Low end of a range, from now."
    )
    high: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=100_000)] = Field(
        default=None, description="High end of a range, from now."
    )
    confidence: SkipJsonSchema[None] | Annotated[float, Field(gt=0, lt=1)] = Field(
        default=None, description="Confidence that the range holds (default 0.8)."
    )
    basis: Literal["gut", "plan", "past_actuals"] = Field(
        default="gut", description="What the estimate rests on (past actuals: the outside view)."
    )
    flags_risk: bool = Field(
        default=False, description="The estimate says the deadline is at risk."
    )

    @model_validator(mode="after")
    def _point_or_range(self) -> "GiveEstimate":
        has_range = self.low is not None or self.high is not None
        if (self.point is None) == (not has_range):
            raise ValueError("give either `point`, or `low` and `high`")
        if has_range and (self.low is None or self.high is None):
            raise ValueError("a range needs both `low` and `high`")
        if has_range and self.low > self.high:  # type: ignore[operator]
            raise ValueError("`low` is above `high`")
        return self


class Answer(StepBase):
    """Answer a yes/no question someone asked (a request of kind `question`)."""

    do: Literal["answer"]
    request: str = Field(description="The question's id (the request).")
    yes: bool = Field(description="The answer: true for yes, false for no.")


class DeclareResolved(StepBase):
    """Declare the incident resolved."""

    do: Literal["resolve"]


class TakeOver(StepBase):
    """In team play, a player takes a teammate over: that person's scripted lines stop, the
    human speaks for them."""

    do: Literal["takeover"]
    person: str = Field(description="The person's id.")


FACILITATOR = "facilitator"
"""The `by` of every facilitator act."""


class FacilitatorAct(StepBase):
    """Something the facilitator does: it shows in the timeline and the postmortem as theirs."""

    do: Literal["facilitate"]
    by: str = Field(default=FACILITATOR, max_length=60, description="Always the facilitator.")
    act: Literal["pause", "resume", "pace", "inject", "message", "hint", "end"] = Field(
        description="pause/resume the clock, change its pace, fire an optional inject, write a "
        "free-text inject into the feed, give a hint, or end the run."
    )
    event: str = Field(default="", description="For `inject`: the optional event's id.")
    text: Text = Field(default="", description="For `message` and `hint`: what it says.")
    channel: Channel = Field(default="management", description="For `message`: where it lands.")
    pace: SkipJsonSchema[None] | Annotated[float, Field(gt=0, le=86_400)] = Field(
        default=None, description="For `pace`: the new real seconds per clock unit."
    )

    @model_validator(mode="after")
    def _complete(self) -> "FacilitatorAct":
        if self.act == "inject" and not self.event:
            raise ValueError("an inject needs the `event` id")
        if self.act in ("message", "hint") and not self.text.strip():
            raise ValueError(f"a {self.act} needs `text`")
        if self.act == "pace" and self.pace is None:
            raise ValueError("a pace change needs `pace`")
        return self


PlayerAction = Annotated[
    Union[StartAction, PostUpdate, Page, GiveEstimate, Answer, DeclareResolved, TakeOver,
          FacilitatorAct],
    Field(discriminator="do"),
]


class PlayScript(Model):
    """A timed list of player actions to play a scenario headless."""

    scenario: str = Field(default="", description="The scenario id it was written for.")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="Default seed.")
    description: Text = Field(default="", description="What this script plays.")
    steps: list[PlayerAction] = Field(default_factory=list, max_length=10_000)

    def out_of_order(self) -> list[int]:
        """The index of each step earlier than the step before it (steps must be in time
        order; :func:`drill.engine.validation.check_step_order` reports them with their line)."""
        return [i for i in range(1, len(self.steps)) if self.steps[i].at < self.steps[i - 1].at]
