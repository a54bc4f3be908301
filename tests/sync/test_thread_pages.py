"""A folder read a page of ids at a time, as the thread list reads it: every thread once, newest
first, whatever the precision of the times that order them, and with no page when none is left.
On a real encrypted cache file."""

from __future__ import annotations

from sync import shapes
from sync.cache import Cache, mirror, queries
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


def _steps_to_read(cache: Cache, folder: str, before: tuple[float, str] | None) -> int:
    """How many SQLite virtual-machine steps reading one page of `folder` after `before` takes
    (counted by the progress handler, a tally that does not depend on the machine's speed)."""
    steps = [0]

    def counted() -> int:
        steps[0] += 1
        return 0

    with cache.read() as conn:
        conn.raw.set_progress_handler(counted, 1)
        try:
            queries.thread_page(conn, folder, limit=20, before=before)
        finally:
            conn.raw.set_progress_handler(None, 1)
    return steps[0]


def test_a_page_deep_in_a_long_folder_is_read_as_quickly_as_the_first(cache: Cache) -> None:
    """The keyset seeks in the folder's index; it used to read the index from the folder's
    start, so scrolling to the end of 100,000 threads made each page slower than the last."""
    threads = []
    for n in range(3000):
        row = thread(f"thread-{n:06d}", f"Thread {n}", 0)
        row["created_at"] = row["last_message_at"] = \
            f"2026-03-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
        threads.append(row)
    with cache.write() as conn:
        mirror.apply_page(conn, shapes.check_page(page(
            threads=threads, states=[state(t["id"], in_sent=True) for t in threads])),
            ME["id"])
    for folder in ("inbox", "sent"):
        ids = cache.thread_ids(folder)
        with cache.read() as conn:
            deep_ts = conn.exec_driver_sql("SELECT sort_ts FROM threads WHERE id = ?",
                                           (ids[2900],)).scalar()
        first = _steps_to_read(cache, folder, None)
        deep = _steps_to_read(cache, folder, (deep_ts, ids[2900]))
        assert cache.thread_page(folder, limit=20, before=(deep_ts, ids[2900]))["ids"] \
            == ids[2901:2921]
        assert deep < 2 * first, (folder, first, deep)
