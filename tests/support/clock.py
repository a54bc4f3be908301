"""A clock tests can move forward: give it to the server as `Settings.clock`."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from server.db.types import utcnow


class MovableClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return utcnow() + self._offset

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._offset += timedelta(**delta)
