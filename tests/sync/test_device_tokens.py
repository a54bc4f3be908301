"""The client keeps the device token of its last successful sign-in per server and username
and sends it back, so failures someone makes from another address never hold it up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from server.seed import DEMO_PASSWORD
from sync.api import ApiClient, ApiError
from sync.device_tokens import DeviceTokens
from tests.support.live_server import LiveServer


class _FromAddress(HTTPAdapter):
    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = ("127.0.0.3", 0)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def strict_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server", login_max_failures_per_user=3).start()
    try:
        yield server
    finally:
        server.stop()


def attack(server: LiveServer, username: str, times: int) -> list[int]:
    """Wrong passwords for `username` from another machine (another loopback address)."""
    http = requests.Session()
    http.mount("http://", _FromAddress())
    return [
        http.post(f"{server.api}/auth/login", json={"username": username, "password": f"x{n}"},
                  timeout=30).status_code
        for n in range(times)
    ]


def test_a_signed_in_device_is_not_locked_out_by_failures_elsewhere(
    strict_server: LiveServer,
) -> None:
    first = ApiClient(strict_server.url)
    first.login("dr.rivera", DEMO_PASSWORD)
    stored = json.loads(first.device_tokens.path.read_text())
    assert list(stored.values()) == [first.device_tokens.get(strict_server.api, "Dr.Rivera ")]
    assert attack(strict_server, "dr.rivera", 3) == [401, 401, 429]
    # a later sign-in on this computer (the default settings folder) sends the token back
    again = ApiClient(strict_server.url)
    assert again.login("dr.rivera", DEMO_PASSWORD)["user"]["username"] == "dr.rivera"
    # a computer that never signed in as dr.rivera waits like everyone else
    elsewhere = DeviceTokens(strict_server.data_dir / "elsewhere" / "device-tokens.json")
    stranger = ApiClient(strict_server.url, device_tokens=elsewhere)
    with pytest.raises(ApiError) as refused:
        stranger.login("dr.rivera", DEMO_PASSWORD)
    assert refused.value.status == 429 and refused.value.code == "too_many_attempts"


def test_an_unwritable_settings_folder_costs_only_the_token(
    strict_server: LiveServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    client = ApiClient(strict_server.url,
                       device_tokens=DeviceTokens(blocker / "device-tokens.json"))
    assert client.login("dr.chen", DEMO_PASSWORD)["token"]
    assert client.device_tokens.get(strict_server.api, "dr.chen") is None
