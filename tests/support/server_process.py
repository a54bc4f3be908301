"""`practice-server serve` as a real child process, for tests that need several servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.postgres import free_port


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
        tls_ca: Path | None = None,
    ) -> None:
        """`args` go to `serve` (e.g. --tls-cert …, --behind-proxy); with `tls_ca` the server
        is reached as https://localhost, verified against that CA file."""
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = env or {}
        self.args = args
        self.tls_ca = tls_ca
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def url(self) -> str:
        if self.tls_ca is not None:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def _cli(self, *args: str) -> list[str]:
        cmd = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(self.data_dir)]
        if self.database_url:
            cmd += ["--database", self.database_url]
        return cmd

    def seed(self) -> None:
        subprocess.run(self._cli("seed-demo"), check=True, capture_output=True)

    def start(self) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self._cli("serve", "--port", str(self.port), "--log-level", "warning",
                          *self.args),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            if self._answers():
                return self
            time.sleep(0.1)
        raise RuntimeError("server process did not start")

    def _answers(self) -> bool:
        if self.tls_ca is not None:
            # The certificate may be one made to be refused: a listening port is enough
            # (uvicorn listens once the app has started).
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        try:
            requests.get(f"{self.api}/openapi.json", timeout=1)
            return True
        except (requests.ConnectionError, requests.Timeout):
            return False  # not listening yet, or (workers) listening before the app is up

    def stop(self) -> None:
        end(self.proc)
        self.proc = None


def end(proc: subprocess.Popen[bytes] | None) -> None:
    """Stop a child gracefully (SIGTERM), killing it if it has not ended within 15 s."""
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
