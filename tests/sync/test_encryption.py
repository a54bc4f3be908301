"""The cache is encrypted at rest, and a lost or wrong key leads to a rebuild, never a crash."""

from __future__ import annotations

from pathlib import Path

from sync import keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.events import CacheRebuilt
from sync.memory_keyring import MemoryKeyring
from tests.support.live_server import LiveServer
from tests.sync.conftest import Recorder
from tests.sync.server_truth import differences
from tests.sync.traffic import make_traffic

SECRETS = [
    "Question about my intake paperwork", "Case consult on Thursday", "Homework for next week",
    "mood journal", "intake form you asked for", "Thursday at noon", "Unfinished thoughts",
    "Alex Morgan", "intake form.pdf", "alex-intake", "Consults",
]


def sync_once(cache: Cache, api: ApiClient) -> tuple[SyncEngine, Recorder]:
    events = Recorder()
    engine = SyncEngine(cache, api, events, poll_wait=0.5)
    engine.start()
    assert engine.wait_until_synced(30)
    return engine, events


def test_no_subject_or_body_can_be_found_in_the_files(live_server: LiveServer, rivera: ApiClient,
                                                      tmp_path: Path) -> None:
    traffic = make_traffic(live_server)
    client = tmp_path / "client"  # the server keeps its own files elsewhere in tmp_path
    cache = Cache.open_for_account(client / "inbox.db", "rivera")
    engine, _ = sync_once(cache, rivera)
    try:
        opened = engine.blobs.open_path(traffic.attachment)
        assert b"alex-intake" in opened.read_bytes()  # the decrypted copy is real
        assert cache.search("mood journal")  # and the cache does hold the text
        assert (client / "inbox.db-wal").exists()
        assert_nothing_readable(client)
    finally:
        engine.stop()  # also removes the decrypted temporary copy
        cache.close()
    assert not opened.exists()

    assert_nothing_readable(client)


def assert_nothing_readable(folder: Path) -> None:
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".blob") for p in files)
    assert (folder / "inbox.db").read_bytes()[:16] != b"SQLite format 3\x00"
    for path in files:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret!r} readable in {path.name}"
            assert secret.encode("utf-16-le") not in data


def test_a_wrong_key_sets_the_cache_aside_and_rebuilds_it(
        live_server: LiveServer, rivera: ApiClient, tmp_path: Path,
        memory_keyring: MemoryKeyring) -> None:
    make_traffic(live_server)
    path = tmp_path / "inbox.db"
    cache = Cache.open_for_account(path, "rivera")
    assert cache.rebuilt_reason is None
    engine, _ = sync_once(cache, rivera)
    engine.stop()
    cache.close()

    memory_keyring.entries[(keys.SERVICE, "cache-key:rivera")] = "11" * 32
    cache = Cache.open_for_account(path, "rivera")
    assert "could not be opened" in cache.rebuilt_reason
    assert list(tmp_path.glob("inbox.db.unreadable-*"))
    engine, events = sync_once(cache, rivera)
    try:
        assert [e.reason for e in events.of(CacheRebuilt)] == [cache.rebuilt_reason]
        assert differences(cache, rivera) == []
    finally:
        engine.stop()
        cache.close()


def test_a_key_missing_from_the_keyring_rebuilds_too(
        live_server: LiveServer, rivera: ApiClient, tmp_path: Path) -> None:
    make_traffic(live_server)
    path = tmp_path / "inbox.db"
    cache = Cache.open_for_account(path, "rivera")
    engine, _ = sync_once(cache, rivera)
    engine.stop()
    cache.close()

    keys.forget_cache_key("rivera")
    cache = Cache.open_for_account(path, "rivera")
    assert "missing" in cache.rebuilt_reason
    engine, events = sync_once(cache, rivera)
    try:
        assert len(events.of(CacheRebuilt)) == 1
        assert differences(cache, rivera) == []
        assert cache.search("mood journal")
    finally:
        engine.stop()
        cache.close()
