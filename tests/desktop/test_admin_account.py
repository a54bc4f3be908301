"""My account against a real server: two-step sign-in set up from the QR window with a code
computed from the shown secret, recovery codes shown, saved and good once, turning it off, and
changing the password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest
import segno
from PySide6.QtGui import QColor

from desktop.admin.account_window import AccountWindow
from desktop.admin.qr_code import QUIET_ZONE
from sync.api import ApiClient
from sync.errors import ApiError
from tests.desktop.admin_support import WAIT_MS, runner, sign_in  # noqa: F401
from tests.desktop.conftest import PASSWORD


def open_account(qtbot: Any, admin: Any, runner: Any, mfa: bool = False) -> AccountWindow:  # noqa: F811
    window = AccountWindow(admin, runner, {"name": "Dr. Rivera", "username": "dr.rivera"}, mfa)
    qtbot.addWidget(window)
    window.show()
    return window


def enrol(qtbot: Any, window: AccountWindow) -> str:
    panel = window.two_step
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.setup_page, timeout=WAIT_MS)
    return panel.secret.text().replace(" ", "")


def test_qr_enrolment_with_a_code_from_the_shown_secret(
        qtbot: Any, sign_in: Any, runner: Any, live_server: Any, tmp_path: Path) -> None:  # noqa: F811
    window = open_account(qtbot, sign_in("dr.rivera"), runner)
    panel = window.two_step
    secret = enrol(qtbot, window)
    assert len(secret) >= 16

    # The code drawn is the otpauth URI's, module for module, dark on white.
    uri = panel.qr.text
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    expected = [[bool(c) for c in row] for row in segno.make(uri, error="m").matrix]
    assert panel.qr.modules == expected
    image = panel.qr.grab().toImage()
    count = len(expected) + 2 * QUIET_ZONE
    scale = min(image.width(), image.height()) // count
    left = (image.width() - scale * count) // 2
    top = (image.height() - scale * count) // 2
    for y in (0, len(expected) // 2, len(expected) - 1):
        for x in range(len(expected)):
            pixel = QColor(image.pixel(left + (x + QUIET_ZONE) * scale + scale // 2,
                                       top + (y + QUIET_ZONE) * scale + scale // 2))
            assert (pixel.lightness() < 60) == expected[y][x]

    panel.code.setText("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: panel.error.isVisible(), timeout=WAIT_MS)
    assert "not right" in panel.error.text()
    assert panel.pages.currentWidget() is panel.setup_page

    with qtbot.waitSignal(panel.turnedOn, timeout=WAIT_MS):
        panel.code.setText(pyotp.TOTP(secret).now())
        panel.confirm_button.click()
    assert panel.pages.currentWidget() is panel.codes_page
    codes = panel.codes.toPlainText().split()
    assert len(codes) == 10 and len(set(codes)) == 10
    saved = tmp_path / "codes.txt"
    panel.save_codes(saved)
    assert all(code in saved.read_text() for code in codes)
    assert saved.stat().st_mode & 0o077 == 0  # for this user only
    panel.codes_done_button.click()
    assert panel.pages.currentWidget() is panel.on_page

    fresh = ApiClient(live_server.url)
    with pytest.raises(ApiError):
        fresh.login("dr.rivera", PASSWORD)  # a code is asked for now
    fresh.login("dr.rivera", PASSWORD, codes[0])  # a recovery code works once
    with pytest.raises(ApiError):
        ApiClient(live_server.url).login("dr.rivera", PASSWORD, codes[0])


def test_turning_it_off_needs_the_password(qtbot: Any, sign_in: Any, runner: Any,  # noqa: F811
                                           live_server: Any) -> None:
    admin = sign_in("dr.rivera")
    secret = admin.start_totp()["secret"]
    admin.confirm_totp(pyotp.TOTP(secret).now())
    window = open_account(qtbot, admin, runner, mfa=True)
    panel = window.two_step
    assert panel.pages.currentWidget() is panel.on_page
    panel.off_password.setText("not my password")
    panel.turn_off_button.click()
    qtbot.waitUntil(lambda: panel.error.isVisible(), timeout=WAIT_MS)
    assert panel.pages.currentWidget() is panel.on_page
    with qtbot.waitSignal(panel.turnedOff, timeout=WAIT_MS):
        panel.off_password.setText(PASSWORD)
        panel.turn_off_button.click()
    assert panel.pages.currentWidget() is panel.off_page
    ApiClient(live_server.url).login("dr.rivera", PASSWORD)  # no code any more


def test_change_password(qtbot: Any, sign_in: Any, runner: Any, live_server: Any) -> None:  # noqa: F811
    window = open_account(qtbot, sign_in("dr.rivera"), runner)

    def attempt(current: str, new: str, again: str | None = None) -> None:
        window.current_password.setText(current)
        window.new_password.setText(new)
        window.repeat_password.setText(new if again is None else again)
        window.change_button.click()
        qtbot.waitUntil(lambda: window.change_button.isEnabled()
                        and bool(window.password_message.text()), timeout=WAIT_MS)

    attempt(PASSWORD, "a long new passphrase", "a different one")
    assert "not the same" in window.password_message.text()
    attempt(PASSWORD, "elevenchars")  # under 12 characters
    assert "12" in window.password_message.text()  # the server's reason
    assert window.new_password.text() == "elevenchars"  # nothing typed is thrown away
    attempt("not the current one", "violet staple horizon 42")
    assert "current password is not right" in window.password_message.text()
    with qtbot.waitSignal(window.passwordChanged, timeout=WAIT_MS):
        attempt(PASSWORD, "violet staple horizon 42")
    assert "was changed" in window.password_message.text()
    ApiClient(live_server.url).login("dr.rivera", "violet staple horizon 42")
    with pytest.raises(ApiError):
        ApiClient(live_server.url).login("dr.rivera", PASSWORD)
