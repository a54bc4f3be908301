"""Sending while the server is away: the message waits in the outbox, shown as such, and goes
out when the server is back."""

from __future__ import annotations

from typing import Any

from tests.desktop.people import Person


def test_offline_send_waits_in_the_outbox(qtbot: Any, open_inbox: Any,
                                         live_server: Any) -> None:
    inbox = open_inbox("dr.rivera")
    window = inbox.window
    live_server.stop()
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Offline", timeout=30_000)

    composer = window.open_composer()
    alex_address = next(r.address for r in composer.recipient_model.recipients()
                        if r.name == "Alex Morgan")
    composer.recipients.add_address(alex_address)
    composer.subject.setText("Written on the train")
    composer.body.setPlainText("I will call you when I am back in the office.")
    composer.send_button.click()
    qtbot.waitUntil(lambda: not window.composers, timeout=10_000)
    qtbot.waitUntil(lambda: window.status.outbox_label.text() == "1 waiting to send",
                    timeout=10_000)

    window.folder_pane.select_folder("sent")
    qtbot.waitUntil(lambda: window.thread_model.total() == 1, timeout=10_000)
    window.thread_list.select_thread(window.thread_model.thread_id(0))
    # The cards are made again on each change of a conversation still waiting to be sent.
    qtbot.waitUntil(lambda: bool(window.conversation.cards)
                    and window.conversation.cards[0].pending_label.isVisible(), timeout=10_000)
    assert window.conversation.cards[0].pending_label.text() == "Waiting to send"

    live_server.start()
    alex = Person(live_server, "alex")
    qtbot.waitUntil(lambda: "Written on the train" in alex.inbox_subjects(), timeout=60_000)
    qtbot.waitUntil(lambda: not window.status.outbox_label.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: bool(window.conversation.cards)
                    and not window.conversation.cards[0].pending_label.isVisible(),
                    timeout=30_000)
