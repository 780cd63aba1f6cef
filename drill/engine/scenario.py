"""The scenario format: pydantic models for a drill written in TOML.

Every model forbids unknown keys, so a typo in a facilitator's file is an error rather than a
silently ignored setting, and every field has a description so that ``drill schema`` can publish
a JSON Schema that TOML editors use for completion and checking.

Times are in the scenario's own clock unit (minutes for an outage, days for a project), counted
from the start of the scenario.  Conditions and effects are strings in the safe expression
language of :mod:`drill.engine.expressions`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from .expressions import check_syntax

Scalar = Union[bool, int, float, str]
Expression = Annotated[
    str,
    AfterValidator(check_syntax),
    Field(
        description="An expression in drill's condition language, e.g. "
        "'errors > 5 and not done.rollback' (see docs/scenario-format.md).",
        examples=["done.check_dashboards", "machines_fixed >= 36", "time >= 30"],
    ),
]
Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]{0,63}$",
        description="An identifier: lower-case letters, digits, '_' or '-', starting with a letter.",
    ),
]
Duration = Annotated[float, Field(ge=0, le=1_000_000)]
Text = Annotated[str, Field(max_length=20_000)]

Channel = Literal["alert", "support", "customer", "management", "teammate", "monitoring", "deploy"]
Audience = Literal["support", "customers", "management", "team"]
Severity = Literal["SEV1", "SEV2", "SEV3"]
AUDIENCES: tuple[Audience, ...] = ("support", "customers", "management", "team")
EXTERNAL_AUDIENCES: frozenset[str] = frozenset({"customers", "management"})
"""Audiences for whom a broken ETA costs more than padding (PagerDuty Customer Liaison)."""


class Model(BaseModel):
    """Base for every scenario model: unknown keys are errors; values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


FORMAT_VERSION = 2
"""The version of the scenario format this drill writes and reads natively.  A file without
``format`` in ``[meta]`` is format 1, the format before it (see :mod:`drill.engine.formats`)."""


class Meta(Model):
    """Who the scenario is, for the picker and the postmortem."""

    format: Annotated[int, Field(strict=True)] = Field(
        default=1, ge=1, le=FORMAT_VERSION,
        description=f"The version of the scenario format the file is written in: "
                    f"{FORMAT_VERSION} is the current one. Without it a file is format 1, which "
                    "drill still reads as it was meant; `drill upgrade FILE` rewrites it.")
    id: Identifier = Field(description="Stable id; `drill play ID` and saves refer to it.")
    title: str = Field(min_length=1, max_length=120, description="Title shown in the picker.")
    summary: Text = Field(description="One or two sentences: what this drill is about.")
    source: str = Field(
        max_length=300, description="Which talk or public incident the scenario comes from."
    )
    difficulty: Literal["easy", "medium", "hard"] = Field(description="How hard it plays.")
    play_minutes: int = Field(
        ge=1, le=600, description="Expected real play time in minutes at the default pace."
    )
    severity: Severity = Field(
        default="SEV1", description="Incident severity; it sets the default comms deadlines."
    )


class Zone(Model):
    """A time zone that matters to the story, as a fixed UTC offset (no daylight saving)."""

    id: Identifier = Field(description="Id used by people's `zone`, e.g. 'team' or 'customer'.")
    label: str = Field(max_length=60, description="Shown next to the clock, e.g. 'San Francisco'.")
    utc_offset: float = Field(ge=-14, le=14, description="Hours from UTC, e.g. -8 or 1.")


class Clock(Model):
    """The scenario clock."""

    unit: Literal["minutes", "days"] = Field(
        default="minutes", description="Clock unit: minutes for an outage, days for a project."
    )
    start: dt.datetime = Field(
        description="Date and time of day when the scenario starts, in the first zone's local "
        "time (TOML local date-time, e.g. 2017-11-24T10:05:00)."
    )
    limit: Duration = Field(
        gt=0, description="Scenario time at which the run ends as out of time, in clock units."
    )
    zones: list[Zone] = Field(
        default_factory=list,
        max_length=4,
        description="Time zones shown on the clock; the first is the team's.",
    )
    pace: float = Field(
        default=1.0,
        gt=0,
        le=86_400,
        description="Default real seconds per clock unit in the TUI (a facilitator can change it).",
    )


class Briefing(Model):
    """What the player is told before the clock starts."""

    situation: Text = Field(description="The situation as the player first hears it.")
    role: Text = Field(description="The player's role and what is expected of them.")
    known: list[Text] = Field(default_factory=list, description="Facts the player starts with.")


class Truth(Model):
    """The hidden truth: what is really wrong.  Never shown before the debrief."""

    summary: Text = Field(description="What is really going on.")
    details: list[Text] = Field(default_factory=list, description="Further hidden facts.")


class Signal(Model):
    """A key signal drawn over time in the TUI (a sparkline)."""

    var: str = Field(description="Numeric state variable to draw.")
    label: str = Field(max_length=60, description="Name of the signal, e.g. 'Search errors'.")
    unit: str = Field(default="", max_length=12, description="Unit shown after the value.")
    decimals: int = Field(default=0, ge=0, le=3,
                          description="Decimals shown (0: whole numbers, as for a count).")
    bad_when_high: bool = Field(default=True, description="Whether a high value is bad.")


class StatusRule(Model):
    """The service status shown on the board: the first rule whose condition holds wins."""

    when: Expression
    level: Literal["ok", "degraded", "down"] = Field(description="Status level, for colour.")
    label: str = Field(max_length=80, description="Status text, e.g. 'Search down in EU'.")


class Milestone(Model):
    """A named moment estimates can be about, reached when its condition first holds."""

    id: Identifier
    label: str = Field(max_length=120, description="What the milestone is, e.g. 'Search back up'.")
    when: Expression
    unforeseeable_delay: Duration = Field(
        default=0,
        description="Delay the author injects that no player could foresee; removed from the "
        "actual duration before estimates are scored (DOMAIN §9.4).",
    )


Effects = Annotated[
    dict[str, Union[bool, int, float, Expression]],
    Field(
        description="State changes: variable = value. A string value is an expression "
        "(write \"'down'\" for a text value)."
    ),
]


class Event(Model):
    """Something that happens: an inject in the feed, a state change, or both.

    Give exactly one trigger: `at` (a time), `when` (a condition, fires once when it becomes
    true; with `repeat`, every time it becomes true again), `every` (recurring, first at `at` or
    at `every`), or `follows` (`after` units after each finish of an action or each firing of
    another event: "crashes 5 minutes after every restart").
    """

    id: Identifier
    at: SkipJsonSchema[None] | Duration = Field(default=None, description="Fires at this time.")
    when: SkipJsonSchema[None] | Expression = Field(
        default=None, description="Fires once, when this condition becomes true."
    )
    every: SkipJsonSchema[None] | Annotated[float, Field(gt=0)] = Field(
        default=None, description="Recurs with this period (first at `at`, else at `every`)."
    )
    until: SkipJsonSchema[None] | Expression = Field(
        default=None, description="A recurring event stops once this holds."
    )
    repeat: bool = Field(
        default=False,
        description="With `when`: fires again each time the condition becomes true again "
                    "(after it stopped holding), not only the first time.")
    follows: SkipJsonSchema[None] | str = Field(
        default=None,
        description="An action id or an event id: the event fires `after` units after each "
                    "finish of that action or each firing of that event.")
    after: Duration = Field(default=0, description="With `follows`: the delay.")
    channel: Channel = Field(default="monitoring", description="Where the message arrives.")
    sender: str = Field(
        default="", max_length=80, description="Who it is from: a person id or a free name."
    )
    text: Text = Field(default="", description="The message. Empty: a silent state change.")
    effects: Effects = Field(default_factory=dict)
    optional: bool = Field(
        default=False, description="Only fires when a facilitator injects it (never on its own)."
    )
    only_when: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="Fires only if this also holds when the event is due; otherwise that "
                    "firing is skipped (a customer's 'nothing on your status page' only while "
                    "nothing was posted).")
    chance: float = Field(
        default=1, gt=0, le=1,
        description="The share of seeds in which the event is part of the incident (0.4: "
                    "four runs in ten); in the others it never fires on its own and a "
                    "facilitator may still inject it.")

    @model_validator(mode="after")
    def _one_trigger(self) -> "Event":
        triggers = [self.when is not None, self.every is not None, self.at is not None,
                    self.follows is not None]
        if self.repeat and self.when is None:
            raise ValueError("`repeat` applies to an event with `when`")
        if self.after and self.follows is None:
            raise ValueError("`after` applies to an event that `follows` something")
        if self.optional:
            return self
        if self.when is not None and (self.at is not None or self.every is not None):
            raise ValueError("give either `when` or `at`/`every`, not both")
        if self.follows is not None and any(triggers[:3]):
            raise ValueError("give either `follows` or `at`/`when`/`every`, not both")
        if not any(triggers):
            raise ValueError("give a trigger: `at`, `when`, `every` or `follows` (or mark it "
                             "`optional`)")
        if self.until is not None and self.every is None:
            raise ValueError("`until` only applies to a recurring event (`every`)")
        return self


class Action(Model):
    """Something the player can do: investigate, mitigate, fix.

    Per-target work (fix machine 1 of 36) sets `targets` and `per_target`; each arrived person
    with one of `helper_skills` adds a worker, so more people finish it sooner.
    """

    id: Identifier
    label: str = Field(max_length=120, description="What the action is called in the game.")
    kind: Literal["investigate", "mitigate", "fix", "communicate", "other"] = Field(
        default="investigate", description="What sort of work it is."
    )
    mitigation: Literal[
        "none", "rollback", "flag_off", "drain", "failover", "restart", "purge", "restore",
        "cut_scope", "other",
    ] = Field(default="none", description="The kind of mitigation, for rollback scoring.")
    rollback_effect: SkipJsonSchema[None] | Literal["none", "partial", "full", "harmful"] = Field(
        default=None,
        description="For a generic mitigation: what it really does, when it differs from "
                    "the scenario's `rollback_effect` (a restart helps partly, the rollback not "
                    "at all).")
    progress: Literal["shown", "hidden", "estimate"] = Field(
        default="shown",
        description="What the board shows of its progress while it runs: the truth, nothing, "
                    "or the scenario's `progress_estimate` (which may be wrong: a copy whose "
                    "progress figure misleads).")
    progress_estimate: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="With progress = 'estimate': the time left the board shows, in clock "
                    "units (an expression over the state and time).")
    duration: Duration = Field(default=5, description="How long it takes, in clock units.")
    available_when: Expression = Field(
        default="true", description="Precondition: the action is offered only while this holds."
    )
    repeatable: bool = Field(default=False, description="Whether it can be done more than once.")
    targets: int = Field(
        default=0, ge=0, le=10_000, description="Per-target work: how many targets (0: not per-target)."
    )
    target_label: str = Field(default="target", max_length=40, description="e.g. 'machine'.")
    per_target: Duration = Field(default=0, description="Time one worker takes for one target.")
    progress_var: SkipJsonSchema[None] | str = Field(
        default=None, description="Numeric state variable set to the number of targets done."
    )
    helper_skills: list[str] = Field(
        default_factory=list,
        description="Skills of people who speed this work up once they have arrived.",
    )
    effects: Effects = Field(default_factory=dict, description="Applied when the action finishes.")
    reveals: Text = Field(default="", description="What the player learns when it finishes.")
    confirm: Text = Field(
        default="", description="A risky action: the warning shown before it starts."
    )
    hint: Text = Field(default="", description="A hint the game may show when hints are on.")

    @model_validator(mode="after")
    def _per_target_complete(self) -> "Action":
        if self.targets and self.per_target <= 0:
            raise ValueError("per-target work needs `per_target` > 0")
        if self.per_target and not self.targets:
            raise ValueError("`per_target` needs `targets`")
        if (self.progress == "estimate") != (self.progress_estimate is not None):
            raise ValueError("progress = 'estimate' and `progress_estimate` go together")
        return self


class Line(Model):
    """Something a teammate says on their own, some time after they arrive."""

    after: Duration = Field(description="Time after their arrival.")
    text: Text = Field(description="What they say, in character.")
    only_when: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="Said only if this holds when the line is due (a line that no longer fits "
                    "what the players did is skipped).")


class Busy(Model):
    """A stretch of time when someone is busy elsewhere (a meeting, a flight, the school run):
    paged then, they join when it ends."""

    at: Duration = Field(description="When it starts, in clock units from the start.")
    until: Duration = Field(description="When it ends; a page in between is answered after it.")
    doing: str = Field(max_length=120,
                       description="What they are doing, in their words: 'in the quarterly review'.")
    answers_after: SkipJsonSchema[None] | Duration = Field(
        default=None,
        description="How long they take to answer a page while busy (default: at once, "
                    "within a minute); they still join when it ends.")


class Customer(Model):
    """A customer the scenario's texts name with ``{customer.ID}``."""

    id: Identifier
    name: str = Field(
        default="", max_length=80,
        description="Name; left empty, the game names them per run (a faker company name).")
    about: str = Field(default="", max_length=300,
                       description="Who they are: a note for whoever reads or edits the "
                                   "scenario, not shown in play.")


class Person(Model):
    """Someone who can be paged."""

    id: Identifier
    name: str = Field(
        default="", max_length=80, description="Name; left empty, the game names them (faker)."
    )
    role: str = Field(max_length=80, description="Their role, e.g. 'Search infrastructure SRE'.")
    skills: list[str] = Field(default_factory=list, description="Skills, matched by actions.")
    delay: Duration = Field(default=10, description="Time from the page to their arrival.")
    zone: str = Field(default="", description="Zone id of where they are (default: the team's).")
    hours: tuple[int, int] = Field(
        default=(0, 24),
        description="Local hours [from, to) when they are awake and working (to may wrap past midnight).",
    )
    off_hours_delay: Duration = Field(
        default=30, description="Extra delay when paged outside their hours."
    )
    relevant: bool = Field(
        default=True,
        description="Whether paging them is reasonable in this incident; paging someone "
        "irrelevant costs a little (PagerDuty: don't page everyone).",
    )
    present: bool = Field(
        default=False,
        description="Already in the incident at the start (the on-call engineer who caused "
                    "it): there from T+0, never paged.")
    arrives_text: Text = Field(default="", description="What they say when they arrive.")
    acknowledges: Text = Field(
        default="",
        description="What they answer when paged (empty: a line about when they can join).",
    )
    busy: list[Busy] = Field(
        default_factory=list, max_length=20,
        description="When they are busy elsewhere; paged then, they answer from there and join "
                    "when it ends.")
    lines: list[Line] = Field(
        default_factory=list,
        max_length=20,
        description="What they say on their own after arriving, in character (solo play).",
    )


Dimension = Literal["communication", "help", "rollback", "estimates"]


class Role(Model):
    """A role players can hold in team play, and the dimensions it answers for."""

    id: Identifier
    label: str = Field(max_length=60, description="e.g. 'Incident commander'.")
    dimensions: list[Dimension] = Field(
        min_length=1, description="The score dimensions this role is judged on."
    )


DEFAULT_ROLES: tuple[Role, ...] = (
    Role(id="commander", label="Incident commander", dimensions=["help", "estimates"]),
    Role(id="comms", label="Communications", dimensions=["communication"]),
    Role(id="ops", label="Operations", dimensions=["rollback"]),
)


_PLAYER = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*$")
"""A team player's label: "Ana (commander)"."""

COMMANDER = "commander"
"""The id of the incident commander's role (the default roles have it)."""


def role_of(player: str, scenario: "Scenario") -> Role | None:
    """The scenario role a player label names: 'Ana (comms)' or 'Ana (Communications)'."""
    match = _PLAYER.match(player)
    if not match:
        return None
    wanted = match.group("role").strip().lower()
    for role in scenario.roles:
        if wanted in (role.id.lower(), role.label.lower()):
            return role
    return None


class Request(Model):
    """Someone asks the player for an estimate, an update, or a yes/no answer."""

    id: Identifier
    at: SkipJsonSchema[None] | Duration = Field(default=None, description="When they ask.")
    when: SkipJsonSchema[None] | Expression = Field(
        default=None, description="They ask once this condition holds."
    )
    every: SkipJsonSchema[None] | Annotated[float, Field(gt=0)] = Field(
        default=None,
        description="They ask again with this period (the press every 20 minutes), first at "
                    "`at` (or `every`), until the incident ends or `until` holds.")
    until: SkipJsonSchema[None] | Expression = Field(
        default=None, description="A recurring request stops once this holds.")
    sender: str = Field(max_length=80, description="Who asks: a person id or a free name.")
    audience: Audience = Field(description="The audience the answer goes to.")
    kind: Literal["estimate", "update", "question"] = Field(
        description="What they ask for: an estimate of a milestone, an update, or a yes/no "
                    "answer to a question (answered with an `answer` step).")
    milestone: str = Field(default="", description="For an estimate: the milestone's id.")
    truth: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="For a question: the true answer is 'yes' while this holds ('is this an "
                    "attack?'); a wrong answer, given what was visible, is a false claim.")
    text: Text = Field(description="The request as it arrives.")
    respond_within: Duration = Field(default=10, description="An answer later than this is late.")

    @model_validator(mode="after")
    def _one_trigger(self) -> "Request":
        if self.every is None and (self.at is None) == (self.when is None):
            raise ValueError("give exactly one of `at` and `when` (or `every`)")
        if self.every is not None and self.when is not None:
            raise ValueError("a recurring request (`every`) starts `at` a time, not `when`")
        if self.until is not None and self.every is None:
            raise ValueError("`until` only applies to a recurring request (`every`)")
        if self.kind == "estimate" and not self.milestone:
            raise ValueError("an estimate request needs a `milestone`")
        if self.kind == "question" and self.truth is None:
            raise ValueError("a question needs its `truth`: the condition for 'yes'")
        return self


class AudiencePolicy(Model):
    """How one audience expects to hear from the incident (DOMAIN §9.1)."""

    required: bool = Field(default=True, description="Whether this audience must be kept informed.")
    weight: float = Field(ge=0, description="Weight of this audience in the communication score.")
    first_by: Duration = Field(description="First update due this long after the incident starts.")
    every: Duration = Field(gt=0, description="Interval between updates while investigating.")
    every_after_mitigation: SkipJsonSchema[None] | Annotated[float, Field(gt=0)] = Field(
        default=None, description="Interval once mitigated (default: `every`)."
    )
    min_gap_without_news: Duration = Field(
        default=0, description="Updates closer than this with no news are noise (0: never)."
    )
    down_when: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="While this holds, the channel to this audience is down (a status page "
                    "hosted on the broken system): an update to it does not reach them and "
                    "counts for nothing. They still wait for news: give the players a way to "
                    "bring the channel back or to reach them another way.")
    down_text: str = Field(
        default="", max_length=500,
        description="What the players see when an update does not go out (default: a plain "
                    "sentence naming the audience).")


class CommsParts(Model):
    """How one audience's score is made (DOMAIN §9.1: A = 0.25 F + 0.45 Cov + 0.15 P + 0.15 Q)."""

    first: float = Field(default=0.25, ge=0, description="The first update, by `first_by`.")
    coverage: float = Field(default=0.45, ge=0, description="No dark time between updates.")
    promises: float = Field(default=0.15, ge=0, description="Stated next updates kept.")
    content: float = Field(default=0.15, ge=0, description="Impact, next update, no customer ETA, data loss.")


Affected = Literal["", "all", "most", "some", "few", "none"]
AFFECTED_ORDER: tuple[str, ...] = ("none", "few", "some", "most", "all")
"""Who is affected, from nobody to everyone: a claim one step off the truth is not false."""


class AffectedTruth(Model):
    """Who is really affected, as the signals show it once `when` holds (first rule wins)."""

    when: Expression = Field(description="The signals show this once it holds.")
    affected: Literal["all", "most", "some", "few", "none"]


class CommsPolicy(Model):
    """The communication policy; every value overrides a default of DOMAIN §9.1."""

    starts_when: Expression = Field(
        default="true", description="When the incident starts for comms deadlines."
    )
    grace: Duration = Field(default=2, description="Tolerance on every deadline.")
    max_promise_extension: float = Field(
        default=2.0, ge=1, description="A stated next-update time may stretch the interval this much."
    )
    long_incident_after: Duration = Field(
        default=120, description="After this, intervals relax to `long_every` (PagerDuty)."
    )
    long_every: Duration = Field(default=60, description="Interval in a long incident.")
    parts: CommsParts = Field(default_factory=CommsParts)
    noise_cost: float = Field(default=0.02, ge=0, le=1,
                              description="Lost per update sent too soon with no news.")
    noise_cap: float = Field(default=0.1, ge=0, le=1, description="At most this much noise per audience.")
    request_cost: float = Field(default=0.1, ge=0, le=1,
                                description="Lost per request for an update left unanswered.")
    request_cap: float = Field(default=0.3, ge=0, le=1,
                               description="At most this much for unanswered requests per audience.")
    proactive_window: SkipJsonSchema[None] | Duration = Field(
        default=None,
        description="An update or estimate given this long before a request (or the evidence "
                    "of an update trigger), with no news since, answers it (default: the "
                    "audience's interval).")
    evidence_cost: float = Field(
        default=0.2, ge=0, le=1,
        description="Lost on an audience when an update trigger (expect = 'update') is "
                    "answered late or never, decaying with the escalation tau.")
    false_all_clear_cost: float = Field(
        default=0.3, ge=0, le=1,
        description="Lost on communication for each false all-clear: declaring the incident "
                    "resolved, or posting a 'resolved' update, while it is not (§9.7).")
    claim_cost: float = Field(
        default=0.1, ge=0, le=1,
        description="Lost on communication for each claim the visible truth contradicted: "
                    "'identified' before any cause was visible, 'no data lost' after a loss "
                    "was visible, who is affected (§9.7).")
    cause_visible: SkipJsonSchema[None] | Expression = Field(
        default=None,
        description="Once this holds, a cause was visible: an update saying 'identified' "
                    "before it is a false claim (none: not judged).")
    affected: list[AffectedTruth] = Field(
        default_factory=list, max_length=20,
        description="Who is really affected, as the signals show it; an update's 'affected' "
                    "claim more than one step off it is false (empty: not judged).")
    audiences: dict[Audience, AudiencePolicy] = Field(
        default_factory=dict,
        description="Per-audience policy; audiences left out use the severity's defaults.",
    )


class Trigger(Model):
    """An escalation trigger: when evidence appears, the player is expected to get help."""

    id: Identifier
    observable: Expression = Field(description="The evidence is visible once this holds.")
    expect: Literal["page", "update"] = Field(description="What answers it: a page or an update.")
    people: list[str] = Field(
        default_factory=list, description="For a page: whom (any of them; empty: anyone)."
    )
    skills: list[str] = Field(
        default_factory=list, description="For a page: anyone with one of these skills."
    )
    audience: SkipJsonSchema[None] | Audience = Field(
        default=None, description="For an update: the audience."
    )
    window: Duration = Field(default=5, description="Time allowed after the evidence appears.")
    norm: str = Field(max_length=300, description="The norm it stands on, shown with deductions.")


class EscalationPolicy(Model):
    """Asking for help (DOMAIN §9.2)."""

    tau: float = Field(default=15, gt=0, description="Lateness that costs about 63% of a trigger.")
    triggers: list[Trigger] = Field(default_factory=list, description="The escalation triggers.")
    irrelevant_page_penalty: float = Field(
        default=0.1, ge=0, le=1,
        description="Lost per page of someone no trigger wants and whose skills help nothing "
                    "on offer at that moment (PagerDuty: don't page everyone).")
    off_hours_factor: float = Field(
        default=2.0, ge=1,
        description="An unneeded page that wakes someone outside their hours costs this many "
                    "times more (pager fatigue).")
    irrelevant_page_cap: float = Field(default=0.4, ge=0, le=1,
                                       description="At most this much for unneeded pages.")
    role_discipline_penalty: float = Field(
        default=0.1, ge=0, le=1,
        description="Team play: lost once when the incident commander starts a fix or a "
                    "mitigation by hand while another player is there to take it.")


class UnsafeAction(Model):
    """An action that is unsafe once its warning is visible (DOMAIN §9.3, C4)."""

    action: str = Field(description="The action's id.")
    warning: Expression = Field(description="The warning is visible once this holds.")
    norm: str = Field(max_length=300, description="Why it is unsafe, with its source.")
    cost: float = Field(
        default=0.25, gt=0, le=1,
        description="Share of the safety component lost each time it is started after the "
                    "warning (DOMAIN §9.3: 0.25; 1 for a one-way door that loses everyone's data).")


class RollbackParts(Model):
    """How the rollback score is made (DOMAIN §9.3: C = 0.35 C1 + 0.15 C2 + 0.30 C3 + 0.20 C4)."""

    mitigate: float = Field(default=0.35, ge=0, description="C1: a generic mitigation first.")
    verify: float = Field(default=0.15, ge=0, description="C2: the key signal checked after it.")
    pivot: float = Field(default=0.30, ge=0, description="C3: seeing the rollback was not enough.")
    safety: float = Field(default=0.20, ge=0, description="C4: no unsafe action after its warning.")


class RollbackPolicy(Model):
    """Rollback and mitigation choices (DOMAIN §9.3)."""

    applies: bool = Field(default=True, description="False: the scenario has no rollback dimension.")
    suspect_visible: Expression = Field(
        default="true", description="When the correlated change (deploy, config) is visible."
    )
    generic_mitigations: list[str] = Field(
        default_factory=list,
        description="Action ids that count as a generic mitigation (rollback, flag off...).",
    )
    verify_actions: list[str] = Field(
        default_factory=list, description="Action ids that check the key signal after a mitigation."
    )
    rollback_effect: Literal["none", "partial", "full", "harmful"] = Field(
        default="full", description="What the generic mitigation really does."
    )
    persisted_evidence: Expression = Field(
        default="false", description="When evidence that bad state persisted becomes visible."
    )
    correct_remediations: list[str] = Field(
        default_factory=list, description="Action ids that address the persisted state."
    )
    unsafe: list[UnsafeAction] = Field(default_factory=list)
    mitigate_within: Duration = 15
    verify_within: Duration = 10
    pivot_within: Duration = 20
    tau: float = Field(default=15, gt=0)
    parts: RollbackParts = Field(default_factory=RollbackParts)
    late_verify: float = Field(default=0.5, ge=0, le=1,
                               description="C2 credit for a check after `verify_within`.")
    told_bonus: float = Field(default=0.1, ge=0, le=1,
                              description="C3 bonus for telling people the rollback was not enough.")


class EstimateParts(Model):
    """How the estimates score is made (DOMAIN §9.4: D = 0.6 accuracy + 0.2 E + 0.2 R)."""

    accuracy: float = Field(default=0.6, ge=0, description="Each estimate against what happened.")
    promises: float = Field(default=0.2, ge=0, description="E: ETAs given to others kept or revised.")
    rubric: float = Field(default=0.2, ge=0, description="R: the project rubric, when it applies.")


class EstimatePolicy(Model):
    """Realistic estimates (DOMAIN §9.4)."""

    kappa: float = Field(default=2, gt=0, description="Softness of the interval score.")
    default_confidence: float = Field(default=0.8, gt=0, lt=1)
    external_alpha: float = Field(default=1.0, ge=0, description="Cost of being late, external.")
    external_beta: float = Field(default=0.5, ge=0, description="Cost of being early, external.")
    reference_spread: float = Field(
        default=1.5,
        ge=1,
        description="The reference range is actual/spread..actual*spread; a range that tight "
        "around the truth scores full marks.",
    )
    project_rubric: bool = Field(
        default=False, description="Apply the project/deadline rubric (stated ranges, risk...)."
    )
    imposed_deadline: SkipJsonSchema[None] | Duration = Field(
        default=None, description="For the project rubric: the deadline imposed on the team."
    )
    scope_actions: list[str] = Field(
        default_factory=list, description="Action ids that change scope (for the rubric)."
    )
    parts: EstimateParts = Field(default_factory=EstimateParts)
    broken_eta_cost: float = Field(default=0.1, ge=0, le=1,
                                   description="E lost per broken ETA (at most three count).")
    risk_ratio: float = Field(default=0.5, gt=0, le=1,
                              description="Rubric: flag risk when the imposed deadline is under "
                                          "this share of your own median estimate.")
    max_informative_ratio: float = Field(
        default=8, gt=1,
        description="A range whose high end is more than this many times its low end informs "
                    "nobody: it scores at most `uninformative_score` whatever happens (§9.7).")
    uninformative_score: float = Field(default=0.2, ge=0, le=1)


class Harm(Model):
    """Lasting harm a run can do (data or money lost), with its cost on the outcome (§9.6)."""

    id: Identifier
    label: str = Field(max_length=200,
                       description="What was lost, in plain words: '2.3 million queued jobs lost'.")
    when: Expression = Field(description="The harm is done once this holds.")
    cost: float = Field(default=0.5, ge=0, le=1,
                        description="Share of the outcome score it costs (0..1).")
    data_loss: bool = Field(
        default=False,
        description="Customer data is lost: an update that says 'no data lost' once this was "
                    "visible is a false claim.")


class OutcomeEndings(Model):
    """Weight of each kind of ending in the outcome score (§9.6)."""

    resolved: float = Field(default=1.0, ge=0, le=1)
    degraded: float = Field(default=0.7, ge=0, le=1, description="Resolved with lasting harm.")
    failed: float = Field(default=0.15, ge=0, le=1)
    out_of_time: float = Field(default=0.25, ge=0, le=1)


class OutcomePolicy(Model):
    """What the decisions achieved (DOMAIN §9.6): the ending, how fast, and the harm done."""

    weight: float = Field(
        default=0.3, ge=0, le=1,
        description="Share of the overall score that is the outcome (the four dimensions share "
                    "the rest).")
    mitigated_by: SkipJsonSchema[None] | Duration = Field(
        default=None,
        description="Reference time for the 'mitigated' milestone: what a strong, well-staffed "
                    "team achieves (none: not judged).")
    resolved_by: SkipJsonSchema[None] | Duration = Field(
        default=None, description="Reference time for resolving (none: not judged).")
    tau: float = Field(default=30, gt=0,
                       description="Lateness against the reference that costs about 63% of "
                                   "the time part.")
    endings: OutcomeEndings = Field(default_factory=OutcomeEndings)
    harm: list[Harm] = Field(default_factory=list, max_length=20)
    cap_if_not_resolved: float = Field(
        default=50, ge=0, le=100,
        description="The overall score never exceeds this when the incident was not resolved "
                    "(failed, out of time, or ended by the facilitator).")


class Weights(Model):
    """Weights of the four dimensions in the overall score."""

    communication: float = Field(default=0.25, ge=0)
    help: float = Field(default=0.25, ge=0)
    rollback: float = Field(default=0.25, ge=0)
    estimates: float = Field(default=0.25, ge=0)


class ScoringPolicy(Model):
    """Scoring parameters (DOMAIN §9); every one has a default."""

    mitigated_milestone: Identifier = Field(
        default="mitigated",
        description="The milestone that means the impact is mitigated (the outcome's time to "
                    "mitigate, the relaxed cadence after it).")
    weights: Weights = Field(default_factory=Weights)
    outcome: OutcomePolicy = Field(default_factory=OutcomePolicy)
    escalation: EscalationPolicy = Field(default_factory=EscalationPolicy)
    rollback: RollbackPolicy = Field(default_factory=RollbackPolicy)
    estimates: EstimatePolicy = Field(default_factory=EstimatePolicy)


EndingKind = Literal["resolved", "degraded", "failed", "out_of_time"]
RESOLVED_KINDS: frozenset[str] = frozenset({"resolved", "degraded"})
"""Endings the responders reach by declaring the incident resolved."""


class Ending(Model):
    """How a run can end.

    A `resolved` ending is reached when the player declares the incident resolved while its
    condition holds, and so is a `degraded` one (resolved with lasting harm: data lost, customers
    left behind); a `failed` ending as soon as its condition holds; `out_of_time` at the clock's
    limit.
    """

    id: Identifier
    kind: EndingKind
    when: Expression = Field(default="true")
    title: str = Field(max_length=120)
    debrief: Text = Field(description="Shown on the end screen and in the postmortem.")


class ActionItem(Model):
    """A postmortem action item."""

    text: Text
    type: Literal["mitigate", "prevent", "process", "other"] = "prevent"
    owner: str = Field(default="", max_length=80, description="A role, never a person to blame.")


class RunText(Model):
    """A sentence that is true only in some runs: written in the postmortem only when its
    condition held at the end of the run."""

    text: Text = Field(description="The sentence; {state.NAME} is filled with the run's value.")
    when: Expression = Field(default="true",
                             description="Written only if this held at the end of the run.")


Sentences = list[Union[Text, RunText]]


class PostmortemMaterial(Model):
    """What the postmortem says beyond the run itself.

    Every text may hold ``{state.NAME}``, filled with the run's final value of that state
    variable, and every list item may be a table ``{text, when}`` written only in runs where
    ``when`` held at the end: the postmortem states only what this run shows.
    """

    impact: Union[Text, Sentences] = Field(
        description="Who was affected and how: a text, or sentences each with its condition.")
    impact_began_before: Duration = Field(
        default=0,
        description="The impact began this long before the drill's start (a fault that had "
                    "been hurting users for hours before anyone looked).")
    trigger: Text = Field(description="What set it off.")
    root_cause: Text = Field(description="The underlying cause (never 'human error').")
    contributing_factors: Sentences = Field(default_factory=list)
    surprises: Sentences = Field(default_factory=list, description="Why were we surprised?")
    lucky: Sentences = Field(default_factory=list, description="Where we got lucky.")
    lessons: Sentences = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)


VaryValue = Union[Annotated[str, Field(max_length=200)], float]


class Vary(Model):
    """Something that differs from seed to seed: each run draws it once, from its seed.

    Give exactly one of `choices` (one of them, by `weights`), `range` (a number from `low` to
    `high` in steps of `step`) or `events` (a deck: `draw` of these events happen, the others
    are left for the facilitator).  The drawn value is the starting value of the state variable
    of the same id when `[state]` declares one, and `sets` puts it (or a number made from it)
    into the scenario's own numbers: an action's duration, an event's time, a reference time.
    """

    id: Identifier
    label: str = Field(min_length=1, max_length=80,
                       description="What varies, in a few words: 'Region hit', 'Restore time'.")
    choices: SkipJsonSchema[None] | Annotated[list[VaryValue], Field(min_length=2,
                                                                     max_length=50)] = Field(
        default=None, description="The values one of which each run draws.")
    weights: SkipJsonSchema[None] | list[Annotated[float, Field(gt=0)]] = Field(
        default=None, description="With `choices`: how likely each one is (default: equally).")
    range: SkipJsonSchema[None] | tuple[float, float] = Field(
        default=None, description="`[low, high]`: a number drawn between them, both included.")
    step: float = Field(default=1, gt=0, description="With `range`: the drawn number is "
                                                      "`low` plus a whole number of steps.")
    duration: bool = Field(default=False, description="The drawn number is a time span "
                                                      "(shown as one: '1 h 25 min').")
    events: SkipJsonSchema[None] | Annotated[list[Identifier], Field(min_length=2,
                                                                     max_length=50)] = Field(
        default=None, description="A deck of event ids: `draw` of them are part of each run.")
    draw: int = Field(default=1, ge=1, description="With `events`: how many are drawn.")
    sets: dict[str, Expression] = Field(
        default_factory=dict, max_length=20,
        description="Numbers of the scenario set from the drawn value: a path such as "
                    "'actions.restore.duration' and an expression over this vary's id, e.g. "
                    "'restore_time + 30'.")
    reveal: Literal["briefing", "debrief"] = Field(
        default="debrief",
        description="Where the players learn the drawn value: in the briefing, before play "
                    "(a customer's name, the region), or only in the postmortem (a duration "
                    "they are meant to estimate).")

    @model_validator(mode="after")
    def _one_kind(self) -> "Vary":
        kinds = [self.choices is not None, self.range is not None, self.events is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of `choices`, `range` or `events`")
        if self.weights is not None and (self.choices is None
                                         or len(self.weights) != len(self.choices)):
            raise ValueError("`weights` needs `choices`, one weight per choice")
        if self.range is not None:
            low, high = self.range
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise ValueError("`range` is [low, high] with low <= high")
            if (high - low) / self.step > 10_000:
                raise ValueError("`range` has more than 10,000 steps: raise `step`")
        if self.events is not None:
            if self.draw > len(self.events):
                raise ValueError(f"`draw` is {self.draw} but the deck has {len(self.events)} "
                                 "events")
            if self.sets:
                raise ValueError("a deck of `events` cannot `set` numbers")
        if self.choices is not None and len({type(c) is str for c in self.choices}) > 1:
            raise ValueError("`choices` are all texts or all numbers")
        return self


class Scenario(Model):
    """A complete drill scenario."""

    meta: Meta
    briefing: Briefing
    clock: Clock
    truth: Truth
    # The size limits keep a hostile file from making a run slow: conditions are re-checked
    # after every change, so the engine's work grows with the square of the event count.
    state: dict[str, Scalar] = Field(
        default_factory=dict,
        max_length=500,
        description="State variables and their starting values.",
    )
    signals: list[Signal] = Field(default_factory=list, max_length=8)
    status: list[StatusRule] = Field(default_factory=list, max_length=50)
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    events: list[Event] = Field(default_factory=list, max_length=1000)
    actions: list[Action] = Field(default_factory=list, max_length=300)
    people: list[Person] = Field(default_factory=list, max_length=100)
    customers: list[Customer] = Field(
        default_factory=list, max_length=50,
        description="Customers the texts name with {customer.ID}; unnamed ones are named per run.")
    requests: list[Request] = Field(default_factory=list, max_length=200)
    comms: CommsPolicy = Field(default_factory=CommsPolicy)
    scoring: ScoringPolicy = Field(default_factory=ScoringPolicy)
    roles: list[Role] = Field(
        default_factory=lambda: list(DEFAULT_ROLES),
        max_length=12,
        description="Roles for team play (default: commander, comms, ops); replaces the defaults.",
    )
    endings: list[Ending] = Field(min_length=1, max_length=50)
    vary: list[Vary] = Field(
        default_factory=list, max_length=50,
        description="What differs from seed to seed (see `Vary`); each run's draws are its "
                    "variant.")
    postmortem: PostmortemMaterial
