"""Fixtures shared by every test folder: private user folders, a live practice server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes to the real user's config, data, state or cache folders."""
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        folder = tmp_path / "user-folders" / name.lower()
        monkeypatch.setenv(f"XDG_{name}_HOME", str(folder))


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server-data").start()
    try:
        yield server
    finally:
        server.stop()
