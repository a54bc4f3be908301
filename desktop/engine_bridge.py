"""Runs the sync engine off the GUI thread and turns its events into Qt signals.

The engine calls ``deliver(event)`` from its own threads; each event becomes one signal,
received on the GUI thread. Commands from the GUI go through the task runner's single writer,
so the GUI never waits on the outbox or the network, and commands keep their order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.error_text import describe_error
from desktop.notices import Notices
from desktop.tasks import TaskRunner
from sync.events import (
    CacheChanged,
    CacheRebuilt,
    CommandFailed,
    Event,
    NewMessage,
    SyncProgress,
    SyncStatus,
    SyncStopped,
    UploadProgress,
)

if TYPE_CHECKING:
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)

T = TypeVar("T")


class EngineBridge(QObject):
    """Signals (all received on the GUI thread):
    cacheChanged(object kinds, object thread_ids): from CacheChanged, a frozenset of
        sync.events.Change and a frozenset of thread ids.
    newMessage(str thread_id, str message_id, str sender_name, str subject)
    syncStatus(object): the SyncStatus event.
    syncProgress(object): the SyncProgress event.
    commandFailed(str kind, str code, str detail)
    replyRefused(str thread_id, str draft_id, str detail): a refused reply's text is kept as
        that draft of the thread.
    cacheRebuilt(str reason)
    uploadProgress(str local_id, object done, object total)
    syncStopped(str code, str detail): syncing stopped for good (signed out elsewhere…).
    limitsChanged(): the server's limits became known or changed (Session.limits()).
    capabilitiesChanged(): what the server lets this person do became known or changed
        (Session.capabilities()).
    """

    cacheChanged = Signal(object, object)
    newMessage = Signal(str, str, str, str)
    syncStatus = Signal(object)
    syncProgress = Signal(object)
    commandFailed = Signal(str, str, str)
    replyRefused = Signal(str, str, str)
    cacheRebuilt = Signal(str)
    uploadProgress = Signal(str, object, object)
    syncStopped = Signal(str, str)
    limitsChanged = Signal()
    capabilitiesChanged = Signal()

    def __init__(self, runner: TaskRunner, notices: Notices, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.notices = notices
        self.engine: SyncEngine | None = None
        self.last_status: SyncStatus | None = None
        self.syncStatus.connect(self._remember_status)
        self.commandFailed.connect(self._tell_user)
        self.syncStopped.connect(lambda _code, detail: self.notices.persistent.emit(
            "sync-stopped", self.tr("Syncing stopped: %s") % detail))

    def attach(self, engine: SyncEngine) -> None:
        self.engine = engine

    def deliver(self, event: Event) -> None:
        """The engine's listener: called from engine threads, never touches widgets."""
        match event:
            case CacheChanged():
                self.cacheChanged.emit(frozenset(event.kinds), frozenset(event.thread_ids))
            case NewMessage():
                self.newMessage.emit(
                    event.thread_id, event.message_id, event.sender_name or "",
                    event.subject or "",
                )
            case SyncStatus():
                self.syncStatus.emit(event)
            case SyncProgress():
                self.syncProgress.emit(event)
            case CommandFailed():
                self.commandFailed.emit(event.kind, event.code or "", event.detail or "")
                if event.kind == "reply" and event.thread_id and event.kept_draft_id:
                    self.replyRefused.emit(event.thread_id, event.kept_draft_id,
                                           event.detail or "")
            case CacheRebuilt():
                self.cacheRebuilt.emit(event.reason or "")
            case UploadProgress():
                self.uploadProgress.emit(event.attachment_id, event.done, event.total)
            case SyncStopped():
                self.syncStopped.emit(event.code or "", event.detail or "")
            case _:
                log.debug("ignoring engine event %s", type(event).__name__)

    def command(
        self,
        call: Callable[[SyncEngine], T],
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Queue ``call(engine)`` on the writer; errors reach the notices.

        ``call`` runs on the writer thread: read what it needs from widgets before, as in
        ``draft = self.draft(); bridge.command(lambda engine: engine.save_draft(draft))``."""
        engine = self.engine
        if engine is None:
            return

        def failed(error: BaseException) -> None:
            self.notices.error.emit(self.tr("Could not do that: %s") % describe_error(error))
            if on_error is not None:
                on_error(error)

        self.runner.run(lambda: call(engine), on_done=on_done, on_error=failed, serial=True)

    def start(self) -> None:
        if self.engine is not None:
            self.runner.run(self.engine.start, serial=True)

    def stop(self) -> None:
        """Stop the engine's threads (blocking; called once when the app quits)."""
        if self.engine is not None:
            try:
                self.engine.stop()
            except Exception:
                log.exception("stopping the sync engine failed")
            self.engine = None

    def _remember_status(self, status: SyncStatus) -> None:
        self.last_status = status

    def _tell_user(self, kind: str, code: str, detail: str) -> None:
        self.notices.error.emit(detail or self.tr("The server refused this change (%s).") % code)


