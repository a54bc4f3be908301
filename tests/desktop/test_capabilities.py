"""The inbox offers what the server's session says, and nothing of its own: the client status
switch follows `can_change_status`, moves go only to the server's `move_targets` (and one's
own folders), and the subject's length limit is the server's, once known."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.main_window import MainWindow
from desktop.session import Session
from sync.admin_api import AdminApi
from tests.desktop.people import Person
from tests.desktop.test_conversation import open_thread
from tests.support.live_server import LiveServer

RESTART_MS = 60_000


def unsynced(open_inbox: Any, username: str) -> tuple[Session, MainWindow]:
    """A window signed in over HTTP whose engine has not started: the session knows nothing
    of the server's /session yet, as on a first sign-in before it has answered."""
    inbox = open_inbox(username, session_fetched=False, sync=False)
    return inbox.session, inbox.window


def status_switch(window: MainWindow) -> QPushButton | None:
    return window.conversation.findChild(QPushButton, "clientStatusToggle")


def test_the_status_switch_follows_the_servers_flag_when_a_role_changes(
        qtbot: Any, open_inbox: Any, live_server: LiveServer) -> None:
    thread = Person(live_server, "alex").send(["frontdesk"], "Insurance card",
                                              "Here is a photo of my new insurance card.")
    inbox = open_inbox("frontdesk")
    window = inbox.window
    open_thread(qtbot, window, thread["id"])
    assert inbox.session.capabilities()["can_change_status"] is True
    assert status_switch(window) is not None

    # An administrator makes the front desk a biller; the inbox learns of it when it next
    # asks for the session (on reconnecting), and the switch goes with the server's flag.
    admin = AdminApi(Person(live_server, "admin").api)
    admin.update_person(live_server.person_id("frontdesk"), {"role": "biller"})
    live_server.stop()
    live_server.start()
    qtbot.waitUntil(lambda: inbox.session.capabilities().get("can_change_status") is False,
                    timeout=RESTART_MS)
    qtbot.waitUntil(lambda: status_switch(window) is None, timeout=10_000)
    assert window.conversation.cards, "the conversation is still shown"

    admin.update_person(live_server.person_id("frontdesk"), {"role": "front_office"})
    live_server.stop()
    live_server.start()
    qtbot.waitUntil(lambda: status_switch(window) is not None, timeout=RESTART_MS)


def drop_targets(window: MainWindow) -> list[str]:
    model = window.folder_model
    return [f["id"] for row, f in enumerate(model.folders())
            if model.flags(model.index(row, 0)) & Qt.ItemFlag.ItemIsDropEnabled]


def test_moves_go_only_where_the_server_says_once_it_has_said(
        qtbot: Any, open_inbox: Any, live_server: LiveServer) -> None:
    session, window = unsynced(open_inbox, "dr.rivera")
    model = window.folder_model
    assert session.capabilities() == {}, "the window's own ask of /session is under way"
    assert not model.accepts_threads("inbox") and not model.accepts_threads("archive")
    assert model.accepts_threads("folder:one-of-ones-own")

    qtbot.waitUntil(lambda: bool(session.capabilities()) and bool(model.folders()),
                    timeout=10_000)
    named = session.capabilities()["move_targets"]
    assert named == Person(live_server, "dr.rivera").api.session()["capabilities"][
        "move_targets"]
    assert drop_targets(window) == named == ["inbox", "archive", "trash"]
    assert not model.accepts_threads("sent") and not model.accepts_threads("drafts")


def test_the_move_menu_lists_the_servers_folders_and_ones_own(
        qtbot: Any, open_inbox: Any, live_server: LiveServer) -> None:
    rivera = Person(live_server, "dr.rivera")
    own = rivera.api.create_folder("Billing questions")
    Person(live_server, "alex").send(["dr.rivera"], "Receipt", "Could I get a receipt, please?")
    inbox = open_inbox("dr.rivera")
    window = inbox.window
    qtbot.waitUntil(lambda: own["id"] in drop_targets(window), timeout=10_000)
    named = rivera.api.session()["capabilities"]["move_targets"]
    assert drop_targets(window) == [*named, own["id"]]
    bar = window.bulk_bar
    bar.on_move_menu_aboutToShow()
    assert [a.text() for a in bar.move_menu.actions()] == [
        "Inbox", "Archive", "Trash", "Billing questions"]


def test_a_subject_typed_before_the_limit_is_known_is_kept_whole(
        qtbot: Any, open_inbox: Any, live_server: LiveServer) -> None:
    session, window = unsynced(open_inbox, "dr.rivera")
    composer = window.open_composer()
    qtbot.addWidget(composer)
    assert session.limits() == {}, "the window's own ask of /session is under way"
    long_subject = " ".join(["Questions about the intake forms and the first visit"] * 4)
    assert len(long_subject) == 211
    composer.subject.setText(long_subject)
    assert composer.subject.text() == long_subject, "no limit of the desktop's own"

    qtbot.waitUntil(lambda: session.limits().get("max_subject_chars") == 200, timeout=10_000)
    assert composer.subject.text() == long_subject, "what was typed is never cut"
    assert not composer.send_button.isEnabled()
    assert "Shorten the subject to 200 characters (11 too many)." in composer.hint.text()

    composer.subject.setText("Intake forms")  # shortened: the server's limit holds again
    assert composer.subject.maxLength() == 200
    assert composer.send_button.isEnabled() is False  # no recipient yet, but no subject problem
    assert "Shorten the subject" not in composer.hint.text()
