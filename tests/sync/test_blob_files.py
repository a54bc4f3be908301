"""Encrypted attachment files, the local checks before an upload, and the cache's size cap."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from sync.api import ApiClient
from sync.blob_crypto import (
    CHUNK,
    BlobCorrupt,
    DecryptingReader,
    decrypt_chunks,
    encrypt_file,
    plaintext_size,
)
from sync.blobs import AttachmentRefused, BlobCache, check_attachment, upload

LIMITS = {"max_attachment_bytes": 1000, "allowed_attachment_types": [".pdf", ".txt", ".png"]}


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_encrypted_files_round_trip_and_hide_their_content(tmp_path: Path, size: int) -> None:
    key = os.urandom(32)
    plain = (b"session notes: client reports progress. " * (size // 40 + 1))[:size]
    source, sealed = tmp_path / "plain.txt", tmp_path / "sealed.blob"
    source.write_bytes(plain)
    assert encrypt_file(source, sealed, key) == size
    raw = sealed.read_bytes()
    assert b"session notes" not in raw
    assert plaintext_size(sealed) == size
    assert b"".join(decrypt_chunks(sealed, key)) == plain
    reader = DecryptingReader(sealed, key)
    assert len(reader) == size
    assert reader.read() == plain


def _sealed(tmp_path: Path, key: bytes, size: int = 3 * CHUNK) -> Path:
    source, sealed = tmp_path / "p", tmp_path / "s.blob"
    source.write_bytes(os.urandom(size))
    encrypt_file(source, sealed, key)
    return sealed


def test_damage_truncation_and_the_wrong_key_are_detected(tmp_path: Path) -> None:
    key = os.urandom(32)
    sealed = _sealed(tmp_path, key)
    raw = bytearray(sealed.read_bytes())
    with pytest.raises(BlobCorrupt):
        b"".join(decrypt_chunks(sealed, os.urandom(32)))
    flipped = bytearray(raw)
    flipped[100] ^= 1
    sealed.write_bytes(bytes(flipped))
    with pytest.raises(BlobCorrupt):
        b"".join(decrypt_chunks(sealed, key))
    # Cutting off whole chunks is caught too: the last chunk is sealed as the last one.
    sealed.write_bytes(bytes(raw[: 16 + 2 * (CHUNK + 16)]))
    with pytest.raises(BlobCorrupt):
        b"".join(decrypt_chunks(sealed, key))
    sealed.write_bytes(b"not a sealed file at all")
    with pytest.raises(BlobCorrupt):
        b"".join(decrypt_chunks(sealed, key))


def test_check_attachment_gives_a_reason_for_every_refusal(tmp_path: Path) -> None:
    ok = tmp_path / "letter.pdf"
    ok.write_bytes(b"x" * 1000)
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"x" * 1001)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ")
    assert check_attachment(ok, LIMITS) is None
    assert "at most" in check_attachment(big, LIMITS)
    assert ".pdf" in check_attachment(program, LIMITS)
    assert "cannot be read" in check_attachment(tmp_path / "gone.pdf", LIMITS)
    assert check_attachment(big, {}) is None  # without limits the server decides


def test_a_refused_file_sends_not_one_byte(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    accepted: list[socket.socket] = []

    def watch() -> None:
        try:
            accepted.append(listener.accept()[0])
        except OSError:
            pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    api = ApiClient(f"http://127.0.0.1:{listener.getsockname()[1]}", token="t")
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"x" * 5000)
    program = tmp_path / "x.exe"
    program.write_bytes(b"MZ")
    try:
        with pytest.raises(AttachmentRefused, match="at most"):
            upload(api, big, LIMITS)
        with pytest.raises(AttachmentRefused, match="allowed"):
            upload(api, program, LIMITS)
    finally:
        watcher.join()
        listener.close()
        api.close()
    assert accepted == []


def test_the_file_cache_evicts_least_recently_used_first(tmp_path: Path) -> None:
    key = os.urandom(32)
    cache = BlobCache(tmp_path / "files", key, cap_bytes=3 * 2100)
    source = tmp_path / "a.txt"
    source.write_bytes(os.urandom(2000))
    for n in range(3):
        cache.stage(source, f"local-{n}")
        cache.adopt_staged(f"local-{n}", f"blob-{n}")
        os.utime(cache.path_of(f"blob-{n}"), (1000 + n, 1000 + n))
    cache.fetch({"id": "blob-0"})  # touched: now the most recently used
    cache.stage(source, "local-3")
    cache.adopt_staged("local-3", "blob-3")
    assert [cache.has(f"blob-{n}") for n in range(4)] == [True, False, True, True]
    assert cache.total_bytes() <= cache.cap_bytes
    assert cache.read_bytes({"id": "blob-3"}) == source.read_bytes()
    opened = cache.open_path({"id": "blob-2", "filename": "../../evil name.txt"})
    assert opened.name == "evil name.txt" and opened.read_bytes() == source.read_bytes()
    assert not str(opened).startswith(str(tmp_path / "files"))
    cache.cleanup()
    assert not opened.exists()
