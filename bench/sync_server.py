"""A practice server with a seeded volume of messages, as child processes, for the sync benchmarks.

`practice-server seed-demo --volume N` fills a fresh data folder, then `practice-server
serve` runs on a free loopback port; every volume thread includes dr.rivera.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

PASSWORD = "lakeside-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BenchServer:
    def __init__(self, volume: int) -> None:
        self.volume = volume
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-sync-")
        self.data_dir = Path(self._tmp.name) / "server"
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self.seed_seconds = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def scratch(self) -> Path:
        """A folder for the benchmark's own files, removed with the server."""
        return Path(self._tmp.name)

    def _cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "server.cli", *args, "--data-dir", str(self.data_dir)]

    def __enter__(self) -> BenchServer:
        started = time.perf_counter()
        command = self._cli("seed-demo") + (["--volume", str(self.volume)] if self.volume else [])
        subprocess.run(command, check=True, capture_output=True)
        self.seed_seconds = time.perf_counter() - started
        self._proc = subprocess.Popen(
            self._cli("serve", "--port", str(self.port), "--log-level", "warning"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return self
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the practice server did not start")

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._tmp.cleanup()
