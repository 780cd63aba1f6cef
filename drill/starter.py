"""`drill new ID`: a small, complete starter scenario that validates and plays to an ending.

Each part is written with tomli-w (which cannot write comments) and preceded by comment lines
that explain it, so a facilitator can read the file top to bottom and change what they need.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import tomli_w

from .storage import atomic_write_text

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class StarterError(ValueError):
    """A starter that cannot be written; the message says why."""


def _part(comment: str, data: dict) -> tuple[str, dict]:
    return comment, data


def _assemble(header: str, parts: list[tuple[str, dict]]) -> str:
    """One tomli-w document (so every table lands where TOML puts it), with each part's
    comment placed above the first line of its first key."""
    document: dict = {}
    for _, data in parts:
        document.update(data)
    lines = tomli_w.dumps(document).splitlines()
    for comment, data in reversed(parts):
        key = next(iter(data))
        starts = (f"[{key}]", f"[[{key}]]", f"{key} = ", f"[{key}.")
        index = next(i for i, line in enumerate(lines) if line.startswith(starts))
        lines[index:index] = [f"# {line}".rstrip() for line in comment.strip().splitlines()]
    return header + "\n".join(lines).rstrip("\n") + "\n"


def starter_text(scenario_id: str) -> str:
    """The starter scenario for ``scenario_id``, as TOML text with comments."""
    header = (
        "#:schema ./scenario.schema.json\n\n"
        "# A drill scenario. Make the schema file above with `drill schema > scenario.schema.json`\n"
        "# for completion in your editor; docs/scenario-format.md describes every field.\n"
        "# Check your changes with `drill validate` and `drill check`, then `drill play`.\n\n")
    parts = [
        _part("""Who the scenario is: shown in the picker and the postmortem.""", {"meta": {
            "id": scenario_id,
            "title": "A deploy goes wrong",
            "summary": "A deploy breaks checkout; roll it back, keep people informed, ask for help.",
            "source": "A starter scenario written by `drill new`: replace it with your story.",
            "difficulty": "easy",
            "play_minutes": 10,
            "severity": "SEV2",
        }}),
        _part("""What the player reads before the clock starts.""", {"briefing": {
            "situation": "Checkout started failing a minute ago. You are on call.",
            "role": "You lead the response: find out what broke, fix it, keep people informed.",
            "known": ["A deploy went out a few minutes ago."],
        }}),
        _part("""The clock: minutes for an outage (or days for a project), when it starts, when the
run ends as out of time, the zones shown, and the default pace (real seconds per minute).""",
              {"clock": {"unit": "minutes", "start": dt.datetime(2024, 3, 5, 14, 0),
                         "limit": 90, "pace": 6.0,
                         "zones": [{"id": "team", "label": "London", "utc_offset": 0}]}}),
        _part("""The hidden truth, shown only in the debrief.""", {"truth": {
            "summary": "The deploy changed a payment client setting; every checkout call fails.",
        }}),
        _part("""State variables the conditions and effects use, with their starting values.""",
              {"state": {"errors": 0, "tickets": 0}}),
        _part("""Signals drawn as sparklines, and the status line: the first rule that holds wins.""",
              {"signals": [{"var": "errors", "label": "Checkout errors", "unit": "%"},
                           {"var": "tickets", "label": "Support tickets"}],
               "status": [{"when": "errors > 0", "level": "down", "label": "Checkout failing"}]}),
        _part("""Milestones estimates can be about. "mitigated" is when the user impact stops.""",
              {"milestones": [
                  {"id": "mitigated", "label": "Checkout works again", "when": "errors == 0 and fired.alert"},
                  {"id": "resolved", "label": "Fix verified", "when": "done.verify and errors == 0"},
              ]}),
        _part("""Events: injects that arrive at a time (`at`), when a condition becomes true (`when`),
or again and again (`every`, until `until` holds). Empty text: a silent state change.""",
              {"events": [
                  {"id": "alert", "at": 1, "channel": "alert", "sender": "Monitoring",
                   "text": "Checkout error rate above 40%.", "effects": {"errors": 45}},
                  {"id": "deploy_notice", "at": 2, "channel": "deploy", "sender": "Deploy bot",
                   "text": "Release 812 finished rolling out at 13:58."},
                  {"id": "tickets_pile_up", "every": 5, "until": "errors == 0",
                   "effects": {"tickets": "tickets + 10"}},
                  {"id": "support_flooded", "when": "tickets >= 40", "channel": "support",
                   "sender": "Support lead", "text": "Forty tickets about checkout. What do we say?"},
                  {"id": "vip_complaint", "optional": True, "channel": "customer",
                   "sender": "A large customer", "text": "Our orders are failing. Is it you?"},
              ]}),
        _part("""Actions the player can start: how long they take, when they are possible, what they
change and reveal. `confirm` asks before a risky one; `hint` shows when hints are on.""",
              {"actions": [
                  {"id": "check_dashboards", "label": "Look at the dashboards", "duration": 2,
                   "available_when": "fired.alert",
                   "reveals": "Errors started at 13:58, exactly when release 812 finished.",
                   "hint": "Look before you leap: the dashboards show when it started."},
                  {"id": "rollback", "label": "Roll back release 812", "kind": "mitigate",
                   "mitigation": "rollback", "duration": 6, "available_when": "fired.deploy_notice",
                   "effects": {"errors": 0}, "confirm": "Roll back the whole release?",
                   "reveals": "Release 811 is live again."},
                  {"id": "verify", "label": "Check the error rate after the change",
                   "duration": 2, "available_when": "done.rollback",
                   "reveals": "Checkout errors are back to 0%."},
              ]}),
        _part("""People who can be paged: their role, skills, how long they take, their hours.
Leave `name` out and the game names them.""",
              {"people": [
                  {"id": "payments_dev", "role": "Payments developer", "skills": ["payments"],
                   "delay": 5, "arrives_text": "Here. The payment client config changed in 812."},
                  {"id": "manager", "name": "Sam Okafor", "role": "Engineering manager",
                   "delay": 3, "relevant": False},
              ]}),
        _part("""Requests: someone asks for an update or an estimate, at a time or on a condition.""",
              {"requests": [
                  {"id": "support_asks", "at": 4, "sender": "Support lead", "audience": "support",
                   "kind": "update", "text": "Customers are asking. What do we tell them?"},
                  {"id": "eta_please", "at": 8, "sender": "manager", "audience": "management",
                   "kind": "estimate", "milestone": "mitigated",
                   "text": "When will checkout work again?"},
              ]}),
        _part("""Communication policy: when the incident starts for deadlines, and per audience (support,
customers, management, team) when the first update is due and how often after.""",
              {"comms": {"starts_when": "fired.alert", "audiences": {
                  "support": {"weight": 0.3, "first_by": 10, "every": 20},
                  "customers": {"weight": 0.3, "first_by": 15, "every": 30},
                  "management": {"weight": 0.2, "first_by": 15, "every": 30},
                  "team": {"weight": 0.2, "first_by": 5, "every": 30}}}}),
        _part("""Scoring: when help is expected (from the moment the evidence is visible) and what
the rollback choices are. Every value not given uses DOMAIN.md's defaults.""",
              {"scoring": {
                  "escalation": {"triggers": [
                      {"id": "page_payments", "observable": "fired.alert", "expect": "page",
                       "people": ["payments_dev"], "window": 10,
                       "norm": "PagerDuty: never hesitate to escalate to the owning team"}]},
                  "rollback": {"suspect_visible": "fired.deploy_notice",
                               "generic_mitigations": ["rollback"],
                               "verify_actions": ["verify"], "rollback_effect": "full"}}}),
        _part("""Endings: resolved when the player declares it while the condition holds, failed as
soon as its condition holds, out_of_time at the clock's limit.""",
              {"endings": [
                  {"id": "fixed", "kind": "resolved", "when": "errors == 0 and done.verify",
                   "title": "Checkout is back",
                   "debrief": "Rolled back, verified and told everyone: a clean response."},
                  {"id": "swamped", "kind": "failed", "when": "tickets >= 120",
                   "title": "Support is swamped",
                   "debrief": "Checkout stayed down long enough to bury support in tickets."},
                  {"id": "out_of_time", "kind": "out_of_time", "title": "Out of time",
                   "debrief": "The drill ended before checkout was verified."},
              ]}),
        _part("""Postmortem material: what the generated postmortem says beyond the run itself.""",
              {"postmortem": {
                  "impact": "Checkout failed for every customer until the rollback.",
                  "trigger": "Release 812 changed the payment client's endpoint setting.",
                  "root_cause": "Configuration is not validated before deploy.",
                  "contributing_factors": ["Staging uses a mock payment provider."],
                  "lessons": ["Roll back first, investigate second."],
                  "action_items": [{"text": "Validate payment settings in CI.", "type": "prevent",
                                    "owner": "Payments team"}]}}),
    ]
    return _assemble(header, parts)


def write_starter(scenario_id: str, folder: Path, force: bool = False) -> Path:
    """Write the starter to ``folder/ID.toml``; refuse bad ids and, without ``force``, overwrites."""
    if not ID_PATTERN.fullmatch(scenario_id):
        raise StarterError(
            f"{scenario_id!r} is not a scenario id: use lower-case letters, digits, '-' or '_', "
            "starting with a letter (at most 64 characters)")
    path = folder / f"{scenario_id}.toml"
    if path.exists() and not force:
        raise StarterError(f"{path} exists already; use --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, starter_text(scenario_id))
