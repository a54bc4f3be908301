"""Blob storage on disk: streamed in chunks with a running size check and sha256.

The file name on disk is the blob id, never the user's filename.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

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


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, blob_id: str) -> Path:
        return self.root / blob_id

    async def receive(
        self,
        blob_id: str,
        chunks: AsyncIterator[bytes],
        limit: int,
        ext: str,
        over_limit: ApiError | None = None,
    ) -> Stored:
        """Write the stream to disk; refuse past `limit` bytes (with `over_limit`, by default
        413 attachment_too_large) or when the content is not what the extension says."""
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f"{blob_id}.part"
        digest = hashlib.sha256()
        size = 0
        head = b""
        sniffed = False
        try:
            with open(partial, "wb") as out:
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
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if not sniffed and not content_matches(ext, head):
                raise type_refused(ext)
            if not await run_in_threadpool(structure_ok, ext, partial):
                raise type_refused(ext)
            os.replace(partial, self.path(blob_id))
        finally:
            if partial.exists():
                partial.unlink()
        return Stored(size=size, sha256=digest.hexdigest())

    def remove(self, blob_id: str) -> None:
        try:
            self.path(blob_id).unlink()
        except FileNotFoundError:
            pass
