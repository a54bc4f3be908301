"""Runs the real practice server in a background thread on a free loopback port, with the
demo practice seeded into a throwaway data folder that is removed when the demo ends."""

from __future__ import annotations

import shutil
import tempfile
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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def portal_url(self) -> str:
        """The demo practice's client portal, where alex and the other clients sign in."""
        return f"{self.url}/portal/lakeside/"

    def start(self) -> EmbeddedServer:
        from server.cli import prepare
        from server.config import Settings
        from server.runner import BackgroundServer

        settings = Settings.build(data_dir=self.data_dir / "server")
        settings.smtp.drop_dir = self.data_dir / "mail"
        prepare(settings)
        self._seed(settings)
        self._server = BackgroundServer(settings).start()
        self.port = self._server.port
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
