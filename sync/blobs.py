"""Attachments: the local checks before an upload, streamed uploads, and the encrypted file cache.

Downloads stream into encrypted files (see blob_crypto) under a size cap; the least recently
used files go first. A file is checked against the attachment's sha256 while it is written,
and only a decrypted temporary copy is ever handed to another program.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sync.api import ApiClient
from sync.blob_crypto import (
    BlobCorrupt,
    DecryptingReader,
    EncryptedWriter,
    decrypt_chunks,
    derive_key,
    encrypt_file,
)

Json = dict[str, Any]
Progress = Callable[[int, int], None]

EXTRA_TYPES = {".heic": "image/heic", ".rtf": "application/rtf", ".bmp": "image/bmp"}


class AttachmentRefused(Exception):
    """A file the server would refuse; `str()` is a sentence saying why."""


class ChecksumMismatch(Exception):
    """A downloaded attachment does not match the sha256 the server announced."""


def content_type_of(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in EXTRA_TYPES:
        return EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "application/octet-stream"


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def check_attachment(path: Path | str, limits: Json | None) -> str | None:
    """None if the server's limits allow the file, otherwise a sentence saying why not."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror or exc})."
    if not path.is_file():
        return f"{path.name} is not a file."
    limits = limits or {}
    allowed = [t.lower() for t in limits.get("allowed_attachment_types") or []]
    if allowed and path.suffix.lower() not in allowed:
        kinds = ", ".join(allowed)
        return f"{path.name} cannot be attached: only these kinds of file are allowed: {kinds}."
    max_bytes = limits.get("max_attachment_bytes")
    if isinstance(max_bytes, int) and size > max_bytes:
        return (
            f"{path.name} is {_human_size(size)}; attachments may be at most "
            f"{_human_size(max_bytes)}."
        )
    return None


class _ProgressFile:
    """A plaintext file read in chunks, reporting progress; requests sends its length."""

    def __init__(self, path: Path, progress: Progress | None) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by upload()
        self._total = os.fstat(self._file.fileno()).st_size
        self._done = 0
        self._progress = progress

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size if size and size > 0 else 64 * 1024)
        self._done += len(data)
        if self._progress and data:
            self._progress(self._done, self._total)
        return data

    def close(self) -> None:
        self._file.close()


def upload(
    api: ApiClient,
    path: Path | str,
    limits: Json | None,
    progress: Progress | None = None,
    *,
    idempotency_key: str | None = None,
) -> Json:
    """Streams a file to POST /blobs; refused before any byte is sent if the limits forbid it."""
    path = Path(path)
    refusal = check_attachment(path, limits)
    if refusal:
        raise AttachmentRefused(refusal)
    body = _ProgressFile(path, progress)
    try:
        return api.upload_blob(body, path.name, content_type_of(path),  # type: ignore[arg-type]
                               idempotency_key=idempotency_key)
    finally:
        body.close()


def upload_sealed(
    api: ApiClient,
    sealed: Path,
    key: bytes,
    filename: str,
    progress: Progress | None = None,
    *,
    idempotency_key: str | None = None,
) -> Json:
    """Streams an attachment kept encrypted (attached while offline), decrypting as it goes."""
    body = DecryptingReader(sealed, key, progress)
    try:
        return api.upload_blob(body, filename, content_type_of(filename),  # type: ignore[arg-type]
                               idempotency_key=idempotency_key)
    finally:
        body.close()


class BlobCache:
    """Encrypted attachment files in `directory`, at most `cap_bytes` of them (LRU).

    Staged files (attached here, not yet uploaded) live apart and are never evicted.
    """

    def __init__(
        self,
        directory: Path | str,
        key: bytes,
        cap_bytes: int = 512 * 1024 * 1024,
        api: ApiClient | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.staging = self.directory / "staged"
        self.cap_bytes = cap_bytes
        self.api = api
        self.file_key = derive_key(key, b"blob-files")
        self._name_key = derive_key(key, b"blob-names")
        self._lock = threading.Lock()
        self._open_dir: Path | None = None
        self.staging.mkdir(parents=True, exist_ok=True)
        for leftover in self.directory.glob("*.part-*"):
            leftover.unlink(missing_ok=True)

    # -- names ----------------------------------------------------------------------------

    def _name(self, attachment_id: str) -> str:
        return hmac.new(self._name_key, attachment_id.encode(), hashlib.sha256).hexdigest()[:40]

    def path_of(self, attachment_id: str) -> Path:
        return self.directory / (self._name(attachment_id) + ".blob")

    def staged_path(self, local_id: str) -> Path:
        return self.staging / (self._name(local_id) + ".blob")

    def has(self, attachment_id: str) -> bool:
        return self.path_of(attachment_id).exists()

    # -- staging (attachments waiting to be uploaded) -------------------------------------

    def stage(self, source: Path, local_id: str) -> int:
        """Keeps an encrypted copy of a file to upload later; returns its size."""
        return encrypt_file(source, self.staged_path(local_id), self.file_key)

    def adopt_staged(self, local_id: str, attachment_id: str) -> None:
        """After the upload: the staged copy becomes the cached file of the real attachment."""
        staged = self.staged_path(local_id)
        if staged.exists():
            target = self.path_of(attachment_id)
            os.replace(staged, target)
            self._evict(keep=target)

    def drop_staged(self, local_id: str) -> None:
        self.staged_path(local_id).unlink(missing_ok=True)

    # -- downloads ------------------------------------------------------------------------

    def fetch(self, attachment: Json, progress: Progress | None = None) -> Path:
        """The encrypted cached file of an attachment, downloading it if needed."""
        path = self.path_of(attachment["id"])
        if path.exists():
            os.utime(path)
            return path
        if self.api is None:
            raise LookupError("the attachment is not cached and there is no server to ask")
        writer = EncryptedWriter(path, self.file_key)
        digest = hashlib.sha256()
        try:
            with self.api.download_blob(attachment["id"]) as response:
                total = int(response.headers.get("Content-Length") or attachment.get("size") or 0)
                done = 0
                for chunk in response.iter_content(64 * 1024):
                    writer.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            expected = str(attachment.get("sha256", "")).lower()
            if expected and digest.hexdigest() != expected:
                raise ChecksumMismatch(
                    f"{attachment.get('filename', 'The attachment')} arrived damaged "
                    "(its checksum does not match); try again."
                )
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        self._evict(keep=path)
        return path

    def read_bytes(self, attachment: Json) -> bytes:
        return b"".join(decrypt_chunks(self.fetch(attachment), self.file_key))

    def save_to(self, attachment: Json, target: Path | str,
                progress: Progress | None = None) -> Path:
        """Writes the decrypted attachment to `target` (where the user chose to save it)."""
        sealed = self.fetch(attachment, progress)
        target = Path(target)
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as out:
                for chunk in decrypt_chunks(sealed, self.file_key):
                    out.write(chunk)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    def open_path(self, attachment: Json, progress: Progress | None = None) -> Path:
        """A decrypted temporary copy (for opening in another program); removed by cleanup()."""
        with self._lock:
            if self._open_dir is None:
                self._open_dir = Path(tempfile.mkdtemp(prefix="practice-inbox-open-"))
        folder = self._open_dir / self._name(attachment["id"])[:16]
        folder.mkdir(exist_ok=True)
        name = Path(str(attachment.get("filename") or "attachment")).name or "attachment"
        try:
            return self.save_to(attachment, folder / name, progress)
        except BlobCorrupt:
            # A damaged cached copy is dropped and fetched again once.
            self.path_of(attachment["id"]).unlink(missing_ok=True)
            return self.save_to(attachment, folder / name, progress)

    def cleanup(self) -> None:
        """Removes the decrypted temporary copies handed out by open_path()."""
        with self._lock:
            folder, self._open_dir = self._open_dir, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    # -- removal and the size cap ---------------------------------------------------------

    def remove(self, attachment_ids: Iterable[str]) -> None:
        for attachment_id in attachment_ids:
            self.path_of(attachment_id).unlink(missing_ok=True)

    def clear(self) -> None:
        for path in self.directory.glob("*.blob"):
            path.unlink(missing_ok=True)

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.directory.glob("*.blob"))

    def _evict(self, keep: Path | None = None) -> None:
        with self._lock:
            files = []
            for path in self.directory.glob("*.blob"):
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                files.append((stat.st_mtime_ns, stat.st_size, path))
            total = sum(size for _, size, _ in files)
            for _, size, path in sorted(files):
                if total <= self.cap_bytes:
                    break
                if path == keep:
                    continue
                path.unlink(missing_ok=True)
                total -= size


__all__ = [
    "AttachmentRefused",
    "BlobCache",
    "BlobCorrupt",
    "ChecksumMismatch",
    "check_attachment",
    "content_type_of",
    "upload",
    "upload_sealed",
]
