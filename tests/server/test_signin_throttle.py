"""Sign-in throttling that cannot lock a clinic out, over real HTTP from several loopback
addresses (127.0.0.2, .3 … are separate machines to the server): per (username, address)
pairs with progressive waits, per-address and per-username ceilings, and device tokens
that keep a colleague's workstation signing in whatever happens elsewhere."""

from __future__ import annotations

import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from server.seed import DEMO_PASSWORD
from tests.server.conftest import ServerFactory
from tests.support.api_client import assert_problem
from tests.support.live_server import LiveServer

WORKSTATION, ATTACKER, CLINIC = "127.0.0.2", "127.0.0.3", "127.0.0.4"


class _FromAddress(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kwargs)


class Machine:
    """A computer at one address that signs in, keeping the device token of its last success
    per username as the desktop does."""

    def __init__(self, server: LiveServer, address: str) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.mount("http://", _FromAddress(address))
        self.device_tokens: dict[str, str] = {}

    def login(
        self, username: str, password: str = DEMO_PASSWORD, *, token: bool = True, **extra: Any
    ) -> requests.Response:
        body: dict[str, Any] = {"username": username, "password": password, **extra}
        if token and username in self.device_tokens:
            body["device_token"] = self.device_tokens[username]
        reply = self.http.post(f"{self.server.api}/auth/login", json=body, timeout=30)
        if reply.status_code == 200:
            self.device_tokens[username] = reply.json()["device_token"]
        return reply

    def fail(self, username: str, times: int, **kw: Any) -> list[int]:
        return [self.login(username, f"wrong-{i}", **kw).status_code for i in range(times)]


def waits(reply: requests.Response) -> int:
    assert_problem(reply, 429, "too_many_attempts")
    seconds = int(reply.headers["Retry-After"])
    assert seconds > 0
    return seconds


def test_ten_failures_hold_only_their_own_address(make_server: ServerFactory) -> None:
    """The probe's finding: ten wrong passwords locked a predictable username everywhere."""
    server = make_server()
    attacker, workstation = Machine(server, ATTACKER), Machine(server, WORKSTATION)
    assert attacker.fail("dr.rivera", 9) == [401] * 9
    assert waits(attacker.login("dr.rivera", "wrong-again")) == 60
    waits(attacker.login("dr.rivera"))  # nothing is checked meanwhile, the right password too
    assert attacker.login("dr.chen").status_code == 200  # another username there is free
    assert workstation.login("dr.rivera", token=False).status_code == 200


def test_nobody_can_lock_a_colleague_out_from_another_machine(make_server: ServerFactory) -> None:
    server = make_server(login_max_failures_per_user=6, login_max_failures_per_address=8)
    workstation = Machine(server, WORKSTATION)
    assert workstation.login("dr.rivera").status_code == 200  # the device token is kept
    attackers = [Machine(server, f"127.0.0.{n}") for n in (10, 11)]
    assert attackers[0].fail("dr.rivera", 3) + attackers[1].fail("dr.rivera", 2) == [401] * 5
    # the 6th reaches the username-wide ceiling: now every sign-in as dr.rivera without a
    # device token waits, from any address…
    waits(attackers[1].login("dr.rivera", "sixth"))
    waits(Machine(server, CLINIC).login("dr.rivera"))
    waits(workstation.login("dr.rivera", token=False))
    # …but not the workstation that signed in before, however long the attack goes on
    assert workstation.login("dr.rivera").status_code == 200
    waits(attackers[0].login("dr.rivera"))
    assert workstation.login("dr.rivera").status_code == 200
    # a device token names one username: dr.chen's does not open dr.rivera's ceiling
    assert workstation.login("dr.chen").status_code == 200
    borrowed = workstation.device_tokens["dr.chen"]
    waits(Machine(server, CLINIC).login("dr.rivera", device_token=borrowed))
    waits(Machine(server, CLINIC).login("dr.rivera", device_token="made-up-token"))


def test_a_shared_address_sprayed_with_guesses_keeps_its_known_devices(
    make_server: ServerFactory,
) -> None:
    """Someone at the clinic's shared address tries many usernames: the address waits, a
    colleague there whose device signed in before does not."""
    server = make_server(login_max_failures_per_address=5)
    colleague, sprayer = Machine(server, CLINIC), Machine(server, CLINIC)
    assert colleague.login("frontdesk").status_code == 200
    assert [sprayer.login(f"guess{n}", "x").status_code for n in range(4)] == [401] * 4
    waits(sprayer.login("guess4", "x"))
    waits(sprayer.login("dr.rivera"))  # the whole address waits without a device token
    assert colleague.login("frontdesk").status_code == 200
    assert Machine(server, WORKSTATION).login("dr.rivera").status_code == 200


def test_a_device_is_held_by_its_own_count(make_server: ServerFactory) -> None:
    server = make_server(login_failures_before_wait=3)
    workstation, elsewhere = Machine(server, WORKSTATION), Machine(server, ATTACKER)
    assert workstation.login("billing").status_code == 200
    assert workstation.fail("billing", 2) == [401, 401]
    waits(workstation.login("billing", "wrong-3"))
    waits(workstation.login("billing"))
    # the pair is (billing, this device): the same address without the token is another pair,
    # and so is every other machine
    assert workstation.login("billing", token=False).status_code == 200
    assert elsewhere.login("billing").status_code == 200


def test_waits_grow_then_end_and_a_success_resets(make_server: ServerFactory) -> None:
    server = make_server(
        login_failures_before_wait=3, login_first_wait_seconds=1, login_longest_wait_seconds=2
    )
    machine = Machine(server, WORKSTATION)
    assert machine.fail("dr.chen", 2) == [401, 401]
    assert waits(machine.login("dr.chen", "third")) == 1
    time.sleep(1.1)
    assert waits(machine.login("dr.chen", "fourth")) == 2
    assert waits(machine.login("dr.chen")) <= 2  # not counted: the wait is not extended
    time.sleep(2.1)
    assert waits(machine.login("dr.chen", "fifth")) == 2  # the longest wait
    time.sleep(2.1)
    assert machine.login("dr.chen").status_code == 200
    assert machine.fail("dr.chen", 2, token=False) == [401, 401]  # counting starts again
    waits(machine.login("dr.chen", "third again", token=False))


def test_the_count_is_forgotten_after_the_window(make_server: ServerFactory) -> None:
    window = 3  # long enough that failures made one after another stay inside it
    server = make_server(login_failures_before_wait=3, login_window_seconds=window)
    machine = Machine(server, WORKSTATION)
    assert machine.fail("dr.chen", 2) == [401, 401]
    time.sleep(window + 0.3)
    assert machine.fail("dr.chen", 2) == [401, 401]
    waits(machine.login("dr.chen", "third in a row"))
