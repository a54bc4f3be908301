"""A real Caddy (Debian's `caddy`) with `tls internal` on a free loopback HTTPS port, in front of
server processes: its data, config and internal CA live in the test's folder, its admin
endpoint is off, and it binds nothing but 127.0.0.1 (no port 80 or 443 anywhere)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support.postgres import free_port
from tests.support.server_process import end

CADDYFILE = """\
{{
	admin off
	default_bind 127.0.0.1
	http_port {http_port}
	https_port {https_port}
	auto_https disable_redirects
	skip_install_trust
	grace_period 2s
	storage file_system {storage}
}}

https://localhost:{https_port} {{
	tls internal
	reverse_proxy {upstreams} {{
		lb_policy round_robin
		flush_interval -1
	}}
}}
"""


class CaddyProxy:
    def __init__(self, folder: Path, upstream_ports: list[int]) -> None:
        self.folder = folder
        self.https_port = free_port()
        self.http_port = free_port()
        self.upstreams = " ".join(f"127.0.0.1:{port}" for port in upstream_ports)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def root_cert(self) -> Path:
        """Caddy's internal CA, which a practice hands to its workstations."""
        return self.folder / "storage" / "pki" / "authorities" / "local" / "root.crt"

    def start(self) -> CaddyProxy:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "Caddyfile"
        config.write_text(CADDYFILE.format(
            http_port=self.http_port, https_port=self.https_port,
            storage=self.folder / "storage", upstreams=self.upstreams))
        env = {**os.environ, "HOME": str(self.folder), "XDG_DATA_HOME": str(self.folder / "data"),
               "XDG_CONFIG_HOME": str(self.folder / "config")}
        caddy = shutil.which("caddy") or "caddy"
        with open(self.folder / "caddy.log", "wb") as log:
            self.proc = subprocess.Popen(
                [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.folder / "caddy.log").read_text())
            if self.root_cert.exists() and self._listening():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("Caddy did not start: " + (self.folder / "caddy.log").read_text())

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        end(self.proc)
        self.proc = None
