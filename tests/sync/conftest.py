"""Fixtures of the sync tests: signed-in clients, caches and engines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sync import keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from tests.support.live_server import LiveServer
from tests.sync.pages import ME
from tests.sync.traffic import signed_in


@pytest.fixture
def rivera(live_server: LiveServer) -> Iterator[ApiClient]:
    api = signed_in(live_server, "dr.rivera")
    yield api
    api.close()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    """An empty cache on a real encrypted file, signed in as ME (tests.sync.pages)."""
    cache = Cache.open(tmp_path / "cache.db", os.urandom(32))
    with cache.write() as conn:
        Cache.set_meta(conn, "session", json.dumps(
            {"user": ME, "practice": {"name": "Lakeside"}, "limits": {"min_body_chars": 10}}))
    yield cache
    cache.close()


class Recorder:
    """Collects engine events (from the engine's threads)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in list(self.events) if isinstance(e, kind)]


EngineFactory = Callable[..., tuple[SyncEngine, Recorder]]


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[EngineFactory]:
    """Builds started engines over caches in tmp_path; stops and closes them afterwards."""
    made: list[SyncEngine] = []

    def make(api: ApiClient, name: str = "cache", start: bool = True,
             **options: Any) -> tuple[SyncEngine, Recorder]:
        path = tmp_path / f"{name}.db"
        cache = Cache.open(path, keys.cache_key(name))
        recorder = Recorder()
        options.setdefault("poll_wait", 1.0)
        options.setdefault("retry_base", 0.05)
        options.setdefault("retry_cap", 0.5)
        engine = SyncEngine(cache, api, recorder, **options)
        made.append(engine)
        if start:
            engine.start()
        return engine, recorder

    yield make
    for engine in made:
        engine.stop()
        engine.cache.close()
