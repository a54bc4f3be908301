"""Wakes waiting long polls: an asyncio.Event per waiting request, no thread, no connection.

It also counts the changes announced for each person, so a page of their feed read ahead
can tell whether it is still current.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class FeedHub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._closing = False
        self._versions: dict[str, int] = defaultdict(int)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def register(self, person_id: str) -> asyncio.Event:
        """Call on the event loop before reading the feed, so no change slips between."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        event = asyncio.Event()
        if self._closing:
            event.set()  # shutting down: answer at once with what there is
        self._waiters[person_id].add(event)
        return event

    def unregister(self, person_id: str, event: asyncio.Event) -> None:
        waiters = self._waiters.get(person_id)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(person_id, None)

    def wake(self, person_ids: set[str]) -> None:
        """Thread-safe: may be called from worker threads or the PostgreSQL listener."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake_on_loop, set(person_ids))
        except RuntimeError:  # loop shutting down
            pass

    def _wake_on_loop(self, person_ids: set[str]) -> None:
        for pid in person_ids:
            self._versions[pid] += 1
            for event in list(self._waiters.get(pid, ())):
                event.set()

    def feed_version(self, person_id: str) -> int:
        """On the event loop: how many changes to this person's feed were announced so far."""
        return self._versions.get(person_id, 0)

    def close(self) -> None:
        """On the event loop, at shutdown: every waiting long poll answers now."""
        self._closing = True
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()

    @property
    def waiting(self) -> int:
        return sum(len(v) for v in self._waiters.values())
