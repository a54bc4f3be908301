"""`practice-server serve` as a real child process, for tests that need several servers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.postgres import free_port


class ServerProcess:
    def __init__(
        self, data_dir: Path, database_url: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = env or {}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

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
                self._cli("serve", "--port", str(self.port), "--log-level", "warning"),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            try:
                requests.get(f"{self.api}/openapi.json", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("server process did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
