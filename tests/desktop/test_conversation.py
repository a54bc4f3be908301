"""The conversation view: role badges, receipts, the reply button as the server's flags say,
permanent delete after a confirmation, quick note, and the client status switch."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton

from tests.desktop.modal import DialogAnswer
from tests.desktop.people import Person


def open_thread(qtbot: Any, window: Any, thread_id: str, folder: str = "inbox") -> None:
    window.folder_pane.select_folder(folder)
    qtbot.waitUntil(lambda: window.thread_model.row_of(thread_id) >= 0, timeout=10_000)
    window.thread_list.select_thread(thread_id)
    qtbot.waitUntil(lambda: window.conversation_model.thread_id == thread_id
                    and bool(window.conversation.cards), timeout=10_000)


def test_messages_show_sender_role_badge_and_receipts(qtbot: Any, open_inbox: Any,
                                                     live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    thread = rivera.send(["alex"], "Homework", "Please try the breathing exercise daily.")
    alex = Person(live_server, "alex")
    alex.reply(thread["id"], "I will, thank you for the reminder!")
    window = open_inbox("dr.rivera").window
    open_thread(qtbot, window, thread["id"])
    cards = window.conversation.cards
    assert [c.badge.text() for c in cards] == ["Therapist", "Client"]
    assert "Alex Morgan" in cards[1].sender_label.text()
    assert "breathing exercise" in cards[0].body.toPlainText()
    assert cards[0].receipts.text() == "Not read yet by Alex"
    assert not cards[1].receipts.isVisible()
    alex.thread(thread["id"])  # Alex opens the conversation in the portal
    qtbot.waitUntil(lambda: "Read by Alex, " in window.conversation.cards[0].receipts.text(),
                    timeout=10_000)


def test_reply_follows_the_server_flags(qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    group = rivera.send(["alex", "casey"], "Group session", "The group meets on Thursday.")
    one = Person(live_server, "alex").send(["dr.rivera"], "Just us", "A question only for you.")
    window = open_inbox("dr.rivera").window
    view = window.conversation

    open_thread(qtbot, window, group["id"], folder="sent")
    assert not view.reply_button.isEnabled()
    assert "more than one client cannot be replied to" in view.reply_button.toolTip()
    assert view.reply_blocked.isVisible()
    assert "start a new message" in view.reply_blocked_reason.text()
    with qtbot.waitSignal(view.composeRequested) as requested:
        view.new_message_button.click()
    assert requested.args[0]["subject"] == "Re: Group session"
    qtbot.waitUntil(lambda: bool(window.composers))
    assert window.composers[-1].subject.text() == "Re: Group session"
    window.composers[-1].close()

    open_thread(qtbot, window, one["id"])
    assert view.reply_button.isEnabled()
    assert not view.reply_blocked.isVisible()
    view.reply_button.click()
    composer = window.composers[-1]
    assert composer.thread_row["id"] == one["id"]
    composer.body.setPlainText("Yes, we can talk about it on Tuesday.")
    composer.send_button.click()
    qtbot.waitUntil(lambda: len(Person(live_server, "alex").thread(one["id"])["messages"]) == 2,
                    timeout=10_000)


def test_permanent_delete_of_a_message_and_of_a_thread(qtbot: Any, open_inbox: Any,
                                                      live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    thread = rivera.send(["alex"], "Sent by mistake", "This went to the wrong person.")
    rivera.reply(thread["id"], "And a second message in it.")
    window = open_inbox("dr.rivera").window
    open_thread(qtbot, window, thread["id"], folder="sent")
    view = window.conversation
    assert view.delete_button.isVisible()
    # Cards rebuilt by a late reload are shown by their layout one event later (Qt defers
    # the show of a widget added to a visible parent).
    qtbot.waitUntil(lambda: len(view.cards) == 2
                    and all(card.delete_button.isVisible() for card in view.cards),
                    timeout=10_000)

    cancel = DialogAnswer("cancel")
    view.cards[1].delete_button.click()
    assert "cannot be undone" in cancel.text
    assert len(Person(live_server, "alex").thread(thread["id"])["messages"]) == 2

    confirm = DialogAnswer("delete for everyone")
    view.cards[1].delete_button.click()
    assert confirm.answered
    alex = Person(live_server, "alex")
    qtbot.waitUntil(lambda: len(alex.thread(thread["id"])["messages"]) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: len(view.cards) == 1, timeout=10_000)

    confirm = DialogAnswer("delete for everyone")
    view.delete_button.click()
    assert "Sent by mistake" in confirm.text and "cannot be undone" in confirm.text
    qtbot.waitUntil(lambda: thread["id"] not in
                    [i["thread"]["id"] for i in alex.api.threads("inbox")["items"]],
                    timeout=10_000)
    qtbot.waitUntil(lambda: not view.header.isVisible(), timeout=10_000)


def test_delete_is_not_offered_on_someone_elses_message(qtbot: Any, open_inbox: Any,
                                                      live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["dr.rivera"], "From Alex", "A note from me.")
    window = open_inbox("dr.rivera").window
    open_thread(qtbot, window, thread["id"])
    assert not window.conversation.delete_button.isVisible()
    assert not window.conversation.cards[0].delete_button.isVisible()


def test_quick_note_is_prefilled_and_saved_to_the_chart(qtbot: Any, open_inbox: Any,
                                                       live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["dr.rivera"], "Panic at work",
                                              "I had a panic attack at work on Monday.")
    window = open_inbox("dr.rivera").window
    open_thread(qtbot, window, thread["id"])
    view = window.conversation
    assert view.note_button.isVisible()
    seen: dict[str, str] = {}

    def edit(dialog: Any) -> None:
        seen["text"] = dialog.editor.toPlainText()
        dialog.editor.appendPlainText("Discussed coping plan.")

    answer = DialogAnswer("save", before=edit)
    view.note_button.click()
    assert answer.answered
    assert "Panic at work" in seen["text"] and "panic attack at work" in seen["text"]
    rivera = Person(live_server, "dr.rivera")
    alex_id = live_server.person_id("alex")
    qtbot.waitUntil(lambda: any("Discussed coping plan." in n["body"] for n in
                                rivera.api.client_notes(alex_id)["notes"]), timeout=10_000)


def test_front_office_sets_a_client_inactive_with_the_consequence_spelled_out(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["frontdesk"], "New address",
                                              "I moved, here is my new address.")
    window = open_inbox("frontdesk").window
    open_thread(qtbot, window, thread["id"])
    view = window.conversation
    assert not view.note_button.isVisible()
    toggle = view.findChild(QPushButton, "clientStatusToggle")
    assert toggle is not None and toggle.text() == "Set inactive"
    answer = DialogAnswer("set inactive")
    toggle.click()
    assert "front office and billing" in answer.text
    admin = Person(live_server, "admin")
    alex_id = live_server.person_id("alex")
    qtbot.waitUntil(lambda: next(p for p in admin.api.directory()["people"]
                                 if p["id"] == alex_id)["status"] == "inactive", timeout=10_000)
    qtbot.waitUntil(lambda: any(b.text() == "Inactive client" for b in
                                view.findChildren(type(view.cards[0].badge))), timeout=10_000)


def test_therapist_sees_no_status_switch(qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["dr.rivera"], "Hello", "Just saying hello.")
    window = open_inbox("dr.rivera").window
    open_thread(qtbot, window, thread["id"])
    assert window.conversation.findChild(QPushButton, "clientStatusToggle") is None
