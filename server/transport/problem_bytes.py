"""Raw HTTP/1.1 problem+json responses, for answers written before the app sees a request."""

from __future__ import annotations

import json
from http import HTTPStatus


def raw_problem(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> bytes:
    """A whole response that closes the connection, as bytes for the transport."""
    body = json.dumps(
        {
            "type": f"https://practice-inbox.local/problems/{code}",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "code": code,
        }
    ).encode()
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "content-type: application/problem+json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
