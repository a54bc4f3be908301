"""Cache copies set aside after a lost or wrong key are kept a week, then deleted at the
next open; copies of other caches and recent ones are left alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sync.cache import Cache
from sync.cache.set_aside import KEEP_SECONDS, move_aside, remove_old_set_aside

DAY = 24 * 3600


def _set_aside(path: Path, days_ago: float, extra: str = "") -> list[Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() - days_ago * DAY))
    files = [path.with_name(f"{path.name}.unreadable-{stamp}{extra}{suffix}")
             for suffix in ("", "-wal")]
    for file in files:
        file.write_bytes(b"not readable without its key")
    return files


def test_copies_older_than_a_week_go_at_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    old = _set_aside(path, days_ago=8)
    older_twin = _set_aside(path, days_ago=8, extra="-2")
    recent = _set_aside(path, days_ago=6)
    other_cache = _set_aside(tmp_path / "other.db", days_ago=30)
    unstamped = path.with_name(f"{path.name}.unreadable-by-hand")
    unstamped.write_bytes(b"x")
    os.utime(unstamped, (time.time() - 9 * DAY, time.time() - 9 * DAY))

    cache = Cache.open(path, os.urandom(32))
    cache.close()
    for file in [*old, *older_twin, unstamped]:
        assert not file.exists(), file.name
    for file in [*recent, *other_cache]:
        assert file.exists(), file.name
    assert path.exists()


def test_a_copy_set_aside_now_is_kept_a_week(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    cache = Cache.open(path, os.urandom(32))
    cache.close()
    cache = Cache.open(path, os.urandom(32))  # another key: set aside and made again
    assert cache.rebuilt_reason and "set aside" in cache.rebuilt_reason
    cache.close()
    copies = list(tmp_path.glob("inbox.db.unreadable-*"))
    assert copies
    assert remove_old_set_aside(path) == []
    assert all(c.exists() for c in copies)
    removed = remove_old_set_aside(path, now=time.time() + KEEP_SECONDS + 60)
    assert sorted(removed) == sorted(copies)
    assert not list(tmp_path.glob("inbox.db.unreadable-*"))


def test_moving_aside_twice_in_a_second_keeps_both(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    path.write_bytes(b"first")
    first = move_aside(path)
    path.write_bytes(b"second")
    second = move_aside(path)
    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
