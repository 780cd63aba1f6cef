"""Keep Python's garbage collector off the objects that live as long as a run.

A full collection walks every object that survived the younger ones.  With a board on screen
that is Textual's widget tree, styles and caches, the compiled scenario and faker's data: each
full collection took 60-200 ms, one every few dialogs, on this 2-core machine
(bench/latency.py).  Freezing them once the board is painted (:func:`gc.freeze`) leaves a full
collection only the objects made since; they are thawed when the board goes, so that what the
run left behind can be collected.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's sight, until :func:`thaw`."""
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector (they are collected once garbage)."""
    gc.unfreeze()
