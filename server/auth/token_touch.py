"""Token "last used" times, kept in memory and written in one short transaction at a time.

Checking a token is a read; writing its idle timer on the request's own path would take the
SQLite write lock (or a PostgreSQL row lock) for every signed-in request. The times are
written at most every `flush_seconds`, which the idle expiry (hours) does not notice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Token

log = logging.getLogger(__name__)


class TokenTouches:
    def __init__(self, flush_seconds: float = 15.0) -> None:
        self.flush_seconds = flush_seconds
        self._pending: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sessions: sessionmaker[Session] | None = None

    def note(self, token_id: str, at: datetime) -> None:
        with self._lock:
            self._pending[token_id] = max(at, self._pending.get(token_id, at))

    def last_noted(self, token_id: str) -> datetime | None:
        with self._lock:
            return self._pending.get(token_id)

    def flush(self, sessions: sessionmaker[Session]) -> int:
        """Write every pending time; on a failure they stay pending for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            with sessions() as db:
                for token_id, at in sorted(pending.items()):
                    db.execute(
                        update(Token)
                        .where(Token.id == token_id, Token.last_used_at < at)
                        .values(last_used_at=at)
                    )
                db.commit()
        except SQLAlchemyError:
            log.warning("token use times not written yet; retrying later")
            for token_id, at in pending.items():
                self.note(token_id, at)
            return 0
        return len(pending)

    def start(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="token-touches", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._sessions is not None
        while not self._stop.wait(self.flush_seconds):
            self.flush(self._sessions)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._sessions is not None:
            self.flush(self._sessions)
