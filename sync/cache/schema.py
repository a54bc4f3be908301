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

from sync.cache import derived

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
    # The summary of its cached messages (sync.cache.derived keeps it).
    Column("snippet", Text),
    Column("snippet_ts", Float),
    Column("has_attachments", Integer, nullable=False, server_default="0"),
    Column("cached_count", Integer, nullable=False, server_default="0"),
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
    Column("attachment_count", Integer, nullable=False, server_default="0"),
    Column("can_delete", Integer),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("local", Integer, nullable=False, server_default="0"),
    Column("attachments", Text),  # JSON list of Attachment
    Column("attachment_names", Text),  # for the full-text index
    Column("receipts", Text),  # JSON list, or NULL when the server sends none
    # The large columns last: reading the text (search) never reads through the HTML.
    Column("body_text", Text),
    Column("body_html", Text),
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
    # JSON list of the Attachments saved with it here (the server keeps only their ids).
    Column("attachments", Text),
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
    metadata.create_all(conn)
    for statement in [*_INDEXES, _SEARCH_VIEW, *_FTS, *FTS_TRIGGERS]:
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
