"""The composer: recipients with chips, live validation, attachments checked before upload,
files dropped as real QDropEvents, drafts saved by themselves, and sending."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.display import file_size
from tests.desktop.people import Person
from tests.support import sample_files


def drop_files(widget: Any, paths: list[Path]) -> QDropEvent:
    """Drags files from a file manager onto `widget`: a real enter and drop with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = widget.rect().center()
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(QPoint(point)), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      QEvent.Type.Drop)
    QApplication.sendEvent(widget, drop)
    return drop


def address_of(composer: Any, name: str) -> str:
    return next(r.address for r in composer.recipient_model.recipients() if r.name == name)


def test_recipient_completion_chips_and_groups(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    qtbot.addWidget(composer)
    labels = [r.label for r in composer.recipient_model.recipients()]
    assert labels[:3] == ["All front office (Group)", "All therapists (Group)",
                          "External agents (Group)"]
    assert "Casey Nguyen (Inactive client)" in labels
    assert "Alex Morgan (Client)" in labels
    assert not any(label.startswith("Dr. Sofia Rivera") for label in labels)

    qtbot.keyClicks(composer.recipients.editor, "Casey")
    qtbot.keyClick(composer.recipients.editor, Qt.Key.Key_Return)
    assert [r.name for r in composer.recipients.recipients()] == ["Casey Nguyen"]
    chip = next(iter(composer.recipients._chips.values()))
    assert "inactive client" in chip.toolTip()
    composer.recipients.add_address("group:therapists")
    assert composer.recipients.addresses()[-1] == "group:therapists"
    qtbot.keyClick(composer.recipients.editor, Qt.Key.Key_Backspace)
    assert composer.recipients.addresses() == [address_of(composer, "Casey Nguyen")]


def test_validation_is_shown_while_typing_not_after_send(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    qtbot.addWidget(composer)
    assert not composer.send_button.isEnabled()
    assert "Add at least one recipient" in composer.hint.text()
    assert "A subject is required" in composer.hint.text()
    composer.recipients.add_address(address_of(composer, "Alex Morgan"))
    composer.subject.setText("Thursday")
    qtbot.keyClicks(composer.body, "Hi Alex")
    assert "Write at least 10 characters (3 more)" in composer.hint.text()
    assert not composer.send_button.isEnabled()
    qtbot.keyClicks(composer.body, ", see you")
    assert not composer.hint.isVisible()
    assert composer.send_button.isEnabled()


def test_attachment_refused_before_upload_with_the_reason(qtbot: Any, open_inbox: Any,
                                                         tmp_path: Path) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    qtbot.addWidget(composer)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ" + b"\0" * 100)
    big = tmp_path / "scan.pdf"
    limit = composer.session.limits()["max_attachment_bytes"]
    with big.open("wb") as handle:
        handle.seek(limit)
        handle.write(b"\0")
    composer.add_files([program, big])
    rows = list(composer.attachments._rows.values())
    assert [r.item.state for r in rows] == ["refused", "refused"]
    assert ".pdf" in rows[0].status.text() and "Not attached" in rows[0].status.text()
    assert "10.0 MB" in rows[1].status.text() or "too large" in rows[1].status.text()
    assert "Remove the attachments" in composer.hint.text()


def test_files_dropped_on_the_composer_and_on_the_main_window(qtbot: Any, open_inbox: Any,
                                                            live_server: Any,
                                                            tmp_path: Path) -> None:
    window = open_inbox("dr.rivera").window
    plan = tmp_path / "coping-plan.txt"
    plan.write_text("1. Breathe in for four counts.\n2. Hold for four.\n", encoding="utf-8")

    drop_files(window, [plan])
    qtbot.waitUntil(lambda: bool(window.composers))
    composer = window.composers[-1]
    qtbot.waitUntil(lambda: composer.attachments.attachment_ids() != [], timeout=10_000)
    assert composer.attachments.items()[0].path.name == "coping-plan.txt"

    notes = tmp_path / "notes.txt"
    notes.write_text("Session notes for the client.", encoding="utf-8")
    drop = drop_files(composer, [notes])
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: len(composer.attachments.attachment_ids()) == 2, timeout=10_000)

    composer.recipients.add_address(address_of(composer, "Alex Morgan"))
    composer.subject.setText("Your coping plan")
    composer.body.setPlainText("Here is the plan we made today, and my notes.")
    composer.send_button.click()
    alex = Person(live_server, "alex")
    qtbot.waitUntil(lambda: "Your coping plan" in alex.inbox_subjects(), timeout=15_000)
    thread_id = next(i["thread"]["id"] for i in alex.api.threads("inbox")["items"]
                     if i["thread"]["subject"] == "Your coping plan")
    names = [a["filename"] for a in alex.thread(thread_id)["messages"][0]["attachments"]]
    assert sorted(names) == ["coping-plan.txt", "notes.txt"]


def test_drafts_save_themselves_and_can_be_deleted(qtbot: Any, open_inbox: Any,
                                                  live_server: Any, tmp_path: Path) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    composer.recipients.add_address(address_of(composer, "Alex Morgan"))
    composer.subject.setText("Half-written thought")
    form = tmp_path / "release-form.pdf"
    form.write_bytes(sample_files.pdf("release form"))
    composer.add_files([form])
    qtbot.waitUntil(lambda: len(composer.attachments.attachment_ids()) == 1, timeout=10_000)
    composer.body.setPlainText("Something I want to say later")
    with qtbot.waitSignal(composer.draftSaved, timeout=10_000):
        pass
    rivera = Person(live_server, "dr.rivera")
    qtbot.waitUntil(lambda: any(d["subject"] == "Half-written thought"
                                and len(d["attachment_ids"]) == 1
                                for d in rivera.api.drafts()["drafts"]), timeout=10_000)
    draft_id = composer.draft_id
    composer.close()

    window.folder_pane.select_folder("drafts")
    qtbot.waitUntil(lambda: window.thread_model.row_of(draft_id) >= 0, timeout=10_000)
    index = window.thread_model.index(window.thread_model.row_of(draft_id), 3)
    window.thread_list.activated.emit(index)
    reopened = window.composers[-1]
    assert reopened.subject.text() == "Half-written thought"
    assert "Something I want to say later" in reopened.body.toPlainText()
    assert reopened.recipients.addresses() == [address_of(reopened, "Alex Morgan")]
    assert len(reopened.attachments.attachment_ids()) == 1
    row = reopened.attachments.row(reopened.attachments.items()[0].local_id)
    assert row.name.text() == "release-form.pdf"  # not "Attached file"
    assert row.status.text().startswith(file_size(form.stat().st_size))
    reopened.delete_button.click()
    qtbot.waitUntil(lambda: not rivera.api.drafts()["drafts"], timeout=10_000)
    qtbot.waitUntil(lambda: window.thread_model.total() == 0, timeout=10_000)


def test_a_reply_draft_opens_its_conversation_off_the_gui_thread(
        qtbot: Any, open_inbox: Any, live_server: Any, monkeypatch: Any) -> None:
    import threading

    thread = Person(live_server, "alex").send(["dr.rivera"], "Forms", "Here are the forms.")
    inbox = open_inbox("dr.rivera")
    window, cache = inbox.window, inbox.session.cache
    qtbot.waitUntil(lambda: window.thread_model.row_of(thread["id"]) >= 0, timeout=10_000)
    readers: list[str] = []
    conversation = cache.conversation

    def recorded(thread_id: str) -> Any:
        readers.append(threading.current_thread().name)
        return conversation(thread_id)

    monkeypatch.setattr(cache, "conversation", recorded)
    draft = {"id": "d-forms", "to": [], "subject": "Forms", "thread_id": thread["id"],
             "body_html": "<p>Thanks, they are all there.</p>", "attachment_ids": []}
    window.thread_list.draftOpened.emit(draft)
    qtbot.waitUntil(lambda: bool(window.composers), timeout=10_000)
    composer = window.composers[-1]
    assert composer.thread_row["id"] == thread["id"] and composer.reply_to.text() == "Alex Morgan"
    assert readers and threading.main_thread().name not in readers
