"""Connection limits uvicorn does not have: header and body time limits, a header size limit,
a cap on connections per address, and problem+json for requests the HTTP parser refuses.

uvicorn closes idle keep-alive connections itself (`timeout_keep_alive`); everything else is
added here on its httptools protocol. A connection waiting in a long poll (`GET
/api/v1/changes` with `wait` > 0) is not counted against its address's cap while it waits, so
one clinic behind one address can hold many; every other connection is, and one beyond the
cap must send a long poll within `over_cap_grace_seconds` or be answered 503 and closed,
and no address holds more than `per_address_hard` connections at all.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from server.transport.problem_bytes import raw_problem

LONG_POLL_PATH = "/api/v1/changes"
UPLOAD_PATH = "/api/v1/blobs"


@dataclass
class ConnectionLimits:
    header_seconds: float = 10.0
    body_seconds: float = 60.0
    upload_bytes: int = 10 * 1024 * 1024
    upload_min_bytes_per_second: int = 64 * 1024
    per_address: int = 200
    # Connections of one address, long polls included, beyond which one is closed at once.
    per_address_hard: int = 2000
    # How long a connection beyond the cap has to show it is a long poll. As long as the
    # header limit by default: a thousand polls opened at once may take that long to be read.
    over_cap_grace_seconds: float = 10.0
    max_header_bytes: int = 64 * 1024

    def body_seconds_for(self, path: str) -> float:
        if path == UPLOAD_PATH:
            return max(self.body_seconds, self.upload_bytes / self.upload_min_bytes_per_second)
        return self.body_seconds


@dataclass
class AddressBook:
    """Open connections per client address: all of them, and those not in a long poll."""

    counted: Counter[str] = field(default_factory=Counter)
    open: Counter[str] = field(default_factory=Counter)

    def drop(self, counter: Counter[str], address: str) -> None:
        counter[address] -= 1
        if counter[address] <= 0:
            del counter[address]


def is_long_poll(method: str, raw_url: bytes) -> bool:
    url = httptools.parse_url(raw_url)
    if method != "GET" or url.path.decode("latin-1") != LONG_POLL_PATH:
        return False
    waits = parse_qs((url.query or b"").decode("latin-1")).get("wait", [])
    try:
        return bool(waits) and float(waits[-1]) > 0
    except ValueError:
        return False


class GuardedProtocol(HttpToolsProtocol):
    limits: ClassVar[ConnectionLimits]
    book: ClassVar[AddressBook]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address = ""
        self._counted = False
        self._over_cap = False
        self._long_poll = False
        self._in_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # Connection life
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else ""
        book, limits = self.book, self.limits
        if book.open[address] >= limits.per_address_hard:
            self._write_and_close(self._busy())
            return
        self._address = address
        book.open[address] += 1
        self._over_cap = book.counted[self._address] >= limits.per_address
        self._count(True)
        wait = limits.over_cap_grace_seconds if self._over_cap else limits.header_seconds
        self._header_timer = self.loop.call_later(wait, self._on_header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        self._count(False)
        if self._address:
            self.book.drop(self.book.open, self._address)
        self._address = ""
        super().connection_lost(exc)

    def _count(self, counted: bool) -> None:
        if counted == self._counted or not self._address:
            return
        self._counted = counted
        if counted:
            self.book.counted[self._address] += 1
        else:
            self.book.drop(self.book.counted, self._address)

    # Reading a request
    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        # Still in the headers after all of this: they alone are that long.
        if self._in_headers and self._header_bytes > self.limits.max_header_bytes:
            self._write_and_close(
                raw_problem(431, "request_too_large", "The request headers are too large.")
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(
                self.limits.header_seconds, self._on_header_timeout
            )

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        method = self.parser.get_method().decode("ascii", "replace")
        self._long_poll = is_long_poll(method, self.url)
        if self._over_cap and not self._long_poll:
            self._write_and_close(self._busy())
            return
        self._over_cap = False
        if self._long_poll:
            self._count(False)
        super().on_headers_complete()
        if self._has_body():
            seconds = self.limits.body_seconds_for(self.scope.get("path", ""))
            self._body_timer = self.loop.call_later(seconds, self._on_body_timeout)

    def on_message_complete(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._in_headers = True  # what comes next is the next request's headers
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._long_poll:
            self._long_poll = False
            self._count(True)
        if self.cycle is not None and self.cycle.more_body and not self.transport.is_closing():
            # Answered before its body was read (401, 413, 503): reading the rest only to
            # throw it away would let anyone stream into the server for as long as they like.
            self.transport.close()
            return
        super().on_response_complete()

    def _has_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"", b"0")
            if name == b"transfer-encoding":
                return True
        return False

    # Refusals
    def send_400_response(self, msg: str) -> None:
        self._write_and_close(
            raw_problem(400, "validation_error", "The request is not valid HTTP/1.1.")
        )

    def _busy(self) -> bytes:
        return raw_problem(
            503,
            "server_busy",
            "Too many connections from your address; try again in a few seconds.",
            {"retry-after": "5"},
        )

    def _on_header_timeout(self) -> None:
        self._header_timer = None
        if self._over_cap:
            self._write_and_close(self._busy())
        elif self.cycle is None or self.cycle.response_complete:
            self._write_and_close(
                raw_problem(408, "request_timeout", "The request was not sent in time.")
            )

    def _on_body_timeout(self) -> None:
        self._body_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            # The app sees a disconnect; nothing half-received is kept.
            self.transport.close()

    def _write_and_close(self, response: bytes) -> None:
        self._cancel_timers()
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedProtocol]:
    """A protocol class for one server: its own limits and its own count of connections."""
    return type(
        "PracticeHttpProtocol", (GuardedProtocol,), {"limits": limits, "book": AddressBook()}
    )
