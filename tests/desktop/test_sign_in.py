"""Sign-in dialog against a real server: the errors a person reads, and the TOTP step."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pyotp
import pytest

from desktop.dialogs.sign_in import SignInDialog
from desktop.error_text import sign_in_error_text
from desktop.tasks import TaskRunner
from sync.api import ApiClient
from sync.errors import NetworkError
from tests.desktop.conftest import PASSWORD
from tests.desktop.tls_peer import UntrustedTlsServer
from tests.support.live_server import LiveServer


def make_dialog(qtbot: Any, url: str, username: str = "dr.rivera") -> SignInDialog:
    runner = TaskRunner()
    dialog = SignInDialog(runner, url, username)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot: Any, dialog: SignInDialog, password: str, code: str = "") -> None:
    dialog.password.setText(password)
    if code:
        dialog.totp.setText(code)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=15_000)


def test_wrong_password_is_said_plainly(qtbot: Any, live_server: LiveServer) -> None:
    dialog = make_dialog(qtbot, live_server.url)
    attempt(qtbot, dialog, "not-the-password")
    assert dialog.error.isVisible()
    assert "username or password is not right" in dialog.error.text()
    assert dialog.result_login is None


def test_right_password_signs_in(qtbot: Any, live_server: LiveServer) -> None:
    dialog = make_dialog(qtbot, live_server.url)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()
    assert dialog.result_login["user"]["username"] == "dr.rivera"
    assert dialog.api is not None and dialog.api.token


def test_too_many_attempts_says_how_long_to_wait(qtbot: Any, live_server: LiveServer) -> None:
    dialog = make_dialog(qtbot, live_server.url, "frontdesk")
    for _ in range(10):
        attempt(qtbot, dialog, "wrong")
    attempt(qtbot, dialog, "wrong")
    text = dialog.error.text()
    assert "Too many failed attempts" in text
    assert "minute" in text


def test_unreachable_server(qtbot: Any, live_server: LiveServer) -> None:
    url = live_server.url
    live_server.stop()
    dialog = make_dialog(qtbot, url)
    attempt(qtbot, dialog, PASSWORD)
    assert "cannot be reached" in dialog.error.text()


def test_a_server_that_never_answers_is_said_to_be_slow_not_unreachable() -> None:
    """The kind of network failure travels with the error, not in its English text."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # takes the connection, never answers
        api = ApiClient(f"http://127.0.0.1:{silent.getsockname()[1]}", read_timeout=0.5)
        with pytest.raises(NetworkError) as raised:
            api.login("dr.rivera", PASSWORD)
    assert raised.value.timed_out
    assert "did not answer in time" in sign_in_error_text(raised.value)


def test_certificate_problem(qtbot: Any, tmp_path: Path) -> None:
    with UntrustedTlsServer(tmp_path) as tls:
        dialog = make_dialog(qtbot, tls.url)
        attempt(qtbot, dialog, PASSWORD)
    assert "certificate" in dialog.error.text()


def test_plain_http_to_another_machine_is_refused(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, "http://inbox.example.org")
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    assert "https://" in dialog.error.text()


def test_totp_code_is_asked_when_the_server_wants_one(qtbot: Any,
                                                      live_server: LiveServer) -> None:
    from server.db.models import Person

    secret = pyotp.random_base32()
    with live_server.ctx.sessions() as db:
        person = db.get(Person, live_server.person_id("dr.chen"))
        person.totp_secret = secret
        db.commit()
    dialog = make_dialog(qtbot, live_server.url, "dr.chen")
    assert not dialog.totp.isVisible()
    attempt(qtbot, dialog, PASSWORD)
    assert dialog.totp.isVisible()
    assert "6-digit code" in dialog.error.text()
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.totp.setText(pyotp.TOTP(secret).now())
        dialog.sign_in_button.click()
    assert dialog.result_login["user"]["username"] == "dr.chen"
