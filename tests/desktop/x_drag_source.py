"""The inbox as its own program on a real X display, for the drag-out test: signs in, syncs,
opens a thread, fetches its first attachment and then writes where the attachment's button is
on the screen (and the decrypted copy's path) as JSON to the file named on its command line.
It runs until it is terminated.

    python -m tests.desktop.x_drag_source SERVER_URL USERNAME DATA_DIR THREAD_ID OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keyring
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from desktop.notices import Notices
from desktop.session import open_session
from desktop.settings import AppSettings
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.memory_keyring import MemoryKeyring
from tests.desktop.conftest import PASSWORD

WINDOW = (0, 0, 820, 760)  # left of the drop target


def main() -> int:
    url, username, data_dir, thread_id, out = sys.argv[1:6]
    keyring.set_keyring(MemoryKeyring())
    app = QApplication([])
    settings = AppSettings(QSettings(str(Path(data_dir) / "settings.ini"),
                                     QSettings.Format.IniFormat))
    runner, notices = TaskRunner(), Notices()
    api = ApiClient(url)
    answer = api.login(username, PASSWORD)
    session = open_session(server_url=url, username=username, api=api, user=answer["user"],
                           data_root=Path(data_dir), settings=settings, runner=runner,
                           notices=notices)
    session.set_server_session(api.session())
    window = MainWindow(session)
    window.setGeometry(*WINDOW)
    window.show()
    session.bridge.start()

    def step() -> None:
        view = window.conversation
        if window.conversation_model.thread_id != thread_id:
            window.thread_list.select_thread(thread_id)
            return
        buttons = [b for card in view.cards for b in card.attachment_buttons]
        if not buttons:
            return
        button = buttons[0]
        if button.local_path is None:
            button.fetch()
            return
        view.scroll_area.ensureWidgetVisible(button)
        centre = button.mapToGlobal(button.rect().center())
        Path(out).write_text(json.dumps({"x": centre.x(), "y": centre.y(),
                                         "path": str(button.local_path)}), encoding="utf-8")
        timer.stop()

    timer = QTimer()
    timer.setInterval(100)
    timer.timeout.connect(step)
    timer.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
