"""Fixtures of the sync tests: signed-in clients, caches and engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sync import keys
from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from tests.support.live_server import LiveServer
from tests.sync.traffic import signed_in


@pytest.fixture
def rivera(live_server: LiveServer) -> Iterator[ApiClient]:
    api = signed_in(live_server, "dr.rivera")
    yield api
    api.close()


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
