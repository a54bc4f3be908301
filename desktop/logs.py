"""The inbox's log: a rotating file in the user's log folder (never beside the program) plus
warnings on stderr, both written so that no message text reaches them.

Folders, from platformdirs: ~/.local/state/practice-inbox/log on Linux,
%LOCALAPPDATA%\\practice-inbox\\practice-inbox\\Logs on Windows (beside the cache),
~/Library/Logs/practice-inbox on macOS.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "practice-inbox"
LOG_FILE_NAME = "practice-inbox.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 4
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# Fields of engine events, API answers and cache rows that hold what people wrote or who wrote
# it; an argument carrying one of them is logged as its type name only.
CONTENT_FIELDS = frozenset({
    "subject", "body", "body_html", "body_text", "sender_name", "filename", "participants",
    "attachments", "messages", "note", "to",
})
# SQLAlchemy puts a statement's bound values (message bodies among them) into its errors.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|\Z)", re.DOTALL)


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def _carries_content(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(CONTENT_FIELDS & {str(key) for key in value})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return bool(CONTENT_FIELDS & {f.name for f in dataclasses.fields(value)})
    return any(hasattr(value, name) for name in ("subject", "body_html", "sender_name"))


class _Hidden:
    """Stands in for a content-bearing argument: shows its type, for %s and %r alike."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _redacted(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, type(None), BaseException)):
        return value
    if _carries_content(value):
        return _Hidden(f"<{type(value).__name__}>")
    if isinstance(value, (list, tuple)) and any(_carries_content(item) for item in value):
        return _Hidden(f"<{type(value).__name__} of {len(value)}>")
    return value


def scrub(text: str) -> str:
    """Removes bound SQL parameters from formatted text."""
    return _SQL_PARAMETERS.sub("[parameters hidden]", text)


class PrivacyFormatter(logging.Formatter):
    """Formats a record with content-bearing arguments replaced by their type name and SQL
    parameters removed, from the message and from any traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        safe = copy.copy(record)
        if isinstance(safe.args, tuple):
            safe.args = tuple(_redacted(arg) for arg in safe.args)
        elif isinstance(safe.args, dict) and _carries_content(safe.args):
            # one dict argument: logging keeps it as the mapping for "%(key)s" formats
            if "%(" in str(safe.msg):
                safe.args = {key: _Hidden(f"<{key}>") if key in CONTENT_FIELDS else value
                             for key, value in safe.args.items()}
            else:
                safe.args = _Hidden("<dict>")  # type: ignore[assignment]
        safe.msg = _redacted(safe.msg) if not isinstance(safe.msg, str) else safe.msg
        return scrub(super().format(safe))


def log_to_file(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Adds the rotating log file to the root logger and makes the stderr handlers private and
    quiet (WARNING and above). Returns the file's path, or None when the folder cannot be made
    (then only stderr is used, and the program goes on)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if type(handler) is logging.StreamHandler:
            fmt = handler.formatter._fmt if handler.formatter else None  # noqa: SLF001
            handler.setFormatter(PrivacyFormatter(fmt))
            handler.setLevel(max(handler.level, logging.WARNING))
        if isinstance(handler, RotatingFileHandler) and getattr(handler, "practice_inbox", False):
            return Path(handler.baseFilename)
    target = (folder or log_dir()) / LOG_FILE_NAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                      encoding="utf-8", delay=True)
    except OSError as error:
        print(f"practice-inbox: not writing a log file ({error}).", file=sys.stderr)
        return None
    handler.practice_inbox = True  # type: ignore[attr-defined]
    handler.root_level_before = root.level  # type: ignore[attr-defined]
    handler.setFormatter(PrivacyFormatter(FILE_FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return target


def stop_logging_to_file() -> None:
    """Closes and removes the handler log_to_file added, and puts the root logger's level back
    (the self-test's end, and tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "practice_inbox", False):
            root.removeHandler(handler)
            handler.close()
            root.setLevel(handler.root_level_before)  # type: ignore[attr-defined]
