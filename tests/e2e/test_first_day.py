"""A therapist's first morning with the inbox, against a server running as its own process:
read a thread, answer it, send a new message with a file dropped on the window, hear of a
message that arrives, and find an old one by search."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from desktop.tray import Tray
from tests.desktop.people import Person
from tests.desktop.test_composer import address_of, drop_files
from tests.desktop.test_conversation import open_thread


@pytest.fixture
def tray(app_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Tray:
    # The offscreen platform has no system tray; everything else is the real tray code.
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    return Tray(app_settings)


def test_read_answer_send_with_a_dropped_file_hear_of_a_new_message_and_search(
        qtbot: Any, open_inbox: Any, live_server: Any, tray: Tray, tmp_path: Path) -> None:
    alex = Person(live_server, "alex")
    old = alex.send(["dr.rivera"], "Medication question",
                    "The pharmacist mentioned sertraline interactions with my sleep aid.")
    diary = alex.send(["dr.rivera"], "Sleep diary",
                      "I wrote down when I fell asleep every night this week.")
    window = open_inbox("dr.rivera", tray=tray).window

    # Read the newest thread.
    open_thread(qtbot, window, diary["id"])
    card = window.conversation.cards[0]
    assert "fell asleep every night" in card.body.toPlainText()
    assert card.badge.text() == "Client"

    # Answer it.
    view = window.conversation
    assert view.reply_button.isEnabled()
    view.reply_button.click()
    qtbot.waitUntil(lambda: bool(window.composers))
    reply = window.composers[-1]
    reply.body.setPlainText("Thank you, Alex. Let us look at it together on Tuesday.")
    reply.send_button.click()
    qtbot.waitUntil(lambda: len(alex.thread(diary["id"])["messages"]) == 2, timeout=15_000)
    assert "look at it together" in alex.thread(diary["id"])["messages"][1]["body_text"]

    # A new message with a file dropped on the main window.
    worksheet = tmp_path / "sleep-worksheet.txt"
    worksheet.write_text("Bedtime: ____  Wake time: ____  Naps: ____\n", encoding="utf-8")
    drop_files(window, [worksheet])
    qtbot.waitUntil(lambda: any(c is not reply for c in window.composers))
    composer = next(c for c in window.composers if c is not reply)
    qtbot.waitUntil(lambda: composer.attachments.attachment_ids() != [], timeout=15_000)
    composer.recipients.add_address(address_of(composer, "Alex Morgan"))
    composer.subject.setText("Sleep worksheet")
    composer.body.setPlainText("Please fill this in each morning before our next session.")
    composer.send_button.click()
    qtbot.waitUntil(lambda: "Sleep worksheet" in alex.inbox_subjects(), timeout=15_000)
    sent = next(i["thread"]["id"] for i in alex.api.threads("inbox")["items"]
                if i["thread"]["subject"] == "Sleep worksheet")
    attachment = alex.thread(sent)["messages"][0]["attachments"][0]
    assert attachment["filename"] == "sleep-worksheet.txt"
    assert attachment["sha256"] == hashlib.sha256(worksheet.read_bytes()).hexdigest()

    # A message arrives: the tray says so without a word of its content; a click opens it.
    with qtbot.waitSignal(window.session.bridge.newMessage, timeout=15_000):
        arrived = alex.send(["dr.rivera"], "Running late", "My bus broke down on Main Street.")
    title, body = tray.last_alert
    assert title == "New secure message"
    assert not any(word in title + body for word in ("Alex", "Running", "bus", "Main Street"))
    tray.icon.messageClicked.emit()
    qtbot.waitUntil(lambda: window.conversation_model.thread_id == arrived["id"],
                    timeout=15_000)

    # An old message, found by a word in its body.
    qtbot.keyClicks(window.search, "sertraline")
    qtbot.waitUntil(lambda: window.thread_model.is_search and window.thread_model.total() == 1,
                    timeout=15_000)
    qtbot.waitUntil(lambda: window.thread_model.thread_id(0) == old["id"], timeout=15_000)
    window.thread_list.select_thread(old["id"])
    qtbot.waitUntil(lambda: window.conversation_model.thread_id == old["id"]
                    and bool(window.conversation.cards), timeout=15_000)
    assert window.conversation.apply_highlight() == 1
