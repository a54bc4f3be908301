"""Blob storage: streamed in chunks with a running size check, a content sniff and sha256.

Two backends share that check: files in the data folder (`FileBlobStore`, SQLite) and
chunked rows in the database (`server.blob_rows.DatabaseBlobStore`, PostgreSQL), so that
every server process on one database serves every attachment. A blob is stored under its
id, never the user's filename.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from starlette.concurrency import run_in_threadpool

from server.errors import ApiError
from server.file_structure import structure_ok
from server.filetypes import SNIFF_BYTES, content_matches


@dataclass
class Stored:
    size: int
    sha256: str


def too_large(limit: int) -> ApiError:
    mb = limit / (1024 * 1024)
    return ApiError(413, "attachment_too_large", f"Attachments can be at most {mb:g} MB each.")


def type_refused(ext: str) -> ApiError:
    return ApiError(
        415,
        "attachment_type_not_allowed",
        f"The file's content does not match its type ({ext or 'no extension'}), or that type is "
        "not allowed.",
    )


class BlobSink:
    """Where one upload's bytes go while it is checked; `commit` keeps them, `abort` drops.
    `local_path` is the file being written, where the backend writes one (else None)."""

    local_path: Path | None = None

    async def write(self, chunk: bytes) -> None:
        raise NotImplementedError

    async def flush(self) -> None:
        """Everything written so far is readable at `local_path` (where there is one)."""

    async def commit(self) -> None:
        raise NotImplementedError

    async def abort(self) -> None:
        raise NotImplementedError


class BlobStore:
    """What every backend offers; `receive` is the one checked way in."""

    def sink(self, blob_id: str) -> BlobSink:
        raise NotImplementedError

    async def receive(
        self,
        blob_id: str,
        chunks: AsyncIterator[bytes],
        limit: int,
        ext: str,
        over_limit: ApiError | None = None,
    ) -> Stored:
        """Store the stream; refuse past `limit` bytes (with `over_limit`, by default 413
        attachment_too_large) or when the content is not what the extension says, by its
        first bytes and then by its structure (server.file_structure)."""
        sink = self.sink(blob_id)
        # The structure check reads a whole file: the sink's own, or a scratch copy.
        scratch: IO[bytes] | None = None
        if sink.local_path is None:
            scratch = tempfile.NamedTemporaryFile(prefix="upload-", delete=False)  # noqa: SIM115
        digest = hashlib.sha256()
        size = 0
        head = b""
        sniffed = False
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise over_limit or too_large(limit)
                if not sniffed:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        sniffed = True
                        if not content_matches(ext, head):
                            raise type_refused(ext)
                digest.update(chunk)
                await sink.write(chunk)
                if scratch is not None:
                    scratch.write(chunk)
            if not sniffed and not content_matches(ext, head):
                raise type_refused(ext)
            await sink.flush()
            if scratch is not None:
                scratch.close()
            checked = sink.local_path or Path(scratch.name if scratch else "")
            if not await run_in_threadpool(structure_ok, ext, checked):
                raise type_refused(ext)
            await sink.commit()
        except BaseException:
            await sink.abort()
            raise
        finally:
            if scratch is not None:
                scratch.close()
                Path(scratch.name).unlink(missing_ok=True)
        return Stored(size=size, sha256=digest.hexdigest())

    def put(self, blob_id: str, data: bytes) -> None:
        """Store bytes already checked (demo and benchmark seeding, restores)."""
        raise NotImplementedError

    def read(self, blob_id: str) -> Iterator[bytes] | None:
        """The stored bytes in chunks, or None when there are none."""
        raise NotImplementedError

    def stored_size(self, blob_id: str) -> int | None:
        raise NotImplementedError

    def remove(self, blob_id: str) -> None:
        raise NotImplementedError

    def stored_ids(self) -> list[str]:
        """The ids of every blob stored whole, sorted."""
        raise NotImplementedError

    def partial_count(self) -> int:
        """Uploads begun and neither kept nor dropped (none, once every upload has ended)."""
        raise NotImplementedError

    def sweep(self, older_than_seconds: float) -> int:
        """Drop what uploads cut off by a crash left behind; returns how many."""
        raise NotImplementedError


class _FileSink(BlobSink):
    def __init__(self, partial: Path, final: Path) -> None:
        self.partial, self.final = partial, final
        self.local_path = partial
        self.out = open(partial, "wb")  # noqa: SIM115 - closed by commit or abort

    async def write(self, chunk: bytes) -> None:
        self.out.write(chunk)

    async def flush(self) -> None:
        self.out.flush()

    async def commit(self) -> None:
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        os.replace(self.partial, self.final)

    async def abort(self) -> None:
        self.out.close()
        self.partial.unlink(missing_ok=True)


class FileBlobStore(BlobStore):
    """One file per blob in the data folder's `blobs/`."""

    READ_CHUNK = 256 * 1024

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, blob_id: str) -> Path:
        return self.root / blob_id

    def sink(self, blob_id: str) -> BlobSink:
        self.root.mkdir(parents=True, exist_ok=True)
        return _FileSink(self.root / f"{blob_id}.part", self.path(blob_id))

    def put(self, blob_id: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f"{blob_id}.part"
        partial.write_bytes(data)
        os.replace(partial, self.path(blob_id))

    def read(self, blob_id: str) -> Iterator[bytes] | None:
        path = self.path(blob_id)
        if not path.is_file():
            return None

        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as source:
                while chunk := source.read(self.READ_CHUNK):
                    yield chunk

        return chunks()

    def stored_size(self, blob_id: str) -> int | None:
        try:
            return self.path(blob_id).stat().st_size
        except FileNotFoundError:
            return None

    def remove(self, blob_id: str) -> None:
        self.path(blob_id).unlink(missing_ok=True)

    def stored_ids(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.suffix != ".part")

    def partial_count(self) -> int:
        return len(list(self.root.glob("*.part"))) if self.root.exists() else 0

    def sweep(self, older_than_seconds: float) -> int:
        cutoff = time.time() - older_than_seconds
        removed = 0
        for partial in self.root.glob("*.part") if self.root.exists() else ():
            if partial.stat().st_mtime < cutoff:
                partial.unlink(missing_ok=True)
                removed += 1
        return removed
