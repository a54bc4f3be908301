"""The first sync of an empty cache, recent first: the server's snapshot (the newest threads
of each folder with their newest messages) is applied before anything else, so the Inbox is
readable at once; the whole change feed then downloads from its beginning behind it, as it
always has (the "backfill").

Applying the feed over the snapshot is safe as it is: the feed sends each object once, at
its latest version, read when its page is read (see docs/api.md), so a page fetched after
the snapshot never holds an older version of anything the snapshot showed. The snapshot
sets no cursor: a crash before the first page is applied starts again with a new snapshot;
after it, the feed resumes from its cursor as before.

How far the backfill has come is kept in the cache's meta table, in the transaction of each
page (`backfill_total`: the entries of the feed when the snapshot was read; `backfill_done`:
the entries applied since), so the fraction survives a restart too. A server without the
snapshot (404) gets today's sync oldest first, with no fraction.
"""

from __future__ import annotations

from typing import Any

from sync import shapes
from sync.api import ApiClient
from sync.cache import Cache
from sync.cache.connection import Connection
from sync.errors import ApiError

Json = dict[str, Any]

SNAPSHOT_THREADS = 200  # per folder: a screenful of the Inbox and well beyond
SNAPSHOT_MESSAGES = 5  # per thread: the newest exchange, readable at once
LAST_BEFORE_DONE = 0.99  # the fraction shown until the feed says nothing more follows

TOTAL, DONE = "backfill_total", "backfill_done"


def fetch_snapshot(api: ApiClient) -> Json | None:
    """The checked snapshot, or None from a server that has none."""
    try:
        answer = api.snapshot(SNAPSHOT_THREADS, SNAPSHOT_MESSAGES)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return shapes.check_snapshot(answer)


def start(conn: Connection, snapshot: Json | None) -> None:
    """In the transaction applying the snapshot (or instead of it): the backfill starts."""
    size = None if snapshot is None else snapshot["feed_size"]
    Cache.set_meta(conn, TOTAL, None if size is None else str(size))
    Cache.set_meta(conn, DONE, "0")


def entries_of(page: Json) -> int:
    """About how many feed entries a page carried (objects gone meanwhile are not all named)."""
    lists = ("threads", "messages", "states", "drafts", "folders", "people")
    return sum(len(page[name]) for name in lists) + sum(
        len(ids) for ids in page["deleted"].values())


def advance(conn: Connection, page: Json) -> float | None:
    """In the transaction applying a page of the initial sync: its entries are counted; returns
    the fraction of the backfill done (1.0 with the last page), None when it is not known."""
    total = Cache.get_meta(conn, TOTAL)
    if not page["more"]:
        Cache.set_meta(conn, TOTAL, None)
        Cache.set_meta(conn, DONE, None)
        return 1.0 if total is not None else None
    done = int(Cache.get_meta(conn, DONE) or 0) + entries_of(page)
    Cache.set_meta(conn, DONE, str(done))
    if total is None:
        return None
    return fraction(done, int(total))


def fraction(done: int, total: int) -> float:
    """Entries written during the backfill join the feed too: the count may pass the total."""
    if total <= 0:
        return LAST_BEFORE_DONE
    return min(LAST_BEFORE_DONE, done / total)
