"""JSON bodies over max_json_bytes are refused while read, before parsing and sign-in checks.

The probe: a 50 MB body cost the server ~2.7 times its size, with no token at all.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from tests.support.api_client import Api
from tests.support.live_server import LiveServer

LIMIT = 1024 * 1024
CHUNK = b" " * 65536


def _rss_bytes() -> int:
    """This process's resident memory; the server runs in a thread of it."""
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=20)


def _read_reply(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def _stream_50_mb(sock: socket.socket, head: bytes) -> int:
    """Send `head`, then a chunked body of 50 MB until the server hangs up; bytes sent."""
    sock.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
    frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
    sent = 0
    try:
        while sent < 50 * LIMIT:
            sock.sendall(frame)
            sent += len(CHUNK)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def test_a_declared_length_over_the_limit_is_refused_before_the_body(server: LiveServer) -> None:
    with _connect(server) as sock:
        sock.sendall(
            b"POST /api/v1/threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {50 * LIMIT}\r\n\r\n".encode()
        )
        reply = _read_reply(sock)  # the body was never sent: the answer comes at once
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"application/problem+json" in head
    assert b'"code": "request_too_large"' in body


def test_a_streamed_50_mb_body_without_a_token_is_cut_off_with_flat_memory(
    server: LiveServer,
) -> None:
    idle = _rss_bytes()
    peak = idle
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss_bytes())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    reply = b""
    try:
        with _connect(server) as sock:
            head = b"POST /api/v1/threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            sent = _stream_50_mb(sock, head)
            reply = _read_reply(sock)
    finally:
        stop.set()
        watcher.join()
    assert sent < 50 * LIMIT, "the server read the whole 50 MB"
    assert peak - idle < 30 * LIMIT, f"memory grew by {(peak - idle) // LIMIT} MB"
    if reply:  # the answer may be lost to the reset of a connection closed mid-body
        assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_bodies_within_the_limit_are_read_as_before(api: Api) -> None:
    rivera = api.as_("dr.rivera")
    padded = {"thread_ids": ["x" * 36] * 20_000}  # ~800 KB, over max_bulk_ids but under 1 MB
    reply = rivera.post("/threads/state", padded)
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "validation_error"
    assert api.as_("admin").get("/session").json()["limits"]["max_json_bytes"] == LIMIT


def test_an_answer_before_the_body_is_read_closes_the_connection(server: LiveServer) -> None:
    """An upload without a token is refused before its body is read; the server must not go
    on reading (and throwing away) whatever the sender streams after that."""
    with _connect(server) as sock:
        sent = _stream_50_mb(
            sock, b"POST /api/v1/blobs HTTP/1.1\r\nHost: x\r\nX-Filename: a.txt\r\n"
            b"Content-Type: text/plain\r\n"
        )
        reply = _read_reply(sock)
    assert sent < 50 * LIMIT, "the server read the whole 50 MB"
    if reply:
        assert reply.startswith(b"HTTP/1.1 401"), reply[:200]
