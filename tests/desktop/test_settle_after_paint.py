"""What start-up leaves until the inbox has painted its list: the collection, and the Qt types
a first search would otherwise make while a person waits for its results."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from desktop import startup as startup_module
from desktop.session import account_name
from desktop.startup import Startup
from desktop.widgets.thread_list import ThreadList
from sync.keys import save_token

ROOT = Path(__file__).resolve().parents[2]

# Paints one search row's snippet, a match on its highlight, and prints how many Python enum
# types Qt for Python made during that paint; with "prepared" it first runs the warm-up.
_PAINT_A_MATCH = textwrap.dedent("""
    import enum, json, os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication
    from desktop.widgets.snippet_line import paint_snippet, prepare_match_painting
    app = QApplication([])
    plain, bold = QFont(), QFont()
    bold.setBold(True)
    pixmap = QPixmap(400, 40)
    painter = QPainter(pixmap)
    painter.drawText(4, 20, "a row painted before the search")  # the inbox's first paint
    if sys.argv[1] == "prepared":
        prepare_match_painting()
    made = []
    make = enum.EnumType.__new__
    def counted(mcls, name, bases, namespace, **kwargs):
        made.append(name)
        return make(mcls, name, bases, namespace, **kwargs)
    enum.EnumType.__new__ = counted
    paint_snippet(painter, QRect(0, 0, 400, 20), "before <b>zephyrine</b> after",
                  (plain, bold), (QFontMetrics(plain), QFontMetrics(bold)), QColor("grey"))
    painter.end()
    print(json.dumps(made))
""")


def _types_made_by_first_match(mode: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PAINT_A_MATCH, mode], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_first_search_row_paints_without_making_qt_types() -> None:
    assert _types_made_by_first_match("unprepared")  # what the first search used to wait on
    assert _types_made_by_first_match("prepared") == []


class _ListPaints(QObject):
    """Records, in `events`, each paint of the thread list's viewport once its listing is read
    (rows, or the empty folder's sentence: a fresh cache lists nothing until it syncs)."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            parent = watched.parent()
            if isinstance(parent, ThreadList) and parent.thread_model.has_loaded:
                self.events.append("painted")
        return False


def test_the_collection_after_start_waits_for_the_list_to_be_painted(
        qtbot: Any, live_server: Any, app_settings: Any, tmp_path: Path,
        monkeypatch: Any) -> None:
    events: list[str] = []
    monkeypatch.setattr(startup_module, "settle_memory", lambda: events.append("settled"))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    paints = _ListPaints(events)
    app.installEventFilter(paints)
    try:
        save_token(account_name(live_server.url, "frontdesk"), live_server.token("frontdesk"))
        app_settings.set("account/server_url", live_server.url)
        app_settings.set("account/username", "frontdesk")
        startup = Startup(app, app_settings, data_root=tmp_path / "inbox")
        try:
            assert startup.start()
            qtbot.waitUntil(lambda: "settled" in events, timeout=30_000)
            qtbot.wait(200)  # later paints settle nothing again
        finally:
            startup._close_session()
            startup.runner.shutdown()
    finally:
        app.removeEventFilter(paints)
    assert "painted" in events
    assert events.index("painted") < events.index("settled")
    assert events.count("settled") == 1
