"""A few requests that change things at a time; reads never wait behind them.

Every request that may write (any method but GET and HEAD) waits here, holding no worker
thread, no database connection and no more of its body than the socket buffers, until one
of `slots` is free; a request that waits longer than `wait_seconds` is answered 503
`server_busy` with Retry-After. So a crowd of heavy sends or sign-ins (argon2) can fill the
slots but never the worker threads that reads need. Uploads stream to disk under their own
limits and pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from server.busy import BUSY_DETAIL, RETRY_AFTER_SECONDS
from server.errors import problem_response

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteGate:
    def __init__(
        self,
        app: ASGIApp,
        slots: int,
        wait_seconds: float,
        exempt: Callable[[Scope], bool],
    ) -> None:
        self.app = app
        self.wait_seconds = wait_seconds
        self.exempt = exempt
        self._slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") in READ_METHODS
            or self.exempt(scope)
        ):
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
        except TimeoutError:
            busy = problem_response(
                503, "server_busy", BUSY_DETAIL, {"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
            await busy(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
