"""The rules table through HTTP: every role × thread shape × action, allowed or refused with
its exact code, and the capability flags the thread carries agree with what then happens.

Each row builds a fresh thread on the module's server, reads it as the actor (checking the
flags), then tries the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api_client import Api, User, assert_problem

ACTORS = {
    "admin": "admin",
    "therapist": "dr.rivera",
    "front_office": "frontdesk",
    "biller": "billing",
    "external_agent": "agent.kim",
    "active_client": "alex",
    "inactive_client": "casey",
}
CLIENT_ACTORS = ("alex", "casey")
SHAPES = ("staff_only", "one_to_one", "staff_and_one_client", "two_clients", "inactive_client")
ACTIONS = ("add_message", "delete_message", "delete_thread", "quick_note", "client_status")


@dataclass(frozen=True)
class Shape:
    starter: str
    to: tuple[str, ...]


def shape_for(actor: str, shape: str) -> Shape:
    """The thread of this shape that `actor` takes part in (staff start their own threads)."""
    if actor not in CLIENT_ACTORS:
        second_staff = "billing" if actor == "frontdesk" else "frontdesk"
        return {
            "staff_only": Shape(actor, ("dr.chen",)),
            "one_to_one": Shape(actor, ("alex",)),
            "staff_and_one_client": Shape(actor, (second_staff, "alex")),
            "two_clients": Shape(actor, ("alex", "blair")),
            "inactive_client": Shape(actor, ("casey",)),
        }[shape]
    other_client = "blair"
    return {
        # a staff-only thread: the client is not in it at all
        "staff_only": Shape("dr.rivera", ("dr.chen",)),
        "one_to_one": Shape("alex", ("dr.rivera",))
        if actor == "alex"
        else Shape("dr.rivera", ("casey",)),
        "staff_and_one_client": Shape("dr.rivera", ("frontdesk", actor)),
        "two_clients": Shape("dr.rivera", (actor, other_client)),
        # alex shares it with inactive casey; casey's own thread is with the office only
        "inactive_client": Shape("dr.rivera", ("alex", "casey"))
        if actor == "alex"
        else Shape("frontdesk", ("casey", "billing")),
    }[shape]


OK = "ok"
NF = "not_found"
DNA = "delete_not_allowed"
QNA = "quick_note_not_allowed"
RNA = "reply_not_allowed"
ICR = "inactive_client_recipient"
FB = "forbidden"

# role -> shape -> outcome of (add_message, delete_message, delete_thread, quick_note,
# client_status). Staff delete their own message / their own thread; clients try the
# starter's (or their own) message.
EXPECTED: dict[str, dict[str, tuple[str, str, str, str, str]]] = {
    "admin": {
        "staff_only": (OK, DNA, DNA, QNA, OK),
        "one_to_one": (OK, OK, OK, QNA, OK),
        "staff_and_one_client": (OK, OK, OK, QNA, OK),
        "two_clients": (RNA, OK, OK, QNA, OK),
        "inactive_client": (OK, OK, OK, QNA, OK),
    },
    "therapist": {
        "staff_only": (OK, DNA, DNA, QNA, FB),
        "one_to_one": (OK, OK, OK, OK, FB),
        "staff_and_one_client": (OK, OK, OK, OK, FB),
        "two_clients": (RNA, OK, OK, QNA, FB),
        "inactive_client": (OK, OK, OK, OK, FB),
    },
    "front_office": {
        "staff_only": (OK, DNA, DNA, QNA, OK),
        "one_to_one": (OK, OK, OK, QNA, OK),
        "staff_and_one_client": (OK, OK, OK, QNA, OK),
        "two_clients": (RNA, OK, OK, QNA, OK),
        "inactive_client": (OK, OK, OK, QNA, OK),
    },
    "biller": {
        "staff_only": (OK, DNA, DNA, QNA, FB),
        "one_to_one": (OK, OK, OK, QNA, FB),
        "staff_and_one_client": (OK, OK, OK, QNA, FB),
        "two_clients": (RNA, OK, OK, QNA, FB),
        "inactive_client": (OK, OK, OK, QNA, FB),
    },
    "external_agent": {
        "staff_only": (OK, DNA, DNA, QNA, FB),
        "one_to_one": (OK, OK, OK, QNA, FB),
        "staff_and_one_client": (OK, OK, OK, QNA, FB),
        "two_clients": (RNA, OK, OK, QNA, FB),
        "inactive_client": (OK, OK, OK, QNA, FB),
    },
    "active_client": {
        "staff_only": (NF, NF, NF, NF, FB),
        "one_to_one": (OK, DNA, DNA, QNA, FB),
        "staff_and_one_client": (OK, DNA, DNA, QNA, FB),
        "two_clients": (RNA, DNA, DNA, QNA, FB),
        "inactive_client": (RNA, DNA, DNA, QNA, FB),
    },
    "inactive_client": {
        "staff_only": (NF, NF, NF, NF, FB),
        "one_to_one": (ICR, DNA, DNA, QNA, FB),
        "staff_and_one_client": (ICR, DNA, DNA, QNA, FB),
        "two_clients": (RNA, DNA, DNA, QNA, FB),
        "inactive_client": (OK, DNA, DNA, QNA, FB),
    },
}
STATUS_OF = {"forbidden": 403, "not_found": 404}
ROWS = [
    (role, shape, action, EXPECTED[role][shape][ACTIONS.index(action)])
    for role in ACTORS
    for shape in SHAPES
    for action in ACTIONS
]


def expected_status(outcome: str) -> int:
    return STATUS_OF.get(outcome, 403)


@dataclass
class Built:
    thread_id: str
    first_message_id: str


def build(api: Api, shape: Shape) -> Built:
    body = api.as_(shape.starter).started(list(shape.to), subject="Rules table")
    return Built(body["thread"]["id"], body["message"]["id"])


def status_target(api: Api, actor: str, shape: Shape) -> tuple[str, str]:
    """Whose status the actor tries to set, and to what (the status it has: nothing changes)."""
    if actor in CLIENT_ACTORS:
        return api.id(actor), "inactive" if actor == "casey" else "active"
    clients = [p for p in shape.to if p in ("alex", "blair", "casey")]
    target = clients[0] if clients else "dana"
    return api.id(target), "inactive" if target == "casey" else "active"


def act(api: Api, actor: User, action: str, built: Built, shape: Shape) -> Any:
    if action == "add_message":
        return actor.reply(built.thread_id)
    if action == "delete_message":
        return actor.delete(f"/messages/{built.first_message_id}")
    if action == "delete_thread":
        return actor.delete(f"/threads/{built.thread_id}")
    if action == "quick_note":
        return actor.post(
            f"/threads/{built.thread_id}/quick-note", {"body": "Discussed sleep hygiene."}
        )
    client_id, status = status_target(api, actor.username, shape)
    return actor.patch(f"/clients/{client_id}", {"status": status})


def check_flags(actor: User, built: Built, action: str, outcome: str) -> None:
    """The flags of the thread as the actor sees it predict the endpoint's answer."""
    reply = actor.get(f"/threads/{built.thread_id}")
    if outcome == NF:
        assert_problem(reply, 404, "not_found")
        return
    assert reply.status_code == 200, reply.text
    thread = reply.json()["thread"]
    assert (thread["reply_blocked_reason"] is None) is thread["can_reply"], thread
    flag = {
        "add_message": lambda: thread["can_reply"],
        "delete_thread": lambda: thread["can_delete"],
        "quick_note": lambda: thread["can_quick_note"],
        "delete_message": lambda: next(
            m["can_delete"] for m in reply.json()["messages"] if m["id"] == built.first_message_id
        ),
    }[action]()
    assert flag is (outcome == OK), f"{action} flag {flag} but the endpoint answers {outcome}"


@pytest.mark.parametrize(
    ("role", "shape", "action", "outcome"),
    ROWS,
    ids=[f"{role}-{shape}-{action}-{outcome}" for role, shape, action, outcome in ROWS],
)
def test_rules_table(shared_api: Api, role: str, shape: str, action: str, outcome: str) -> None:
    actor_name = ACTORS[role]
    thread_shape = shape_for(actor_name, shape)
    built = build(shared_api, thread_shape)
    actor = shared_api.as_(actor_name)
    if action != "client_status":
        check_flags(actor, built, action, outcome)
    reply = act(shared_api, actor, action, built, thread_shape)
    if outcome != OK:
        assert_problem(reply, expected_status(outcome), outcome)
        return
    expected = {"delete_message": 204, "delete_thread": 204, "client_status": 200}.get(action, 201)
    assert reply.status_code == expected, reply.text
    if expected == 204:
        assert reply.content == b""
        assert_problem(actor.get(f"/threads/{built.thread_id}"), 404, "not_found")
    if action == "add_message":
        assert reply.json()["message"]["sender_id"] == actor.id
    if action == "quick_note":
        note = reply.json()["note"]
        assert note["author_id"] == actor.id and note["thread_id"] == built.thread_id


# Staff who did not write the message or start the thread: the author rule, through HTTP.
AUTHOR_ROWS = [
    pytest.param("frontdesk", "delete_starter_message", DNA, id="co-participant-deletes-message"),
    pytest.param("frontdesk", "delete_thread", DNA, id="co-participant-deletes-thread"),
    pytest.param("frontdesk", "delete_own_reply", OK, id="co-participant-deletes-own-reply"),
    pytest.param("dr.chen", "quick_note", NF, id="therapist-outside-thread-quick-note"),
    pytest.param("admin", "delete_thread", NF, id="admin-outside-thread-delete"),
]


@pytest.mark.parametrize(("username", "action", "outcome"), AUTHOR_ROWS)
def test_only_the_author_deletes(shared_api: Api, username: str, action: str, outcome: str) -> None:
    rivera = shared_api.as_("dr.rivera")
    start = rivera.started(["frontdesk", "alex"], subject="Author rule")
    thread_id = start["thread"]["id"]
    actor = shared_api.as_(username)
    if action == "delete_starter_message":
        reply = actor.delete(f"/messages/{start['message']['id']}")
    elif action == "delete_thread":
        reply = actor.delete(f"/threads/{thread_id}")
    elif action == "quick_note":
        reply = actor.post(f"/threads/{thread_id}/quick-note", {"body": "note"})
    else:
        own = actor.reply(thread_id).json()["message"]
        assert own["can_delete"] is True
        reply = actor.delete(f"/messages/{own['id']}")
    if outcome == OK:
        assert reply.status_code == 204, reply.text
        remaining = rivera.thread(thread_id)
        assert [m["id"] for m in remaining["messages"]] == [start["message"]["id"]]
    else:
        assert_problem(reply, expected_status(outcome), outcome)
        assert len(rivera.thread(thread_id)["messages"]) >= 1
