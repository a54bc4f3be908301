"""Wakes waiting long polls: an asyncio.Event per waiting request, no thread, no connection.

It also counts the changes announced for each person, so a page of their feed read ahead
can tell whether it is still current, and remembers whose feed was found empty at which
cursor: an idle desktop's next long poll then waits without reading the database again.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

#: How long a feed found empty is believed empty without a wake-up. A lost notification
#: (the PostgreSQL listener reconnecting) can delay a change by at most this long.
EMPTY_FOR_SECONDS = 60.0


class FeedHub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._closing = False
        self._versions: dict[str, int] = defaultdict(int)
        self._empty: dict[str, tuple[int, int, float]] = {}  # person: (cursor, version, at)

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

    def wake_everyone(self) -> None:
        """Thread-safe: changes may have gone unannounced (the listener lost its connection),
        so every waiting poll reads its feed again and nothing is believed empty."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._wake_all_on_loop)
        except RuntimeError:
            pass

    def _wake_all_on_loop(self) -> None:
        self._empty.clear()
        self._wake_on_loop(set(self._waiters) | set(self._versions))

    def _wake_on_loop(self, person_ids: set[str]) -> None:
        for pid in person_ids:
            self._versions[pid] += 1
            self._empty.pop(pid, None)
            for event in list(self._waiters.get(pid, ())):
                event.set()

    def feed_version(self, person_id: str) -> int:
        """On the event loop: how many changes to this person's feed were announced so far."""
        return self._versions.get(person_id, 0)

    def note_empty(self, person_id: str, cursor: int, version: int) -> None:
        """On the event loop: this person's feed had nothing after `cursor` in a read that
        began when their feed version was `version`."""
        if version == self.feed_version(person_id):
            self._empty[person_id] = (cursor, version, time.monotonic())

    def known_empty(self, person_id: str, cursor: int) -> bool:
        """On the event loop: nothing was announced for this person since their feed was
        read empty at this cursor, a short while ago."""
        seen = self._empty.get(person_id)
        if seen is None:
            return False
        at_cursor, version, at = seen
        fresh = time.monotonic() - at < EMPTY_FOR_SECONDS
        return at_cursor == cursor and version == self.feed_version(person_id) and fresh

    def close(self) -> None:
        """On the event loop, at shutdown: every waiting long poll answers now."""
        self._closing = True
        for waiters in self._waiters.values():
            for event in waiters:
                event.set()

    @property
    def waiting(self) -> int:
        return sum(len(v) for v in self._waiters.values())
