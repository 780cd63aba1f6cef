"""Keep Python's garbage collector off the objects that live as long as a run.

A full collection walks every object that survived the younger ones.  With a board on screen
that is Textual's widget tree, styles and caches, the compiled scenario and faker's data: each
full collection took 60-200 ms, one every few dialogs, on this 2-core machine
(bench/latency.py).  Freezing them once the board is painted (:func:`gc.freeze`) leaves a full
collection only the objects made since; they are thawed when the board goes, so that what the
run left behind can be collected.

Only objects drill froze itself are thawed: when something else keeps objects frozen already
(a program embedding the app, a test harness), drill leaves the collector as it found it.
"""

from __future__ import annotations

import gc

_frozen_here = False
"""Whether the objects frozen now were frozen by :func:`freeze_long_lived`."""


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's sight, until :func:`thaw`; nothing
    is done when objects are frozen already."""
    global _frozen_here
    if gc.get_freeze_count() == 0:
        gc.freeze()
        _frozen_here = True


def thaw() -> None:
    """Give the objects :func:`freeze_long_lived` froze back to the collector (they are
    collected once garbage)."""
    global _frozen_here
    if _frozen_here:
        gc.unfreeze()
        _frozen_here = False
