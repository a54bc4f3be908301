"""A connection of its own for the change feed's long poll, which another thread can cut.

The long poll (GET /changes with a wait) blocks in a socket read for up to the wait. To
stop the engine without waiting that out, the pull loop sends its polls over a PollLine:
`cut()` shuts the sockets of the line's connections down, so the read ends at once with
a connection error (which the stopped pull loop drops). Only the line's own connections
are cut, never those of other requests made with the same ApiClient.
"""

from __future__ import annotations

import socket
import threading
import weakref
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class _CuttableAdapter(HTTPAdapter):
    """An adapter that remembers the connections it opens, so they can be cut."""

    def __init__(self, **options: Any) -> None:
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self.lock = threading.Lock()
        super().__init__(**options)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        adapter = self

        def remembering(base: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
            class Remembering(base):  # type: ignore[valid-type, misc]
                def _new_conn(self) -> Any:
                    conn = super()._new_conn()
                    with adapter.lock:
                        adapter.connections.add(conn)
                    return conn

            return Remembering

        self.poolmanager.pool_classes_by_scheme = {
            "http": remembering(HTTPConnectionPool),
            "https": remembering(HTTPSConnectionPool),
        }

    def cut(self) -> None:
        with self.lock:
            connections = list(self.connections)
        for conn in connections:
            sock = getattr(conn, "sock", None)
            if sock is None:
                continue
            try:
                # The plain socket's shutdown, also under TLS: the reading thread's
                # SSL object is left alone and its read fails cleanly.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


class PollLine:
    """A session for long polls only; made by ApiClient.poll_line()."""

    def __init__(self, configure: Any) -> None:
        self._adapter = _CuttableAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        self.session = requests.Session()
        configure(self.session, self._adapter)

    def cut(self) -> None:
        """Ends a poll in flight on this line at once (it raises NetworkError)."""
        self._adapter.cut()

    def close(self) -> None:
        self.session.close()
