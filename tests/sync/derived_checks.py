"""What the cache's derived values must equal: each computed the slow way from the rows."""

from __future__ import annotations

from typing import Any

from sync.cache import Cache

# The per-row subqueries the thread list ran before the summaries were kept on the row.
_SUMMARIES_FROM_MESSAGES = """
    SELECT t.id,
      (SELECT substr(m.body_text, 1, 400) FROM messages m WHERE m.thread_id = t.id
       AND m.hidden = 0 ORDER BY m.sent_ts DESC LIMIT 1),
      EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.hidden = 0
       AND m.attachment_count > 0),
      (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.hidden = 0)
    FROM threads t ORDER BY t.id"""

_STORED_SUMMARIES = ("SELECT id, snippet, has_attachments, cached_count FROM threads "
                     "ORDER BY id")


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
