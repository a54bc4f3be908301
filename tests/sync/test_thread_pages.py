"""A folder read a page of ids at a time, as the thread list reads it: every thread once, newest
first, whatever the precision of the times that order them, and with no page when none is left.
On a real encrypted cache file."""

from __future__ import annotations

from sync import shapes
from sync.cache import Cache, mirror
from tests.sync.pages import ME, page, state, thread

THREADS = 37


def microsecond_thread(n: int) -> dict:
    # Times with microseconds: 17 significant digits as seconds, more than JSON's 15.
    sent = f"2026-03-01T09:{n % 60:02d}:{n % 7:02d}.{123457 + n * 10:06d}Z"
    row = thread(f"thread-{n:016d}", f"Thread {n}", 0)
    row["created_at"] = row["last_message_at"] = sent
    return row


def test_paging_through_a_folder_gives_every_thread_once_newest_first(cache: Cache) -> None:
    threads = [microsecond_thread(n) for n in range(THREADS)]
    # Two threads at the very same moment: the id decides between them.
    threads[5]["last_message_at"] = threads[6]["last_message_at"]
    with cache.write() as conn:
        mirror.apply_page(conn, shapes.check_page(page(
            threads=threads, states=[state(t["id"]) for t in threads])), ME["id"])
    everything = cache.thread_ids("inbox")
    assert len(everything) == THREADS

    paged: list[str] = []
    before = None
    for _ in range(THREADS):
        result = cache.thread_page("inbox", limit=4, before=before)
        paged.extend(result["ids"])
        before = result["next"]
        if before is None:
            break
    assert paged == everything
    assert cache.thread_page("inbox", limit=THREADS)["next"] is None
    assert cache.thread_page("archive", limit=4) == {"ids": [], "next": None}
