"""The whole run's server log, checked for what people wrote.

Every practice server the tests start runs in the test process, so one handler on the root
logger hears all of them: every warning and error (with its traceback) from any library, and
the server's own lines from INFO up. Meanwhile every subject and message text a server stores
(thread, message and draft rows, whichever route wrote them: API, portal or desktop) is
remembered. When the run ends none of those texts may appear in the log.
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event

from server.db.models import Draft, Message, Thread

# Shorter texts ("Thanks", "Checking in") are too common to mean anything when found.
MIN_TEXT_CHARS = 16
TAGS = re.compile(r"<[^>]*>")


class SuiteLog(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(level=logging.INFO)
        self.path = path
        self._file: Any = None
        self._lock = threading.Lock()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".")[0] == "server"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a record that cannot be formatted is not a leak
            return
        with self._lock:
            if self._file is None:
                self._file = self.path.open("a", encoding="utf-8", buffering=1)
            self._file.write(line + "\n")

    def remember(self, *texts: Any) -> None:
        for text in texts:
            if isinstance(text, str):
                plain = " ".join(html.unescape(TAGS.sub(" ", text)).split())
                if len(plain) >= MIN_TEXT_CHARS:
                    with self._lock:
                        self.texts.add(plain)

    def leaks(self) -> list[tuple[str, str]]:
        """(text, log line) for every remembered text found in the log: each line is looked
        at once, every text found through its first MIN_TEXT_CHARS characters."""
        self.close()
        with self._lock:
            by_start: dict[str, list[str]] = {}
            for text in self.texts:
                by_start.setdefault(text[:MIN_TEXT_CHARS], []).append(text)
        found: list[tuple[str, str]] = []
        if not self.path.exists():
            return found  # nothing was logged
        with self.path.open(encoding="utf-8") as log:
            for line in log:
                plain = " ".join(html.unescape(line).split())
                for i in range(len(plain) - MIN_TEXT_CHARS + 1):
                    for text in by_start.get(plain[i:i + MIN_TEXT_CHARS], ()):
                        if plain.startswith(text, i):
                            found.append((text, line.rstrip()))
        return found

    def close(self) -> None:
        """Closes the file only (logging.config closes every handler when it is used, as
        uvicorn does on each start): the next line opens it again."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def install() -> SuiteLog:
    """Starts hearing the log and the stored texts; returns the handler to check at the end."""
    handler = SuiteLog(Path(tempfile.mkdtemp(prefix="suite-log-")) / "server.log")
    logging.getLogger().addHandler(handler)
    server_log = logging.getLogger("server")
    if server_log.getEffectiveLevel() > logging.INFO:
        server_log.setLevel(logging.INFO)

    def stored(_mapper: Any, _connection: Any, row: Any) -> None:
        handler.remember(getattr(row, "subject", None), getattr(row, "body_text", None),
                         getattr(row, "body_html", None))

    for model in (Thread, Message, Draft):
        event.listen(model, "before_insert", stored)
        event.listen(model, "before_update", stored)
    return handler
