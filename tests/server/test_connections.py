"""Connections end: header, body and keep-alive time limits, a header size limit, a cap per
address that long polls do not count against, and problem+json from the HTTP parser.

The probe: idle, trickling-header and stalled-body connections were still open after 7, 30
and 22 s, and refusals from the HTTP layer were text/plain. Loopback only; every wait here
is bounded.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api_client import Api
from tests.support.live_server import LiveServer

BOUND = 8.0  # no connection below is left waiting longer than this


@pytest.fixture
def strict_server(tmp_path: Path, database_url: str | None) -> Iterator[LiveServer]:
    live = LiveServer(
        tmp_path / "data",
        database_url=database_url,
        header_seconds=1.0,
        body_seconds=1.0,
        keep_alive_seconds=1.0,
        max_connections_per_address=20,
    ).start()
    try:
        yield live
    finally:
        live.stop()


def _connect(server: LiveServer, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(
        ("127.0.0.1", server.port), timeout=BOUND, source_address=(source, 0)
    )
    return sock


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; fails if it keeps the connection open."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError as exc:
        raise AssertionError(f"still open after {BOUND} s; got {data[:100]!r}") from exc
    except ConnectionResetError:
        pass
    return data


def _problem(reply: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower(), head
    return int(head.split()[1]), json.loads(body)


def test_a_connection_that_sends_nothing_is_closed(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        status, problem = _problem(_until_closed(sock))
    assert (status, problem["code"]) == (408, "request_timeout")


def test_trickling_headers_are_cut_off(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.2)
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < BOUND and not closed:
            try:
                sock.sendall(b"X")
                closed = sock.recv(65536) == b""
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            if not closed:
                # Some bytes arrived: the answer, after which the server closes.
                sock.settimeout(BOUND)
                closed = _until_closed(sock) is not None
    assert closed


def test_a_stalled_body_is_cut_off(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\""
        )
        reply = _until_closed(sock)
    assert not reply.startswith(b"HTTP/1.1 200")


def test_idle_keep_alive_connections_are_closed(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 401"), first[:100]
        assert _until_closed(sock) == b""


def test_keep_alive_lasts_30_seconds_by_default(server: LiveServer) -> None:
    """uvicorn's own default closes after 5 s; API.md says 30."""
    with _connect(server) as sock:
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 401")
        time.sleep(6)
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 401")


def test_headers_over_64_kb_are_refused(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(40):
                sock.sendall(b"X-Padding: " + b"a" * 4000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, problem = _problem(_until_closed(sock))
    assert (status, problem["code"]) == (431, "request_too_large")


def test_malformed_http_is_answered_with_problem_json(strict_server: LiveServer) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(b"GET /api/v1/session HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        status, problem = _problem(_until_closed(sock))
    assert (status, problem["code"]) == (400, "validation_error")
    assert problem["detail"]


def test_connections_beyond_the_cap_of_one_address_are_refused(tmp_path: Path) -> None:
    with LiveServer(
        tmp_path / "data",
        max_connections_per_address=20,
        header_seconds=30,
        over_cap_grace_seconds=1,
    ) as server:
        idle = [_connect(server, "127.0.0.7") for _ in range(30)]
        try:
            refused = []
            for sock in idle[20:]:
                status, problem = _problem(_until_closed(sock))
                refused.append((status, problem["code"]))
            for sock in idle[:20]:  # within the cap: still open
                sock.setblocking(False)
                with pytest.raises(BlockingIOError):
                    sock.recv(1)
            # Other addresses are served meanwhile.
            assert Api(server).as_("dr.chen").get("/session").status_code == 200
        finally:
            for sock in idle:
                sock.close()
    assert refused == [(503, "server_busy")] * 10


def test_long_polls_are_not_held_to_the_cap(strict_server: LiveServer) -> None:
    token = strict_server.token("dr.rivera")
    cursor = Api(strict_server).as_("dr.rivera").changes()["cursor"]
    request = (
        f"GET /api/v1/changes?since={cursor}&wait=2 HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    ).encode()
    polls = []
    try:
        for _ in range(60):  # three times the cap of 20, from one address
            sock = _connect(strict_server, "127.0.0.8")
            sock.sendall(request)
            polls.append(sock)
        answers = [_until_closed(sock) for sock in polls]
    finally:
        for sock in polls:
            sock.close()
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * 60
