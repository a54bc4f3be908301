"""The reply box under a conversation's last message: sends into the thread (offline too),
follows the server's reply flags, keeps its text as the thread's draft, and hands it over to
the composer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.desktop.people import Person
from tests.support import sample_files


def open_thread(qtbot: Any, window: Any, thread_id: str, folder: str = "inbox") -> Any:
    if window.folder_pane.current_folder != folder:
        window.folder_pane.select_folder(folder)
    qtbot.waitUntil(lambda: window.thread_model.row_of(thread_id) >= 0, timeout=10_000)
    window.thread_list.select_thread(thread_id)
    box = window.conversation.inline_reply
    qtbot.waitUntil(lambda: (box.thread_row or {}).get("id") == thread_id
                    and bool(window.conversation.cards), timeout=10_000)
    return box


def server_bodies(person: Person, thread_id: str) -> list[str]:
    return [m.get("body_text") or "" for m in person.thread(thread_id)["messages"]]


def test_a_reply_typed_under_the_conversation_is_sent(qtbot: Any, open_inbox: Any,
                                                      live_server: Any, tmp_path: Path) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Sleep log", "Here is my sleep log for the week.")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, thread["id"])
    assert box.isVisible() and box.body.isEnabled()
    assert box.title.text() == "Reply to Alex Morgan"
    assert box.send_button.isEnabled() is False and not box.hint.isVisible()

    qtbot.keyClicks(box.body, "Thanks")
    assert "Write at least" in box.hint.text() and box.hint.isVisible()
    assert not box.send_button.isEnabled()
    box.body.setFocus()
    qtbot.keyClick(box.body, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box.body, ", this is really helpful")
    assert not box.hint.isVisible() and box.send_button.isEnabled()
    assert "<b>, this is really helpful</b>" in box.body_html()

    report = tmp_path / "sleep-notes.pdf"
    report.write_bytes(sample_files.pdf("notes about sleep"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(report))])
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    box.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: bool(box.attachments.attachment_ids()), timeout=10_000)

    box.send_button.click()
    qtbot.waitUntil(lambda: box.body.toPlainText() == "", timeout=10_000)
    qtbot.waitUntil(lambda: len(window.conversation.cards) == 2, timeout=20_000)
    assert "really helpful" in window.conversation.cards[-1].body.toPlainText()
    qtbot.waitUntil(lambda: any("really helpful" in b for b in server_bodies(alex, thread["id"])),
                    timeout=20_000)
    sent = alex.thread(thread["id"])["messages"][-1]
    assert [a["filename"] for a in sent["attachments"]] == ["sleep-notes.pdf"]
    assert not box.attachments.items()


def test_the_box_is_disabled_with_the_reason_on_a_multi_client_thread(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    group = rivera.send(["alex", "casey"], "Group session", "The group meets on Thursday.")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, group["id"], folder="sent")
    assert not box.can_reply()
    assert box.title.text() == "Reply to everyone"
    assert not box.body.isEnabled() and not box.body.isVisible()
    assert not box.send_button.isEnabled() and box.send_button.isVisible()
    assert box.send_button.toolTip() == box.blocked_reason.text()
    assert not box.composer_button.isEnabled() and not box.attach_button.isEnabled()
    assert "more than one client cannot be replied to" in box.blocked_reason.text()
    assert box.blocked_reason.isVisible()
    assert box.blocked_reason.text() == window.conversation.reply_button.toolTip()
    box.send()
    assert len(server_bodies(rivera, group["id"])) == 1


def test_what_is_typed_is_kept_as_a_draft_across_threads(qtbot: Any, open_inbox: Any,
                                                         live_server: Any) -> None:
    alex, front = Person(live_server, "alex"), Person(live_server, "frontdesk")
    first = alex.send(["dr.rivera"], "Rescheduling", "Could we move Tuesday's session?")
    second = front.send(["dr.rivera"], "Invoice", "Could you resend the October invoice?")
    inbox = open_inbox("dr.rivera")
    window = inbox.window
    box = open_thread(qtbot, window, first["id"])
    qtbot.keyClicks(box.body, "Thursday at 3 works for me.")

    box = open_thread(qtbot, window, second["id"])
    assert box.body.toPlainText() == ""
    qtbot.waitUntil(lambda: any(d.get("thread_id") == first["id"]
                                for d in inbox.session.cache.drafts()), timeout=10_000)

    box = open_thread(qtbot, window, first["id"])
    qtbot.waitUntil(lambda: box.body.toPlainText() == "Thursday at 3 works for me.",
                    timeout=10_000)
    qtbot.waitUntil(lambda: any(d.get("thread_id") == first["id"]
                                for d in Person(live_server, "dr.rivera").api.drafts()["drafts"]),
                    timeout=20_000)

    box.send_button.click()
    qtbot.waitUntil(lambda: not any(d.get("thread_id") == first["id"]
                                    for d in inbox.session.cache.drafts()), timeout=10_000)
    qtbot.waitUntil(lambda: any("Thursday at 3" in b for b in server_bodies(alex, first["id"])),
                    timeout=20_000)


def test_open_in_composer_carries_the_text_over(qtbot: Any, open_inbox: Any,
                                               live_server: Any) -> None:
    thread = Person(live_server, "alex").send(["dr.rivera"], "Homework", "Done with the sheet.")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, thread["id"])
    qtbot.keyClicks(box.body, "Great work, see you Monday.")
    box.composer_button.click()
    qtbot.waitUntil(lambda: bool(window.composers), timeout=10_000)
    composer = window.composers[-1]
    assert composer.thread_row["id"] == thread["id"]
    assert composer.body.toPlainText() == "Great work, see you Monday."
    assert composer.draft_id and box.draft_id != composer.draft_id
    assert box.body.toPlainText() == ""

    # Back on the thread while the composer is open: the composer's draft stays its own.
    other = Person(live_server, "alex").send(["dr.rivera"], "Other", "Another conversation.")
    qtbot.waitUntil(lambda: window.thread_model.row_of(other["id"]) >= 0, timeout=10_000)
    open_thread(qtbot, window, other["id"])
    box = open_thread(qtbot, window, thread["id"])
    done = []
    window.session.runner.run(lambda: None, lambda _: done.append(True), serial=True)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)  # the draft read has run
    qtbot.wait(100)
    assert box.body.toPlainText() == "" and box.draft_id != composer.draft_id


def test_a_reply_queued_late_leaves_what_is_typed_in_the_next_thread(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    alex = Person(live_server, "alex")
    first = alex.send(["dr.rivera"], "Thread A", "First thread body, long enough.")
    second = alex.send(["dr.rivera"], "Thread B", "Second thread body, long enough.")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, first["id"])
    qtbot.keyClicks(box.body, "Reply for thread A, long enough")
    # The writer busy for a moment (a page of the feed being written, say).
    window.session.runner.run(lambda: time.sleep(1.5), serial=True)
    box.send_button.click()
    box = open_thread(qtbot, window, second["id"])
    qtbot.keyClicks(box.body, "Typed for B while A's reply waited")
    qtbot.waitUntil(lambda: any("Reply for thread A" in b
                                for b in server_bodies(alex, first["id"])), timeout=20_000)
    assert box.body.toPlainText() == "Typed for B while A's reply waited"


def test_an_inline_reply_sent_offline_waits_in_the_outbox(qtbot: Any, open_inbox: Any,
                                                          live_server: Any) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Parking", "Is there parking at the new office?")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, thread["id"])
    live_server.stop()
    qtbot.waitUntil(lambda: window.status.state_label.text() == "Offline", timeout=30_000)

    qtbot.keyClicks(box.body, "Yes, behind the building.")
    box.send_button.click()
    qtbot.waitUntil(lambda: window.status.outbox_label.text() == "1 waiting to send",
                    timeout=10_000)
    qtbot.waitUntil(lambda: len(window.conversation.cards) == 2, timeout=10_000)
    assert window.conversation.cards[-1].pending_label.text() == "Waiting to send"

    live_server.start()
    qtbot.waitUntil(lambda: any("behind the building" in b
                                for b in server_bodies(alex, thread["id"])), timeout=60_000)
    qtbot.waitUntil(lambda: not window.conversation.cards[-1].pending_label.isVisible(),
                    timeout=30_000)


def test_a_short_answer_is_refused_before_send_on_a_first_sign_in(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    """The box is built before /session has answered (its limits then unknown); the limits
    the first sync brings apply at once, and spaces count as the server counts them."""
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Appointment", "Can we meet at ten tomorrow?")
    inbox = open_inbox("dr.rivera", session_fetched=False)
    box = open_thread(qtbot, inbox.window, thread["id"])
    qtbot.waitUntil(lambda: inbox.session.limits().get("min_body_chars") == 10, timeout=10_000)

    assert not box.send_button.isEnabled()
    assert box.send_button.toolTip() == "Write your message first (at least 10 characters)."
    box.send()  # Ctrl+Enter on the empty box says why nothing happens
    assert box.hint.isVisible() and "Write your message first" in box.hint.text()

    qtbot.keyClicks(box.body, "Ok          .")
    assert not box.send_button.isEnabled()
    assert box.hint.text() == "Write at least 10 characters (6 more)."
    box.send()
    qtbot.keyClick(box.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert box.body.toPlainText() == "Ok          ."
    assert len(server_bodies(alex, thread["id"])) == 1
    assert not [c for c in inbox.session.cache.outbox_items() if c["kind"] == "reply"]


def send_a_reply_the_server_refuses(qtbot: Any, open_inbox: Any, live_server: Any
                                    ) -> tuple[Person, dict, Any, Any]:
    """Alex writes to dr.rivera; her answer is long enough for the limit the inbox knows, but
    the server's minimum rose meanwhile: Send is pressed on a reply it will refuse."""
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Forms", "Did you get the intake forms?")
    window = open_inbox("dr.rivera").window
    box = open_thread(qtbot, window, thread["id"])
    live_server.settings.min_body_chars = 40
    qtbot.keyClicks(box.body, "Yes, thank you.")
    assert box.send_button.isEnabled()
    box.send_button.click()
    return alex, thread, window, box


def test_a_reply_the_server_refuses_comes_back_into_the_box(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    """The server's minimum rose after the client read it: the reply is refused, and what was
    typed is back in the box with the server's reason, not only somewhere in Drafts."""
    alex, thread, _window, box = send_a_reply_the_server_refuses(qtbot, open_inbox, live_server)
    qtbot.waitUntil(lambda: box.body.toPlainText() == "Yes, thank you."
                    and "at least 40 characters" in box.hint.text(), timeout=20_000)
    assert box.hint.isVisible() and "kept in Drafts" in box.hint.text()
    assert len(server_bodies(alex, thread["id"])) == 1


def test_the_reason_a_reply_was_refused_stays_until_the_text_changes(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    """The thread changing on the server (another message in it) reloads the conversation and
    checks the box again: the refusal's reason stays beside the text it is about, and goes
    once that text is changed."""
    alex, thread, window, box = send_a_reply_the_server_refuses(qtbot, open_inbox, live_server)
    qtbot.waitUntil(lambda: "kept in Drafts" in box.hint.text(), timeout=20_000)
    alex.reply(thread["id"], "And the consent form, did that arrive too?")
    qtbot.waitUntil(lambda: len(window.conversation.cards) == 2, timeout=20_000)
    box.show_thread(box.thread_row)  # what every reload of the conversation does
    assert box.body.toPlainText() == "Yes, thank you."
    assert box.hint.isVisible() and "at least 40 characters" in box.hint.text()
    qtbot.keyClicks(box.body, " Both of them arrived safely.")
    assert not box.hint.isVisible() and box.send_button.isEnabled()


def test_after_a_refusal_for_length_the_box_knows_the_new_minimum(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    """A refusal means what the inbox knew of the server's limits was out of date: it asks
    again, so Send waits for the new minimum instead of being refused a second time."""
    _alex, _thread, _window, box = send_a_reply_the_server_refuses(
        qtbot, open_inbox, live_server)
    qtbot.waitUntil(lambda: "kept in Drafts" in box.hint.text()
                    and not box.send_button.isEnabled(), timeout=20_000)
    assert "Write at least 40 characters (25 more)." in box.hint.text()
    assert "kept in Drafts" in box.hint.text()
    assert box.hint.text().count("40") == 1  # the box's own hint says it: not twice
    qtbot.keyClicks(box.body, " Both of them arrived safely.")
    assert not box.hint.isVisible() and box.send_button.isEnabled()


def test_emptying_the_box_deletes_the_reply_draft_it_had_saved(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Parking", "Is there parking near the office?")
    inbox = open_inbox("dr.rivera")
    box = open_thread(qtbot, inbox.window, thread["id"])
    qtbot.keyClicks(box.body, "Yes, behind the building.")
    box.save_draft()
    saved = box.draft_id

    def cached() -> set[str]:
        return {d["id"] for d in inbox.session.cache.drafts() if d["thread_id"] == thread["id"]}

    qtbot.waitUntil(lambda: saved in cached(), timeout=10_000)
    box.body.clear()
    box.save_draft()
    qtbot.waitUntil(lambda: saved not in cached(), timeout=10_000)
    assert box.draft_id != saved  # what is typed next is a draft of its own
    assert box.saved_label.text() == ""


def test_a_save_answered_after_the_box_was_emptied_does_not_say_saved(
        qtbot: Any, open_inbox: Any, live_server: Any) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Parking", "Is there parking near the office?")
    inbox = open_inbox("dr.rivera")
    box = open_thread(qtbot, inbox.window, thread["id"])
    qtbot.keyClicks(box.body, "Yes, behind the building.")
    with qtbot.waitSignal(box.drafts.saved, timeout=10_000):
        box.save_draft()
        box.body.clear()  # emptied before the engine answered the save
        box.save_draft()
    assert box.saved_label.text() == ""  # the answer was about a draft no longer shown
