"""Auto-lock: after the idle time the window covers everything and asks for the password."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.desktop.conftest import PASSWORD


def test_idle_window_locks_and_asks_for_the_password(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    assert window.idle.interval_ms() == 10 * 60_000  # the default setting
    composer = window.open_composer()
    window.idle.set_interval_ms(300)
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert window.stack.currentWidget() is window.lock_screen
    assert not window.splitter.isVisible()
    assert not composer.isVisible()
    assert not window.search.isVisible()

    lock = window.lock_screen
    qtbot.keyClicks(lock.password, "wrong password")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(lock.error.text()), timeout=15_000)
    assert lock.error.text() == "That password is not right."
    assert window.locked

    lock.password.setText(PASSWORD)
    lock.unlock.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert window.splitter.isVisible()
    assert composer.isVisible()


def test_activity_keeps_the_window_unlocked(qtbot: Any, open_inbox: Any) -> None:
    window = open_inbox("dr.rivera").window
    window.idle.set_interval_ms(2_000)
    for _ in range(10):
        qtbot.wait(300)
        qtbot.keyClick(window.search, Qt.Key.Key_Shift)
    assert not window.locked


def test_idle_time_is_a_setting(qtbot: Any, open_inbox: Any, app_settings: Any) -> None:
    window = open_inbox("dr.rivera").window
    app_settings.set("security/idle_lock_minutes", 3)
    assert window.idle.interval_ms() == 3 * 60_000
