"""Events the sync engine reports to its listener (called from the engine's own threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal


class Change(StrEnum):
    """A kind of cached data a CacheChanged can name."""

    THREADS = "threads"
    MESSAGES = "messages"
    STATES = "states"
    DRAFTS = "drafts"
    FOLDERS = "folders"
    PEOPLE = "people"
    SESSION = "session"
    OUTBOX = "outbox"


@dataclass(frozen=True)
class CacheChanged:
    """Cached data changed; views showing one of `kinds` (or one of `thread_ids`) refresh."""

    kinds: frozenset[Change]
    thread_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class NewMessage:
    """A message from someone else arrived (after the initial sync); the tray alert uses it."""

    thread_id: str
    message_id: str
    sender_name: str
    subject: str


@dataclass(frozen=True)
class SyncStatus:
    state: Literal["online", "offline", "syncing"]
    outbox: int
    last_sync: datetime | None
    detail: str | None = None


@dataclass(frozen=True)
class SyncProgress:
    """Initial (or rebuilding) sync: pages and messages applied so far. `fraction` (0 to 1)
    is how far the download of older messages has come once the newest threads are shown
    (sync.backfill); None from a server that sends everything oldest first."""

    pages: int
    messages: int
    done: bool
    fraction: float | None = None


@dataclass(frozen=True)
class CommandFailed:
    """The server refused a command; its optimistic change was rolled back. For a refused
    message, `kept_draft_id` names the draft its text was kept in, and `thread_id` the thread a
    refused reply was for."""

    kind: str
    code: str
    detail: str
    thread_id: str = ""
    kept_draft_id: str = ""


@dataclass(frozen=True)
class CacheRebuilt:
    """The cache was emptied and is being filled again from the server; `reason` says why."""

    reason: str


@dataclass(frozen=True)
class UploadProgress:
    """Bytes of an attachment sent so far; `attachment_id` is the local id `attach` returned."""

    attachment_id: str
    done: int
    total: int


@dataclass(frozen=True)
class SyncStopped:
    """Syncing stopped and will not resume by itself (signed out, or the server sent nonsense)."""

    code: str
    detail: str


Event = (
    CacheChanged
    | NewMessage
    | SyncStatus
    | SyncProgress
    | CommandFailed
    | CacheRebuilt
    | UploadProgress
    | SyncStopped
)
