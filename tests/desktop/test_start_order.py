"""The inbox imports its Qt-free parts before Qt, so PySide6's import hook never reads their
sources (a tenth of a second of every start), its GUI thread gets the GIL promptly, and its
start never imports SQLAlchemy (the cache speaks to SQLCipher directly); the window asks
for its first rows before it builds its widgets."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

PROBE = """
import sys
import desktop.app, desktop.logs
assert "PySide6" not in sys.modules, "Qt was imported before the inbox started"
from desktop.qt_free_first import import_qt_free_parts
import_qt_free_parts()
assert "PySide6" not in sys.modules, "a Qt-free part imported Qt"
assert {"requests", "sync.cache", "sync.engine"} <= set(sys.modules)
import desktop.main_window, desktop.session, desktop.startup
assert "sqlalchemy" not in sys.modules, "the inbox's start imported SQLAlchemy"
print("ok")
"""


def test_the_qt_free_parts_are_imported_before_qt() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_application_hands_the_gil_to_the_gui_thread_every_millisecond() -> None:
    probe = ("import sys\nfrom desktop.app import GIL_SWITCH_SECONDS, make_application\n"
             "assert sys.getswitchinterval() == 0.005\nmake_application()\n"
             "print(sys.getswitchinterval() == GIL_SWITCH_SECONDS == 0.001)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_the_inbox_is_read_while_the_window_is_built(open_inbox: Any, monkeypatch: Any) -> None:
    """The folders and the Inbox's first page are asked for before the widgets are made (a
    sixth of a second of start-up), so their rows are there for the window's first paint."""
    import desktop.main_window as main_window

    reads_waiting: list[int] = []

    class WatchedList(main_window.ThreadList):
        def __init__(self, model: Any) -> None:
            reads_waiting.append(model._runner.pending)
            super().__init__(model)

    monkeypatch.setattr(main_window, "ThreadList", WatchedList)
    inbox = open_inbox("dr.rivera", sync=False)
    assert reads_waiting and reads_waiting[0] >= 2  # the folders and the Inbox's page
    assert inbox.window.thread_model.source == ("folder", "inbox")
