"""A keyring backend that behaves like a machine without any keyring service."""

from __future__ import annotations

import keyring.backend
import keyring.errors


class NoKeyring(keyring.backend.KeyringBackend):
    """Behaves like a machine without any keyring service."""

    priority = 0  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")
