"""A real practice server on a loopback port, in a background thread of this process.

Used by the tests, the benchmarks and the desktop demo alike. `stop()` and `start()` keep
the port and the data, so a test can take the server away and bring it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from server.cli import prepare
from server.config import Settings
from server.runner import BackgroundServer
from server.seed import DEMO_PASSWORD, seed_demo


class LiveServer:
    def __init__(
        self,
        data_dir: Path | str,
        database_url: str | None = None,
        port: int = 0,
        seed_demo: bool = True,
        **overrides: Any,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = Settings.build(
            data_dir=self.data_dir, database_url=database_url, **overrides
        )
        self.port = port
        self._seed = seed_demo
        self._prepared = False
        self._runner: BackgroundServer | None = None
        self.app: Any = None
        self._tokens: dict[str, str] = {}
        self._ids: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def _prepare(self) -> None:
        prepare(self.settings)
        if self._seed:
            from server.context import AppContext

            ctx = AppContext.create(self.settings)
            with ctx.sessions() as db:
                seed_demo(db)
            ctx.engine.dispose()
        self._prepared = True

    def start(self) -> LiveServer:
        if not self._prepared:
            self._prepare()
        self._runner = BackgroundServer(self.settings, self.port).start()
        self.port = self._runner.port
        self.app = self._runner.app
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            self._runner = None

    @property
    def ctx(self) -> Any:
        return self.app.state.ctx

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """A fresh bearer token for `username`, signed in over HTTP."""
        reply = requests.post(
            f"{self.api}/auth/login", json={"username": username, "password": password}, timeout=30
        )
        reply.raise_for_status()
        body = reply.json()
        self._ids[username] = body["user"]["id"]
        return str(body["token"])

    def person_id(self, username: str) -> str:
        if username not in self._ids:
            from sqlalchemy import select

            from server.db.models import Person

            with self.ctx.sessions() as db:
                self._ids[username] = db.scalar(
                    select(Person.id).where(Person.username == username)
                )
        return self._ids[username]

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
