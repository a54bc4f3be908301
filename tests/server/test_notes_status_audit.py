"""Quick notes and chart notes, client status changes, and the append-only audit log."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.seed import DEMO_PASSWORD
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer


def all_events(api: Api, admin: str = "admin") -> list[dict[str, Any]]:
    user = api.as_(admin)
    events: list[dict[str, Any]] = []
    since = 0
    while True:
        reply = user.get("/audit", params={"since": since, "limit": 500})
        assert reply.status_code == 200, reply.text
        events += reply.json()["events"]
        if reply.json()["next"] is None:
            return events
        since = reply.json()["next"]


def test_quick_note_and_who_reads_chart_notes(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex", "frontdesk"])["thread"]["id"]
    reply = rivera.post(f"/threads/{thread_id}/quick-note", {"body": "  Sleep improving.  "})
    assert reply.status_code == 201, reply.text
    note = reply.json()["note"]
    assert set(note) == {"id", "client_id", "author_id", "created_at", "body", "thread_id"}
    assert (note["client_id"], note["author_id"], note["thread_id"], note["body"]) == (
        shared_api.id("alex"),
        rivera.id,
        thread_id,
        "Sleep improving.",
    )
    path = f"/clients/{shared_api.id('alex')}/notes"
    for reader in ("dr.rivera", "admin"):
        notes = shared_api.as_(reader).get(path)
        assert notes.status_code == 200, notes.text
        assert note in notes.json()["notes"]
    # minimum necessary: a therapist not assigned to alex, other staff and the client itself
    # learn nothing, not even that notes exist
    for outsider in ("dr.chen", "frontdesk", "billing", "agent.kim", "alex", "blair", "dr.moss",
                     "erin"):
        body = assert_problem(shared_api.as_(outsider).get(path), 404, "not_found")
        assert "Sleep" not in body["detail"]


def test_a_therapist_not_assigned_reads_only_the_notes_they_wrote(shared_api: Api) -> None:
    """dr.chen (blair's therapist) may quick-note in a thread with casey, and reads that note
    back, but never dr.rivera's notes on casey."""
    rivera, chen = shared_api.as_("dr.rivera"), shared_api.as_("dr.chen")
    path = f"/clients/{shared_api.id('casey')}/notes"
    rivera_thread = rivera.started(["casey"])["thread"]["id"]
    theirs = rivera.post(f"/threads/{rivera_thread}/quick-note", {"body": "Rivera's own note."})
    assert theirs.status_code == 201, theirs.text
    chen_thread = chen.started(["casey"])["thread"]["id"]
    mine = chen.post(f"/threads/{chen_thread}/quick-note", {"body": "Covering session."})
    assert mine.status_code == 201, mine.text
    seen = chen.get(path)
    assert seen.status_code == 200, seen.text
    assert [n["author_id"] for n in seen.json()["notes"]] == [chen.id]
    assert mine.json()["note"] in seen.json()["notes"]
    everything = rivera.get(path).json()["notes"]
    assert {theirs.json()["note"]["id"], mine.json()["note"]["id"]} <= {n["id"] for n in everything}


def test_quick_note_needs_a_body(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    for payload in ({}, {"body": ""}, {"body": 5}):
        reply = rivera.post(f"/threads/{thread_id}/quick-note", payload)
        assert_problem(reply, 422, "validation_error")


@pytest.mark.parametrize("changer", ["admin", "frontdesk"])
def test_status_change_by_admin_and_front_office(shared_api: Api, changer: str) -> None:
    casey = shared_api.as_("casey")
    user = shared_api.as_(changer)
    assert_problem(casey.send(["dr.rivera"]), 403, "inactive_client_recipient")
    directory_before = casey.get("/directory").json()
    reply = user.patch(f"/clients/{casey.id}", {"status": "active"})
    try:
        assert reply.status_code == 200, reply.text
        assert reply.json()["id"] == casey.id and reply.json()["status"] == "active"
        assert casey.send(["dr.rivera"]).status_code == 201
        staff_view = {p["id"]: p for p in user.get("/directory").json()["people"]}
        assert staff_view[casey.id]["status"] == "active"
        # a client's directory is the same whether it is active or inactive
        after = casey.get("/directory").json()
        assert [p["id"] for p in after["people"]] == [p["id"] for p in directory_before["people"]]
    finally:
        back = user.patch(f"/clients/{casey.id}", {"status": "inactive"})
        assert back.status_code == 200 and back.json()["status"] == "inactive"
    assert_problem(casey.send(["dr.rivera"]), 403, "inactive_client_recipient")


@pytest.mark.parametrize("changer", ["dr.rivera", "billing", "agent.kim", "alex", "casey"])
def test_status_change_refused_to_others(shared_api: Api, changer: str) -> None:
    target = "alex" if changer != "casey" else "casey"
    status = "inactive" if target == "alex" else "active"
    reply = shared_api.as_(changer).patch(f"/clients/{shared_api.id(target)}", {"status": status})
    assert_problem(reply, 403, "forbidden")
    people = {p["username"]: p for p in shared_api.as_("admin").get("/directory").json()["people"]}
    assert people[target]["status"] == ("active" if target == "alex" else "inactive")


@pytest.mark.parametrize(
    ("target", "payload", "status", "code"),
    [
        pytest.param("alex", {"status": "asleep"}, 422, "validation_error", id="unknown-status"),
        pytest.param("alex", {}, 422, "validation_error", id="no-status"),
        pytest.param(
            "dr.rivera", {"status": "inactive"}, 404, "not_found", id="staff-is-no-client"
        ),
        pytest.param("erin", {"status": "inactive"}, 404, "not_found", id="other-practice"),
    ],
)
def test_status_change_errors(
    shared_api: Api, target: str, payload: dict, status: int, code: str
) -> None:
    reply = shared_api.as_("frontdesk").patch(f"/clients/{shared_api.id(target)}", payload)
    assert_problem(reply, status, code)


def test_audit_records_every_kind_of_event(shared_api: Api) -> None:
    api = shared_api
    rivera, alex, front = api.as_("dr.rivera"), api.as_("alex"), api.as_("frontdesk")
    start = all_events(api)[-1]["id"] if all_events(api) else 0
    failed = requests.post(
        f"{api.server.api}/auth/login",
        json={"username": "blair", "password": "not-it"},
        timeout=30,
    )
    assert failed.status_code == 401
    token = requests.post(
        f"{api.server.api}/auth/login",
        json={"username": "blair", "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert token.status_code == 200
    sent = rivera.started(["alex"])
    thread_id, first_id = sent["thread"]["id"], sent["message"]["id"]
    second_id = rivera.reply(thread_id).json()["message"]["id"]
    alex.thread(thread_id)
    note_id = rivera.post(f"/threads/{thread_id}/quick-note", {"body": "n"}).json()["note"]["id"]
    assert rivera.delete(f"/messages/{second_id}").status_code == 204
    assert rivera.delete(f"/threads/{thread_id}").status_code == 204
    assert front.patch(f"/clients/{alex.id}", {"status": "inactive"}).status_code == 200
    assert front.patch(f"/clients/{alex.id}", {"status": "active"}).status_code == 200

    events = [e for e in all_events(api) if e["id"] > start]
    blair = api.id("blair")
    expected = [
        ("login_failed", blair, "blair"),
        ("login", blair, blair),
        ("send", rivera.id, first_id),
        ("send", rivera.id, second_id),
        ("read_thread", alex.id, thread_id),
        ("quick_note", rivera.id, note_id),
        ("delete_message", rivera.id, second_id),
        ("delete_thread", rivera.id, thread_id),
        ("client_status", front.id, alex.id),
        ("client_status", front.id, alex.id),
    ]
    assert [(e["action"], e["actor_id"], e["target_id"]) for e in events] == expected
    for event in events:
        assert set(event) == {"id", "at", "actor_id", "action", "target_type", "target_id", "ip"}
        assert event["ip"] == "127.0.0.1" and event["at"].endswith("Z")
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


def test_audit_pages_oldest_first(shared_api: Api) -> None:
    everything = all_events(shared_api)
    assert len(everything) >= 3
    first = shared_api.as_("admin").get("/audit", params={"limit": 2}).json()
    assert first["events"] == everything[:2]
    assert first["next"] == everything[1]["id"]
    second = shared_api.as_("admin").get("/audit", params={"limit": 2, "since": first["next"]})
    assert second.json()["events"] == everything[2:4]


@pytest.mark.parametrize("reader", ["dr.rivera", "frontdesk", "billing", "agent.kim", "alex"])
def test_audit_is_for_admins_only(shared_api: Api, reader: str) -> None:
    assert_problem(shared_api.as_(reader).get("/audit"), 403, "forbidden")


def test_each_practice_audits_its_own(shared_api: Api) -> None:
    harbor_ids = {shared_api.id(p) for p in ("harbor.admin", "dr.moss", "erin")}
    shared_api.as_("dr.moss").started(["erin"])
    harbor = all_events(shared_api, "harbor.admin")
    assert harbor and all(e["actor_id"] in harbor_ids for e in harbor)
    lakeside = all_events(shared_api, "admin")
    assert not any(e["actor_id"] in harbor_ids for e in lakeside)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'login' WHERE id = :id",
        "UPDATE audit_event SET target_id = NULL WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
        "DELETE FROM audit_event",
    ],
)
def test_database_refuses_to_change_the_audit_log(
    shared_api: Api, shared_server: LiveServer, statement: str
) -> None:
    shared_api.as_("dr.rivera").started(["alex"])
    before = all_events(shared_api)
    last = before[-1]["id"]
    with shared_server.ctx.engine.connect() as conn:
        with pytest.raises(DBAPIError):
            conn.execute(text(statement), {"id": last})
            conn.commit()
        conn.rollback()
    assert all_events(shared_api)[: len(before)] == before
