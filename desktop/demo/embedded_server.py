"""Runs the real practice server in a background thread on a free loopback port, with the
demo practice seeded into a throwaway data folder that is removed when the demo ends."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HISTORY_MESSAGES = 150


class EmbeddedServer:
    def __init__(self, data_dir: Path | None = None, history: int = HISTORY_MESSAGES) -> None:
        self._own_dir = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="practice-inbox-demo-"))
        self.history = history
        self.port = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedServer:
        import uvicorn

        from server.app import create_app
        from server.cli import prepare
        from server.config import Settings

        settings = Settings.build(data_dir=self.data_dir / "server")
        settings.smtp.drop_dir = self.data_dir / "mail"
        prepare(settings)
        self._seed(settings)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                                timeout_graceful_shutdown=1, lifespan="on")
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                                  name="demo-server")
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The demo server did not start.")
            time.sleep(0.02)
        self._server, self._thread = server, thread
        return self

    def _seed(self, settings: Any) -> None:
        from server.context import AppContext
        from server.seed import seed_demo
        from server.seed_volume import seed_volume

        ctx = AppContext.create(settings)
        try:
            with ctx.sessions() as db:
                seed_demo(db)
            if self.history:
                with ctx.sessions() as db:
                    seed_volume(db, ctx.blobs, self.history)
        finally:
            ctx.engine.dispose()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            # A long poll the inbox left waiting is cut short at exit; that is expected here
            # and not worth a traceback in the terminal of someone trying the demo.
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
