"""A real practice server on a loopback port, in a background thread of this process.

Used by the tests, the benchmarks and the desktop demo alike. `stop()` and `start()` keep
the port and the data, so a test can take the server away and bring it back.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import requests
import uvicorn

from server.app import create_app
from server.cli import prepare
from server.config import Settings
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
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
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

    def _socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        sock.listen(2048)
        return sock

    def start(self) -> LiveServer:
        if not self._prepared:
            self._prepare()
        sock = self._socket()
        self.app = create_app(self.settings)
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="on",
            access_log=False,
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            daemon=True,
            name=f"live-server-{self.port}",
        )
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the practice server did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._server = self._thread = None

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
