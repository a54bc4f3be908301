"""An attachment taken off in the composer has its upload removed from the server (a file
nobody will send must not wait there a day, counting against the person's quota)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from sqlalchemy import select

from server.db.models import Blob
from tests.desktop.people import Person
from tests.desktop.test_inline_reply import open_thread
from tests.support import sample_files


def uploads_of(server: Any, username: str) -> set[str]:
    with server.ctx.sessions() as db:
        return set(db.scalars(
            select(Blob.id).where(Blob.uploader_id == server.person_id(username))).all())


def test_a_file_taken_off_the_composer_is_removed_from_the_server(
        qtbot: Any, open_inbox: Any, live_server: Any, tmp_path: Path) -> None:
    window = open_inbox("dr.rivera").window
    composer = window.open_composer()
    before = uploads_of(live_server, "dr.rivera")
    wrong, right = tmp_path / "wrong-form.pdf", tmp_path / "right-form.pdf"
    wrong.write_bytes(sample_files.pdf("the wrong form"))
    right.write_bytes(sample_files.pdf("the right form"))
    composer.add_files([wrong, right])
    qtbot.waitUntil(lambda: len(uploads_of(live_server, "dr.rivera") - before) == 2,
                    timeout=15_000)
    uploaded = uploads_of(live_server, "dr.rivera") - before
    item = next(i for i in composer.attachments.items() if i.path.name == "wrong-form.pdf")
    remove = composer.attachments.row(item.local_id).findChild(QToolButton)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert [i.path.name for i in composer.attachments.items()] == ["right-form.pdf"]
    qtbot.waitUntil(lambda: len(uploads_of(live_server, "dr.rivera") - before) == 1,
                    timeout=15_000)
    kept = uploads_of(live_server, "dr.rivera") - before
    assert kept < uploaded
    with live_server.ctx.sessions() as db:
        assert db.get(Blob, next(iter(kept))).filename == "right-form.pdf"


def test_moving_to_another_thread_keeps_the_reply_drafts_files(
        qtbot: Any, open_inbox: Any, live_server: Any, tmp_path: Path) -> None:
    """The inline reply empties itself for another thread; its draft still holds the file,
    so that is not a removal."""
    alex = Person(live_server, "alex")
    first = alex.send(["dr.rivera"], "Sleep log", "Here is my sleep log for the week.")
    second = alex.send(["dr.rivera"], "Billing", "A question about my last invoice.")
    inbox = open_inbox("dr.rivera")
    window, session = inbox.window, inbox.window.session
    box = open_thread(qtbot, window, first["id"])
    before = uploads_of(live_server, "dr.rivera")
    report = tmp_path / "sleep-notes.pdf"
    report.write_bytes(sample_files.pdf("notes about sleep"))
    box.attachments.add_files([report])
    qtbot.keyClicks(box.body, "Notes attached, more tomorrow.")
    rivera = Person(live_server, "dr.rivera")
    qtbot.waitUntil(lambda: any(len(d["attachment_ids"]) == 1
                                for d in rivera.api.drafts()["drafts"]), timeout=15_000)
    [uploaded] = uploads_of(live_server, "dr.rivera") - before
    open_thread(qtbot, window, second["id"])
    assert not box.attachments.items()
    # had a discard been asked for, it would be queued by the time the runner is idle, and
    # on the server once the engine has pushed everything
    qtbot.waitUntil(lambda: session.runner.pending == 0, timeout=10_000)
    assert session.bridge.engine.wait_until_synced(15)
    assert uploaded in uploads_of(live_server, "dr.rivera")
    assert any(d["attachment_ids"] == [uploaded] for d in rivera.api.drafts()["drafts"])
