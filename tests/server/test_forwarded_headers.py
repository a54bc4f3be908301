"""X-Forwarded-For is believed only from configured proxies, and whatever address reaches the
audit log or the throttle is a valid, bounded IP address."""

from __future__ import annotations

from typing import Any

import requests

from server.seed import DEMO_PASSWORD
from tests.server.conftest import ServerFactory
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer


def login(server: LiveServer, username: str, forwarded: str, password: str = DEMO_PASSWORD
          ) -> requests.Response:
    return requests.post(
        f"{server.api}/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded},
        timeout=30,
    )


def login_addresses(api: Api) -> list[Any]:
    events = api.as_("admin").get("/audit", params={"limit": 1000}).json()["events"]
    return [e["ip"] for e in events if e["action"] in ("login", "login_failed")][1:]


def test_forwarded_for_is_not_believed_by_default(make_server: ServerFactory) -> None:
    server = make_server(login_max_failures_per_address=3)
    api = Api(server)
    api.as_("admin")  # signed in first: its sign-in is the first entry, left out below
    assert login(server, "dr.rivera", "203.0.113.9").status_code == 200
    # rotating a spoofed address does not dodge the per-address ceiling
    assert [login(server, f"guess{n}", f"198.51.100.{n}", "x").status_code
            for n in range(2)] == [401, 401]
    assert_problem(login(server, "guess2", "198.51.100.2", "x"), 429, "too_many_attempts")
    addresses = login_addresses(api)
    assert set(addresses) == {"127.0.0.1"}, addresses


def test_forwarded_for_from_a_trusted_proxy(make_server: ServerFactory) -> None:
    server = make_server(trusted_proxies=("127.0.0.1",))
    api = Api(server)
    api.as_("admin")
    assert login(server, "dr.rivera", "203.0.113.9").status_code == 200
    # what the proxy appended (the right-most entry) is the client, not what the client wrote
    assert login(server, "dr.chen", "10.9.9.9, 198.51.100.7").status_code == 200
    # garbage or a huge value never reaches a column: an unknown address, and no 500
    assert_problem(login(server, "dr.chen", "x" * 300, "wrong"), 401, "invalid_credentials")
    assert login(server, "billing", "1" * 300).status_code == 200
    assert login(server, "frontdesk", "::ffff:192.0.2.4").status_code == 200
    addresses = login_addresses(api)
    assert addresses == ["203.0.113.9", "198.51.100.7", "unknown", "unknown", "192.0.2.4"]
