"""A keyring that refuses every call, for the sync tests of a locked or missing keyring."""

from __future__ import annotations

import keyring.errors

from sync.memory_keyring import MemoryKeyring


class BrokenKeyring(MemoryKeyring):
    """A keyring that refuses every call, as a locked or missing one does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the keyring is locked")
