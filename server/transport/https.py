"""How the server meets the network: TLS (1.2 and 1.3 only) with HSTS, loopback-only plain
HTTP, and `--behind-proxy`, where forwarded headers count only from trusted proxies and a
request that did not reach the proxy over HTTPS is refused.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.config import Settings
from server.errors import problem_response

HSTS = (b"strict-transport-security", b"max-age=31536000")
LOOPBACK_PROXIES = ("127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen_refusal(settings: Settings, host: str) -> str | None:
    """Why `serve` must not listen on `host` as configured, or None when it may."""
    if settings.tls_cert is not None or settings.behind_proxy or is_loopback(host):
        return None
    return (
        f"Without TLS the server listens only on this computer, not on {host}. "
        "Give --tls-cert FILE and --tls-key FILE to serve HTTPS, or run it behind a reverse "
        "proxy that terminates HTTPS (see packaging/server/) and add --behind-proxy."
    )


def tls_files_problem(settings: Settings) -> str | None:
    """A sentence when the certificate and key were not given together or cannot be read."""
    cert, key = settings.tls_cert, settings.tls_key
    if (cert is None) != (key is None):
        return "Give both --tls-cert and --tls-key (the certificate chain and its private key)."
    for label, path in (("certificate", cert), ("private key", key)):
        if path is not None and not path.is_file():
            return f"The TLS {label} file {path} does not exist or is not a file."
    if cert is not None and key is not None:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        except (ssl.SSLError, OSError) as exc:
            return f"The TLS certificate and key could not be loaded together: {exc}."
    return None


def _hardened(_config: Any, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    context = default()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    return context


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """TLS and forwarded-header options for uvicorn.Config."""
    options: dict[str, Any] = {
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies),
    }
    if settings.tls_cert is not None:
        options.update(
            ssl_certfile=str(settings.tls_cert),
            ssl_keyfile=str(settings.tls_key),
            ssl_context_factory=_hardened,
        )
    return options


class TransportMiddleware:
    """HSTS on every HTTPS answer; behind a proxy, plain-HTTP requests get 403 https_required.

    Runs inside uvicorn's proxy-headers middleware, so `scheme` is already the one the
    trusted proxy reported (or the connection's own when the peer is not trusted)."""

    def __init__(self, app: ASGIApp, require_https: bool) -> None:
        self.app = app
        self.require_https = require_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("scheme") != "https":
            if self.require_https:
                refusal = problem_response(
                    403, "https_required",
                    "This server accepts requests only over HTTPS through its proxy.")
                await refusal(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HSTS]
            await send(message)

        await self.app(scope, receive, send_with_hsts)


def install(app: Any, settings: Settings) -> None:
    app.add_middleware(TransportMiddleware, require_https=settings.behind_proxy)
