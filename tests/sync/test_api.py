"""The API client: addresses it accepts, and how every kind of failure reaches the caller."""

from __future__ import annotations

import socket

import pytest

from sync.api import ApiClient, normalize_base_url
from sync.errors import ApiError, InsecureServerAddress, NetworkError
from tests.support.live_server import LiveServer
from tests.sync.fault_proxy import FaultProxy
from tests.sync.traffic import PASSWORD


@pytest.mark.parametrize("address, root", [
    ("https://clinic.example", "https://clinic.example/api/v1"),
    ("https://clinic.example/api/v1/", "https://clinic.example/api/v1"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765/api/v1"),
    ("http://localhost:8765", "http://localhost:8765/api/v1"),
    ("http://[::1]:8765", "http://[::1]:8765/api/v1"),
])
def test_secure_and_local_addresses_are_accepted(address: str, root: str) -> None:
    assert normalize_base_url(address) == root


@pytest.mark.parametrize("address", ["http://clinic.example", "http://10.0.0.5:8765"])
def test_plain_http_to_another_machine_is_refused(address: str) -> None:
    with pytest.raises(InsecureServerAddress, match="https://"):
        ApiClient(address)
    with pytest.raises(ValueError):
        ApiClient("ftp://clinic.example")


def test_sign_in_sign_out_and_problem_details(live_server: LiveServer) -> None:
    api = ApiClient(live_server.url)
    with pytest.raises(ApiError) as refused:
        api.login("dr.rivera", "wrong password")
    assert (refused.value.status, refused.value.code) == (401, "invalid_credentials")
    assert refused.value.detail and not refused.value.retryable

    body = api.login("dr.rivera", PASSWORD)
    assert body["user"]["username"] == "dr.rivera" and api.token == body["token"]
    assert api.session()["practice"]["name"] == "Lakeside Counseling"
    with pytest.raises(ApiError) as missing:
        api.thread("no-such-thread-0000000000")
    assert (missing.value.status, missing.value.code) == (404, "not_found")

    token = api.token
    api.logout()
    assert api.token is None
    with pytest.raises(ApiError) as gone:
        ApiClient(live_server.url, token).session()
    assert (gone.value.status, gone.value.code) == (401, "unauthenticated")


def test_throttled_sign_in_carries_retry_after(live_server: LiveServer) -> None:
    api = ApiClient(live_server.url)
    codes = []
    for _ in range(11):
        try:
            api.login("billing", "not the password")
        except ApiError as exc:
            codes.append(exc.code)
            last = exc
    assert codes[-1] == "too_many_attempts"
    assert last.status == 429 and last.retryable and last.retry_after > 0


def test_network_failures_become_network_errors(live_server: LiveServer) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(NetworkError, match="could not be reached"):
        ApiClient(f"http://127.0.0.1:{port}", connect_timeout=1).session()

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        api = ApiClient(f"http://127.0.0.1:{silent.getsockname()[1]}", read_timeout=0.3)
        with pytest.raises(NetworkError, match="in time") as slow:
            api.session()
        assert slow.value.reason
    finally:
        silent.close()

    proxy = FaultProxy(live_server.port).start()
    try:
        proxy.set_faults(bad_gateway=1)
        with pytest.raises(ApiError) as gateway:
            ApiClient(proxy.url).login("dr.rivera", PASSWORD)
        assert (gateway.value.status, gateway.value.code) == (502, "http_502")
        assert gateway.value.retryable
        proxy.set_faults(drop_before=1)
        with pytest.raises(NetworkError):
            ApiClient(proxy.url).login("dr.rivera", PASSWORD)
    finally:
        proxy.stop()
