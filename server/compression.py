"""Negotiated gzip for the server's answers, except attachment downloads.

A client that sends `Accept-Encoding: gzip` gets the API's JSON compressed; the change feed's
pages shrink to a fraction, which is most of the bytes of a new workstation's first sync.
Attachment files are sent as stored: they are encrypted or already-compressed formats that
gzip cannot shrink, and the client checks their bytes against the `sha256` the feed gave.
Portal pages are not compressed: they carry the form's CSRF token beside text others wrote,
the mix a compression side channel (BREACH) reads a secret from.

Level 1 is used: on a 2-core machine it takes a fraction of the time of the default 9
for almost the same size, and the feed's server and client share the cores.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

COMPRESS_LEVEL = 1
MINIMUM_SIZE = 1024  # below this the gzip header costs more than it saves


class CompressAnswers:
    """ASGI middleware: gzip the API's answers where the client accepts it, blob downloads
    and everything outside the API left alone."""

    def __init__(self, app: ASGIApp, api_prefix: str, skip_prefix: str) -> None:
        self._plain = app
        self._gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL)
        self._api_prefix = api_prefix
        self._skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith(self._api_prefix)
            and not (scope["method"] == "GET" and scope["path"].startswith(self._skip_prefix))
        ):
            await self._gzip(scope, receive, send)
        else:
            await self._plain(scope, receive, send)
