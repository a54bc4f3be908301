"""Desktop fixtures: offscreen Qt and a signed-in inbox window over a
real practice server on loopback (the `live_server` fixture) with a real encrypted cache."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.qt_libraries import require_qt  # noqa: E402

require_qt()  # without Qt's system libraries this folder is skipped, with the reason

import gc  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from desktop.main_window import MainWindow  # noqa: E402
from desktop.notices import Notices  # noqa: E402
from desktop.session import Session, open_session  # noqa: E402
from desktop.settings import AppSettings  # noqa: E402
from desktop.tasks import TaskRunner  # noqa: E402
from sync.api import ApiClient  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402

PASSWORD = "lakeside-demo-2026"
SYNC_TIMEOUT_MS = 20_000
# The offscreen platform plugin says "This plugin does not support …" for window-system
# features it lacks (size hints, raise(), keyboard grabs of popups); these are about the test
# platform, not the application, so they alone are exempt from "no Qt warning".
OFFSCREEN_PLUGIN_NOTE = (r"^This plugin does not support "
                         r"(propagateSizeHints|raise|grabbing the keyboard)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/desktop" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_PLUGIN_NOTE))


@pytest.fixture(autouse=True)
def collect_between_tests(qapp: Any) -> Iterator[None]:
    """What each test left behind is collected when it ends, on the GUI thread and outside
    any event loop. Left to the garbage collector, it could be collected later inside another
    test's nested event loop (a sign-in waiting on a worker), where collecting a wrapper whose
    Qt object is already gone crashes the process."""
    yield
    gc.collect()


@pytest.fixture
def app_settings(tmp_path: Path, qapp: Any) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


class Inbox:
    """A signed-in inbox: the session, its main window, and what the engine reported."""

    def __init__(self, session: Session, window: MainWindow, runner: TaskRunner) -> None:
        self.session = session
        self.window = window
        self.runner = runner
        self.events: list[Any] = []
        session.bridge.syncProgress.connect(self.events.append)
        session.bridge.syncStatus.connect(self.events.append)

    @property
    def synced(self) -> bool:
        """The first full sync of the (fresh) cache is over."""
        return any(type(e).__name__ == "SyncProgress" and e.done for e in self.events)

    def close(self) -> None:
        self.window.quit_now()
        self.session.close()
        self.runner.shutdown()


@pytest.fixture
def open_inbox(qtbot: Any, live_server: LiveServer, tmp_path: Path,
               app_settings: AppSettings) -> Iterator[Callable[..., Inbox]]:
    """`open_inbox("dr.rivera")` signs in over HTTP, opens the window and waits for the sync."""
    opened: list[Inbox] = []

    def open_one(username: str = "dr.rivera", tray: Any = None,
                 session_fetched: bool = True, sync: bool = True) -> Inbox:
        """`session_fetched=False`: the window opens before /session has answered, as on a
        first sign-in, and learns the limits only from the engine's first sync or its own
        ask. `sync=False`: the engine is not started (nor waited for)."""
        runner = TaskRunner()
        notices = Notices()
        api = ApiClient(live_server.url)
        answer = api.login(username, PASSWORD)
        session = open_session(
            server_url=live_server.url, username=username, api=api, user=answer["user"],
            data_root=tmp_path / f"inbox-{username}", settings=app_settings, runner=runner,
            notices=notices)
        if session_fetched:
            session.set_server_session(api.session())
        window = MainWindow(session, tray)
        window.password_check.remember(PASSWORD)
        qtbot.addWidget(window)
        window.show()
        inbox = Inbox(session, window, runner)
        opened.append(inbox)
        if sync:
            session.bridge.start()
            qtbot.waitUntil(lambda: inbox.synced, timeout=SYNC_TIMEOUT_MS)
        return inbox

    yield open_one
    for inbox in opened:
        inbox.close()
