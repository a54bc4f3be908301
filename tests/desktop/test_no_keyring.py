"""A workstation with no keyring service (keyring's own `fail` backend, as on a bare Linux
desktop): sign-in works, the token is not kept, the cache key is wrapped with the password,
and every start asks for the password and opens the same cache without downloading it again.
A wrong password changes nothing; a changed one re-wraps the key at the next sign-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from desktop.dialogs.previous_password import PreviousPasswordDialog
from desktop.dialogs.sign_in import SignInDialog
from desktop.session import account_dir, account_name
from desktop.startup import Startup
from server.auth.passwords import hash_password
from server.db.models import Person
from sync import wrapped_key
from tests.desktop.conftest import PASSWORD
from tests.desktop.people import Person as Someone

NEW_PASSWORD = "a-brand-new-password-2027"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


class Answers:
    """Answers the dialogs in turn: each step is called with the dialog when it is up."""

    alive: list[Answers] = []  # kept until the test ends, whatever the caller keeps

    def __init__(self, *steps: Callable[[QDialog], None]) -> None:
        self.steps = list(steps)
        self.seen: list[QDialog] = []
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)
        self.timer.start()
        Answers.alive.append(self)

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog) or not self.steps:
            return
        if self.seen and self.seen[-1] is dialog and not dialog.isEnabled():
            return
        if isinstance(dialog, SignInDialog) and not dialog.sign_in_button.isEnabled():
            return  # still signing in
        self.seen.append(dialog)
        self.steps.pop(0)(dialog)


@pytest.fixture(autouse=True)
def answers_end() -> Iterator[None]:
    yield
    for answers in Answers.alive:
        answers.timer.stop()
    Answers.alive.clear()


def sign_in_with(password: str, server: str = "", username: str = "") -> Callable:
    def step(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        if server:
            dialog.server.setText(server)
            dialog.username.setText(username)
        dialog.password.setText(password)
        dialog.sign_in_button.click()
    return step


def start(app_settings: Any, data_root: Path) -> Startup:
    startup = Startup(QApplication.instance(), app_settings, data_root=data_root)
    assert startup.start()
    return startup


@pytest.fixture
def places(live_server: Any, tmp_path: Path) -> tuple[Path, Path]:
    """The data folder and dr.rivera's folder in it, with a message waiting for her."""
    Someone(live_server, "alex").send(["dr.rivera"], "Tuesday", "Can we meet on Tuesday?")
    data_root = tmp_path / "inbox"
    return data_root, account_dir(data_root, account_name(live_server.url, "dr.rivera"))


def stop(startup: Startup) -> None:
    startup._close_session()


def test_a_computer_without_a_keyring_signs_in_and_keeps_its_cache(
        qtbot: Any, live_server: Any, app_settings: Any, places: tuple[Path, Path],
        no_keyring: None) -> None:
    data_root, folder = places

    # First sign-in: no dialog quitting the program, the address remembered.
    person = Answers(sign_in_with(PASSWORD, live_server.url, "dr.rivera"))
    startup = start(app_settings, data_root)
    assert len(person.seen) == 1
    assert app_settings.get("account/server_url") == live_server.url
    assert app_settings.get("account/username") == "dr.rivera"
    assert startup.session.key_wrapped
    told = [text for kind, text in startup.notices.history if "no keyring" in text]
    assert len(told) == 1 and "password opens the messages saved here" in told[0]
    assert startup.window.status.currentMessage() == told[0]
    window = startup.window
    qtbot.waitUntil(lambda: window.thread_model.total() > 0, timeout=30_000)
    stored = wrapped_key.key_file(folder).read_bytes()
    assert (folder / "cache.db").exists()
    assert not any(PASSWORD.encode() in p.read_bytes() for p in folder.rglob("*") if p.is_file())
    stop(startup)

    # Next start: the dialog again, filled in, the focus in the password; a wrong password
    # first, then the right one opens the same cache.
    def filled_in(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        assert dialog.server.text() == live_server.url and dialog.username.text() == "dr.rivera"
        assert dialog.focusWidget() is dialog.password
        sign_in_with("not my password")(dialog)

    def told_then_right(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        assert "not right" in dialog.error.text()
        assert wrapped_key.key_file(folder).read_bytes() == stored
        sign_in_with(PASSWORD)(dialog)

    person = Answers(filled_in, told_then_right)
    startup = start(app_settings, data_root)
    assert len(person.seen) == 2
    assert not person.steps  # both answered, the checks in them passed
    assert wrapped_key.key_file(folder).read_bytes() == stored
    session = startup.session
    assert session.cache.rebuilt_reason is None  # opened, not downloaded again
    assert not list(folder.glob("*.unreadable-*"))
    assert session.cache.thread_ids("inbox")  # the messages are there before any sync
    stop(startup)


def test_a_changed_password_wraps_the_key_again_at_the_next_sign_in(
        qtbot: Any, live_server: Any, app_settings: Any, places: tuple[Path, Path],
        no_keyring: None) -> None:
    data_root, folder = places
    Answers(sign_in_with(PASSWORD, live_server.url, "dr.rivera"))
    startup = start(app_settings, data_root)
    qtbot.waitUntil(lambda: startup.window.thread_model.total() > 0, timeout=30_000)
    stop(startup)
    with live_server.ctx.sessions() as db:
        rivera = db.query(Person).filter_by(username="dr.rivera").one()
        rivera.password_hash = hash_password(NEW_PASSWORD)
        db.commit()

    def previous(password: str) -> Callable:
        def step(dialog: QDialog) -> None:
            assert isinstance(dialog, PreviousPasswordDialog)
            dialog.password.setText(password)
            dialog.open_button.click()
        return step

    person = Answers(sign_in_with(NEW_PASSWORD), previous("wrong guess"), previous(PASSWORD))
    startup = start(app_settings, data_root)
    assert isinstance(person.seen[1], PreviousPasswordDialog)
    assert "not your previous password" in person.seen[1].error.text()
    assert startup.session.cache.rebuilt_reason is None
    assert startup.session.cache.thread_ids("inbox")
    assert wrapped_key.unwrap(folder, account_name(live_server.url, "dr.rivera"), NEW_PASSWORD)
    stop(startup)

    person = Answers(sign_in_with(NEW_PASSWORD))
    startup = start(app_settings, data_root)
    assert len(person.seen) == 1  # the new password alone opens it now
    assert startup.session.cache.rebuilt_reason is None
    stop(startup)
