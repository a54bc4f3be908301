"""The cache key kept on disk, wrapped with the user's password, for computers with no keyring.

Where no OS keyring service exists (a bare Linux desktop, a kiosk), the cache's random key is
encrypted (AES-256-GCM) with a key derived from the user's password by argon2id — with the
parameters the server hashes passwords with — and kept beside the cache, never the token.
Only someone who knows the password can open the cache: each start asks for it. A wrong
password opens nothing and changes nothing; after a password change the key is unwrapped with
the previous password once and wrapped again with the new one.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from argon2.profiles import RFC_9106_LOW_MEMORY
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FILE_NAME = "cache-key.wrapped"
KEY_BYTES = 32
VERSION = 1


class WrongPassword(Exception):
    """The password does not unwrap the key (mistyped, or changed since it was wrapped)."""


class DamagedKeyFile(Exception):
    """The wrapped key's file cannot be read at all."""


def key_file(folder: Path) -> Path:
    return folder / FILE_NAME


def has_wrapped_key(folder: Path) -> bool:
    return key_file(folder).is_file()


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=int(params["time_cost"]),
                           memory_cost=int(params["memory_cost"]),
                           parallelism=int(params["parallelism"]), hash_len=KEY_BYTES,
                           type=Type.ID)


def wrap(folder: Path, account: str, key: bytes, password: str) -> None:
    """Writes `key` wrapped with `password` (replacing any earlier file in one step)."""
    profile = RFC_9106_LOW_MEMORY
    params = {"time_cost": profile.time_cost, "memory_cost": profile.memory_cost,
              "parallelism": profile.parallelism}
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(password, salt, params)).encrypt(nonce, key, account.encode())
    record = {"version": VERSION, "kdf": "argon2id", **params, "salt": salt.hex(),
              "nonce": nonce.hex(), "wrapped": sealed.hex()}
    folder.mkdir(parents=True, exist_ok=True)
    path = key_file(folder)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(record, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def unwrap(folder: Path, account: str, password: str) -> bytes:
    """The key kept in `folder`; WrongPassword if `password` does not open it."""
    try:
        record = json.loads(key_file(folder).read_text(encoding="utf-8"))
        salt, nonce = bytes.fromhex(record["salt"]), bytes.fromhex(record["nonce"])
        sealed = bytes.fromhex(record["wrapped"])
        if record.get("kdf") != "argon2id":
            raise ValueError(record.get("kdf"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamagedKeyFile(f"The saved key of this computer's copy cannot be read: {exc}") \
            from exc
    try:
        key = AESGCM(_derive(password, salt, record)).decrypt(nonce, sealed, account.encode())
    except InvalidTag as exc:
        raise WrongPassword("That password does not open the saved messages.") from exc
    if len(key) != KEY_BYTES:
        raise DamagedKeyFile("The saved key of this computer's copy has the wrong size.")
    return key


def open_or_create(folder: Path, account: str, password: str) -> tuple[bytes, bool]:
    """(key, created): the wrapped key unwrapped, or a new one wrapped when there is none."""
    if has_wrapped_key(folder):
        return unwrap(folder, account, password), False
    key = secrets.token_bytes(KEY_BYTES)
    wrap(folder, account, key, password)
    return key, True


def rewrap(folder: Path, account: str, old_password: str, new_password: str) -> bytes:
    """Unwraps with the previous password and wraps with the new one; returns the key."""
    key = unwrap(folder, account, old_password)
    wrap(folder, account, key, new_password)
    return key
