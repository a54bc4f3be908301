"""Values the views read that are derived from other rows, kept right by triggers.

Two kinds: each thread's summary of its messages, and the thread counts of every folder.

Each thread row carries a summary of its visible (not `hidden`) cached messages, so a
page of the thread list is one lookup by id:

- `snippet`: the first 400 characters of the newest message's text (newest by `sent_ts`,
  then by arrival), `snippet_ts` that message's `sent_ts`;
- `has_attachments`: whether any of them has an attachment;
- `cached_count`: how many there are.

New messages (the common case: every feed page, every local send) are added by
`add_new_messages`, which mirror.upsert_messages (the one place messages are inserted)
calls once per page: one update per thread, not one per message, as the initial sync
brings a thread's messages together. Triggers in the writing transaction do the rest: a
message deleted, hidden, shown again or changed makes its thread's summary be computed
again from its messages (rare, and a thread has few messages); a thread row arriving
after its messages computes its own. Every other path that changes messages (optimistic
commands, their undo, tombstones, id rewrites) is covered without knowing about it.

`thread_counts` holds, per folder (kind "folder") and for Sent (kind "sent", folder ""),
how many visible threads it lists and how many of them are unread, so the folder list
reads a handful of rows instead of counting every thread. A thread counts when it is not
hidden and its subject is known; it is in Sent when `in_sent` is set and it is not in
the trash (the same conditions the thread lists use). A trigger takes a thread's old
contribution off and adds its new one whenever one of those columns changes.

`mirror.clear` drops the triggers around emptying the tables, as it does the full-text
index's, and empties `thread_counts` with them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.cache.connection import Connection

NewMessage = tuple[str, float | None, str | None, int]

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

SUMMARY_TRIGGERS = [
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

SUMMARY_TRIGGER_NAMES = ("summary_message_update", "summary_message_delete",
                         "summary_thread_insert")

# New rows have the highest seqs of their thread, so the newest of them is the thread's
# newest unless an older-dated message is already there.
_NEWER = "(cached_count = 0 OR snippet_ts IS NULL OR ? >= snippet_ts)"
_ADD_NEW_SQL = (
    "UPDATE threads SET cached_count = cached_count + ?, "
    "has_attachments = (has_attachments OR ?), "
    f"snippet = CASE WHEN {_NEWER} THEN ? ELSE snippet END, "
    f"snippet_ts = CASE WHEN {_NEWER} THEN ? ELSE snippet_ts END WHERE id = ?"
)


def add_new_messages(conn: Connection, rows: Sequence[NewMessage]) -> None:
    """Adds messages just inserted (visible, in insertion order) to their threads'
    summaries. Each row: (thread_id, sent_ts, body_text, attachment_count)."""
    count: dict[str, int] = {}
    attachments: dict[str, bool] = {}
    newest: dict[str, tuple[tuple[bool, float, int], float | None, str | None]] = {}
    for order, (thread_id, sent_ts, body_text, attachment_count) in enumerate(rows):
        count[thread_id] = count.get(thread_id, 0) + 1
        attachments[thread_id] = attachments.get(thread_id, False) or attachment_count > 0
        # As ORDER BY sent_ts DESC, seq DESC: a NULL time sorts last, a later row wins ties.
        rank = (sent_ts is not None, sent_ts or 0.0, order)
        if thread_id not in newest or rank > newest[thread_id][0]:
            newest[thread_id] = (rank, sent_ts, body_text)
    updates = []
    for thread_id, (_, ts, text) in newest.items():
        snippet = None if text is None else text[:SNIPPET_SOURCE_CHARS]
        updates.append((count[thread_id], int(attachments[thread_id]), ts, snippet, ts, ts,
                        thread_id))
    if updates:
        conn.exec_driver_sql(_ADD_NEW_SQL, updates)


def _columns(conn: Connection, table: str) -> set[str]:
    return {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})").all()}


def summaries_by_page(conn: Connection) -> None:
    """Schema step: new messages are added to the summaries a page at a time
    (add_new_messages) instead of by a trigger per row; summaries are computed again."""
    had_trigger = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
        "AND name = 'summary_message_insert'").first()
    if had_trigger:
        conn.exec_driver_sql("DROP TRIGGER summary_message_insert")
        conn.exec_driver_sql(f"UPDATE threads SET {SUMMARY_FROM_MESSAGES}")


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


# -- thread counts per folder -------------------------------------------------------------

_COUNTS_TABLE = """CREATE TABLE IF NOT EXISTS thread_counts (
    kind TEXT NOT NULL, folder TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0, unread INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, folder))"""


def _count(row: str, sign: str) -> str:
    """Statements adding (sign "+") or taking off ("-") the contribution of `row`."""
    counted = f"{row}.hidden = 0 AND {row}.subject IS NOT NULL"
    add = ("ON CONFLICT(kind, folder) DO UPDATE SET total = total + excluded.total, "
           "unread = unread + excluded.unread")
    return (
        f"INSERT INTO thread_counts (kind, folder, total, unread) "
        f"SELECT 'folder', {row}.folder, {sign}1, {sign}{row}.unread "
        f"WHERE {counted} AND {row}.folder IS NOT NULL {add};\n"
        f"INSERT INTO thread_counts (kind, folder, total, unread) "
        f"SELECT 'sent', '', {sign}1, {sign}{row}.unread WHERE {counted} AND {row}.in_sent = 1 "
        f"AND coalesce({row}.folder, '') != 'trash' {add};"
    )


COUNT_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS counts_thread_insert AFTER INSERT ON threads BEGIN
        {_count("new", "+")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS counts_thread_delete AFTER DELETE ON threads BEGIN
        {_count("old", "-")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS counts_thread_update
        AFTER UPDATE OF folder, unread, hidden, subject, in_sent ON threads
        WHEN old.folder IS NOT new.folder OR old.unread IS NOT new.unread
          OR old.hidden IS NOT new.hidden OR old.in_sent IS NOT new.in_sent
          OR (old.subject IS NULL) != (new.subject IS NULL) BEGIN
        {_count("old", "-")}
        {_count("new", "+")}
    END""",
]

COUNT_TRIGGER_NAMES = ("counts_thread_insert", "counts_thread_delete", "counts_thread_update")

_FILL_COUNTS = [
    "DELETE FROM thread_counts",
    "INSERT INTO thread_counts (kind, folder, total, unread) "
    "SELECT 'folder', folder, count(*), coalesce(sum(unread), 0) FROM threads "
    "WHERE hidden = 0 AND subject IS NOT NULL AND folder IS NOT NULL GROUP BY folder",
    "INSERT INTO thread_counts (kind, folder, total, unread) "
    "SELECT 'sent', '', count(*), coalesce(sum(unread), 0) FROM threads "
    "WHERE hidden = 0 AND subject IS NOT NULL AND in_sent = 1 "
    "AND coalesce(folder, '') != 'trash'",
]


def add_thread_counts(conn: Connection) -> None:
    """Schema step: the counts table, its triggers, and the counts of what is cached."""
    conn.exec_driver_sql(_COUNTS_TABLE)
    for statement in [*COUNT_TRIGGERS, *_FILL_COUNTS]:
        conn.exec_driver_sql(statement)


def clear_thread_counts(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM thread_counts")


#: Every trigger of this module, for dropping them around a bulk change (mirror.clear).
TRIGGERS = [*SUMMARY_TRIGGERS, *COUNT_TRIGGERS]
TRIGGER_NAMES = (*SUMMARY_TRIGGER_NAMES, *COUNT_TRIGGER_NAMES)
