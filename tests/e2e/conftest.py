"""End-to-end fixtures: the practice server as a process of its own, as in production, and
the real inbox window (the desktop suite's `open_inbox`) signed in to it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.qt_libraries import require_qt  # noqa: E402

require_qt()  # without Qt's system libraries this folder is skipped, with the reason

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402

from server.seed import DEMO_PASSWORD  # noqa: E402
from tests.desktop.conftest import (  # noqa: E402, F401 - fixtures used by this folder's tests
    OFFSCREEN_PLUGIN_NOTE,
    app_settings,
    open_inbox,
)
from tests.support.server_process import ServerProcess  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_PLUGIN_NOTE))


class ServerOfItsOwn:
    """`practice-server serve` in a child process, seeded with the demo practice; answers
    to what the desktop suite asks of a live server (url, api, token, person_id)."""

    def __init__(self, data_dir: Path) -> None:
        self.process = ServerProcess(data_dir)
        self.data_dir = data_dir
        self._ids: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.process.port}"

    @property
    def api(self) -> str:
        return self.process.api

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        reply = requests.post(f"{self.api}/auth/login",
                              json={"username": username, "password": password}, timeout=30)
        reply.raise_for_status()
        self._ids[username] = reply.json()["user"]["id"]
        return str(reply.json()["token"])

    def person_id(self, username: str) -> str:
        if username not in self._ids:
            self.token(username)
        return self._ids[username]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerOfItsOwn]:
    server = ServerOfItsOwn(tmp_path / "server-data")
    server.process.seed()
    server.process.start()
    try:
        yield server
    finally:
        server.process.stop()
