"""The People window against a real server: listing, paging, search, sorting, the add and edit
dialogs, invites, disabling (with what it does said first) and resetting two-step sign-in."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from PySide6.QtCore import Qt

from desktop.admin.people_window import PeopleWindow
from sync.errors import ApiError
from tests.desktop.admin_support import (  # noqa: F401  (fixtures)
    WAIT_MS,
    csv_of,
    runner,
    settled,
    sign_in,
    usernames,
)
from tests.desktop.conftest import PASSWORD
from tests.desktop.modal import DialogAnswer

ADMIN_CAPABILITIES = {"manage_staff": True, "manage_clients": True, "import_clients": True,
                      "reset_mfa": True, "view_audit": True, "manage_practice": True}
FRONT_OFFICE_CAPABILITIES = {"manage_staff": False, "manage_clients": True,
                             "import_clients": True, "reset_mfa": False}


def open_people(qtbot: Any, admin: Any, runner: Any,  # noqa: F811
                capabilities: dict = ADMIN_CAPABILITIES) -> PeopleWindow:
    window = PeopleWindow(admin, runner, capabilities)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() > 0,
                    timeout=WAIT_MS)
    return window


def select(qtbot: Any, window: PeopleWindow, username: str) -> dict:
    qtbot.waitUntil(lambda: username in usernames(window.model), timeout=WAIT_MS)
    row = usernames(window.model).index(username)
    window.table.selectRow(row)
    return window.model.record(row)


def test_everyone_is_listed_by_name_and_search_narrows_it(qtbot: Any, sign_in: Any,  # noqa: F811
                                                          runner: Any) -> None:  # noqa: F811
    window = open_people(qtbot, sign_in("admin"), runner)
    names = [window.model.record(r)["name"] for r in range(window.model.rowCount())]
    assert names == sorted(names, key=str.casefold)
    assert {"admin", "dr.rivera", "alex", "dana"} <= set(usernames(window.model))
    assert "harbor.admin" not in usernames(window.model)  # another practice

    qtbot.keyClicks(window.search, "rive")
    qtbot.waitUntil(lambda: settled(window.model) and usernames(window.model) == ["dr.rivera"],
                    timeout=WAIT_MS)
    window.kind.setCurrentIndex(window.kind.findData("client"))
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() == 0,
                    timeout=WAIT_MS)
    window.search.clear()
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() > 0,
                    timeout=WAIT_MS)
    assert all(window.model.record(r)["kind"] == "client"
               for r in range(window.model.rowCount()))


def test_an_answer_to_a_replaced_search_is_dropped(qtbot: Any, sign_in: Any,  # noqa: F811
                                                   runner: Any) -> None:  # noqa: F811
    admin = sign_in("admin")
    window = open_people(qtbot, admin, runner)
    stale = admin.people(q="alex")
    replaced = window.model.ticket
    window.model.search(None, "blair", False)
    qtbot.waitUntil(lambda: settled(window.model), timeout=WAIT_MS)
    assert usernames(window.model) == ["blair"]
    replaced.then(window.model._first_page)((stale["people"], None))
    assert usernames(window.model) == ["blair"]


def test_many_clients_come_a_page_at_a_time_and_sort_by_any_column(
        qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    admin = sign_in("admin")
    rows = [f"Client {n:04d},client{n:04d}@example.org,client{n:04d},,,"
            for n in range(450)]
    assert admin.import_clients(csv_of(rows))["created"] == 450
    window = open_people(qtbot, admin, runner)
    window.kind.setCurrentIndex(window.kind.findData("client"))
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() == 200,
                    timeout=WAIT_MS)
    assert window.model.canFetchMore()
    while window.model.canFetchMore() or window.model.busy:
        window.table.scrollToBottom()
        qtbot.wait(20)
    assert window.model.rowCount() == 450 + 4  # and the demo's four clients
    assert not window.model.canFetchMore()

    window.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # email, Z to A
    qtbot.waitUntil(lambda: settled(window.model)
                    and window.model.query.get("sort") == (3, True), timeout=WAIT_MS)
    emails = [window.model.record(r)["email"] or "" for r in range(window.model.rowCount())]
    assert len(emails) == 454
    assert emails == sorted(emails, key=str.casefold, reverse=True)


def test_add_a_client_with_a_therapist_and_a_taken_username_keeps_the_form(
        qtbot: Any, sign_in: Any, runner: Any, live_server: Any) -> None:  # noqa: F811
    window = open_people(qtbot, sign_in("admin"), runner)
    window.add_button.click()
    dialog = window.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.therapists.count() >= 2, timeout=WAIT_MS)
    dialog.name.setText("Robin Okafor")
    dialog.username.setText("alex")  # taken
    dialog.email.setText("robin@example.org")
    for i in range(dialog.therapists.count()):
        item = dialog.therapists.item(i)
        if "dr.chen" in item.text():
            item.setCheckState(Qt.CheckState.Checked)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert dialog.isVisible()
    assert dialog.name.text() == "Robin Okafor" and dialog.email.text() == "robin@example.org"

    dialog.username.setText("robin.okafor")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.save_button.click()
    assert dialog.person["assigned_therapist_ids"] == [live_server.person_id("dr.chen")]
    assert dialog.person["has_portal_account"] is True
    qtbot.waitUntil(lambda: "robin.okafor" in usernames(window.model), timeout=WAIT_MS)
    assert "Robin Okafor was added" in window.message.text()


def test_edit_a_staff_members_role(qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    admin = sign_in("admin")
    window = open_people(qtbot, admin, runner)
    select(qtbot, window, "billing")
    window.edit_button.click()
    dialog = window.dialog
    assert not dialog.kind.isEnabled() and dialog.role.isVisible()
    dialog.role.setCurrentIndex(dialog.role.findData("front_office"))
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.save_button.click()
    row = usernames(window.model).index("billing")
    assert window.model.record(row)["role"] == "front_office"
    assert admin.people(q="billing")["people"][0]["role"] == "front_office"


def test_invite_then_resend_says_when_it_was_sent(qtbot: Any, sign_in: Any,  # noqa: F811
                                                  runner: Any) -> None:  # noqa: F811
    window = open_people(qtbot, sign_in("admin"), runner)
    person = select(qtbot, window, "alex")
    assert window.invite_button.text() == "Invite"
    assert not person.get("invite_sent_at")
    window.invite_button.click()
    qtbot.waitUntil(lambda: "on its way to" in window.message.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: settled(window.model), timeout=WAIT_MS)
    person = select(qtbot, window, "alex")
    assert person["invite_sent_at"]
    assert window.invite_button.text() == "Resend invite"
    assert "Last invite sent" in window.details.text()
    window.invite_button.click()
    qtbot.waitUntil(lambda: "earlier link no longer works" in window.message.text(),
                    timeout=WAIT_MS)

    select(qtbot, window, "dana")  # no portal access: the server says why not
    window.invite_button.click()
    qtbot.waitUntil(lambda: "no portal access" in window.message.text(), timeout=WAIT_MS)


def test_disable_says_what_happens_and_ends_their_sessions(
        qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    frontdesk = sign_in("frontdesk")
    window = open_people(qtbot, sign_in("admin"), runner)
    select(qtbot, window, "frontdesk")
    answer = DialogAnswer("Cancel")
    window.disable_button.click()
    qtbot.waitUntil(lambda: answer.answered, timeout=WAIT_MS)
    assert "signed out everywhere at once" in answer.text
    assert "messages stay" in answer.text
    frontdesk.api.session()  # cancelled: nothing changed

    answer = DialogAnswer("Disable")
    window.disable_button.click()
    qtbot.waitUntil(lambda: "is disabled" in window.message.text(), timeout=WAIT_MS)
    with pytest.raises(ApiError) as refused:
        frontdesk.api.session()
    assert refused.value.status == 401
    with pytest.raises(ApiError):
        sign_in("frontdesk")
    assert window.disable_button.text() == "Enable"

    window.disable_button.click()
    qtbot.waitUntil(lambda: "may sign in again" in window.message.text(), timeout=WAIT_MS)
    sign_in("frontdesk")


def test_reset_two_step_sign_in(qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    chen = sign_in("dr.chen")
    secret = chen.start_totp()["secret"]
    chen.confirm_totp(pyotp.TOTP(secret).now())
    window = open_people(qtbot, sign_in("admin"), runner)
    person = select(qtbot, window, "dr.chen")
    assert person["mfa_enabled"] is True
    assert window.reset_mfa_button.isEnabled()
    answer = DialogAnswer("Reset")
    window.reset_mfa_button.click()
    qtbot.waitUntil(lambda: "was reset" in window.message.text(), timeout=WAIT_MS)
    assert "authenticator app and recovery codes stop working" in answer.text
    sign_in("dr.chen", PASSWORD)  # no code asked any more


def test_front_office_manages_clients_only(qtbot: Any, sign_in: Any,  # noqa: F811
                                           runner: Any) -> None:  # noqa: F811
    window = open_people(qtbot, sign_in("frontdesk"), runner, FRONT_OFFICE_CAPABILITIES)
    assert [window.kind.itemData(i) for i in range(window.kind.count())] == ["client"]
    assert not window.reset_mfa_button.isVisible()
    assert all(window.model.record(r)["kind"] == "client"
               for r in range(window.model.rowCount()))
    window.add_button.click()
    assert [window.dialog.kind.itemData(i)
            for i in range(window.dialog.kind.count())] == ["client"]
