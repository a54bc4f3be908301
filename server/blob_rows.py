"""The PostgreSQL blob store: attachment bytes as chunk rows of `blob_chunk`.

An upload is buffered up to one chunk at a time and each chunk is inserted in a short
transaction of its own off the event loop, so a slow client never holds a pooled connection;
a download reads one chunk row per query. Every server process on the database sees the
same attachments, whatever its data folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.blobs import BlobSink, BlobStore
from server.db.blob_chunks import BlobChunk
from server.db.models import Blob
from server.db.types import utcnow

CHUNK_BYTES = 256 * 1024


class _RowSink(BlobSink):
    def __init__(self, store: DatabaseBlobStore, blob_id: str) -> None:
        self.store, self.blob_id = store, blob_id
        self.buffer = bytearray()
        self.seq = 0

    async def write(self, chunk: bytes) -> None:
        self.buffer += chunk
        while len(self.buffer) >= CHUNK_BYTES:
            await self._flush(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]

    async def _flush(self, data: bytes) -> None:
        await run_in_threadpool(self.store.insert_chunk, self.blob_id, self.seq, data)
        self.seq += 1

    async def commit(self) -> None:
        if self.buffer or self.seq == 0:
            await self._flush(bytes(self.buffer))
            self.buffer.clear()

    async def abort(self) -> None:
        await run_in_threadpool(self.store.remove, self.blob_id)


class DatabaseBlobStore(BlobStore):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def sink(self, blob_id: str) -> BlobSink:
        return _RowSink(self, blob_id)

    def insert_chunk(self, blob_id: str, seq: int, data: bytes) -> None:
        with self.sessions() as db:
            db.add(BlobChunk(blob_id=blob_id, seq=seq, data=data))
            db.commit()

    def put(self, blob_id: str, data: bytes) -> None:
        with self.sessions() as db:
            for seq, start in enumerate(range(0, max(len(data), 1), CHUNK_BYTES)):
                db.add(BlobChunk(blob_id=blob_id, seq=seq, data=data[start:start + CHUNK_BYTES]))
            db.commit()

    def _count(self, blob_id: str) -> int:
        with self.sessions() as db:
            return int(db.scalar(select(func.count()).where(BlobChunk.blob_id == blob_id)) or 0)

    def read(self, blob_id: str) -> Iterator[bytes] | None:
        count = self._count(blob_id)
        if count == 0:
            return None

        def chunks() -> Iterator[bytes]:
            for seq in range(count):
                with self.sessions() as db:
                    data = db.scalar(select(BlobChunk.data).where(
                        BlobChunk.blob_id == blob_id, BlobChunk.seq == seq))
                if data is None:
                    raise OSError(f"blob {blob_id} lost its chunk {seq} while being read")
                yield bytes(data)

        return chunks()

    def stored_size(self, blob_id: str) -> int | None:
        with self.sessions() as db:
            rows, size = db.execute(
                select(func.count(), func.coalesce(func.sum(func.length(BlobChunk.data)), 0))
                .where(BlobChunk.blob_id == blob_id)
            ).one()
        return int(size) if rows else None

    def remove(self, blob_id: str) -> None:
        with self.sessions() as db:
            db.execute(delete(BlobChunk).where(BlobChunk.blob_id == blob_id))
            db.commit()

    def stored_ids(self) -> list[str]:
        with self.sessions() as db:
            ids = select(BlobChunk.blob_id).distinct().order_by(BlobChunk.blob_id)
            return list(db.scalars(ids))

    def partial_count(self) -> int:
        with self.sessions() as db:
            return int(db.scalar(
                select(func.count(func.distinct(BlobChunk.blob_id)))
                .where(BlobChunk.blob_id.not_in(select(Blob.id)))
            ) or 0)

    def sweep(self, older_than_seconds: float) -> int:
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        with self.sessions() as db:
            removed = db.execute(delete(BlobChunk).where(
                BlobChunk.created_at < cutoff, BlobChunk.blob_id.not_in(select(Blob.id))
            )).rowcount  # type: ignore[attr-defined]
            db.commit()
        return int(removed or 0)
