"""The encrypted local cache: schema, writes of server data, optimistic edits, and reads."""

from sync.cache.connection import CacheUnreadable
from sync.cache.schema import CacheTooNew
from sync.cache.store import Cache

__all__ = ["Cache", "CacheTooNew", "CacheUnreadable"]
