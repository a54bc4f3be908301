"""Who may start a thread with whom (API.md, Addresses and Threads), through HTTP.

A refused send creates nothing: the sender's feed shows no new thread or message.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.api_client import Api, assert_problem

REFUSALS = [
    ("alex", ["blair"], 403, "client_cannot_message_client", "client-to-client"),
    ("alex", ["dr.rivera", "blair"], 403, "client_cannot_message_client", "client-to-staff+client"),
    ("alex", ["casey"], 403, "client_cannot_message_client", "client-to-inactive-client"),
    ("alex", ["group:front_office"], 403, "recipient_not_allowed", "client-to-group"),
    ("alex", ["group:therapists"], 403, "recipient_not_allowed", "client-to-therapists-group"),
    ("alex", ["dr.chen"], 403, "recipient_not_allowed", "client-to-unassigned-therapist"),
    ("alex", ["admin"], 403, "recipient_not_allowed", "client-to-admin"),
    ("alex", ["agent.kim"], 403, "recipient_not_allowed", "client-to-external-agent"),
    ("alex", ["dr.rivera", "admin"], 403, "recipient_not_allowed", "client-to-own-and-outside"),
    ("casey", ["dr.rivera"], 403, "inactive_client_recipient", "inactive-to-own-therapist"),
    ("casey", ["frontdesk", "dr.rivera"], 403, "inactive_client_recipient", "inactive-to-mixed"),
    # the inactive rule is checked before the directory rule
    ("casey", ["dr.chen"], 403, "inactive_client_recipient", "inactive-to-outside-therapist"),
    ("casey", ["admin"], 403, "inactive_client_recipient", "inactive-to-admin"),
    ("casey", ["group:front_office"], 403, "recipient_not_allowed", "inactive-to-group"),
    ("dr.rivera", [f"person:{uuid.uuid4()}"], 422, "unknown_recipient", "unknown-person"),
    ("dr.rivera", ["group:everyone"], 422, "unknown_recipient", "unknown-group"),
    ("dr.rivera", ["person:"], 422, "unknown_recipient", "empty-person-id"),
    ("dr.rivera", ["alex@example.com"], 422, "unknown_recipient", "not-an-address"),
    ("dr.rivera", ["erin"], 422, "unknown_recipient", "other-practice-client"),
    ("dr.rivera", ["dr.moss"], 422, "unknown_recipient", "other-practice-therapist"),
    ("alex", ["erin"], 422, "unknown_recipient", "client-to-other-practice"),
    ("dr.rivera", [], 422, "no_recipients", "no-recipients"),
    ("dr.rivera", ["dr.rivera"], 422, "no_recipients", "staff-to-self-only"),
    ("alex", ["alex"], 422, "no_recipients", "client-to-self-only"),
    # the group's only member is the sender, who is left out
    ("frontdesk", ["group:front_office"], 422, "no_recipients", "group-of-only-the-sender"),
]


@pytest.mark.parametrize(
    ("sender", "to", "status", "code"),
    [pytest.param(*row[:4], id=row[4]) for row in REFUSALS],
)
def test_refused_new_thread(
    shared_api: Api, sender: str, to: list[str], status: int, code: str
) -> None:
    user = shared_api.as_(sender)
    before = user.changes()["cursor"]
    reply = user.send(to, subject="Addressing", body="<p>Is this allowed to be sent?</p>")
    assert_problem(reply, status, code)
    after = user.changes(since=before)
    assert after["threads"] == [] and after["messages"] == []


ALLOWED = [
    ("alex", ["dr.rivera"], ["alex", "dr.rivera"], "client-to-own-therapist"),
    ("alex", ["frontdesk"], ["alex", "frontdesk"], "client-to-front-office"),
    ("alex", ["billing"], ["alex", "billing"], "client-to-billing"),
    (
        "alex",
        ["dr.rivera", "frontdesk", "billing"],
        ["alex", "dr.rivera", "frontdesk", "billing"],
        "client-to-whole-directory",
    ),
    ("casey", ["frontdesk"], ["casey", "frontdesk"], "inactive-to-front-office"),
    ("casey", ["frontdesk", "billing"], ["casey", "frontdesk", "billing"], "inactive-to-office"),
    ("dr.rivera", ["casey"], ["dr.rivera", "casey"], "staff-to-inactive-client"),
    ("dr.rivera", ["dana"], ["dr.rivera", "dana"], "staff-to-client-without-portal"),
    ("dr.rivera", ["blair"], ["dr.rivera", "blair"], "therapist-to-unassigned-client"),
    ("agent.kim", ["alex"], ["agent.kim", "alex"], "external-agent-to-client"),
    (
        "dr.rivera",
        ["alex", "blair", "casey"],
        ["dr.rivera", "alex", "blair", "casey"],
        "staff-to-several-clients",
    ),
    ("admin", ["group:therapists"], ["admin", "dr.rivera", "dr.chen"], "staff-to-group"),
    (
        "dr.rivera",
        ["group:therapists", "dr.chen", "dr.rivera"],
        ["dr.rivera", "dr.chen"],
        "group-expanded-without-sender-and-duplicates",
    ),
    (
        "frontdesk",
        ["group:front_office", "billing"],
        ["frontdesk", "billing"],
        "sender-left-out-of-own-group",
    ),
    ("admin", ["group:external_agents"], ["admin", "agent.kim"], "external-agents-group"),
]


@pytest.mark.parametrize(
    ("sender", "to", "participants"), [pytest.param(*row[:3], id=row[3]) for row in ALLOWED]
)
def test_allowed_new_thread(
    shared_api: Api, sender: str, to: list[str], participants: list[str]
) -> None:
    user = shared_api.as_(sender)
    reply = user.send(to, subject="Addressing", body="<p>This one may be sent, surely.</p>")
    assert reply.status_code == 201, reply.text
    thread = reply.json()["thread"]
    expected = sorted(shared_api.id(p) for p in participants)
    # a client sees only staff and itself, which is every participant here
    assert sorted(p["id"] for p in thread["participants"]) == expected
    assert thread["client_count"] == sum(
        p in ("alex", "blair", "casey", "dana") for p in participants
    )
    assert thread["created_by"] == user.id
    assert thread["message_count"] == 1
    for name in participants:
        if name != sender and name != "dana":
            inbox = shared_api.as_(name).listing("inbox")
            assert thread["id"] in [item["thread"]["id"] for item in inbox]


def test_client_directory_matches_what_it_may_address(shared_api: Api) -> None:
    """Every staff member in a client's directory is writable; every other one is refused."""
    alex = shared_api.as_("alex")
    directory = alex.get("/directory").json()
    shown = {p["username"] for p in directory["people"]}
    assert shown == {"alex", "dr.rivera", "frontdesk", "billing"}
    assert directory["groups"] == []
    for staff in ("dr.rivera", "frontdesk", "billing", "dr.chen", "admin", "agent.kim"):
        reply = alex.send([staff], subject="Directory", body="<p>Directory consistency.</p>")
        if staff in shown:
            assert reply.status_code == 201, reply.text
        else:
            assert_problem(reply, 403, "recipient_not_allowed")


def test_staff_directory_lists_everyone_and_the_groups(shared_api: Api) -> None:
    directory = shared_api.as_("frontdesk").get("/directory").json()
    usernames = {p["username"] for p in directory["people"]}
    assert usernames == {
        "admin",
        "dr.rivera",
        "dr.chen",
        "frontdesk",
        "billing",
        "agent.kim",
        "alex",
        "blair",
        "casey",
        "dana",
    }
    groups = {g["id"]: g for g in directory["groups"]}
    assert set(groups) == {"front_office", "therapists", "external_agents"}
    members = {gid: sorted(g["member_ids"]) for gid, g in groups.items()}
    assert members == {
        "front_office": [shared_api.id("frontdesk")],
        "therapists": sorted([shared_api.id("dr.rivera"), shared_api.id("dr.chen")]),
        "external_agents": [shared_api.id("agent.kim")],
    }
    assert all(g["name"] for g in groups.values())
