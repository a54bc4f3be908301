"""Behind a real reverse proxy: Caddy with `tls internal` in front of two `--behind-proxy`
processes on one PostgreSQL database. The sync engine, trusting Caddy's root certificate,
syncs, sends with an attachment and is woken from its long poll, all through Caddy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.events import NewMessage
from sync.keys import cache_key
from tests.support.caddy import CaddyProxy
from tests.support.postgres import PostgresCluster
from tests.support.server_process import ServerProcess
from tests.support.system_tools import require
from tests.sync.traffic import PASSWORD, pdf_bytes, send_with_report


@pytest.fixture
def proxied(tmp_path: Path, pg_cluster: PostgresCluster) -> Iterator[CaddyProxy]:
    require("caddy", package="caddy")
    url = pg_cluster.create_database()
    servers = [ServerProcess(tmp_path / name, url, args=("--behind-proxy",)) for name in "ab"]
    servers[0].seed()
    proxy: CaddyProxy | None = None
    try:
        for server in servers:
            server.start()
        proxy = CaddyProxy(tmp_path / "caddy", [s.port for s in servers]).start()
        yield proxy
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()


class Events:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)

    def new_messages(self) -> list[NewMessage]:
        return [e for e in list(self.events) if isinstance(e, NewMessage)]


def engine_for(proxy: CaddyProxy, username: str, folder: Path,
               events: Events | None = None) -> SyncEngine:
    api = ApiClient(proxy.url, verify=str(proxy.root_cert))
    api.login(username, PASSWORD)
    cache = Cache.open(folder / f"{username}.db", cache_key(username))
    return SyncEngine(cache, api, events, poll_wait=60.0, retry_base=0.05)


def test_sync_send_and_wake_through_caddy(proxied: CaddyProxy, tmp_path: Path) -> None:
    direct = requests.get(f"{proxied.url}/api/v1/openapi.json", verify=str(proxied.root_cert),
                          timeout=30)
    assert direct.status_code == 200  # Caddy's X-Forwarded-Proto: https is believed
    assert direct.headers["Strict-Transport-Security"].startswith("max-age=")

    alex_events = Events()
    alex = engine_for(proxied, "alex", tmp_path, alex_events)
    rivera = engine_for(proxied, "dr.rivera", tmp_path)
    engines = [alex, rivera]
    for engine in engines:
        engine.start()
    try:
        for engine in engines:
            assert engine.wait_until_synced(60)  # the initial sync, through Caddy
        assert rivera.cache.me()["username"] == "dr.rivera"
        assert len(list(rivera.cache.people())) > 5  # the practice directory came down
        time.sleep(0.5)  # alex's engine is now in its long poll
        send_with_report(rivera, tmp_path, alex.cache.me()["id"], "Through the proxy",
                         "through caddy")

        deadline = time.monotonic() + 30  # well inside the 60 s poll: only a wake-up is in time
        while not alex_events.new_messages() and time.monotonic() < deadline:
            time.sleep(0.05)
        woken = alex_events.new_messages()
        assert [e.subject for e in woken] == ["Through the proxy"]
        conversation = alex.cache.conversation(alex.cache.thread_ids("inbox")[0])
        attachment = conversation["messages"][-1]["attachments"][0]
        with alex.api.download_blob(attachment["id"]) as download:
            assert download.content == pdf_bytes("through caddy")
    finally:
        for engine in engines:
            engine.stop()
            engine.cache.close()
            engine.api.close()
