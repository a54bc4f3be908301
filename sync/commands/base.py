"""What every outbox command kind says about itself: one class holds all of it.

A kind names its payload's fields (`fields`; the kinds with more than ids to fill in build
their payloads too, `build`), its optimistic effect and the rows it touches (`effect`,
`targets`), how it is sent (`send`), the shape its answer must have (`check`) and how that
answer is written to the cache (`store`), plus the refusals that still meet its goal. The
outbox keeps only the kind's name and a JSON payload; `sync.commands.by_kind` finds the class
again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sync.api import ApiClient
from sync.blobs import BlobCache
from sync.cache.connection import Connection
from sync.errors import ApiError
from sync.status import Emitter

if TYPE_CHECKING:
    from sync.outbox import Command

Json = dict[str, Any]


@dataclass
class Applied:
    """What storing an answer changed: the keys of its rows, and attachments whose local
    files are to go."""

    keys: set[str] = field(default_factory=set)
    purged_attachments: list[str] = field(default_factory=list)


class Channel(Protocol):
    """What a command is sent through: the server, the attachment files (for uploads) and the
    listener (for upload progress)."""

    api: ApiClient
    blobs: BlobCache
    emit: Emitter


class CommandType(ABC):
    """One kind of command. Subclasses are used through their one instance in the registry."""

    kind: ClassVar[str]
    #: The payload's fields, as the engine writes them (one queued by an older version may
    #: lack some; those are read with .get).
    fields: ClassVar[tuple[str, ...]]
    #: Payload fields naming what the command itself creates (not things it waits for).
    creates: ClassVar[tuple[str, ...]] = ()
    #: A 404 means the thing is already gone: the command's goal is met.
    gone_is_done: ClassVar[bool] = False
    #: A refusal code that also meets the command's goal.
    done_anyway: ClassVar[str | None] = None
    #: Refused, the command's text is kept as a draft (sync.unsent_text).
    keeps_text: ClassVar[bool] = False

    def effect(self, conn: Connection, payload: Json) -> None:
        """Shows the command in the cache before the server has answered (idempotent)."""
        return None

    def targets(self, payload: Json) -> set[str]:
        """Keys of the rows `effect` changes ("thread:*" for every thread)."""
        return set()

    @abstractmethod
    def send(self, channel: Channel, command: Command) -> Any:
        """Asks the server; returns its answer (raises ApiError or NetworkError)."""

    def check(self, response: Any) -> None:
        """Raises ProtocolError unless the answer has the shape API.md gives."""
        return None

    def store(self, conn: Connection, command: Command, response: Any) -> Applied:
        """Writes the server's answer into the cache, in the transaction that removes the
        command; `response` is None when the goal was met without a readable answer."""
        return Applied()

    def done_by(self, refusal: ApiError) -> bool:
        """Whether a refusal still means the command's goal is met."""
        return (refusal.status == 404 and self.gone_is_done
                or refusal.code == self.done_anyway)

    def answered(self, blobs: BlobCache, command: Command, response: Any) -> None:
        """After the answer is stored: the command's own files are settled."""
        return None

    def refused(self, blobs: BlobCache, command: Command) -> None:
        """After a refusal is rolled back: the command's own files are dropped."""
        return None

    def reported_thread(self, payload: Json) -> str:
        """The thread a refusal is reported for (its reply box), or ""."""
        return ""
