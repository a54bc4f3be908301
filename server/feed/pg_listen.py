"""PostgreSQL LISTEN loop: wakes this process's long polls for changes made by any process."""

from __future__ import annotations

import logging
import threading

import psycopg

from server.feed.hub import FeedHub
from server.feed.record import NOTIFY_CHANNEL

log = logging.getLogger(__name__)


class PgListener:
    def __init__(self, conninfo: str, hub: FeedHub) -> None:
        self._conninfo = conninfo
        self._hub = hub
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    if self.ready.is_set():  # reconnected: what was announced meanwhile is lost
                        self._hub.wake_everyone()
                    self.ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5, stop_after=50):
                            self._hub.wake({p for p in note.payload.split(",") if p})
            except psycopg.Error as exc:
                log.warning("feed listener lost its connection (%s); reconnecting", exc)
                self._stop.wait(1.0)
