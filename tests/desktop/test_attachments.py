"""Attachments of received messages: fetched and decrypted on demand, offered to drag out as a
file URL; images pasted into the composer become attachments."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QImage

from sync.blobs import upload
from tests.desktop.people import Person


def test_attachment_opens_decrypted_and_drags_out_as_a_file(qtbot: Any, open_inbox: Any,
                                                           live_server: Any,
                                                           tmp_path: Path) -> None:
    alex = Person(live_server, "alex")
    log = tmp_path / "sleep-log.txt"
    log.write_text("Mon 6 h\nTue 7 h\n", encoding="utf-8")
    attachment = upload(alex.api, log, alex.api.session()["limits"])
    alex.api.create_thread([alex.address("dr.rivera")], "Sleep log", "<p>Here is my log.</p>",
                           [attachment["id"]], idempotency_key=str(uuid.uuid4()))
    window = open_inbox("dr.rivera").window
    qtbot.waitUntil(lambda: window.thread_model.total() == 1)
    assert window.thread_model.record(0)["has_attachments"]
    window.thread_list.select_thread(window.thread_model.thread_id(0))
    qtbot.waitUntil(lambda: bool(window.conversation.cards), timeout=10_000)
    button = window.conversation.cards[0].attachment_buttons[0]
    assert "sleep-log.txt" in button.text()
    assert button.drag_mime() is None  # not fetched yet

    with qtbot.waitSignal(button.fetched, timeout=15_000) as fetched:
        button.fetch()
    path = Path(fetched.args[0])
    assert path.read_text(encoding="utf-8") == "Mon 6 h\nTue 7 h\n"
    mime = button.drag_mime()
    assert [u.toLocalFile() for u in mime.urls()] == [str(path)]


def test_pasted_image_becomes_an_attachment(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    mime = QMimeData()
    mime.setImageData(image)
    assert composer.body.canInsertFromMimeData(mime)
    composer.body.insertFromMimeData(mime)
    qtbot.waitUntil(lambda: len(composer.attachments.attachment_ids()) == 1, timeout=10_000)
    item = composer.attachments.items()[0]
    assert item.path.suffix == ".png"
    assert composer.body.toPlainText() == ""


def test_attaching_writes_the_outbox_through_the_single_writer(
        qtbot: Any, open_inbox: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """The encrypted copy is made on a reader; the upload is queued by the one writer that
    every other command goes through, never from the reader pool."""
    import threading

    from sync import outbox

    writers: list[tuple[str, str]] = []
    enqueue = outbox.enqueue

    def recorded(conn: Any, kind: str, payload: dict, summary: str) -> Any:
        writers.append((kind, threading.current_thread().name))
        return enqueue(conn, kind, payload, summary)

    monkeypatch.setattr(outbox, "enqueue", recorded)
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    form = tmp_path / "consent form.pdf"
    form.write_bytes(b"%PDF-1.4 consent\n")
    composer.add_files([form])
    qtbot.waitUntil(lambda: len(composer.attachments.attachment_ids()) == 1, timeout=10_000)
    uploads = [name for kind, name in writers if kind == "upload"]
    assert len(uploads) == 1 and uploads[0].startswith("write")
