"""Values the views read that are derived from other rows, kept right by triggers.

Each thread row carries a summary of its visible (not `hidden`) cached messages, so a
page of the thread list is one lookup by id:

- `snippet`: the first 400 characters of the newest message's text (newest by `sent_ts`,
  then by arrival), `snippet_ts` that message's `sent_ts`;
- `has_attachments`: whether any of them has an attachment;
- `cached_count`: how many there are.

Triggers in the writing transaction keep them: a message inserted (the common case, every
feed page) adds itself in constant time; a message deleted, hidden, shown again or
changed makes its thread's summary be computed again from its messages (rare, and a
thread has few messages); a thread row arriving after its messages computes its own.
Every path that writes messages (the feed, optimistic commands, their undo, tombstones)
is covered without knowing about it. `mirror.clear` drops the triggers around emptying
the tables, as it does the full-text index's.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

SNIPPET_SOURCE_CHARS = 400

_VISIBLE_OF = "m.thread_id = threads.id AND m.hidden = 0"

#: The SET clause computing a thread's summary from its messages (`threads` is the row).
SUMMARY_FROM_MESSAGES = (
    f"snippet = (SELECT substr(m.body_text, 1, {SNIPPET_SOURCE_CHARS}) FROM messages m "
    f"WHERE {_VISIBLE_OF} ORDER BY m.sent_ts DESC, m.seq DESC LIMIT 1), "
    f"snippet_ts = (SELECT m.sent_ts FROM messages m "
    f"WHERE {_VISIBLE_OF} ORDER BY m.sent_ts DESC, m.seq DESC LIMIT 1), "
    f"has_attachments = EXISTS (SELECT 1 FROM messages m "
    f"WHERE {_VISIBLE_OF} AND m.attachment_count > 0), "
    f"cached_count = (SELECT count(*) FROM messages m WHERE {_VISIBLE_OF})"
)

SUMMARY_COLUMNS = (
    ("snippet", "TEXT"),
    ("snippet_ts", "FLOAT"),
    ("has_attachments", "INTEGER NOT NULL DEFAULT 0"),
    ("cached_count", "INTEGER NOT NULL DEFAULT 0"),
)

# A new row has the highest seq of its thread, so it is the newest unless an older-dated
# message is already there.
_NEWEST = ("(threads.cached_count = 0 OR threads.snippet_ts IS NULL "
           "OR new.sent_ts >= threads.snippet_ts)")

SUMMARY_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS summary_message_insert AFTER INSERT ON messages
        WHEN new.hidden = 0 BEGIN
        UPDATE threads SET cached_count = cached_count + 1,
            has_attachments = (has_attachments OR new.attachment_count > 0),
            snippet = CASE WHEN {_NEWEST}
                THEN substr(new.body_text, 1, {SNIPPET_SOURCE_CHARS}) ELSE snippet END,
            snippet_ts = CASE WHEN {_NEWEST} THEN new.sent_ts ELSE snippet_ts END
        WHERE id = new.thread_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS summary_message_update
        AFTER UPDATE OF hidden, body_text, attachment_count, sent_ts, thread_id ON messages
        WHEN old.hidden IS NOT new.hidden OR old.body_text IS NOT new.body_text
          OR old.attachment_count IS NOT new.attachment_count
          OR old.sent_ts IS NOT new.sent_ts OR old.thread_id IS NOT new.thread_id BEGIN
        UPDATE threads SET {SUMMARY_FROM_MESSAGES} WHERE id IN (old.thread_id, new.thread_id);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS summary_message_delete AFTER DELETE ON messages
        WHEN old.hidden = 0 BEGIN
        UPDATE threads SET {SUMMARY_FROM_MESSAGES} WHERE id = old.thread_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS summary_thread_insert AFTER INSERT ON threads
        WHEN EXISTS (SELECT 1 FROM messages WHERE thread_id = new.id) BEGIN
        UPDATE threads SET {SUMMARY_FROM_MESSAGES} WHERE id = new.id;
    END""",
]

SUMMARY_TRIGGER_NAMES = ("summary_message_insert", "summary_message_update",
                         "summary_message_delete", "summary_thread_insert")


def _columns(conn: Connection, table: str) -> set[str]:
    return {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})").all()}


def add_thread_summaries(conn: Connection) -> None:
    """Schema step: the summary columns (unless the table was made with them), their
    triggers, and the summaries of the threads already cached."""
    present = _columns(conn, "threads")
    for name, declaration in SUMMARY_COLUMNS:
        if name not in present:
            conn.exec_driver_sql(f"ALTER TABLE threads ADD COLUMN {name} {declaration}")
    for statement in SUMMARY_TRIGGERS:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(f"UPDATE threads SET {SUMMARY_FROM_MESSAGES}")
