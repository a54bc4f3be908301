"""sync.admin_api over a real server: an import's refusal carries every bad line, and an audit
export cut off midway leaves no file behind (nor a half one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.seed import DEMO_PASSWORD
from sync.admin_api import AdminApi
from sync.api import ApiClient
from sync.errors import ApiError, NetworkError
from tests.support.live_server import LiveServer
from tests.sync.fault_proxy import FaultProxy


def admin_of(url: str) -> AdminApi:
    api = ApiClient(url)
    api.login("admin", DEMO_PASSWORD)
    return AdminApi(api)


def test_an_import_refusal_names_each_bad_line(live_server: LiveServer) -> None:
    admin = admin_of(live_server.url)
    body = b"name,email\nGood One,good@example.org\nNo Email,\nBad,not-an-email\n"
    with pytest.raises(ApiError) as refused:
        admin.import_clients(body, dry_run=True)
    assert refused.value.code == "import_invalid"
    assert sorted(e["line"] for e in refused.value.problem["errors"]) == [3, 4]
    sent: list[tuple[int, int]] = []
    answer = admin.import_clients(b"name,email\nGood One,good@example.org\n",
                                  progress=lambda done, total: sent.append((done, total)))
    assert answer["created"] == 1
    assert sent and sent[-1][0] == sent[-1][1]  # the whole body went


def test_an_export_cut_off_midway_leaves_no_file(live_server: LiveServer,
                                                 tmp_path: Path) -> None:
    proxy = FaultProxy(live_server.port).start()
    try:
        admin = admin_of(proxy.url)
        whole = tmp_path / "whole.csv"
        assert admin.export_audit({}, whole) > 0
        assert whole.read_text().splitlines()[0].startswith("id,")

        def cut(head: bytes, response: bytes) -> bytes:
            if b"format=csv" not in head:
                return response
            top, _, body = response.partition(b"\r\n\r\n")
            lines = [line for line in top.split(b"\r\n")
                     if not line.lower().startswith((b"content-length:",
                                                     b"transfer-encoding:"))]
            lines.append(b"Content-Length: " + str(len(body) + 5000).encode())
            return b"\r\n".join(lines) + b"\r\n\r\n" + body  # the rest never comes

        proxy.rewrite = cut
        target = tmp_path / "cut.csv"
        with pytest.raises(NetworkError):
            admin.export_audit({}, target)
        assert not target.exists()
        assert not (tmp_path / "cut.csv.part").exists()
    finally:
        proxy.stop()
