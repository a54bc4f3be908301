"""`serve --tls-cert/--tls-key`: HTTPS with TLS 1.2+ and HSTS, verified by the API client and the
sync engine against a practice CA; refused certificates come back as typed problems."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme

from sync.api import ApiClient
from sync.cache import Cache
from sync.engine import SyncEngine
from sync.errors import TlsError
from sync.keys import cache_key
from sync.tls import TlsProblem
from tests.support.server_process import ServerProcess
from tests.support.tls import ca_file, leaf, tls_server
from tests.sync.traffic import PASSWORD, pdf_bytes, send_with_report


@pytest.fixture(scope="module")
def practice_ca() -> trustme.CA:
    return trustme.CA(organization_name="Lakeside Counseling")


@pytest.fixture(scope="module")
def ca_path(practice_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ca_file(practice_ca, tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def https_server(practice_ca: trustme.CA, ca_path: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("tls")
    server = tls_server(folder / "data", leaf(practice_ca, folder, "server"), ca_path)
    try:
        yield server
    finally:
        server.stop()


def test_api_over_https_verified_against_the_practice_ca(https_server: ServerProcess,
                                                         ca_path: Path) -> None:
    api = ApiClient(https_server.url, verify=str(ca_path))
    try:
        answer = api.login("dr.rivera", PASSWORD)
        assert api.session()["user"]["id"] == answer["user"]["id"]
    finally:
        api.close()
    reply = requests.get(f"{https_server.api}/openapi.json", verify=str(ca_path), timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_sync_engine_syncs_and_sends_over_https(https_server: ServerProcess, ca_path: Path,
                                                    tmp_path: Path) -> None:
    api = ApiClient(https_server.url, verify=str(ca_path))
    api.login("dr.rivera", PASSWORD)
    alex = ApiClient(https_server.url, verify=str(ca_path))
    alex_id = alex.login("alex", PASSWORD)["user"]["id"]
    cache = Cache.open(tmp_path / "cache.db", cache_key("tls"))
    engine = SyncEngine(cache, api, None, poll_wait=1.0, retry_base=0.05)
    engine.start()
    try:
        assert engine.wait_until_synced(60)
        send_with_report(engine, tmp_path, alex_id, "Sent over HTTPS", "over https")
        threads = alex.threads("inbox")["items"]
        sent = [t["thread"] for t in threads if t["thread"]["subject"] == "Sent over HTTPS"]
        assert sent, threads
        message = alex.thread(sent[0]["id"])["messages"][0]
        with alex.download_blob(message["attachments"][0]["id"]) as download:
            assert download.content == pdf_bytes("over https")
    finally:
        engine.stop()
        cache.close()
        api.close()
        alex.close()


def login_problem(url: str, ca: Path) -> TlsProblem:
    api = ApiClient(url, verify=str(ca))
    try:
        with pytest.raises(TlsError) as caught:
            api.login("dr.rivera", PASSWORD)
    finally:
        api.close()
    assert isinstance(caught.value.kind, TlsProblem)
    return caught.value.kind


def test_a_certificate_from_another_ca_is_an_unknown_authority(
        https_server: ServerProcess, tmp_path: Path) -> None:
    stranger = ca_file(trustme.CA(), tmp_path, "other-ca.pem")
    assert login_problem(https_server.url, stranger) is TlsProblem.UNKNOWN_AUTHORITY


def test_the_systems_cas_do_not_know_a_practice_ca(https_server: ServerProcess) -> None:
    api = ApiClient(https_server.url)
    try:
        with pytest.raises(TlsError) as caught:
            api.login("dr.rivera", PASSWORD)
    finally:
        api.close()
    assert caught.value.kind is TlsProblem.UNKNOWN_AUTHORITY


def test_expired_and_wrong_name_certificates(practice_ca: trustme.CA, ca_path: Path,
                                             tmp_path: Path) -> None:
    expired = tls_server(tmp_path / "a", leaf(practice_ca, tmp_path, "old", expired=True),
                         ca_path)
    try:
        assert login_problem(expired.url, ca_path) is TlsProblem.EXPIRED
    finally:
        expired.stop()
    elsewhere = tls_server(tmp_path / "b", leaf(practice_ca, tmp_path, "far", "inbox.example.org"),
                           ca_path)
    try:
        assert login_problem(elsewhere.url, ca_path) is TlsProblem.WRONG_NAME
    finally:
        elsewhere.stop()


def test_plain_http_to_the_tls_port_gets_no_api_answer(https_server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=10) as conn:
        conn.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n")
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            received += chunk
    assert b"openapi" not in received
    assert not received.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_tls_older_than_1_2_is_refused(https_server: ServerProcess, ca_path: Path,
                                       version: ssl.TLSVersion) -> None:
    context = ssl.create_default_context(cafile=str(ca_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the point is an old version
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = version
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=10) as raw, \
            pytest.raises(ssl.SSLError):
        context.wrap_socket(raw, server_hostname="localhost")


def test_tls_1_2_and_1_3_are_spoken(https_server: ServerProcess, ca_path: Path) -> None:
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = ssl.create_default_context(cafile=str(ca_path))
        context.minimum_version = context.maximum_version = version
        with socket.create_connection(("127.0.0.1", https_server.port), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                                     ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]


def serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path / "data"),
         "--port", "0", *args], capture_output=True, text=True, timeout=60)


def test_plain_http_off_loopback_is_refused_with_a_sentence(tmp_path: Path) -> None:
    done = serve(tmp_path, "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "--tls-cert" in done.stderr and "--behind-proxy" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_a_certificate_without_its_key_is_refused(tmp_path: Path, practice_ca: trustme.CA
                                                  ) -> None:
    cert, _key = leaf(practice_ca, tmp_path, "lonely")
    done = serve(tmp_path, "--tls-cert", str(cert))
    assert done.returncode == 2 and "--tls-key" in done.stderr
    done = serve(tmp_path, "--tls-cert", str(cert), "--tls-key", str(cert))
    assert done.returncode == 2 and "could not be loaded" in done.stderr
