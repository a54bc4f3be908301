"""Encrypted files for cached attachments: AES-256-GCM in 64 KiB chunks, streamed both ways.

Layout: an 8-byte magic, an 8-byte random file nonce, then chunks of ciphertext + 16-byte tag.
Chunk i is sealed with nonce = file nonce + i (4 bytes) and associated data saying whether it
is the last chunk, so chunks can be neither reordered nor cut off unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PIBLOB1\n"
CHUNK = 64 * 1024
TAG = 16
HEADER = len(MAGIC) + 8


class BlobCorrupt(Exception):
    """An encrypted file is damaged, truncated or was sealed with another key."""


def derive_key(cache_key: bytes, purpose: bytes) -> bytes:
    """A separate 32-byte key for one purpose, so the file key is never the database key."""
    return hmac.new(cache_key, b"practice-inbox/" + purpose, hashlib.sha256).digest()


def _nonce(file_nonce: bytes, index: int) -> bytes:
    return file_nonce + index.to_bytes(4, "big")


def _aad(last: bool) -> bytes:
    return b"last" if last else b"more"


class EncryptedWriter:
    """Writes plaintext in, an encrypted file out; `commit()` moves it into place atomically."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._aead = AESGCM(key)
        self._file_nonce = secrets.token_bytes(8)
        self._tmp = path.with_name(path.name + f".part-{secrets.token_hex(4)}")
        self._out: IO[bytes] = open(self._tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        self._out.write(MAGIC + self._file_nonce)
        self._buffer = bytearray()
        self._index = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce = _nonce(self._file_nonce, self._index)
        self._out.write(self._aead.encrypt(nonce, plain, _aad(last)))
        self._index += 1

    def commit(self) -> Path:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._out.close()
        self._tmp.unlink(missing_ok=True)


def encrypt_file(source: Path, target: Path, key: bytes) -> int:
    """Encrypts a plaintext file; returns its size."""
    writer = EncryptedWriter(target, key)
    try:
        with open(source, "rb") as plain:
            while chunk := plain.read(CHUNK):
                writer.write(chunk)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return writer.size


def plaintext_size(path: Path) -> int:
    body = path.stat().st_size - HEADER
    if body < TAG:
        raise BlobCorrupt(f"{path.name} is too short to be an encrypted file.")
    chunks = -(-body // (CHUNK + TAG))
    return body - chunks * TAG


def decrypt_chunks(path: Path, key: bytes) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk; raises BlobCorrupt on any damage."""
    aead = AESGCM(key)
    with open(path, "rb") as sealed:
        header = sealed.read(HEADER)
        if len(header) != HEADER or not header.startswith(MAGIC):
            raise BlobCorrupt(f"{path.name} is not an encrypted attachment file.")
        file_nonce = header[len(MAGIC):]
        index = 0
        current = sealed.read(CHUNK + TAG)
        while True:
            following = sealed.read(CHUNK + TAG)
            last = not following
            try:
                yield aead.decrypt(_nonce(file_nonce, index), current, _aad(last))
            except InvalidTag as exc:
                raise BlobCorrupt(
                    f"{path.name} is damaged or was sealed with another key.") from exc
            if last:
                return
            current, index = following, index + 1


class DecryptingReader(io.RawIOBase):
    """A readable file over an encrypted file, with its plaintext length (for streaming uploads).

    `progress(done, total)` is called as bytes are read.
    """

    def __init__(
        self, path: Path, key: bytes, progress: Callable[[int, int], None] | None = None
    ) -> None:
        super().__init__()
        self._total = plaintext_size(path)
        self._chunks = decrypt_chunks(path, key)
        self._pending = b""
        self._done = 0
        self._progress = progress

    def __len__(self) -> int:
        return self._total

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self._done += n
        if self._progress:
            self._progress(self._done, self._total)
        return n
