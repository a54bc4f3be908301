"""Every role tries every administration endpoint over HTTP: allowed, or 403 `forbidden`.

The expectations are data; the rules they come from are table-tested in test_rules_admin.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.api_client import Api, User, assert_problem

ACTORS = {
    "admin": "admin",
    "therapist": "dr.rivera",
    "front_office": "frontdesk",
    "biller": "billing",
    "external_agent": "agent.kim",
    "client": "alex",
}
_serial = itertools.count()


def _new(kind: str) -> dict[str, Any]:
    n = next(_serial)
    person = {"kind": kind, "username": f"access.{kind}.{n}", "name": f"Access Test {n}",
              "email": f"access{n}@example.org"}
    return person | ({"role": "biller"} if kind == "staff" else {})


Call = Callable[[User, Api], requests.Response]
CALLS: dict[str, Call] = {
    "list everyone": lambda u, a: u.get("/admin/people"),
    "list staff": lambda u, a: u.get("/admin/people", params={"kind": "staff"}),
    "list clients": lambda u, a: u.get("/admin/people", params={"kind": "client"}),
    "create staff": lambda u, a: u.post("/admin/people", _new("staff")),
    "create client": lambda u, a: u.post("/admin/people", _new("client")),
    "edit staff": lambda u, a: u.patch(f"/admin/people/{a.id('billing')}",
                                       {"name": "Pat Billing"}),
    "edit client": lambda u, a: u.patch(f"/admin/people/{a.id('blair')}",
                                        {"name": "Blair Thompson"}),
    "disable staff": lambda u, a: u.patch(f"/admin/people/{a.id('agent.kim')}",
                                          {"disabled": False}),
    "disable client": lambda u, a: u.patch(f"/admin/people/{a.id('dana')}", {"disabled": False}),
    "import clients": lambda u, a: u.post(
        "/admin/people/import?dry_run=1", data="name,email\nNew Client,new@example.org\n",
        headers={"Content-Type": "text/csv"}, key=None),
    "invite staff": lambda u, a: u.post(f"/admin/people/{a.id('dr.chen')}/invite"),
    "invite client": lambda u, a: u.post(f"/admin/people/{a.id('blair')}/invite"),
    "reset-mfa staff": lambda u, a: u.post(f"/admin/people/{a.id('dr.chen')}/reset-mfa"),
    "reset-mfa client": lambda u, a: u.post(f"/admin/people/{a.id('blair')}/reset-mfa"),
    "read practice": lambda u, a: u.get("/admin/practice"),
    "change practice": lambda u, a: u.patch("/admin/practice", {"portal_notice": ""}),
    "read audit": lambda u, a: u.get("/audit", params={"order": "newest"}),
    "export audit": lambda u, a: u.get("/audit", params={"format": "csv"}),
}

ADMIN_ONLY = {"admin"}
ADMIN_AND_FRONT = {"admin", "front_office"}
# endpoint -> (the roles allowed, the status they get)
EXPECTED: dict[str, tuple[set[str], int]] = {
    "list everyone": (ADMIN_AND_FRONT, 200),
    "list staff": (ADMIN_ONLY, 200),
    "list clients": (ADMIN_AND_FRONT, 200),
    "create staff": (ADMIN_ONLY, 201),
    "create client": (ADMIN_AND_FRONT, 201),
    "edit staff": (ADMIN_ONLY, 200),
    "edit client": (ADMIN_AND_FRONT, 200),
    "disable staff": (ADMIN_ONLY, 200),
    "disable client": (ADMIN_AND_FRONT, 200),
    "import clients": (ADMIN_AND_FRONT, 200),
    "invite staff": (ADMIN_ONLY, 202),
    "invite client": (ADMIN_AND_FRONT, 202),
    "reset-mfa staff": (ADMIN_ONLY, 204),
    "reset-mfa client": (ADMIN_ONLY, 204),
    "read practice": (ADMIN_ONLY, 200),
    "change practice": (ADMIN_ONLY, 200),
    "read audit": (ADMIN_ONLY, 200),
    "export audit": (ADMIN_ONLY, 200),
}


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("endpoint", CALLS)
def test_role_tries_endpoint(shared_api: Api, role: str, endpoint: str) -> None:
    reply = CALLS[endpoint](shared_api.as_(ACTORS[role]), shared_api)
    allowed, status = EXPECTED[endpoint]
    if role in allowed:
        assert reply.status_code == status, reply.text
    else:
        assert_problem(reply, 403, "forbidden")


def test_front_office_lists_only_clients(shared_api: Api) -> None:
    people = shared_api.as_("frontdesk").get("/admin/people", params={"limit": 500}).json()
    assert people["people"] and {p["kind"] for p in people["people"]} == {"client"}


@pytest.mark.parametrize("role", ACTORS)
def test_session_capabilities_match_the_table(shared_api: Api, role: str) -> None:
    caps = shared_api.as_(ACTORS[role]).get("/session").json()["capabilities"]
    assert caps["manage_staff"] == (role in EXPECTED["edit staff"][0])
    assert caps["manage_clients"] == (role in EXPECTED["edit client"][0])
    assert caps["view_audit"] == (role in EXPECTED["read audit"][0])
    assert caps["manage_practice"] == (role in EXPECTED["change practice"][0])


def test_other_practices_people_are_not_found(shared_api: Api) -> None:
    harbor = shared_api.as_("harbor.admin")
    lakeside_client = shared_api.id("alex")
    assert_problem(harbor.patch(f"/admin/people/{lakeside_client}", {"name": "X"}), 404,
                   "not_found")
    assert_problem(harbor.post(f"/admin/people/{lakeside_client}/invite"), 404, "not_found")
    listed = harbor.get("/admin/people", params={"limit": 500}).json()["people"]
    assert lakeside_client not in {p["id"] for p in listed} and listed
