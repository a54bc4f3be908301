"""The cache's tables, its full-text index and the migrations between schema versions.

Server data is mirrored with two sets of columns where the user can change it before the
server has agreed: `srv_*` holds what the server last said, the plain columns what the
user sees (the server's value with pending outbox commands applied on top). `hidden`
marks rows a pending command deletes. The schema version lives in `PRAGMA user_version`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text),
)

people = Table(
    "people",
    metadata,
    Column("id", Text, primary_key=True),
    Column("username", Text),
    Column("name", Text, nullable=False, server_default=""),
    Column("kind", Text),
    Column("role", Text),
    Column("status", Text),
    Column("srv_status", Text),
    Column("has_portal_account", Integer),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text),
    Column("member_ids", Text),  # JSON list
)

threads = Table(
    "threads",
    metadata,
    Column("id", Text, primary_key=True),
    Column("subject", Text),  # NULL until the thread itself arrived (a state may come first)
    Column("created_by", Text),
    Column("created_at", Text),
    Column("last_message_at", Text),
    Column("last_message_ts", Float),
    Column("client_count", Integer),
    Column("message_count", Integer),
    Column("participants", Text),  # JSON list of Person
    Column("can_reply", Integer),
    Column("reply_blocked_reason", Text),
    Column("can_delete", Integer),
    Column("can_quick_note", Integer),
    Column("srv_folder", Text),
    Column("srv_unread", Integer),
    Column("srv_starred", Integer),
    Column("srv_in_sent", Integer),
    Column("folder", Text),
    Column("unread", Integer, nullable=False, server_default="0"),
    Column("starred", Integer, nullable=False, server_default="0"),
    Column("in_sent", Integer, nullable=False, server_default="0"),
    Column("sort_ts", Float),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("local", Integer, nullable=False, server_default="0"),
)

messages = Table(
    "messages",
    metadata,
    Column("seq", Integer, primary_key=True),  # the full-text index's rowid
    Column("id", Text, nullable=False, unique=True),
    Column("thread_id", Text, nullable=False),
    Column("sender_id", Text),
    Column("sent_at", Text),
    Column("sent_ts", Float),
    Column("body_html", Text),
    Column("body_text", Text),
    Column("attachments", Text),  # JSON list of Attachment
    Column("attachment_count", Integer, nullable=False, server_default="0"),
    Column("can_delete", Integer),
    Column("receipts", Text),  # JSON list, or NULL when the server sends none
    # Copies kept for the full-text index, which reads its columns from this table.
    Column("subject", Text),
    Column("sender_name", Text),
    Column("attachment_names", Text),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("local", Integer, nullable=False, server_default="0"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("to_json", Text),
    Column("subject", Text),
    Column("body_html", Text),
    Column("attachment_ids", Text),
    Column("thread_id", Text),
    Column("updated_at", Text),
    Column("srv", Text),  # the server's Draft as JSON, NULL if the server has none
    Column("hidden", Integer, nullable=False, server_default="0"),
)

folders = Table(
    "folders",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text),
    Column("srv_name", Text),  # NULL for a folder made here and not yet on the server
    Column("hidden", Integer, nullable=False, server_default="0"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),  # JSON
    Column("idempotency_key", Text, nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("created_at", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    sqlite_autoincrement=True,  # ids are never reused: they order the commands
)

id_map = Table(
    "id_map",
    metadata,
    Column("local_id", Text, primary_key=True),  # made here for something not yet on the server
    Column("server_id", Text, nullable=False),
)

_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_threads_folder ON threads (folder, sort_ts DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_threads_sent ON threads (in_sent, sort_ts DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS ix_messages_thread ON messages (thread_id, sent_ts)",
]

_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5(
        subject, body_text, sender_name, attachment_names,
        content='messages', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2')""",
    # Deleted text leaves no trace in the index (not only a tombstone in a segment).
    "INSERT INTO message_fts(message_fts, rank) VALUES ('secure-delete', 1)",
    "INSERT INTO message_fts(message_fts, rank) VALUES ('rank', 'bm25(8.0, 1.0, 4.0, 2.0)')",
]

FTS_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_fts(rowid, subject, body_text, sender_name, attachment_names)
        VALUES (new.seq, new.subject, new.body_text, new.sender_name, new.attachment_names);
    END""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO message_fts(message_fts, rowid, subject, body_text, sender_name,
                                attachment_names)
        VALUES ('delete', old.seq, old.subject, old.body_text, old.sender_name,
                old.attachment_names);
    END""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_update
        AFTER UPDATE OF subject, body_text, sender_name, attachment_names ON messages
        WHEN old.subject IS NOT new.subject OR old.body_text IS NOT new.body_text
          OR old.sender_name IS NOT new.sender_name
          OR old.attachment_names IS NOT new.attachment_names
    BEGIN
        INSERT INTO message_fts(message_fts, rowid, subject, body_text, sender_name,
                                attachment_names)
        VALUES ('delete', old.seq, old.subject, old.body_text, old.sender_name,
                old.attachment_names);
        INSERT INTO message_fts(rowid, subject, body_text, sender_name, attachment_names)
        VALUES (new.seq, new.subject, new.body_text, new.sender_name, new.attachment_names);
    END""",
]

FTS_TRIGGER_NAMES = ("messages_fts_insert", "messages_fts_delete", "messages_fts_update")


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn)
    for statement in _INDEXES + _FTS + FTS_TRIGGERS:
        conn.exec_driver_sql(statement)


#: MIGRATIONS[n] brings a cache at schema version n to version n + 1.
MIGRATIONS: list[Callable[[Connection], None]] = [_create_v1]
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
