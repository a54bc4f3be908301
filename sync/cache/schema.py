"""The cache's tables, its full-text index and the migrations between schema versions.

Server data is mirrored with two sets of columns where the user can change it before the
server has agreed: `srv_*` holds what the server last said, the plain columns what the
user sees (the server's value with pending outbox commands applied on top). `hidden`
marks rows a pending command deletes. The schema version lives in `PRAGMA user_version`.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.cache import derived
from sync.cache.connection import Connection

# The tables in their newest shape (a new cache is made so; older ones are migrated below).
_TABLES = [
    """CREATE TABLE meta (
        "key" TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY ("key"))""",
    """CREATE TABLE people (
        id TEXT NOT NULL,
        username TEXT,
        name TEXT DEFAULT '' NOT NULL,
        kind TEXT,
        role TEXT,
        status TEXT,
        srv_status TEXT,
        has_portal_account INTEGER,
        PRIMARY KEY (id))""",
    """CREATE TABLE groups (
        id TEXT NOT NULL,
        name TEXT,
        member_ids TEXT,  -- JSON list
        PRIMARY KEY (id))""",
    """CREATE TABLE threads (
        id TEXT NOT NULL,
        subject TEXT,  -- NULL until the thread itself arrived (a state may come first)
        created_by TEXT,
        created_at TEXT,
        last_message_at TEXT,
        last_message_ts FLOAT,
        client_count INTEGER,
        message_count INTEGER,
        participants TEXT,  -- JSON list of Person
        can_reply INTEGER,
        reply_blocked_reason TEXT,
        can_delete INTEGER,
        can_quick_note INTEGER,
        srv_folder TEXT,
        srv_unread INTEGER,
        srv_starred INTEGER,
        srv_in_sent INTEGER,
        folder TEXT,
        unread INTEGER DEFAULT '0' NOT NULL,
        starred INTEGER DEFAULT '0' NOT NULL,
        in_sent INTEGER DEFAULT '0' NOT NULL,
        sort_ts FLOAT,
        hidden INTEGER DEFAULT '0' NOT NULL,
        local INTEGER DEFAULT '0' NOT NULL,
        -- The summary of its cached messages (sync.cache.derived keeps it).
        snippet TEXT,
        snippet_ts FLOAT,
        has_attachments INTEGER DEFAULT '0' NOT NULL,
        cached_count INTEGER DEFAULT '0' NOT NULL,
        PRIMARY KEY (id))""",
    """CREATE TABLE messages (
        seq INTEGER NOT NULL,  -- the full-text index's rowid
        id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        sender_id TEXT,
        sent_at TEXT,
        sent_ts FLOAT,
        attachment_count INTEGER DEFAULT '0' NOT NULL,
        can_delete INTEGER,
        hidden INTEGER DEFAULT '0' NOT NULL,
        local INTEGER DEFAULT '0' NOT NULL,
        attachments TEXT,  -- JSON list of Attachment
        attachment_names TEXT,  -- for the full-text index
        receipts TEXT,  -- JSON list, or NULL when the server sends none
        -- The large columns last: reading the text (search) never reads through the HTML.
        body_text TEXT,
        body_html TEXT,
        PRIMARY KEY (seq),
        UNIQUE (id))""",
    """CREATE TABLE drafts (
        id TEXT NOT NULL,
        to_json TEXT,
        subject TEXT,
        body_html TEXT,
        attachment_ids TEXT,
        thread_id TEXT,
        updated_at TEXT,
        srv TEXT,  -- the server's Draft as JSON, NULL if the server has none
        hidden INTEGER DEFAULT '0' NOT NULL,
        -- JSON list of the Attachments saved with it here (the server keeps only their ids).
        attachments TEXT,
        PRIMARY KEY (id))""",
    """CREATE TABLE folders (
        id TEXT NOT NULL,
        name TEXT,
        srv_name TEXT,  -- NULL for a folder made here and not yet on the server
        hidden INTEGER DEFAULT '0' NOT NULL,
        PRIMARY KEY (id))""",
    # AUTOINCREMENT: ids are never reused, for they order the commands.
    """CREATE TABLE outbox (
        id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,  -- JSON
        idempotency_key TEXT NOT NULL,
        summary TEXT DEFAULT '' NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER DEFAULT '0' NOT NULL,
        last_error TEXT)""",
    """CREATE TABLE id_map (
        local_id TEXT NOT NULL,  -- made here for something not yet on the server
        server_id TEXT NOT NULL,
        PRIMARY KEY (local_id))""",
]

_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_threads_folder ON threads (folder, sort_ts DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_threads_sent ON threads (in_sent, sort_ts DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_messages_thread ON messages (thread_id, sent_ts)",
    "CREATE INDEX IF NOT EXISTS ix_messages_sender ON messages (sender_id)",
    # Messages a pending command deletes: few, and counted on every search.
    "CREATE INDEX IF NOT EXISTS ix_messages_hidden ON messages (seq) WHERE hidden = 1",
]

# The full-text index reads its text through this view: the subject from the thread, the
# sender's name from people, so neither is copied into every message row. A message is
# indexed once its thread (with its subject) is known; the feed may send it earlier.
_SEARCH_VIEW = """CREATE VIEW IF NOT EXISTS message_search AS
    SELECT m.seq AS seq, t.subject AS subject, m.body_text AS body_text,
           coalesce(p.name, '') AS sender_name, m.attachment_names AS attachment_names
    FROM messages m JOIN threads t ON t.id = m.thread_id
    LEFT JOIN people p ON p.id = m.sender_id
    WHERE t.subject IS NOT NULL"""

_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(
        subject, body_text, sender_name, attachment_names,
        content='message_search', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2')""",
    # Deleted text leaves no trace in the index (not only a tombstone in a segment).
    "INSERT INTO message_fts(message_fts, rank) VALUES ('secure-delete', 1)",
]


def _index(row: str, subject: str, name: str, where: str) -> str:
    """SQL adding (or with row 'delete', removing) index entries of the messages `where`."""
    columns = "message_fts, rowid, " if row == "delete" else "rowid, "
    first = "'delete', m.seq" if row == "delete" else "m.seq"
    return (f"INSERT INTO message_fts({columns}subject, body_text, sender_name, "
            f"attachment_names) SELECT {first}, {subject}, m.body_text, {name}, "
            f"m.attachment_names FROM messages m WHERE {where};")


_NAME = "coalesce((SELECT name FROM people WHERE id = m.sender_id), '')"
_SUBJECT = "(SELECT subject FROM threads WHERE id = m.thread_id)"
_HAS_SUBJECT = f"{_SUBJECT} IS NOT NULL"

# New message rows are indexed by mirror.upsert_messages with one executemany: a trigger
# per inserted row makes the initial sync 2.5 times slower. Everything rarer is a trigger.
FTS_TRIGGERS = [
    # A deleted row is gone from `messages`: its old values are given by hand.
    """CREATE TRIGGER IF NOT EXISTS fts_message_delete AFTER DELETE ON messages
        WHEN (SELECT subject FROM threads WHERE id = old.thread_id) IS NOT NULL BEGIN
        INSERT INTO message_fts(message_fts, rowid, subject, body_text, sender_name,
                                attachment_names)
        VALUES ('delete', old.seq, (SELECT subject FROM threads WHERE id = old.thread_id),
                old.body_text,
                coalesce((SELECT name FROM people WHERE id = old.sender_id), ''),
                old.attachment_names);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_message_update
        AFTER UPDATE OF body_text, attachment_names, sender_id, thread_id ON messages
        WHEN old.body_text IS NOT new.body_text
          OR old.attachment_names IS NOT new.attachment_names
          OR old.sender_id IS NOT new.sender_id OR old.thread_id IS NOT new.thread_id BEGIN
        INSERT INTO message_fts(message_fts, rowid, subject, body_text, sender_name,
                                attachment_names)
        SELECT 'delete', old.seq, t.subject, old.body_text,
               coalesce((SELECT name FROM people WHERE id = old.sender_id), ''),
               old.attachment_names
        FROM threads t WHERE t.id = old.thread_id AND t.subject IS NOT NULL;
        {_index("add", _SUBJECT, _NAME, f"m.seq = new.seq AND {_HAS_SUBJECT}")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_thread_insert AFTER INSERT ON threads
        WHEN new.subject IS NOT NULL BEGIN
        {_index("add", "new.subject", _NAME, "m.thread_id = new.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_thread_update AFTER UPDATE OF subject ON threads
        WHEN old.subject IS NOT new.subject BEGIN
        {_index("delete", "old.subject", _NAME,
                "m.thread_id = old.id AND old.subject IS NOT NULL")}
        {_index("add", "new.subject", _NAME, "m.thread_id = new.id AND new.subject IS NOT NULL")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_thread_delete AFTER DELETE ON threads
        WHEN old.subject IS NOT NULL BEGIN
        {_index("delete", "old.subject", _NAME, "m.thread_id = old.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_person_insert AFTER INSERT ON people BEGIN
        {_index("delete", _SUBJECT, "''", f"m.sender_id = new.id AND {_HAS_SUBJECT}")}
        {_index("add", _SUBJECT, "new.name", f"m.sender_id = new.id AND {_HAS_SUBJECT}")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS fts_person_update AFTER UPDATE OF name ON people
        WHEN old.name IS NOT new.name BEGIN
        {_index("delete", _SUBJECT, "old.name", f"m.sender_id = old.id AND {_HAS_SUBJECT}")}
        {_index("add", _SUBJECT, "new.name", f"m.sender_id = new.id AND {_HAS_SUBJECT}")}
    END""",
]

FTS_TRIGGER_NAMES = ("fts_message_delete", "fts_message_update",
                     "fts_thread_insert", "fts_thread_update", "fts_thread_delete",
                     "fts_person_insert", "fts_person_update")


def _create_v1(conn: Connection) -> None:
    # The tables are made in their newest shape; later steps add only what is missing.
    for statement in [*_TABLES, *_INDEXES, _SEARCH_VIEW, *_FTS, *FTS_TRIGGERS]:
        conn.exec_driver_sql(statement)


def add_draft_attachments(conn: Connection) -> None:
    """Schema step: drafts keep the details of their attachments (NULL for those saved
    before)."""
    present = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(drafts)").all()}
    if "attachments" not in present:
        conn.exec_driver_sql("ALTER TABLE drafts ADD COLUMN attachments TEXT")


#: MIGRATIONS[n] brings a cache at schema version n to version n + 1.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_v1,
    derived.add_thread_summaries,
    derived.add_thread_counts,
    add_draft_attachments,
    derived.summaries_by_page,
]
SCHEMA_VERSION = len(MIGRATIONS)


class CacheTooNew(Exception):
    """The cache was written by a newer version of the program."""


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(conn: Connection) -> None:
    """Brings the schema to SCHEMA_VERSION; call inside a transaction."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise CacheTooNew(
            f"The cache has schema version {version}; this program knows up to {SCHEMA_VERSION}."
        )
    for step in MIGRATIONS[version:]:
        step(conn)
    conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
