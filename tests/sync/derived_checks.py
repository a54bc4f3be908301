"""What the cache's derived values must equal: each computed the slow way from the rows."""

from __future__ import annotations

from typing import Any

from sync.cache import Cache

# The per-row subqueries the thread list ran before the summaries were kept on the row.
_SUMMARIES_FROM_MESSAGES = """
    SELECT t.id,
      (SELECT substr(m.body_text, 1, 400) FROM messages m WHERE m.thread_id = t.id
       AND m.hidden = 0 ORDER BY m.sent_ts DESC, m.seq DESC LIMIT 1),
      (SELECT m.sent_ts FROM messages m WHERE m.thread_id = t.id
       AND m.hidden = 0 ORDER BY m.sent_ts DESC, m.seq DESC LIMIT 1),
      EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.hidden = 0
       AND m.attachment_count > 0),
      (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.hidden = 0)
    FROM threads t ORDER BY t.id"""

_STORED_SUMMARIES = ("SELECT id, snippet, snippet_ts, has_attachments, cached_count "
                     "FROM threads ORDER BY id")


def summaries(cache: Cache) -> tuple[list[Any], list[Any]]:
    """(stored on the thread rows, computed from the messages), one tuple per thread."""
    with cache.read() as conn:
        stored = [tuple(r) for r in conn.exec_driver_sql(_STORED_SUMMARIES).all()]
        computed = [tuple(r) for r in conn.exec_driver_sql(_SUMMARIES_FROM_MESSAGES).all()]
    return stored, computed


def assert_summaries_right(cache: Cache) -> list[Any]:
    stored, computed = summaries(cache)
    assert stored == computed
    return stored


_COUNTS_FROM_THREADS = """
    SELECT 'folder', folder, count(*), coalesce(sum(unread), 0) FROM threads
    WHERE hidden = 0 AND subject IS NOT NULL AND folder IS NOT NULL GROUP BY folder
    UNION ALL
    SELECT 'sent', '', count(*), coalesce(sum(unread), 0) FROM threads
    WHERE hidden = 0 AND subject IS NOT NULL AND in_sent = 1
      AND coalesce(folder, '') != 'trash'"""


def counts(cache: Cache) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """(kept in thread_counts, counted over the threads), by (kind, folder); zeros left out."""
    with cache.read() as conn:
        stored = conn.exec_driver_sql(
            "SELECT kind, folder, total, unread FROM thread_counts").all()
        computed = conn.exec_driver_sql(_COUNTS_FROM_THREADS).all()

    def nonzero(rows: Any) -> dict[Any, Any]:
        return {(r[0], r[1]): (r[2], r[3]) for r in rows if (r[2], r[3]) != (0, 0)}

    return nonzero(stored), nonzero(computed)


def assert_counts_right(cache: Cache) -> dict[str, tuple[int, int]]:
    """Checks the kept counts; returns the folder list's (total, unread) by folder id."""
    stored, computed = counts(cache)
    assert stored == computed
    return {f["id"]: (f["total"], f["unread"]) for f in cache.folders()}
