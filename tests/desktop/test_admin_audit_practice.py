"""The Audit log window (filters, newest first, CSV export) and Practice settings, driven
through their widgets against a real server."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate

from desktop.admin.audit_window import AuditWindow
from desktop.admin.mfa_gate import setup_required
from desktop.admin.practice_window import PracticeWindow
from sync.api import ApiClient
from sync.errors import ApiError
from tests.desktop.admin_support import WAIT_MS, runner, settled, sign_in  # noqa: F401


def open_audit(qtbot: Any, admin: Any, runner: Any, live_server: Any) -> AuditWindow:  # noqa: F811
    names = {live_server.person_id(u): {"name": u.title(), "username": u}
             for u in ("admin", "dr.rivera", "frontdesk")}
    window = AuditWindow(admin, runner, lambda: names)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() > 0,
                    timeout=WAIT_MS)
    return window


def actions(window: AuditWindow) -> list[str]:
    return [window.model.record(r)["action"] for r in range(window.model.rowCount())]


def test_filters_newest_first_and_export(qtbot: Any, sign_in: Any, runner: Any,  # noqa: F811
                                         live_server: Any, tmp_path: Path) -> None:
    admin = sign_in("admin")
    with pytest.raises(ApiError):
        ApiClient(live_server.url).login("frontdesk", "wrong password here")
    sign_in("frontdesk")
    window = open_audit(qtbot, admin, runner, live_server)
    ids = [window.model.record(r)["id"] for r in range(window.model.rowCount())]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert actions(window)[0] == "login"  # frontdesk's sign-in came last

    window.action.setCurrentIndex(window.action.findData("login_failed"))
    qtbot.waitUntil(lambda: settled(window.model) and set(actions(window)) == {"login_failed"},
                    timeout=WAIT_MS)

    window.action.setCurrentIndex(window.action.findData(""))
    window.person.pick({"id": live_server.person_id("frontdesk"), "name": "Frontdesk",
                        "username": "frontdesk"})
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() > 0
                    and all(window.model.record(r)["actor_id"]
                            == live_server.person_id("frontdesk")
                            for r in range(window.model.rowCount())), timeout=WAIT_MS)
    assert "Frontdesk (frontdesk)" in window.model.data(window.model.index(0, 1))

    window.use_to.setChecked(True)
    window.date_to.setDate(QDate.currentDate().addDays(-2))  # before anything happened
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() == 0,
                    timeout=WAIT_MS)
    assert "No events" in window.message.text()
    window.use_to.setChecked(False)
    qtbot.waitUntil(lambda: settled(window.model) and window.model.rowCount() > 0,
                    timeout=WAIT_MS)

    target = tmp_path / "audit.csv"
    window.export_to(target)
    qtbot.waitUntil(lambda: window.export_button.isEnabled(), timeout=WAIT_MS)
    assert "Saved audit.csv" in window.message.text()
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row["actor_id"] == live_server.person_id("frontdesk") for row in rows)
    assert not (tmp_path / "audit.csv.part").exists()


def test_practice_settings(qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    admin = sign_in("admin")
    window = PracticeWindow(admin, runner)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.save_button.isEnabled(), timeout=WAIT_MS)
    assert window.name.text() == "Lakeside Counseling"
    assert not window.require_mfa.isChecked()

    window.notice.setPlainText("x" * 301)
    window.save_button.click()
    assert "longer than 300" in window.message.text()
    assert "301 of 300" in window.notice_count.text()

    window.notice.setPlainText("The office is closed on Friday.")
    window.require_mfa.setChecked(True)
    window.save_button.click()
    qtbot.waitUntil(lambda: window.message.text() == "Saved.", timeout=WAIT_MS)
    assert window.loaded["portal_notice"] == "The office is closed on Friday."
    assert window.loaded["require_mfa_for_staff"] is True
    assert window.loaded["name"] == "Lakeside Counseling"
    assert setup_required(sign_in("dr.rivera").api)  # staff without it are held at once


def test_requiring_it_without_it_yourself_says_what_comes_next(
        qtbot: Any, sign_in: Any, runner: Any) -> None:  # noqa: F811
    from tests.desktop.modal import DialogAnswer

    window = PracticeWindow(sign_in("admin"), runner, own_mfa=lambda: False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.save_button.isEnabled(), timeout=WAIT_MS)
    window.require_mfa.setChecked(True)
    answer = DialogAnswer("Require it")
    with qtbot.waitSignal(window.mfaRequired, timeout=WAIT_MS):
        window.save_button.click()
    assert "asked to do it right after saving" in answer.text
    assert window.loaded["require_mfa_for_staff"] is True


def test_a_person_is_picked_by_typing_part_of_their_name(
        qtbot: Any, sign_in: Any, runner: Any, live_server: Any) -> None:  # noqa: F811
    from PySide6.QtCore import Qt

    from desktop.admin.person_picker import PersonPicker

    picker = PersonPicker(sign_in("admin"), runner)
    qtbot.addWidget(picker)
    picker.show()
    picker.setFocus()
    picked: list[object] = []
    picker.personChanged.connect(picked.append)
    qtbot.keyClicks(picker, "rive")
    qtbot.waitUntil(lambda: picker.names.rowCount() == 1, timeout=WAIT_MS)
    popup = picker.completer_.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    popup.setCurrentIndex(picker.completer_.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.person_id == live_server.person_id("dr.rivera")
    assert picked == [picker.person_id]
    assert "dr.rivera" in picker.text()
    qtbot.keyClick(picker, Qt.Key.Key_Backspace)
    assert picker.person_id is None and picked[-1] is None
