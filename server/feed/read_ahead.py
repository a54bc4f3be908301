"""Reads the next page of a person's feed while the client is still taking in this one.

A client syncing from scratch asks for page after page, each `since` the cursor of the one
before. When a page says `more`, the next page is read at once in a worker thread, so the
database work overlaps the transfer and the client's parsing of the page just sent.

A page read ahead is only handed to the same person asking for exactly that cursor and
limit, only while no change to that person's feed has been announced since its read began
(the feed hub counts them), and only for a few seconds; otherwise it is dropped and the
page is read afresh. It is therefore always a page that a request made a moment earlier
would have been answered with.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from server.feed.hub import FeedHub

Page = dict[str, Any]


@dataclass
class _Reading:
    since: int
    limit: int
    feed_version: int
    started: float
    task: asyncio.Task[Page]


class FeedReadAhead:
    """At most one page per person, for at most `max_people` people at a time."""

    def __init__(self, hub: FeedHub, ttl: float = 5.0, max_people: int = 16) -> None:
        self._hub = hub
        self._ttl = ttl
        self._max_people = max_people
        self._readings: dict[str, _Reading] = {}
        self._closed = False

    def start(self, person_id: str, since: int, limit: int, read: Callable[[], Page]) -> None:
        """On the event loop: begin reading the page after `since` in a worker thread."""
        self._drop(person_id)
        # Pages of clients that stopped asking (closed, asleep) are dropped once too old.
        now = time.monotonic()
        for other, reading in list(self._readings.items()):
            if now - reading.started > self._ttl:
                self._drop(other)
        if self._closed or len(self._readings) >= self._max_people:
            return
        task = asyncio.ensure_future(run_in_threadpool(read))
        task.add_done_callback(_retrieve)
        self._readings[person_id] = _Reading(
            since, limit, self._hub.feed_version(person_id), time.monotonic(), task
        )

    async def take(self, person_id: str, since: int, limit: int) -> Page | None:
        """The page read ahead for exactly this request, if it is still current."""
        reading = self._readings.pop(person_id, None)
        if reading is None:
            return None
        if (reading.since, reading.limit) != (since, limit):
            reading.task.cancel()
            return None
        try:
            page = await asyncio.shield(reading.task)
        except Exception:  # the request reads afresh and meets the error itself
            return None
        fresh = time.monotonic() - reading.started <= self._ttl
        unchanged = self._hub.feed_version(person_id) == reading.feed_version
        return page if fresh and unchanged else None

    def ready(self, person_id: str) -> bool:
        """Whether a page for this person has been read and waits to be taken."""
        reading = self._readings.get(person_id)
        return reading is not None and reading.task.done()

    def close(self) -> None:
        """On the event loop, at shutdown: nothing read ahead is waited for, or started."""
        self._closed = True
        for person_id in list(self._readings):
            self._drop(person_id)

    def _drop(self, person_id: str) -> None:
        reading = self._readings.pop(person_id, None)
        if reading is not None:
            reading.task.cancel()


def _retrieve(task: asyncio.Task[Page]) -> None:
    # A page nobody takes may have failed; its error is not news to anyone.
    if not task.cancelled():
        task.exception()
