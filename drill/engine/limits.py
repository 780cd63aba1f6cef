"""What one run may make and do: the bounds on values and the budget of work every run gets.

Scenario files are untrusted, and a file that validates can still ask for unbounded work:
``s = "s + s"`` every minute doubles a text until memory runs out, ``x = "x * x"`` builds
integers that take minutes to multiply, a thousand events recurring every hundredth of a minute
take a minute of CPU.  These limits make every run of every valid scenario finish in bounded time
and memory (the target: one run in at most 2 s on one core, whatever the file).

Two kinds of limits, with one rule: **a scenario that passes a limit stops the run**, with a
message naming what ran away; nothing is clamped, cut or skipped in silence, because a run that
quietly plays differently from what its file says would teach the wrong thing and hide the bug
from the author.  The stopped run ends like one the facilitator ends (kind ``out_of_time``, id
:data:`HALTED_ENDING`), its record says why (``RunRecord.halted``), and its log ends with the
``ended`` entry.

* **Values** (:data:`MAX_TEXT`, :data:`MAX_NUMBER`): every value an expression makes is checked
  as it is made (:class:`OutOfBounds`).  Starting values and literals beyond them are refused
  when the scenario loads.
* **Work** (:data:`MAX_HAPPENINGS`, :data:`MAX_EVALUATION`, :data:`MAX_LOG_ENTRIES`,
  :data:`MAX_RECURRENCES`): counted as the run plays, never from a wall clock, so the same
  scenario, seed and steps stop at the same moment in the TUI, in ``drill run`` and in
  ``drill check``.

The numbers sit far above what a real drill uses (the bundled scenarios use under 1% of each)
and far enough below what would make a run slow (see bench/limits.py for the figures);
``drill validate`` warns about schedules that would surely pass them.
"""

from __future__ import annotations

MAX_TEXT = 10_000
"""Longest text an expression may make, in characters (twice a long message; the longest text
field of a scenario holds 20,000 characters but is never computed)."""

MAX_NUMBER = 10**15
"""Largest magnitude of a number an expression may make or a state variable may hold.

Below 2**53, so every whole number in range is exact as a float too, and far above any count,
rate, sum of money or duration a drill needs."""

MAX_HAPPENINGS = 100_000
"""Happenings one run may schedule: events (timed and recurring), requests, arrivals,
teammates' lines, finishing actions and per-target progress, with the whole clock units at
which conditions on ``time`` are tested.  The bundled scenarios schedule under 150; handling one
costs a few microseconds, so the budget is about half a second."""

MAX_EVALUATION = 5_000_000
"""Expression work one run may do, in steps: each evaluation of a condition or an effect costs
one step per node of the expression (``errors > 5`` is three; a long ``and``-ed condition only
what its test reaches).  The bundled scenarios spend under 3,000 steps per run, the biggest legal
scenario of the test corpus about 1,500,000; a step costs at most about 0.2 µs here, so the
budget is about a second of the worst kind of work.  Working out when conditions on ``time``
could next hold (:mod:`drill.engine.timeplan`) has a budget of the same size of its own: past
it, those conditions are tested at every whole unit, charged here."""

MAX_LOG_ENTRIES = 20_000
"""Log entries one run may write (each is a line of the feed, the timeline and the postmortem:
20,000 make a postmortem of about 1 MB).  The bundled scenarios write under 150; per-target
work logs each target, so this leaves room for two actions of 10,000 targets."""

MAX_RECURRENCES = 10_000
"""Times one recurring event may fire in a run (``drill validate`` warns about an ``every`` that
would pass it before the clock's limit)."""

HALTED_ENDING = "halted"
"""The id of the ending a run gets when drill stops it because the scenario passed a limit."""


class OutOfBounds(ArithmeticError):
    """An expression made a value beyond :data:`MAX_TEXT` or :data:`MAX_NUMBER`.

    The message completes a sentence about what made it: "event 'grow' made a text longer than
    10,000 characters".
    """


TEXT_TOO_LONG = f"made a text longer than {MAX_TEXT:,} characters"
NUMBER_TOO_BIG = "made a number beyond ±10^15"
