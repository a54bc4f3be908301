"""A fault-injecting HTTP proxy on loopback, between the engine and the real server.

Each client connection carries one request (the proxy asks both sides to close after it).
Per request the proxy passes it through, or:
  drop_before  closes the connection before the request reaches the server;
  drop_after   lets the server act, then closes without passing the answer on;
  bad_gateway  answers 502 itself;
  stall        lets the server act, then holds the answer until the client gives up.
`once(prefix, mode)` aims a fault at the next request whose first line starts with prefix;
`rewrite` can alter an answer on its way back (for tests of bad server input);
`without_snapshot` makes one that answers as a server from before GET /snapshot.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable

MODES = ("pass", "drop_before", "drop_after", "bad_gateway", "stall")
Rewrite = Callable[[bytes, bytes], bytes]  # (request head, whole response) -> response


def _read_head(conn: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _with_close(head: bytes) -> bytes:
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith((b"connection:", b"keep-alive:"))]
    return b"\r\n".join(lines + [b"Connection: close"]) + b"\r\n\r\n"


def _identity_encoding(head: bytes) -> bytes:
    """The request asking for an uncompressed answer, so that a rewrite can read its body."""
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith(b"accept-encoding:")]
    return b"\r\n".join(lines + [b"Accept-Encoding: identity"])


def _recv_all(sock: socket.socket) -> bytes:
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def set_body(response: bytes, body: bytes) -> bytes:
    """The response with another body (and a Content-Length that says so)."""
    head, _, _ = response.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith((b"content-length:", b"transfer-encoding:"))]
    lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def without_snapshot(rewrite: Rewrite | None = None) -> Rewrite:
    """Answers as a server from before GET /snapshot did: 404 for it, every other answer
    through `rewrite` (if given)."""
    problem = (b'{"type": "about:blank", "title": "Not Found", "status": 404, '
               b'"code": "not_found", "detail": "There is nothing at this address."}')

    def apply(head: bytes, response: bytes) -> bytes:
        if head.startswith(b"GET /api/v1/snapshot"):
            return set_body(b"HTTP/1.1 404 Not Found\r\n"
                            b"Content-Type: application/problem+json\r\n\r\n", problem)
        return response if rewrite is None else rewrite(head, response)
    return apply


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 0, stall_seconds: float = 3.0) -> None:
        self.upstream_port = upstream_port
        self.stall_seconds = stall_seconds
        self.weights: dict[str, float] = {"pass": 1.0}
        self.rewrite: Rewrite | None = None
        self.counts: Counter[str] = Counter()
        self._aimed: list[tuple[bytes, str]] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(256)
        self.port = self._listener.getsockname()[1]
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="fault-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._listener.close()
        self._thread.join(5)

    def set_faults(self, **weights: float) -> None:
        """Relative weights of the modes, e.g. set_faults(pass_=8, drop_after=1)."""
        cleaned = {name.rstrip("_"): w for name, w in weights.items()}
        unknown = set(cleaned) - set(MODES)
        if unknown:
            raise ValueError(f"unknown fault modes {unknown}")
        with self._lock:
            self.weights = cleaned

    def once(self, prefix: bytes, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode}")
        with self._lock:
            self._aimed.append((prefix, mode))

    def _choose(self, head: bytes) -> str:
        with self._lock:
            for i, (prefix, mode) in enumerate(self._aimed):
                if head.startswith(prefix):
                    del self._aimed[i]
                    return mode
            names = list(self.weights)
            return self._rng.choices(names, [self.weights[n] for n in names])[0]

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self._handle(conn)
            except OSError:
                pass

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(120)
        got = _read_head(conn)
        if got is None:
            return
        head, body = got
        needed = _content_length(head)
        while len(body) < needed:
            chunk = conn.recv(min(65536, needed - len(body)))
            if not chunk:
                return
            body += chunk
        mode = self._choose(head)
        with self._lock:
            self.counts[mode] += 1
        if mode == "drop_before":
            return
        if mode == "bad_gateway":
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            return
        sent_head = head if self.rewrite is None else _identity_encoding(head)
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=120) as up:
            up.sendall(_with_close(sent_head) + body)
            response = _recv_all(up)
        if mode == "drop_after":
            return
        if mode == "stall":
            time.sleep(self.stall_seconds)
            return
        if self.rewrite is not None:
            response = self.rewrite(head, response)
        conn.sendall(response)
