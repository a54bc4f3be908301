"""The engine's commands, one class per kind (sync.commands.base says what a class holds).

`by_kind` finds the class of a kind the outbox holds; the outbox stores only that name.
"""

from __future__ import annotations

from sync.commands.base import Applied, Channel, CommandType
from sync.commands.drafts import DeleteDraft, SaveDraft
from sync.commands.folders import CreateFolder, DeleteFolder, RenameFolder
from sync.commands.messages import DeleteMessage, QuickNote, Reply, SendNew
from sync.commands.people import SetClientStatus
from sync.commands.threads import DeleteThread, MarkRead, SetState
from sync.commands.uploads import DeleteUpload, Upload

__all__ = ["KINDS", "Applied", "Channel", "CommandType", "by_kind"]

_BY_KIND: dict[str, CommandType] = {command.kind: command for command in (
    SendNew(), Reply(), SetState(), MarkRead(), SaveDraft(), DeleteDraft(), DeleteMessage(),
    DeleteThread(), QuickNote(), SetClientStatus(), CreateFolder(), RenameFolder(),
    DeleteFolder(), Upload(), DeleteUpload(),
)}
KINDS = frozenset(_BY_KIND)


def by_kind(kind: str) -> CommandType:
    """The command class (its one instance) of `kind`; ValueError for a kind there is none of."""
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown command kind {kind!r}") from None
