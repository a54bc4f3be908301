"""Fixtures shared by every test folder: an in-memory keyring, private user folders, a live
practice server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from sync.memory_keyring import MemoryKeyring
from tests.support.browser import browser  # noqa: F401  (one chromium for every folder)
from tests.support.live_server import LiveServer
from tests.support.qt_libraries import qt_problem, require_qt
from tests.support.suite_log import SuiteLog
from tests.support.suite_log import install as hear_the_suite_log
from tests.support.system_tools import tools_required


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Without Qt's system libraries pytest-qt cannot even start, which would stop every suite:
    it is left out then, and the suites that need Qt skip themselves (tests.support.qt_libraries).
    """
    if qt_problem():
        pluginmanager.set_blocked("pytest-qt")
        for name, help_text in (("qt_log_level_fail", "pytest-qt (left out: no Qt here)"),
                                ("qt_api", "pytest-qt (left out: no Qt here)")):
            parser.addini(name, help_text)


def pytest_configure(config: pytest.Config) -> None:
    if qt_problem():
        config.addinivalue_line("markers", "qt_log_ignore: pytest-qt's (left out: no Qt here)")
    config.stash[SUITE_LOG] = hear_the_suite_log()


SUITE_LOG = pytest.StashKey[SuiteLog]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The run fails if any server's log holds a subject or message text it stored."""
    handler = session.config.stash.get(SUITE_LOG, None)
    if handler is None:
        return
    leaks = handler.leaks()
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        write = reporter.write_line if reporter else print
        write(f"FAILED: the server log holds {len(leaks)} line(s) of what people wrote:")
        for text, line in leaks[:20]:
            write(f"  {text!r} in: {line[:300]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _NeedsQt(pytest.Module):
    """A test module that uses Qt: skipped with the reason where Qt cannot load."""

    def collect(self):  # noqa: ANN201
        require_qt()
        return super().collect()


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> Any:
    if qt_problem() and any(word in module_path.read_text(encoding="utf-8")
                            for word in ("PySide6", "qtbot", "qapp")):
        return _NeedsQt.from_parent(parent, path=module_path)
    return None


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
