"""Secrets kept in the OS keyring: the cache's encryption key and the sign-in token.

The cache key is 32 random bytes made on first use; it is never written anywhere but the
keyring. An account is whatever names one sign-in, e.g. "dr.rivera@https://clinic.example".
"""

from __future__ import annotations

import secrets

import keyring
import keyring.errors

SERVICE = "practice-inbox"
KEY_BYTES = 32


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used (none installed, locked, or it refused)."""


def _get(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring cannot be read: {exc}") from exc


def _set(name: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring cannot be written: {exc}") from exc


def _delete(name: str) -> None:
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"The system keyring cannot be changed: {exc}") from exc


def _decode_key(stored: str | None) -> bytes | None:
    if stored is None:
        return None
    try:
        key = bytes.fromhex(stored)
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def existing_cache_key(account: str) -> bytes | None:
    """The account's cache key if the keyring holds a valid one, else None."""
    return _decode_key(_get(f"cache-key:{account}"))


def cache_key(account: str) -> bytes:
    """The account's cache key, created (and stored in the keyring) if there is none yet."""
    key = existing_cache_key(account)
    if key is None:
        key = secrets.token_bytes(KEY_BYTES)
        _set(f"cache-key:{account}", key.hex())
    return key


def forget_cache_key(account: str) -> None:
    _delete(f"cache-key:{account}")


def save_token(account: str, token: str) -> None:
    _set(f"token:{account}", token)


def load_token(account: str) -> str | None:
    return _get(f"token:{account}")


def forget_token(account: str) -> None:
    _delete(f"token:{account}")
