"""Fixtures shared by every test folder: an in-memory keyring, private user folders, a live
practice server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from sync.memory_keyring import MemoryKeyring
from tests.support.browser import browser  # noqa: F401  (one chromium for every folder)
from tests.support.live_server import LiveServer
from tests.support.system_tools import tools_required


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring, stood in for by one in memory (no test machine has a keyring)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Where system tools are required (CI), a skipped test is a failed one: a skip there means
    something that should have been installed was not."""
    outcome = yield
    report = outcome.get_result()
    if tools_required() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped where nothing may be skipped: {reason}"
