"""The portal over plain HTTP (requests), for what a browser will not send: forged POSTs,
foreign ids, and headers of every page."""

from __future__ import annotations

import re
from typing import Any

import requests

from server.seed import DEMO_PASSWORD
from tests.support.live_server import LiveServer

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class PortalHttp:
    """A signed-in browser as a `requests.Session`, sending what browsers send on our forms."""

    def __init__(self, server: LiveServer, username: str = "alex", slug: str = "lakeside",
                 **headers: str) -> None:
        self.server = server
        self.root = f"{server.url}/portal/{slug}/"
        self.http = requests.Session()
        self.http.headers.update(headers)
        page = self.http.get(self.root, timeout=30)
        self.anon_csrf = csrf_of(page.text)
        signed = self.post("", {"username": username, "password": DEMO_PASSWORD,
                                "csrf_token": self.anon_csrf})
        assert signed.status_code == 303, signed.text[:500]
        self.csrf = csrf_of(self.get("messages").text)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.root + path, timeout=30, allow_redirects=False, **kw)

    def post(self, path: str, data: Any = None, origin: str | None = "self",
             **kw: Any) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if origin == "self":
            headers["Origin"] = self.server.url
        elif origin is not None:
            headers["Origin"] = origin
        return self.http.post(self.root + path, data=data, headers=headers, timeout=30,
                              allow_redirects=False, **kw)
