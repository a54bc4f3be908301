"""Throwaway certificate authorities and `practice-server serve --tls-cert/--tls-key` processes
with certificates that are right, expired, or made out to another name."""

from __future__ import annotations

import datetime
from pathlib import Path

import trustme

from tests.support.server_process import ServerProcess


def ca_file(ca: trustme.CA, folder: Path, name: str = "practice-ca.pem") -> Path:
    path = folder / name
    ca.cert_pem.write_to_path(str(path))
    return path


def leaf(ca: trustme.CA, folder: Path, name: str, *hosts: str,
         expired: bool = False) -> tuple[Path, Path]:
    """A server certificate (chain) and key for `hosts`, signed by `ca`."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    dates = {}
    if expired:
        dates = {"not_before": now - datetime.timedelta(days=30),
                 "not_after": now - datetime.timedelta(days=1)}
    cert = ca.issue_cert(*(hosts or ("localhost", "127.0.0.1")), **dates)
    chain, key = folder / f"{name}.pem", folder / f"{name}.key"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(key))
    return chain, key


def tls_server(data_dir: Path, cert: tuple[Path, Path], trusted_ca: Path,
               database_url: str | None = None, seed: bool = True) -> ServerProcess:
    """A started HTTPS server process, reached as https://localhost:<port>."""
    server = ServerProcess(data_dir, database_url,
                           args=("--tls-cert", str(cert[0]), "--tls-key", str(cert[1])),
                           tls_ca=trusted_ca)
    if seed:
        server.seed()
    return server.start()
