"""Checks the password typed on the lock screen against the server, off the GUI thread.

A sign-in with the password proves it; the extra token is revoked at once. When the server
cannot be reached, a password already proven in this run of the program is checked against
an argon2 hash kept in memory only, so a workstation can be unlocked while offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from PySide6.QtCore import QObject, Signal

from desktop.error_text import sign_in_error_text
from sync.api import ApiClient
from sync.errors import ApiError, NetworkError

if TYPE_CHECKING:
    from desktop.session import Session


class PasswordCheck(QObject):
    """Signals:
    accepted(): the password is right.
    refused(str): why not, in plain words.
    """

    accepted = Signal()
    refused = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        self._known_hash: str | None = None

    def remember(self, password: str) -> None:
        """Keep a hash of a password just proven (at sign-in), for offline unlocking."""
        self._known_hash = self._hasher.hash(password)

    def check(self, password: str) -> None:
        self.session.runner.run(lambda: self._verify(password), self._done, self._failed)

    def _verify(self, password: str) -> bool:
        username = self.session.user.get("username") or ""
        client = ApiClient(self.session.server_url,
                           verify=getattr(self.session.api, "verify", True))
        try:
            client.login(username, password)
        except NetworkError:
            if self._known_hash is None:
                raise
            try:
                return self._hasher.verify(self._known_hash, password)
            except VerificationError:
                return False
        except ApiError as error:
            if error.code == "invalid_credentials":
                return False
            raise
        else:
            try:
                client.logout()
            except (ApiError, NetworkError):
                pass
        finally:
            client.close()
        self._known_hash = self._hasher.hash(password)
        return True

    def _done(self, ok: bool) -> None:
        if ok:
            self.accepted.emit()
        else:
            self.refused.emit(self.tr("That password is not right."))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, NetworkError):
            self.refused.emit(self.tr(
                "The server cannot be reached to check your password. Try again when the "
                "connection is back."))
        else:
            self.refused.emit(sign_in_error_text(error))
