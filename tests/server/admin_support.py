"""Helpers of the administration tests: links out of emails, new people, signing in."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pyotp
import requests

from tests.support.live_server import LiveServer

LINK = re.compile(r"https?://\S+/portal/[a-z0-9-]+/(welcome|reset)/([A-Za-z0-9_-]+)")
GOOD_PASSWORD = "correct horse battery staple"


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def token_of(url: str) -> str:
    match = LINK.search(url)
    assert match, url
    return match.group(2)


def login(server: LiveServer, username: str, password: str, code: str | None = None
          ) -> requests.Response:
    body: dict[str, Any] = {"username": username, "password": password}
    if code is not None:
        body["totp_code"] = code
    return requests.post(f"{server.api}/auth/login", json=body, timeout=30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_password(server: LiveServer, token: str, password: str = GOOD_PASSWORD
                 ) -> requests.Response:
    return requests.post(f"{server.api}/auth/set-password",
                         json={"token": token, "new_password": password}, timeout=30)


def code_for(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)
