"""`serve --behind-proxy`: only requests a trusted proxy says came over HTTPS are served, and
only a trusted proxy's X-Forwarded-For names the client."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import requests

from server.seed import DEMO_PASSWORD
from tests.support.server_process import ServerProcess

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def login(server: ServerProcess, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{server.api}/auth/login", headers=headers, timeout=30,
                         json={"username": "dr.rivera", "password": DEMO_PASSWORD})


def sign_in_addresses(server: ServerProcess) -> list[str]:
    conn = sqlite3.connect(server.data_dir / "practice.db")
    try:
        return [row[0] for row in conn.execute(
            "SELECT ip FROM audit_event WHERE action = 'login' ORDER BY id")]
    finally:
        conn.close()


def test_the_proxy_forwarded_https_requests_are_served(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", args=("--behind-proxy",))
    server.seed()
    server.start()
    try:
        plain = login(server, {})
        assert plain.status_code == 403
        assert plain.json()["code"] == "https_required"
        assert "HTTPS" in plain.json()["detail"]

        lying = login(server, {"X-Forwarded-Proto": "http"})
        assert lying.status_code == 403

        served = login(server, FORWARDED)
        assert served.status_code == 200, served.text
        assert served.headers["Strict-Transport-Security"].startswith("max-age=")
        assert sign_in_addresses(server)[-1] == "203.0.113.7"
    finally:
        server.stop()


def test_forwarded_headers_from_an_untrusted_address_count_for_nothing(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data",
                           args=("--behind-proxy", "--trusted-proxy", "192.0.2.10"))
    server.seed()
    server.start()
    try:
        refused = login(server, FORWARDED)  # from 127.0.0.1, which is not the proxy
        assert refused.status_code == 403 and refused.json()["code"] == "https_required"
    finally:
        server.stop()


def test_without_behind_proxy_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    server.seed()
    server.start()
    try:
        answer = login(server, FORWARDED)
        assert answer.status_code == 200
        assert "Strict-Transport-Security" not in answer.headers  # it came over plain HTTP
        assert sign_in_addresses(server)[-1] == "127.0.0.1"
    finally:
        server.stop()
