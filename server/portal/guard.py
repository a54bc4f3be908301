"""Refusing forged POSTs: the same-origin check and the form's CSRF token (PORTAL.md).

Signed-in forms carry their session's token; the forms before sign-in carry the token of a
`portal_csrf` cookie (double submit). Either way a POST without them is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from server.errors import ApiError
from server.portal.sessions import cookie_name

ANON_COOKIE = "portal_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"

FORGED = ApiError(
    403,
    "csrf_refused",
    "This form could not be accepted: it did not come from this page. Go back, reload the "
    "page and try again.",
)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, public_url: str | None) -> bool:
    """The `Origin` header names this server, or (when it is absent or opaque) `Sec-Fetch-Site`
    says the request came from this origin."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":  # "null" under our own Referrer-Policy: no-referrer
        return request.headers.get("sec-fetch-site") == "same-origin"
    ours = {f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    if public_url:
        ours.add(_origin_of(public_url))
    return origin.lower() in ours


def check(request: Request, public_url: str | None, sent: str | None, expected: str | None) -> None:
    if not same_origin(request, public_url):
        raise FORGED
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise FORGED


def anon_token(request: Request) -> tuple[str, bool]:
    """The pre-sign-in CSRF token of this browser, and whether its cookie must be set now."""
    existing = request.cookies.get(cookie_name(request, ANON_COOKIE))
    if existing:
        return existing, False
    return secrets.token_urlsafe(32), True


def anon_expected(request: Request) -> str | None:
    return request.cookies.get(cookie_name(request, ANON_COOKIE))
