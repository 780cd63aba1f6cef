"""Keys in order: a key is routed only once the key before it has done its work.

Why.  Textual 8.2.8 routes each key to the widget that has focus *when the app dequeues the key*
(``App.on_event`` → ``App.focused._forward_event``).  But what moves the focus happens later: a
non-priority binding such as Tab (``focus_next``) or Enter on an open Select's list runs only
when the key has bubbled back up to the app through every ancestor's queue, and
``Widget.focus()`` itself is deferred through the app's queue (``call_later``); a Select re-takes
the focus the same way after a choice.  Keys typed in a burst, or on a busy machine, are all
routed before the first one's focus change has happened: "60" Tab "120" typed into the estimate
dialog gave "60120" in the first field, and the text typed right after `u` went to the board's
keys instead of the update dialog.

So the app holds each key that arrives while an earlier one is still being handled, and routes
it once every widget of the screen has processed what that key set off (the same test Pilot
uses to wait for a screen).  A key therefore lands where the focus is after the keys before it,
which is where the player saw it go.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from textual import events
from textual.app import App, ScreenStackError
from textual.message_pump import MessagePump

MAX_ROUNDS = 40
"""Rounds of waiting for the screen's queues before a held key goes anyway."""
MAX_WAIT = 1.0
"""Seconds a key may be held at most: input must never stall behind a busy widget."""


class OrderedKeys(App[None]):
    """An app that routes keys one at a time, each after the effects of the one before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._releasing: events.Key | None = None
        self._key_in_flight = False
        self._settling: asyncio.Task[None] | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self._admit(event):
                return  # held: routed once the keys before it are done
            await super().on_event(event)
            if self._settling is None or self._settling.done():
                self._settling = asyncio.create_task(self._settle_then_release())
            return
        await super().on_event(event)

    def _admit(self, key: events.Key) -> bool:
        """Whether ``key`` is routed now; otherwise it is held, in order."""
        if key is self._releasing:
            self._releasing = None
            self._key_in_flight = True
            return True
        if self._key_in_flight or self._held_keys or self._releasing is not None:
            self._held_keys.append(key)
            return False
        self._key_in_flight = True
        return True

    async def keys_done(self) -> None:
        """Wait until every key received so far has been routed and has done its work."""
        while self._key_in_flight or self._held_keys or self._releasing is not None:
            await asyncio.sleep(0.005)

    async def _settle_then_release(self) -> None:
        try:
            await self._screen_settled()
        finally:
            self._key_in_flight = False
            if self._held_keys:
                key = self._held_keys.popleft()
                self._releasing = key
                if not self.post_message(key):  # the app is closing: nothing to route to
                    self._releasing = None
                    self._held_keys.clear()

    async def _screen_settled(self) -> None:
        """Wait until the app and every widget of the current screen have processed all their
        messages, including those posted while waiting (a bubbling key, a deferred focus)."""
        deadline = time.monotonic() + MAX_WAIT
        for round_number in range(MAX_ROUNDS):
            try:
                nodes: list[MessagePump] = [self, *self.screen.walk_children(with_self=True)]
            except ScreenStackError:  # no screen yet, or the app is closing
                return
            if round_number and not any(node.message_queue_size for node in nodes):
                return
            left = deadline - time.monotonic()
            if left <= 0 or not await _processed(nodes, left):
                return


async def _processed(nodes: list[MessagePump], timeout: float) -> bool:
    """Wait until each node has processed the messages it had queued; False on timeout."""
    pending = 0
    done = asyncio.Event()

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            done.set()

    for node in nodes:
        if node.call_later(one_done):
            pending += 1
    if not pending:
        return True
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except asyncio.TimeoutError:
        return False
    return True
