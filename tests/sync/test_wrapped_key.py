"""The cache key wrapped with the password: opens with it only, survives a wrong password,
and is wrapped again after a password change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sync import wrapped_key
from sync.wrapped_key import DamagedKeyFile, WrongPassword

ACCOUNT = "dr.rivera@https://clinic.example"


def test_the_key_opens_with_the_password_and_nothing_else(tmp_path: Path) -> None:
    key, created = wrapped_key.open_or_create(tmp_path, ACCOUNT, "first password")
    assert created and len(key) == 32
    stored = wrapped_key.key_file(tmp_path).read_text()
    assert key.hex() not in stored and "first password" not in stored
    assert json.loads(stored)["kdf"] == "argon2id"
    if os.name == "posix":
        assert wrapped_key.key_file(tmp_path).stat().st_mode & 0o077 == 0

    assert wrapped_key.open_or_create(tmp_path, ACCOUNT, "first password") == (key, False)
    before = wrapped_key.key_file(tmp_path).read_bytes()
    with pytest.raises(WrongPassword):
        wrapped_key.unwrap(tmp_path, ACCOUNT, "wrong password")
    with pytest.raises(WrongPassword):
        wrapped_key.open_or_create(tmp_path, ACCOUNT, "wrong password")
    with pytest.raises(WrongPassword):  # bound to its account too
        wrapped_key.unwrap(tmp_path, "someone.else@https://clinic.example", "first password")
    assert wrapped_key.key_file(tmp_path).read_bytes() == before


def test_a_changed_password_wraps_the_same_key_again(tmp_path: Path) -> None:
    key, _ = wrapped_key.open_or_create(tmp_path, ACCOUNT, "old password")
    assert wrapped_key.rewrap(tmp_path, ACCOUNT, "old password", "new password") == key
    assert wrapped_key.unwrap(tmp_path, ACCOUNT, "new password") == key
    with pytest.raises(WrongPassword):
        wrapped_key.unwrap(tmp_path, ACCOUNT, "old password")


def test_a_damaged_file_is_said_plainly(tmp_path: Path) -> None:
    wrapped_key.key_file(tmp_path).write_text("{not json")
    with pytest.raises(DamagedKeyFile):
        wrapped_key.unwrap(tmp_path, ACCOUNT, "any")
