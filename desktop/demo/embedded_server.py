"""Runs the real practice server in a background thread on a free loopback port, with the
demo practice seeded into a throwaway data folder that is removed when the demo ends.

The port is chosen when the object is made, so the inbox can open its window (and its cache,
named by the server's address) at once while the server is still being seeded."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

HISTORY_MESSAGES = 150


class EmbeddedServer:
    def __init__(self, data_dir: Path | None = None, history: int = HISTORY_MESSAGES,
                 starter_conversations: bool = False) -> None:
        self._own_dir = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="practice-inbox-demo-"))
        self.history = history
        self.starter_conversations = starter_conversations
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: Any = None

    @property
    def started(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def portal_url(self) -> str:
        """The demo practice's client portal, where alex and the other clients sign in."""
        return f"{self.url}/portal/lakeside/"

    def start(self) -> EmbeddedServer:
        """Seeds and starts the server (once; later calls return at once)."""
        if self._server is not None:
            return self
        from server.cli import prepare
        from server.config import Settings
        from server.runner import BackgroundServer

        settings = Settings.build(data_dir=self.data_dir / "server")
        settings.smtp.drop_dir = self.data_dir / "mail"
        prepare(settings)
        self._seed(settings)
        self._server = BackgroundServer(settings, self.port).start()
        if self.starter_conversations:
            from desktop.demo.conversations import write_starter_conversations

            write_starter_conversations(self.url)
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
        if self._server is not None:
            self._server.stop()
        self._server = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
