"""Periodic clean-up: idempotency keys, sign-in failures, unreferenced blobs, old tombstones."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from server import idempotency
from server.auth import throttle
from server.blobs import BlobStore
from server.config import Settings
from server.db.models import Blob, Draft, FeedCounter, FeedEntry, MessageAttachment
from server.db.types import utcnow

log = logging.getLogger(__name__)


def remove_unreferenced_blobs(db: Session, store: BlobStore, older_than_seconds: int) -> int:
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    candidates = set(
        db.scalars(
            select(Blob.id).where(
                Blob.created_at < cutoff,
                Blob.id.not_in(select(MessageAttachment.blob_id)),
            )
        ).all()
    )
    if not candidates:
        return 0
    for ids in db.scalars(select(Draft.attachment_ids)).all():
        candidates.difference_update(ids or [])
    if candidates:
        db.execute(delete(Blob).where(Blob.id.in_(candidates)))
    db.commit()
    for blob_id in candidates:
        store.remove(blob_id)
    return len(candidates)


def prune_tombstones(db: Session, older_than_seconds: int) -> int:
    """Forget old deletions; a cursor from before the newest one forgotten gets 410."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    newest = db.scalar(
        select(func.max(FeedEntry.seq)).where(
            FeedEntry.deleted.is_(True), FeedEntry.changed_at < cutoff
        )
    )
    if newest is None:
        return 0
    removed = db.execute(
        delete(FeedEntry).where(FeedEntry.deleted.is_(True), FeedEntry.seq <= newest)
    ).rowcount  # type: ignore[attr-defined]
    db.execute(
        update(FeedCounter)
        .where(FeedCounter.id == 1, FeedCounter.pruned_below < newest + 1)
        .values(pruned_below=newest + 1)
    )
    db.commit()
    return int(removed or 0)


def run_once(sessions: sessionmaker[Session], settings: Settings, store: BlobStore) -> None:
    with sessions() as db:
        idempotency.prune(db, settings.idempotency_seconds)
        throttle.prune(db, settings)
        db.commit()
        remove_unreferenced_blobs(db, store, settings.unreferenced_blob_seconds)
        store.sweep(settings.unreferenced_blob_seconds)
        prune_tombstones(db, settings.tombstone_seconds)


class MaintenanceWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        store: BlobStore,
        every_seconds: float = 600,
    ) -> None:
        self._args = (sessions, settings, store)
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                run_once(*self._args)
            except Exception:
                log.exception("maintenance pass failed")
