"""The deployment recipe in packaging/server/: Caddy accepts the Caddyfile, systemd the units,
and the server's unit stays hardened; compose publishes no port but Caddy's."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.support.system_tools import require

RECIPE = Path(__file__).resolve().parents[2] / "packaging" / "server"


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    require("caddy", package="caddy")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin",
           "PRACTICE_DOMAIN": "inbox.lakeside.example", "PRACTICE_UPSTREAMS": "127.0.0.1:9"}
    adapted = subprocess.run(
        [shutil.which("caddy") or "caddy", "adapt", "--config", str(RECIPE / "Caddyfile"),
         "--adapter", "caddyfile"], capture_output=True, text=True, env=env, timeout=60)
    assert adapted.returncode == 0, adapted.stderr
    assert "inbox.lakeside.example" in adapted.stdout
    assert '"flush_interval":-1' in adapted.stdout  # long polls are not buffered


def test_the_units_are_valid_and_the_server_is_hardened() -> None:
    require("systemd-analyze", package="systemd")
    units = [RECIPE / name for name in ("practice-server.service",
                                        "practice-server-backup.service",
                                        "practice-server-backup.timer")]
    verified = subprocess.run(["systemd-analyze", "verify", *map(str, units)],
                              capture_output=True, text=True, timeout=60)
    complaints = [line for line in verified.stderr.splitlines()
                  if line.strip() and "is not executable: No such file" not in line]
    assert complaints == []  # (the program itself is installed later, in /opt)
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(units[0])],
        capture_output=True, text=True, timeout=60)
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert level is not None, security.stdout + security.stderr
    assert float(level.group(1)) <= 2.0  # systemd's "OK" band
    unit = units[0].read_text()
    for line in ("User=practice-inbox", "ProtectSystem=strict", "NoNewPrivileges=yes",
                 "--behind-proxy", "--host 127.0.0.1"):
        assert line in unit


def test_compose_publishes_only_caddy() -> None:
    text = (RECIPE / "compose.yaml").read_text()
    section = re.search(r"^services:\n(.*?)^\S", text, re.M | re.S)
    assert section is not None
    services: dict[str, str] = {}
    for block in re.split(r"^(?=  [a-z]+:$)", section.group(1), flags=re.M):
        if block.startswith("  ") and not block.startswith("   "):
            services[block.split(":")[0].strip()] = block
    assert set(services) == {"db", "server", "caddy"}
    assert re.search(r"^    ports:", services["caddy"], re.M)
    for private in ("db", "server"):
        assert not re.search(r"^    ports:", services[private], re.M), private
    assert "healthcheck:" in services["db"] and "pg_isready" in services["db"]
    assert "condition: service_healthy" in services["server"]
