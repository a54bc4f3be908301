"""Isolation: nobody reaches a thread, message, draft, folder or blob that is not theirs, nor
anything of the other practice; the answer is 404 (never 403) and carries nothing of it.
A client in a thread with other clients never learns of them anywhere.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.support.api_client import Api, User, assert_problem


def secrets_of(tag: str) -> dict[str, str]:
    """Words that appear only in one person's private things."""
    return {
        "subject": f"Lithium levels {tag}",
        "word": f"Quetiapine-schedule-{tag}",
        "file": f"labs-{tag}.txt",
        "draft": f"Draft about discharge {tag}",
        "folder": f"Custody evaluations {tag}",
    }


@dataclass
class Owned:
    """One person's private things: a thread with a message and attachment, a draft, a folder."""

    owner: str
    secrets: dict[str, str]
    thread_id: str
    message_id: str
    blob_id: str
    draft_id: str
    folder_id: str

    def ids(self) -> list[str]:
        return [
            self.thread_id,
            self.message_id,
            self.blob_id,
            self.draft_id,
            self.folder_id.removeprefix("folder:"),
        ]


def make_private_things(api: Api, owner: str, client: str) -> Owned:
    user = api.as_(owner)
    secret = secrets_of(uuid.uuid4().hex[:8])
    blob = user.uploaded(secret["file"], b"lab results: " + secret["word"].encode())
    sent = user.started(
        [client],
        subject=secret["subject"],
        body=f"<p>Please keep to {secret['word']} this week.</p>",
        attachment_ids=[blob["id"]],
    )
    draft_id = str(uuid.uuid4())
    draft = user.put(
        f"/drafts/{draft_id}",
        {"to": [], "subject": secret["draft"], "body_html": f"<p>{secret['word']}</p>"},
    )
    assert draft.status_code == 200, draft.text
    folder = user.post("/folders", {"name": secret["folder"]})
    assert folder.status_code == 201, folder.text
    return Owned(
        owner,
        secret,
        sent["thread"]["id"],
        sent["message"]["id"],
        blob["id"],
        draft_id,
        folder.json()["id"],
    )


@pytest.fixture(scope="module")
def lakeside(shared_api: Api) -> Owned:
    return make_private_things(shared_api, "dr.rivera", "alex")


@pytest.fixture(scope="module")
def harbor(shared_api: Api) -> Owned:
    return make_private_things(shared_api, "dr.moss", "erin")


def attempts(user: User, target: Owned, own_thread_id: str) -> dict[str, requests.Response]:
    """Every endpoint that takes an id, tried with the target's ids."""
    t, m, b, d, f = (
        target.thread_id,
        target.message_id,
        target.blob_id,
        target.draft_id,
        target.folder_id,
    )
    return {
        "GET thread": user.get(f"/threads/{t}"),
        "PATCH state": user.patch(f"/threads/{t}/state", {"starred": True}),
        "bulk state": user.post(
            "/threads/state", {"thread_ids": [own_thread_id, t], "starred": True}
        ),
        "reply": user.reply(t),
        "quick note": user.post(f"/threads/{t}/quick-note", {"body": "note"}),
        "DELETE message": user.delete(f"/messages/{m}"),
        "DELETE thread": user.delete(f"/threads/{t}"),
        "GET blob": user.get(f"/blobs/{b}"),
        "PUT draft": user.put(f"/drafts/{d}", {"subject": "taken over"}),
        "DELETE draft": user.delete(f"/drafts/{d}"),
        "PATCH folder": user.patch(f"/folders/{f}", {"name": "renamed"}),
        "DELETE folder": user.delete(f"/folders/{f}"),
    }


def assert_untouched(api: Api, target: Owned) -> None:
    owner = api.as_(target.owner)
    view = owner.thread(target.thread_id)
    assert [m["id"] for m in view["messages"]][0] == target.message_id
    assert view["state"]["starred"] is False
    assert owner.get(f"/blobs/{target.blob_id}").status_code == 200
    drafts = {d["id"]: d for d in owner.get("/drafts").json()["drafts"]}
    assert drafts[target.draft_id]["subject"] == target.secrets["draft"]
    folders = {f["id"]: f["name"] for f in owner.get("/folders").json()["folders"]}
    assert folders[target.folder_id] == target.secrets["folder"]


def assert_says_nothing(text: str, target: Owned) -> None:
    for secret in target.secrets.values():
        assert secret not in text
    for ident in target.ids():
        assert ident not in text


OUTSIDERS = [
    pytest.param("dr.chen", "lakeside", id="therapist-same-practice"),
    pytest.param("admin", "lakeside", id="admin-same-practice"),
    pytest.param("frontdesk", "lakeside", id="front-office-same-practice"),
    pytest.param("blair", "lakeside", id="client-same-practice"),
    pytest.param("dr.moss", "lakeside", id="therapist-other-practice"),
    pytest.param("harbor.admin", "lakeside", id="admin-other-practice"),
    pytest.param("erin", "lakeside", id="client-other-practice"),
    pytest.param("dr.rivera", "harbor", id="lakeside-therapist-into-harbor"),
    pytest.param("admin", "harbor", id="lakeside-admin-into-harbor"),
]


# Who starts a thread of the outsider's own, with whom (erin's directory has no one in it).
OWN_THREAD = {
    "dr.chen": ("dr.chen", "blair"),
    "admin": ("admin", "frontdesk"),
    "frontdesk": ("frontdesk", "alex"),
    "blair": ("blair", "dr.chen"),
    "dr.moss": ("dr.moss", "erin"),
    "harbor.admin": ("harbor.admin", "dr.moss"),
    "erin": ("dr.moss", "erin"),
    "dr.rivera": ("dr.rivera", "alex"),
}


def state_of(user: User, thread_id: str) -> dict[str, Any]:
    for folder in ("inbox", "sent"):
        for item in user.listing(folder):
            if item["thread"]["id"] == thread_id:
                return dict(item["state"])
    raise AssertionError(f"{thread_id} is in none of the folders")


@pytest.mark.parametrize(("outsider", "whose"), OUTSIDERS)
def test_every_endpoint_answers_404_to_outsiders(
    request: pytest.FixtureRequest, shared_api: Api, outsider: str, whose: str
) -> None:
    target: Owned = request.getfixturevalue(whose)
    user = shared_api.as_(outsider)
    starter, peer = OWN_THREAD[outsider]
    own = shared_api.as_(starter).started([peer], subject="My own thread")["thread"]["id"]
    before = state_of(user, own)
    for name, reply in attempts(user, target, own).items():
        assert reply.status_code == 404, f"{name}: {reply.status_code} {reply.text}"
        assert_problem(reply, 404, "not_found")
        assert_says_nothing(reply.text, target)
    # the refused bulk action changed nothing, not even the requester's own thread
    assert state_of(user, own) == before
    assert_untouched(shared_api, target)


@pytest.mark.parametrize(("outsider", "whose"), OUTSIDERS)
def test_nothing_of_it_in_any_listing(
    request: pytest.FixtureRequest, shared_api: Api, outsider: str, whose: str
) -> None:
    target: Owned = request.getfixturevalue(whose)
    user = shared_api.as_(outsider)
    answers = [json.dumps(user.changes())]
    for folder in ("inbox", "sent", "archive", "trash"):
        answers.append(json.dumps(user.listing(folder)))
    for path in ("/directory", "/drafts", "/folders", "/session"):
        reply = user.get(path)
        assert reply.status_code == 200, reply.text
        answers.append(reply.text)
    for text in answers:
        assert_says_nothing(text, target)


def test_foreign_ids_are_refused_as_references(
    shared_api: Api, lakeside: Owned, harbor: Owned
) -> None:
    """Another's blob or folder cannot be attached or used, and the refusal names nothing."""
    chen = shared_api.as_("dr.chen")
    for blob_id in (lakeside.blob_id, harbor.blob_id):
        reply = chen.send(["blair"], attachment_ids=[blob_id])
        assert_problem(reply, 422, "validation_error")
        assert blob_id not in reply.text and "labs-" not in reply.text
    own = chen.started(["blair"], subject="Folder test")["thread"]["id"]
    for folder_id in (lakeside.folder_id, harbor.folder_id):
        reply = chen.patch(f"/threads/{own}/state", {"folder": folder_id})
        assert_problem(reply, 422, "validation_error")
        assert "Custody" not in reply.text
    alex_id, erin_id = shared_api.id("alex"), shared_api.id("erin")
    for user, client_id in (("dr.moss", alex_id), ("dr.rivera", erin_id), ("admin", erin_id)):
        assert_problem(shared_api.as_(user).get(f"/clients/{client_id}/notes"), 404, "not_found")
        assert_problem(
            shared_api.as_(user).patch(f"/clients/{client_id}", {"status": "inactive"}),
            404,
            "not_found",
        )


def test_directories_and_audit_stay_within_the_practice(shared_api: Api, lakeside: Owned) -> None:
    lakeside_people = {"admin", "dr.rivera", "dr.chen", "frontdesk", "billing", "agent.kim"}
    lakeside_people |= {"alex", "blair", "casey", "dana"}
    harbor_people = {"harbor.admin", "dr.moss", "erin"}
    for username, expected in (("admin", lakeside_people), ("dr.moss", harbor_people)):
        people = shared_api.as_(username).get("/directory").json()["people"]
        assert {p["username"] for p in people} == expected
    harbor_audit = shared_api.as_("harbor.admin").get("/audit", params={"limit": 1000}).json()
    lakeside_ids = {shared_api.id(p) for p in lakeside_people}
    for event in harbor_audit["events"]:
        assert event["actor_id"] not in lakeside_ids
        assert event["target_id"] not in lakeside.ids()


def test_admin_cannot_read_others_threads(shared_api: Api, lakeside: Owned) -> None:
    admin = shared_api.as_("admin")
    assert_problem(admin.get(f"/threads/{lakeside.thread_id}"), 404, "not_found")
    listed = [i["thread"]["id"] for f in ("inbox", "sent", "archive") for i in admin.listing(f)]
    assert lakeside.thread_id not in listed
    assert lakeside.thread_id not in json.dumps(admin.changes())


def all_alex_sees(alex: User, thread_id: str) -> list[Any]:
    return [
        alex.thread(thread_id),
        alex.listing("inbox"),
        alex.changes(),
        alex.get("/directory").json(),
        alex.get("/session").json(),
    ]


@pytest.mark.parametrize(
    ("sender", "to"),
    [
        pytest.param("dr.rivera", ["alex", "blair"], id="therapist-to-two-clients"),
        pytest.param("frontdesk", ["alex", "blair", "casey"], id="front-office-to-three-clients"),
        pytest.param("admin", ["alex", "blair", "dr.chen"], id="staff-and-two-clients"),
    ],
)
def test_client_never_sees_the_other_clients(shared_api: Api, sender: str, to: list[str]) -> None:
    staff = shared_api.as_(sender)
    sent = staff.started(to, subject="Group session moved", body="<p>Thursday group is at 5pm.</p>")
    thread_id = sent["thread"]["id"]
    others = [c for c in to if c in ("blair", "casey")]
    # the other clients read it (receipts change) and one changes status (flags re-sent)
    for other in others:
        shared_api.as_(other).thread(thread_id)
    front = shared_api.as_("frontdesk")
    blair_id = shared_api.id("blair")
    assert front.patch(f"/clients/{blair_id}", {"status": "inactive"}).status_code == 200
    try:
        alex = shared_api.as_("alex")
        seen = all_alex_sees(alex, thread_id)
    finally:
        assert front.patch(f"/clients/{blair_id}", {"status": "active"}).status_code == 200
    text = json.dumps(seen)
    everyone = {p["username"]: p for p in staff.get("/directory").json()["people"]}
    for other in others:
        for value in (everyone[other]["id"], everyone[other]["username"], everyone[other]["name"]):
            assert value not in text
    view = seen[0]
    assert view["thread"]["client_count"] == sum(c in ("alex", "blair", "casey") for c in to)
    visible = {p["id"] for p in view["thread"]["participants"]}
    expected = {shared_api.id(p) for p in [sender, *to] if p not in ("blair", "casey")}
    assert visible == expected
    for message in view["messages"]:
        assert "receipts" not in message
    # the staff sender sees everyone, and the receipts of the clients who read it
    staff_view = staff.thread(thread_id)
    assert {p["id"] for p in staff_view["thread"]["participants"]} == {
        shared_api.id(p) for p in [sender, *to]
    }
    receipts = {r["person_id"]: r["read_at"] for r in staff_view["messages"][0]["receipts"]}
    for other in others:
        assert receipts[shared_api.id(other)] is not None
