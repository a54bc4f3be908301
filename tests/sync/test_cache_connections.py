"""The cache's own connection pool over a real SQLCipher file: transactions commit or roll back
whole, readers on several threads each read their own snapshot, parameters mean what they
meant under SQLAlchemy, and a late read after closing still works."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.cache import Cache, CacheUnreadable
from sync.cache.connection import open_pool
from sync.cache.mirror import select_in_json


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    opened = Cache.open(tmp_path / "cache.db", os.urandom(32))
    yield opened
    opened.close()


def _meta(cache: Cache, key: str) -> str | None:
    with cache.read() as conn:
        return Cache.get_meta(conn, key)


def test_a_write_that_raises_leaves_nothing_and_the_next_one_works(cache: Cache) -> None:
    with pytest.raises(ZeroDivisionError), cache.write() as conn:
        Cache.set_meta(conn, "half", "written")
        _ = 1 / 0
    assert _meta(cache, "half") is None
    with cache.write() as conn:
        Cache.set_meta(conn, "whole", "written")
    assert _meta(cache, "whole") == "written"


def test_a_failed_statement_rolls_back_what_came_before_it(cache: Cache) -> None:
    with pytest.raises(Exception, match="no such table"), cache.write() as conn:
        Cache.set_meta(conn, "before", "x")
        conn.exec_driver_sql("INSERT INTO nowhere VALUES (1)")
    assert _meta(cache, "before") is None


def test_a_list_runs_once_per_row_and_a_tuple_once(cache: Cache) -> None:
    with cache.write() as conn:
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)",
                             [("a", "1"), ("b", "2"), ("c", "3")])
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)", ("d", "4"))
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)", [])
    with cache.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT key, value FROM meta WHERE key IN ('a', 'b', 'c', 'd') ORDER BY key").all()
        assert rows == [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]
        assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = :k",
                                    {"k": "c"}).scalar() == "3"
        assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'none'").first() is None
        with pytest.raises(LookupError):
            conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'none'").scalar_one()
        with pytest.raises(LookupError):
            conn.exec_driver_sql("SELECT value FROM meta").scalar_one()


def test_a_reader_keeps_its_snapshot_while_another_thread_writes(cache: Cache) -> None:
    with cache.write() as conn:
        Cache.set_meta(conn, "seen", "old")
    reading, written = threading.Event(), threading.Event()
    seen: list[str | None] = []

    def reader() -> None:
        with cache.read() as conn:
            seen.append(Cache.get_meta(conn, "seen"))
            reading.set()
            written.wait(10)
            seen.append(Cache.get_meta(conn, "seen"))  # the same transaction: the same answer
        seen.append(_meta(cache, "seen"))  # a new one sees the write

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(10)
    with cache.write() as conn:
        Cache.set_meta(conn, "seen", "new")
    written.set()
    thread.join(10)
    assert seen == ["old", "old", "new"]


def test_a_read_after_closing_still_answers(cache: Cache) -> None:
    with cache.write() as conn:
        Cache.set_meta(conn, "late", "answered")
    cache.close()
    assert _meta(cache, "late") == "answered"  # a view finishing after sign-out


def test_the_wrong_key_is_told_apart_from_other_failures(tmp_path: Path) -> None:
    Cache.open(tmp_path / "cache.db", os.urandom(32)).close()
    with pytest.raises(CacheUnreadable):
        open_pool(tmp_path / "cache.db", os.urandom(32))
    with pytest.raises(ValueError, match="32 bytes"):
        open_pool(tmp_path / "other.db", b"short")


def test_json_rows_are_the_rows_the_statement_would_return(cache: Cache) -> None:
    """One JSON answer instead of a row at a time: the same values, and none for no match."""
    with cache.write() as conn:
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)",
                             [(f"k{n:04d}", f"«{n}» \"quoted\"\n") for n in range(1200)])
    with cache.read() as conn:
        plain = conn.exec_driver_sql(
            "SELECT key, value, length(value) FROM meta WHERE key LIKE 'k%' ORDER BY key").all()
        as_json = conn.json_rows(
            "SELECT json_group_array(json_array(key, value, length(value))) FROM "
            "(SELECT key, value FROM meta WHERE key LIKE 'k%' ORDER BY key)")
        assert [tuple(r) for r in as_json] == plain
        assert conn.json_rows("SELECT json_group_array(json_array(key)) FROM meta "
                              "WHERE key = 'none'") == []
        assert conn.json_rows("SELECT NULL") == []
        keys = [f"k{n:04d}" for n in range(0, 1200, 3)]  # more than one statement's parameters
        chosen = select_in_json(conn, "SELECT json_group_array(json_array(key)) FROM meta "
                                "WHERE key IN ({ids})", keys)
        assert sorted(r[0] for r in chosen) == keys
