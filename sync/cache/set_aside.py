"""Cache files set aside because they could not be opened, and when they are deleted.

When the key of a cache is missing from the keyring or does not open the file, the file
(with its WAL files) is renamed to `<name>.unreadable-<YYYYmmdd-HHMMSS>` and a new cache
is synced from the server; everything in it is on the server again except commands that
were still unsent. The copy is kept for a week, in case the key turns up again (a keyring
restored from a backup) and those commands are wanted. Each time the cache is opened,
copies of the same cache set aside more than a week earlier are deleted: opening is the
one moment the program touches the folder anyway, and it also catches copies left by an
earlier run that quit before its rebuild finished. The time a copy was set aside is read
from its name (local time, as written); a name that does not carry one falls back to the
file's modification time.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_SECONDS = 7 * 24 * 3600
_MARK = ".unreadable-"
_STAMP = "%Y%m%d-%H%M%S"


def move_aside(path: Path) -> Path:
    """Renames the cache file (and its WAL files) out of the way; returns the new name."""
    stamp = time.strftime(_STAMP)
    target = path.with_name(f"{path.name}{_MARK}{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{_MARK}{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            os.replace(source, Path(str(target) + suffix))
    return target


def _set_aside_at(copy: Path, prefix: str) -> float:
    try:
        return time.mktime(time.strptime(copy.name[len(prefix):][:15], _STAMP))
    except ValueError:
        return copy.stat().st_mtime


def remove_old_set_aside(path: Path, keep_seconds: float = KEEP_SECONDS,
                         now: float | None = None) -> list[Path]:
    """Deletes copies of the cache at `path` set aside more than `keep_seconds` ago;
    returns the files deleted. A file that cannot be deleted is left and logged."""
    now = time.time() if now is None else now
    prefix = f"{path.name}{_MARK}"
    removed: list[Path] = []
    try:
        candidates = sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))
    except OSError:
        return removed
    for copy in candidates:
        try:
            if not copy.is_file() or now - _set_aside_at(copy, prefix) <= keep_seconds:
                continue
            copy.unlink()
            removed.append(copy)
        except OSError as exc:
            log.warning("could not delete a set-aside cache file: %s", exc.strerror)
    return removed
