"""The composer closes with Esc and Ctrl+W, keeping what was typed as a draft and saying so;
its Attach dialog opens in Documents and lists only the types the server accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.desktop.modal import DialogAnswer
from tests.desktop.people import Person


@pytest.mark.parametrize("keys", ["Escape", "Ctrl+W"])
def test_esc_and_ctrl_w_close_the_composer_and_keep_the_draft(
        qtbot: Any, open_inbox: Any, live_server: Any, keys: str) -> None:
    inbox = open_inbox("dr.rivera")
    window = inbox.window
    composer = window.open_composer()
    qtbot.waitExposed(composer)
    composer.activateWindow()  # as the window manager does with a new window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is composer)
    composer.subject.setText(f"Closed with {keys}")
    composer.body.setFocus()
    qtbot.keyClicks(composer.body, "Half a thought")
    if keys == "Escape":
        qtbot.keyClick(composer.body, Qt.Key.Key_Escape)
    else:
        qtbot.keyClick(composer.body, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: composer not in window.composers, timeout=5_000)
    assert ("info", "Your message was kept in Drafts.") in inbox.session.notices.history
    rivera = Person(live_server, "dr.rivera")
    qtbot.waitUntil(lambda: any(d["subject"] == f"Closed with {keys}"
                                for d in rivera.api.drafts()["drafts"]), timeout=10_000)


def test_the_attach_dialog_opens_in_documents_with_the_allowed_types(
        qtbot: Any, open_inbox: Any) -> None:
    inbox = open_inbox("dr.rivera")
    composer = inbox.window.open_composer()
    allowed = inbox.session.limits()["allowed_attachment_types"]
    assert ".pdf" in allowed
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    expected = documents if Path(documents).is_dir() else QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.HomeLocation)
    seen: dict[str, Any] = {}

    def look(dialog: QFileDialog) -> None:
        seen["folder"] = dialog.directory().absolutePath()
        seen["filters"] = dialog.nameFilters()
        seen["mode"] = dialog.fileMode()

    answer = DialogAnswer("cancel", before=look)
    composer.attach_button.click()
    assert answer.answered
    assert Path(seen["folder"]) == Path(expected)
    assert len(seen["filters"]) == 1
    for extension in allowed:
        assert f"*{extension}" in seen["filters"][0]
    assert "*.exe" not in seen["filters"][0] and "(*)" not in seen["filters"][0]
    assert seen["mode"] == QFileDialog.FileMode.ExistingFiles
    assert composer.attachments.items() == []

    reply_answer = DialogAnswer("cancel", before=look)
    seen.clear()
    inline = inbox.window.conversation.inline_reply
    inline.on_attach_button_clicked()
    assert reply_answer.answered and "*.pdf" in seen["filters"][0]
