"""Run the app under uvicorn: in the foreground (`serve`) or on a background thread (the
desktop demo, tests and benchmarks).

Either way a shutdown first answers every waiting long poll, so no request holds the exit
for its full wait.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI

from server.app import create_app
from server.config import Settings
from server.context import AppContext
from server.transport.guard import ConnectionLimits, guarded_protocol
from server.transport.https import uvicorn_options


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ctx: AppContext) -> None:
        super().__init__(config)
        self._ctx = ctx

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._ctx.hub.close()
        await super().shutdown(sockets)


def _config(app: FastAPI, **options: Any) -> uvicorn.Config:
    settings: Settings = app.state.ctx.settings
    limits = ConnectionLimits(
        header_seconds=settings.header_seconds,
        body_seconds=settings.body_seconds,
        upload_bytes=settings.max_attachment_bytes,
        upload_min_bytes_per_second=settings.upload_min_bytes_per_second,
        per_address=settings.max_connections_per_address,
        over_cap_grace_seconds=settings.over_cap_grace_seconds,
    )
    return uvicorn.Config(app, lifespan="on", access_log=False, timeout_graceful_shutdown=3,
                          http=guarded_protocol(limits),
                          timeout_keep_alive=int(settings.keep_alive_seconds),
                          **uvicorn_options(settings), **options)


def default_public_url(settings: Settings, host: str, port: int) -> None:
    """Portal links point at the address served on unless a public URL was configured."""
    if settings.public_url is None:
        shown = f"[{host}]" if ":" in host else host
        scheme = "https" if settings.tls_cert else "http"
        settings.public_url = f"{scheme}://{shown}:{port}"


def serve_forever(settings: Settings, host: str, port: int, log_level: str) -> None:
    default_public_url(settings, host, port)
    app = create_app(settings)
    _Server(_config(app, host=host, port=port, log_level=log_level), app.state.ctx).run()


def serve_on(settings: Settings, sockets: list[socket.socket], log_level: str) -> None:
    """One worker of `serve --workers N`: the app on sockets its supervisor bound."""
    app = create_app(settings)
    _Server(_config(app, log_level=log_level), app.state.ctx).run(sockets=sockets)


class BackgroundServer:
    """The server on a loopback port in a daemon thread; `stop()` and `start()` keep the port."""

    def __init__(self, settings: Settings, port: int = 0) -> None:
        self.settings = settings
        self.port = port
        self.app: FastAPI | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ctx(self) -> AppContext:
        assert self.app is not None, "the server was never started"
        ctx: AppContext = self.app.state.ctx
        return ctx

    def _socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        sock.listen(2048)
        return sock

    def start(self, timeout: float = 30) -> BackgroundServer:
        sock = self._socket()
        default_public_url(self.settings, "127.0.0.1", self.port)
        self.app = create_app(self.settings)
        server = _Server(_config(self.app, log_level="warning"), self.ctx)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                                  name=f"practice-server-{self.port}")
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The practice server did not start.")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._server = self._thread = None
