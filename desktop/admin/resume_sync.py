"""Syncing again after the server held this person back (403 `mfa_required`): the engine that
stopped is replaced by a new one over the same cache, outbox and attachment cache, so nothing
waiting to be sent is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.session import Session


def resume_sync(session: Session) -> None:
    from sync.engine import SyncEngine

    old = session.bridge.engine

    def replace() -> SyncEngine:
        if old is not None:
            old.stop()
        return SyncEngine(session.cache, session.api, listener=session.bridge.deliver,
                          blob_cache=session.blob_cache)

    def started(engine: SyncEngine) -> None:
        session.bridge.attach(engine)
        session.notices.persistent.emit("sync-stopped", "")
        session.bridge.start()

    session.runner.run(replace, started, serial=True)
