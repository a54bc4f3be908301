"""The engine's connection state (online / offline / syncing) and how it is reported."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sync.events import SyncStatus

log = logging.getLogger(__name__)
Listener = Callable[[Any], None]


class Emitter:
    """Calls the listener with events; a failing listener is logged, never fatal to sync.
    Once closed (the engine stopped) it passes nothing on."""

    def __init__(self, listener: Listener | None) -> None:
        self._listener = listener
        self._lock = threading.RLock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            if self._listener is None:
                return
            try:
                self._listener(event)
            except Exception:
                log.exception("the sync event listener failed on %r", event)

    def close(self) -> None:
        """Waits for an event being passed on, then drops every later one."""
        with self._lock:
            self._listener = None


class StatusTracker:
    """Keeps the state both engine threads report to, and emits SyncStatus when it changes."""

    def __init__(self, emit: Emitter, outbox: int, last_sync: datetime | None) -> None:
        self._emit = emit
        self._lock = threading.Lock()
        self.state = "syncing"
        self.outbox = outbox
        self.last_sync = last_sync
        self.detail: str | None = None

    def _update(self, **changes: Any) -> None:
        with self._lock:
            before = (self.state, self.outbox, self.last_sync, self.detail)
            for name, value in changes.items():
                setattr(self, name, value)
            after = (self.state, self.outbox, self.last_sync, self.detail)
            event = SyncStatus(self.state, self.outbox, self.last_sync, self.detail)  # type: ignore[arg-type]
        if after != before:
            self._emit(event)

    def snapshot(self) -> SyncStatus:
        with self._lock:
            return SyncStatus(self.state, self.outbox, self.last_sync, self.detail)  # type: ignore[arg-type]

    def syncing(self) -> None:
        self._update(state="syncing", detail=None)

    def online(self, synced: bool = True) -> None:
        changes: dict[str, Any] = {"state": "online", "detail": None}
        if synced:
            changes["last_sync"] = datetime.now(UTC)
        self._update(**changes)

    def offline(self, detail: str) -> None:
        self._update(state="offline", detail=detail)

    def outbox_size(self, n: int) -> None:
        self._update(outbox=n)
