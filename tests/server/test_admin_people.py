"""/admin/people: listing by name with search and paging, creating with its checks, editing,
disabling (sessions end at once, long polls included) and the practice's last admin."""

from __future__ import annotations

import threading
from typing import Any

import requests

from tests.server.admin_support import bearer, login, wait_for
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer

DEMO = "lakeside-demo-2026"


def names(reply: requests.Response) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [p["username"] for p in reply.json()["people"]]


def test_list_is_ordered_by_name_and_pages(api: Api) -> None:
    admin = api.as_("admin")
    # Non-ASCII names after the others, one on a page's edge (pages of 3).
    for username, name in (("elise.a", "Élise Aubert"), ("elise.b", "Élise Bernard"),
                           ("elise.c", "Élise Caron")):
        admin.post("/admin/people", {"kind": "client", "username": username, "name": name,
                                     "email": f"{username}@example.org"})
    everyone: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = admin.get("/admin/people", params=params).json()
        assert len(page["people"]) <= 3
        everyone += page["people"]
        if not page["next"]:
            break
        params["after"] = page["next"]
    lakeside = ["admin", "alex", "billing", "blair", "casey", "dana", "dr.chen", "dr.rivera",
                "frontdesk", "agent.kim", "elise.a", "elise.b", "elise.c"]
    assert sorted(p["username"] for p in everyone) == sorted(lakeside)
    assert len({p["id"] for p in everyone}) == len(everyone)  # no page repeats anyone
    whole = admin.get("/admin/people", params={"limit": 500}).json()["people"]
    assert [p["id"] for p in everyone] == [p["id"] for p in whole]
    alex = next(p for p in everyone if p["username"] == "alex")
    assert alex["assigned_therapist_ids"] == [api.id("dr.rivera")]
    assert alex["email"] == "alex@lakeside.example" and alex["password_set"] is True
    assert set(alex) >= {"disabled", "mfa_enabled", "invite_sent_at", "last_login_at",
                         "created_at", "has_portal_account", "status", "role", "kind", "name"}
    assert names(admin.get("/admin/people", params={"kind": "staff", "limit": 100})) == [
        "dr.rivera", "dr.chen", "frontdesk", "agent.kim", "admin", "billing"]


def test_q_matches_name_username_and_email(api: Api) -> None:
    admin = api.as_("admin")
    assert names(admin.get("/admin/people", params={"q": "THOMPSON"})) == ["blair"]
    assert names(admin.get("/admin/people", params={"q": "dr.ch"})) == ["dr.chen"]
    assert names(admin.get("/admin/people", params={"q": "casey@lakeside"})) == ["casey"]
    assert names(admin.get("/admin/people", params={"q": "%"})) == []
    # "_" is a character, not a wildcard: only the emails that hold one.
    assert names(admin.get("/admin/people", params={"q": "_"})) == [
        "dr.rivera", "dr.chen", "agent.kim"]


def test_create_checks_and_refuses_a_taken_username(api: Api) -> None:
    admin = api.as_("admin")
    new = {"kind": "client", "username": "New.Client", "name": "New Client",
           "email": "new@example.org", "assigned_therapist_ids": [api.id("dr.chen")]}
    created = admin.post("/admin/people", new)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["username"] == "new.client" and body["status"] == "active"
    assert body["password_set"] is False and body["invite_sent_at"] is None
    assert_problem(admin.post("/admin/people", new), 409, "username_taken")
    assert_problem(admin.post("/admin/people", new | {"username": "erin"}), 409,
                   "username_taken")  # usernames are unique on the whole server
    for bad in ({"username": "x"}, {"username": "has space"}, {"email": "nope"},
                {"name": "  "}, {"assigned_therapist_ids": [api.id("frontdesk")]},
                {"kind": "staff", "role": "wizard"}, {"kind": "staff"},
                {"role": "therapist"}):
        assert_problem(admin.post("/admin/people", new | {"username": "fresh.one"} | bad), 422,
                       "validation_error")
    # The new client appears in the staff's feed and directory.
    people = api.as_("dr.chen").get("/directory").json()["people"]
    assert "new.client" in {p["username"] for p in people}


def test_edit_changes_the_fields(api: Api) -> None:
    admin = api.as_("admin")
    reply = admin.patch(f"/admin/people/{api.id('dana')}", {
        "name": "Dana Brooks-Lee", "email": "dana@new.example", "status": "inactive",
        "has_portal_account": True, "assigned_therapist_ids": [api.id("dr.chen")]})
    assert reply.status_code == 200, reply.text
    dana = reply.json()
    assert (dana["name"], dana["email"], dana["status"], dana["has_portal_account"]) == (
        "Dana Brooks-Lee", "dana@new.example", "inactive", True)
    assert dana["assigned_therapist_ids"] == [api.id("dr.chen")]
    assert_problem(admin.patch(f"/admin/people/{api.id('dana')}", {"role": "admin"}), 422,
                   "validation_error")
    assert_problem(admin.patch(f"/admin/people/{api.id('dana')}", {"username": "alex"}), 409,
                   "username_taken")
    assert_problem(admin.patch(f"/admin/people/{api.id('dana')}", {"kind": "staff"}), 422,
                   "validation_error")
    for field in ("username", "name", "has_portal_account", "disabled", "status"):
        assert_problem(admin.patch(f"/admin/people/{api.id('dana')}", {field: None}), 422,
                       "validation_error")
    assert admin.get("/admin/people", params={"q": "dana@new"}).json()["people"][0][
        "has_portal_account"] is True


def test_front_office_cannot_edit_staff(api: Api) -> None:
    front = api.as_("frontdesk")
    assert_problem(front.patch(f"/admin/people/{api.id('dr.chen')}", {"name": "X"}), 403,
                   "forbidden")
    assert front.patch(f"/admin/people/{api.id('alex')}", {"name": "Alex M."}).status_code == 200


def test_disabling_ends_sessions_at_once_even_a_waiting_long_poll(server: LiveServer) -> None:
    api = Api(server)
    token = login(server, "dr.chen", DEMO).json()["token"]
    cursor = requests.get(f"{server.api}/changes", headers=bearer(token),
                          timeout=30).json()["cursor"]
    answers: list[requests.Response] = []
    waiting = threading.Thread(target=lambda: answers.append(requests.get(
        f"{server.api}/changes", params={"since": cursor, "wait": 55}, headers=bearer(token),
        timeout=90)))
    waiting.start()
    assert wait_for(lambda: server.ctx.hub.waiting >= 1)
    reply = api.as_("admin").patch(f"/admin/people/{api.id('dr.chen')}", {"disabled": True})
    assert reply.status_code == 200 and reply.json()["disabled"] is True
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert_problem(answers[0], 401, "unauthenticated")
    assert_problem(requests.get(f"{server.api}/session", headers=bearer(token), timeout=30),
                   401, "unauthenticated")
    assert_problem(login(server, "dr.chen", DEMO), 401, "invalid_credentials")
    # Their messages stay; they leave the default list but not the full one.
    admin = api.as_("admin")
    assert "dr.chen" not in names(admin.get("/admin/people", params={"kind": "staff"}))
    assert "dr.chen" in names(admin.get("/admin/people", params={"kind": "staff",
                                                                 "include_disabled": 1}))
    admin.patch(f"/admin/people/{api.id('dr.chen')}", {"disabled": False})
    assert login(server, "dr.chen", DEMO).status_code == 200
    actions = [e["action"] for e in admin.get("/audit", params={
        "order": "newest", "target_id": api.id("dr.chen")}).json()["events"]]
    assert [a for a in actions if a.startswith("person_")] == ["person_update", "person_disable"]


def test_removing_portal_access_ends_a_clients_sessions(server: LiveServer) -> None:
    api = Api(server)
    token = login(server, "blair", DEMO).json()["token"]
    reply = api.as_("frontdesk").patch(f"/admin/people/{api.id('blair')}",
                                       {"has_portal_account": False})
    assert reply.status_code == 200
    assert_problem(requests.get(f"{server.api}/session", headers=bearer(token), timeout=30),
                   401, "unauthenticated")
    assert_problem(login(server, "blair", DEMO), 401, "invalid_credentials")


def test_a_practice_keeps_one_enabled_admin(server: LiveServer) -> None:
    api = Api(server)
    admin = api.as_("admin")
    me = api.id("admin")
    assert_problem(admin.patch(f"/admin/people/{me}", {"disabled": True}), 409, "last_admin")
    assert_problem(admin.patch(f"/admin/people/{me}", {"role": "therapist"}), 409, "last_admin")
    assert admin.patch(f"/admin/people/{api.id('frontdesk')}", {"role": "admin"}).status_code == 200
    assert admin.patch(f"/admin/people/{me}", {"role": "therapist"}).status_code == 200
    second = api.as_("frontdesk")
    assert_problem(second.patch(f"/admin/people/{api.id('frontdesk')}", {"disabled": True}), 409,
                   "last_admin")
