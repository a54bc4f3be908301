"""Secrets live in the OS keyring only: the cache key and the sign-in token."""

from __future__ import annotations

import keyring
import pytest

from sync import keys
from sync.memory_keyring import MemoryKeyring
from tests.sync.memory_keyring import BrokenKeyring


def test_the_cache_key_is_made_once_and_kept_in_the_keyring(
        memory_keyring: MemoryKeyring) -> None:
    assert keys.existing_cache_key("dr.rivera@clinic") is None
    first = keys.cache_key("dr.rivera@clinic")
    assert len(first) == 32
    assert keys.cache_key("dr.rivera@clinic") == first
    assert keys.cache_key("dr.chen@clinic") != first
    stored = memory_keyring.entries[(keys.SERVICE, "cache-key:dr.rivera@clinic")]
    assert bytes.fromhex(stored) == first
    keys.forget_cache_key("dr.rivera@clinic")
    assert keys.existing_cache_key("dr.rivera@clinic") is None
    assert keys.cache_key("dr.rivera@clinic") != first


def test_a_damaged_key_entry_counts_as_missing(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[(keys.SERVICE, "cache-key:x")] = "not hex at all"
    assert keys.existing_cache_key("x") is None
    assert len(keys.cache_key("x")) == 32


def test_tokens_are_saved_loaded_and_forgotten() -> None:
    assert keys.load_token("alex@clinic") is None
    keys.save_token("alex@clinic", "secret-token")
    assert keys.load_token("alex@clinic") == "secret-token"
    keys.forget_token("alex@clinic")
    keys.forget_token("alex@clinic")  # forgetting twice is fine
    assert keys.load_token("alex@clinic") is None


def test_an_unusable_keyring_raises_keyring_unavailable() -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(keys.KeyringUnavailable, match="keyring"):
        keys.cache_key("dr.rivera@clinic")
    with pytest.raises(keys.KeyringUnavailable):
        keys.save_token("dr.rivera@clinic", "t")
