"""`drill new ID`: write a small but complete starter scenario for a facilitator to edit.

The starter is a real drill, not a template full of blanks: an alert, a suspect deploy, a
rollback that works, a trap, one person to page, a support request and an estimate request,
the two usual milestones, one ending of each kind, comms and scoring tables and postmortem
material.  It validates with no problem and plays to an ending, so a facilitator can change it
one piece at a time and re-check it after each change.

Every part is written with tomli-w, which cannot write comments, so the comments explaining each
part are put above the TOML it dumped.  The values stay plain Python data here, which means the
text is always valid TOML whatever is edited in this module.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import tomli_w

from .engine.scenario import FORMAT_VERSION
from .engine.text import escaped
from .storage import atomic_write_text, create_new_text, shown

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
"""The scenario id pattern of drill.engine.scenario.Identifier: it also makes a safe file name
(no separator, no dot), so ``DIR/ID.toml`` can never leave DIR."""

SCHEMA_FILE = "scenario.schema.json"


class AuthoringError(ValueError):
    """A starter that cannot be written; the message says why, for the facilitator."""


# -- the starter's text -------------------------------------------------------------------------


def _comment(text: str) -> str:
    """``text`` as TOML comment lines (blank lines kept as a bare ``#``)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in text.strip().splitlines())


def _table(name: str, data: dict[str, Any], comment: str) -> str:
    """A top-level ``[name]`` table (with its sub-tables), preceded by its explanation."""
    return _comment(comment) + tomli_w.dumps({name: data})


def _element(name: str, data: dict[str, Any], comment: str = "") -> str:
    """One ``[[name]]`` element of an array of tables, preceded by its explanation.

    tomli-w writes a short array of tables inline (``events = [{...}]``), which is hard to read
    and to comment; each element is dumped on its own under an explicit ``[[name]]`` header
    instead, and the headers of its own sub-tables get the ``name.`` prefix TOML needs.
    """
    lines = []
    for line in tomli_w.dumps(data).splitlines():
        if line.startswith("[["):
            line = f"[[{name}.{line[2:]}"
        elif line.startswith("["):
            line = f"[{name}.{line[1:]}"
        lines.append(line)
    return (_comment(comment) if comment else "") + f"[[{name}]]\n" + "\n".join(lines) + "\n"


def _section(title: str) -> str:
    """A visible divider between the groups of the file."""
    return f"# -- {title} " + "-" * max(3, 74 - len(title)) + "\n\n"


def _header(scenario_id: str) -> str:
    # The directive must be the first line, followed by a blank line (Tombi requires it).
    return (
        f"#:schema ./{SCHEMA_FILE}\n"
        "\n"
        f"# {scenario_id}: a drill scenario, written by `drill new` as a starting point.\n"
        "#\n"
        f"# Editor completion: run `drill schema > {SCHEMA_FILE}` in this folder; the first\n"
        "# line above points your editor (Taplo / Even Better TOML, Tombi) at that file.\n"
        "# Every field is described in scenario-format.md, shipped with drill (`drill new`\n"
        "# printed where it is).  After each change run\n"
        f"# `drill validate {scenario_id}.toml`, and `drill check` to play it automatically.\n"
        "#\n"
        "# The story: a deploy breaks checkout.  Rolling it back works; patching production by\n"
        "# hand makes it worse.  Times are minutes from the start of the scenario.\n"
        "\n"
    )


def starter_text(scenario_id: str) -> str:
    """The starter scenario for ``scenario_id`` as commented TOML (the id is not checked here)."""
    parts = [
        _header(scenario_id),
        _table("meta", {
            "format": FORMAT_VERSION,
            "id": scenario_id,
            "title": "A deploy breaks checkout",
            "summary": "Checkout fails right after a deploy. Roll it back, keep support and "
                       "customers informed, and ask the payments team for help.",
            "source": "drill's starter scenario: replace it with your talk or incident.",
            "difficulty": "easy",
            "play_minutes": 10,
            "severity": "SEV2",
        }, """
Who the scenario is, in which version of the format (`format`: "Format versions" in
docs/scenario-format.md).  `id` must stay the file's name (without .toml): `drill play ID` and
saves refer to it.  `severity` sets the default comms deadlines of audiences [comms] leaves out."""),
        "\n",
        _table("briefing", {
            "situation": "It is Tuesday, 14:00 in London. Checkout alerts are about to fire.",
            "role": "You are on call and lead the response: find what broke, fix it, and keep "
                    "people informed.",
            "known": ["Release 812 is rolling out to production right now."],
        }, "What the player reads before the clock starts."),
        "\n",
        _table("clock", {
            "unit": "minutes",
            "start": dt.datetime(2024, 3, 5, 14, 0),
            "limit": 60,
            "pace": 6.0,
            "zones": [{"id": "london", "label": "London", "utc_offset": 0}],
        }, """
The clock: its unit ("days" for a project drill), the local start (a TOML date-time, no quotes),
`limit` where the run ends as out of time, the zones shown (the first is the team's), and the
default pace in real seconds per minute."""),
        "\n",
        _table("truth", {
            "summary": "Release 812 changed the payment client's endpoint; every checkout call "
                       "fails.",
            "details": ["Staging uses a mock payment provider, so the change passed there."],
        }, "The hidden truth: never shown during play, only in the postmortem."),
        "\n",
        _table("state", {"errors": 0, "tickets": 0}, """
State variables that conditions and effects read and write, with their starting values.
A value keeps its type for the whole run: a number stays a number."""),
        "\n",
        _element("signals", {"var": "errors", "label": "Checkout errors", "unit": "%"},
                 "Sparklines on the board: numeric state variables drawn over time."),
        "\n",
        _element("signals", {"var": "tickets", "label": "Support tickets"}),
        "\n",
        _element("status", {"when": "errors > 0", "level": "down", "label": "Checkout failing"},
                 "The service status: the first rule that holds is shown; none: Operational."),
        "\n",
        _element("milestones", {"id": "mitigated", "label": "Checkout works again",
                                "when": "fired.alert and errors == 0"}, """
Milestones: named moments that estimates are about, reached when `when` first holds.
`mitigated` also relaxes the update cadence (each audience's every_after_mitigation)."""),
        "\n",
        _element("milestones", {"id": "resolved", "label": "The fix is verified",
                                "when": "done.verify and errors == 0"}),
        "\n",
        _section("events: what happens on its own"),
        _element("events", {"id": "alert", "at": 1, "channel": "alert", "sender": "Monitoring",
                            "text": "PAGE: checkout error rate above 40%.",
                            "effects": {"errors": 45}}, """
Events (injects) arrive in the feed and may change state.  One trigger each: `at` a time,
`when` a condition first holds, or `every` N minutes (until `until` holds).  This is the alert."""),
        "\n",
        _element("events", {"id": "deploy_notice", "at": 2, "channel": "deploy",
                            "sender": "Deploy bot",
                            "text": "Release 812 finished rolling out at 13:58 (70 commits)."},
                 "The suspect change: scoring counts the rollback clock from when it is seen."),
        "\n",
        _element("events", {"id": "tickets_pile_up", "every": 5, "until": "errors == 0",
                            "effects": {"tickets": "tickets + 10"}},
                 "A silent recurring change (no text): tickets pile up while checkout fails."),
        "\n",
        _element("events", {"id": "support_flooded", "when": "tickets >= 30",
                            "channel": "support", "sender": "Support lead",
                            "text": "Thirty tickets about failed payments. What do we tell "
                                    "customers?"}),
        "\n",
        _element("events", {"id": "vip_complaint", "optional": True, "channel": "customer",
                            "sender": "A large customer",
                            "text": "Our orders have been failing for ten minutes. Is it you?"},
                 "An optional inject: it fires only when the facilitator sends it."),
        "\n",
        _section("actions: what the player can do"),
        _element("actions", {"id": "check_dashboards", "label": "Look at the checkout dashboards",
                             "duration": 2, "available_when": "fired.alert",
                             "reveals": "Errors started at 13:58, the minute release 812 "
                                        "finished.",
                             "hint": "The dashboards show when it started."}, """
Actions: `duration` in minutes, offered while `available_when` holds, `effects` applied and
`reveals` shown when done.  `kind` and `mitigation` are what rollback scoring looks at."""),
        "\n",
        _element("actions", {"id": "rollback", "label": "Roll back release 812",
                             "kind": "mitigate", "mitigation": "rollback", "duration": 10,
                             "available_when": "fired.deploy_notice",
                             "effects": {"errors": 0},
                             "reveals": "Release 811 is live again; checkout errors fall.",
                             "confirm": "Roll back all 70 commits of release 812?"},
                 "The generic mitigation, and here it works (scoring.rollback.rollback_effect)."),
        "\n",
        _element("actions", {"id": "verify", "label": "Check the error rate after the rollback",
                             "duration": 3, "available_when": "done.rollback",
                             "reveals": "Checkout errors are back to 0%."}),
        "\n",
        _element("actions", {"id": "hotfix", "label": "Patch the payment config in production",
                             "kind": "fix", "duration": 12,
                             "available_when": "fired.deploy_notice and not done.rollback",
                             "effects": {"errors": 100},
                             "reveals": "The patched config has a typo: every payment fails "
                                        "now.",
                             "confirm": "This skips review and staging."},
                 "A trap: it makes things worse (see the `failed` ending and scoring.rollback)."),
        "\n",
        _section("people and requests"),
        _element("people", {"id": "payments_dev", "role": "Payments developer",
                            "skills": ["payments"], "delay": 5, "zone": "london",
                            "hours": [9, 18], "off_hours_delay": 30,
                            "arrives_text": "Here. Release 812 touched the payment client "
                                            "config.",
                            "acknowledges": "On my way, five minutes."}, """
People the player can page: `delay` until they arrive, `hours` awake in their `zone` (paged
outside them, add `off_hours_delay`).  Leave `name` out and the game names them from the seed."""),
        "\n",
        _element("customers", {"id": "big_shop", "about": "The biggest shop on the platform."}, """
Customers that texts name as {customer.ID} (people: {person.ID}).  Leave `name` out and the
game gives them a company name from the seed, so each replay meets a different customer."""),
        "\n",
        _element("requests", {"id": "support_asks", "at": 4, "sender": "Support lead",
                              "audience": "support", "kind": "update",
                              "text": "Customers are calling, {customer.big_shop} too. "
                                      "What do we tell them?"}, """
Requests: someone asks for an update or an estimate (about a milestone), answered within
`respond_within` minutes."""),
        "\n",
        _element("requests", {"id": "eta_please", "at": 8, "sender": "Engineering manager",
                              "audience": "management", "kind": "estimate",
                              "milestone": "mitigated", "respond_within": 10,
                              "text": "When will checkout work again?"}),
        "\n",
        _section("scoring: every value left out uses the defaults of DOMAIN.md section 9"),
        _table("comms", {
            "starts_when": "fired.alert",
            "audiences": {
                "support": {"weight": 0.35, "first_by": 10, "every": 20},
                "customers": {"weight": 0.3, "first_by": 15, "every": 30,
                              "every_after_mitigation": 60},
                "management": {"weight": 0.2, "first_by": 15, "every": 30},
                "team": {"required": False, "weight": 0.15, "first_by": 5, "every": 30},
            },
        }, """
Communication cadence: deadlines count from `starts_when`; per audience (support, customers,
management, team) the first update is due by `first_by`, then one every `every`."""),
        "\n",
        _table("scoring", {
            "escalation": {"triggers": [
                {"id": "page_payments",
                 "observable": "done.check_dashboards or fired.support_flooded", "expect": "page", "people": ["payments_dev"], "window": 10,
                 "norm": "PagerDuty: never hesitate to escalate to the team that owns the system"},
                {"id": "tell_support", "observable": "fired.support_flooded", "expect": "update",
                 "audience": "support", "window": 5,
                 "norm": "Google SRE workbook: people assume nothing is being done unless told"},
            ]},
            "rollback": {
                "suspect_visible": "fired.deploy_notice",
                "generic_mitigations": ["rollback"],
                "verify_actions": ["verify"],
                "rollback_effect": "full",
                "unsafe": [{"action": "hotfix", "warning": "fired.deploy_notice",
                            "norm": "Google SRE ch. 14: revert to the known good state; do not "
                                    "ship untested changes mid-incident"}],
            },
        }, """
Asking for help: each trigger expects a page (or an update) within `window` minutes of its
`observable` evidence.  Rollback choices: when the suspect change is visible, which actions
are the generic mitigation and its verification, and which are unsafe once a warning shows."""),
        "\n",
        _section("endings and the postmortem"),
        _element("endings", {"id": "fixed", "kind": "resolved",
                             "when": "errors == 0 and done.verify",
                             "title": "Checkout is back",
                             "debrief": "Rolled back, verified, and everyone was kept informed."},
                 """
Endings: `resolved` when the player declares it while `when` holds, `failed` as soon as `when`
holds, `out_of_time` at clock.limit."""),
        "\n",
        _element("endings", {"id": "worse", "kind": "failed", "when": "errors >= 100",
                             "title": "Every payment fails",
                             "debrief": "A config patched by hand in production took the rest "
                                        "of checkout down."}),
        "\n",
        _element("endings", {"id": "out_of_time", "kind": "out_of_time", "title": "Out of time",
                             "debrief": "An hour in, checkout is still not verified fixed."}),
        "\n",
        _table("postmortem", {
            "impact": "Checkout failed for every customer from 13:58 until the rollback.",
            "trigger": "Release 812 changed the payment client's endpoint setting.",
            "root_cause": "Configuration is not validated against the real provider before "
                          "deploy.",
            "contributing_factors": ["Staging uses a mock payment provider.",
                                     "Release 812 bundled 70 commits."],
            "surprises": ["The deploy passed every staging check."],
            "lucky": ["The release could be rolled back as a whole."],
            "lessons": ["Roll back first, investigate second.", "Small diffs are easier to "
                        "roll back and to read."],
            "action_items": [
                {"text": "Check payment settings against the provider's sandbox in CI.",
                 "type": "prevent", "owner": "Payments team"},
                {"text": "Put the rollback command in the on-call runbook.",
                 "type": "process", "owner": "On-call lead"},
            ],
        }, """
Postmortem material: what the run cannot know.  drill merges it with the run's timeline and
score card into a blameless postmortem (never "human error")."""),
    ]
    return "".join(parts)


# -- writing it ---------------------------------------------------------------------------------


def check_id(scenario_id: str) -> None:
    """Raise :class:`AuthoringError` unless ``scenario_id`` is a valid scenario id."""
    if not ID_PATTERN.fullmatch(scenario_id):
        raise AuthoringError(
            f"'{escaped(scenario_id)}' is not a scenario id: use lower-case letters, digits, '-' "
            "or '_', starting with a letter, at most 64 characters (it is also the file name)")


def write_starter(scenario_id: str, folder: Path, *, force: bool = False) -> Path:
    """Write the starter scenario to ``folder/ID.toml`` and return that path.

    The folder is created if missing.  An existing file (or symlink) is kept and
    :class:`AuthoringError` raised, unless ``force``: then it is replaced atomically.  A bad id
    raises :class:`AuthoringError` before anything is created.  ``OSError`` is left to the
    caller; a failed write (a full disk) leaves no file behind.
    """
    check_id(scenario_id)
    path = folder / f"{scenario_id}.toml"
    text = starter_text(scenario_id)
    if force:
        folder.mkdir(parents=True, exist_ok=True)
        return atomic_write_text(path, text)
    if os.path.lexists(path):
        raise AuthoringError(f"{shown(path)} exists already; add --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive creation: a file that appeared since the check above is not overwritten,
        # and a full disk leaves no partial file behind (a retry then just works).
        return create_new_text(path, text)
    except FileExistsError:
        raise AuthoringError(f"{shown(path)} exists already; add --force to replace it") \
            from None


def next_steps(path: Path) -> list[str]:
    """What to run after ``drill new``, one command per line with what it is for."""
    schema = path.parent / SCHEMA_FILE
    return [
        f"  drill validate {path}    check it after each change",
        f"  drill check {path}       play it automatically and report problems",
        f"  drill play {path}        play it in the terminal",
        f"  drill schema > {schema}  completion in your editor",
    ]
