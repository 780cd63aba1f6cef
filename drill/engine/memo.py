"""Answers worked out from a scenario's frozen models, remembered by the models' identity.

A run's scenario (and each of its parts) is shared by every run with the same names and draws,
and scoring asks the same questions of it many times per run, `drill check` thousands of times.
The models are frozen, so an answer never goes stale; they are looked up by identity, since
hashing a whole scenario would cost more than the answer.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

Answer = TypeVar("Answer")

REMEMBERED = 64
"""Answers kept per function; past that, it starts afresh (a process rarely plays more than a
few scenarios)."""


def by_identity(work: Callable[..., Answer]) -> Callable[..., Answer]:
    """``work``, remembering its answer for each combination of argument objects.

    The arguments are kept with the answer, so their ids cannot be reused while it is kept.
    """
    made: dict[tuple[int, ...], tuple[tuple[object, ...], Answer]] = {}

    @functools.wraps(work)
    def remembered(*args: object) -> Answer:
        key = tuple(map(id, args))
        hit = made.get(key)
        if hit is not None:
            return hit[1]
        answer = work(*args)
        if len(made) >= REMEMBERED:
            made.clear()
        made[key] = (args, answer)
        return answer

    return remembered
