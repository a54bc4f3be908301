"""Per-user folders and thread states: where new threads and replies land, moving threads,
the Sent view, and custom folders.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.api_client import Api, User, assert_problem

Json = dict[str, Any]


def placed(user: User, thread_id: str) -> Json:
    """The user's state of a thread, found through the folder listings (which mark nothing)."""
    folders = [f["id"] for f in user.get("/folders").json()["folders"]]
    for folder in ("inbox", "archive", "trash", *folders):
        for item in user.listing(folder):
            if item["thread"]["id"] == thread_id:
                assert item["state"]["folder"] == folder
                return dict(item["state"])
    for item in user.listing("sent"):
        if item["thread"]["id"] == thread_id and item["state"]["folder"] == "sent":
            return dict(item["state"])
    raise AssertionError(f"{user.username} has {thread_id} in no folder")


def in_sent_view(user: User, thread_id: str) -> bool:
    return thread_id in [i["thread"]["id"] for i in user.listing("sent")]


def test_new_thread_lands_in_senders_sent_and_recipients_inbox(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = rivera.started(["alex", "frontdesk"])["thread"]["id"]
    mine = placed(rivera, thread_id)
    assert (mine["folder"], mine["unread"], mine["starred"]) == ("sent", False, False)
    for name in ("alex", "frontdesk"):
        theirs = placed(shared_api.as_(name), thread_id)
        assert (theirs["folder"], theirs["unread"], theirs["starred"]) == ("inbox", True, False)


@pytest.mark.parametrize("where", ["trash", "archive", "custom-folder", "inbox-read"])
def test_reply_moves_thread_to_recipients_inbox_unread(shared_api: Api, where: str) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    if where == "custom-folder":
        target = alex.post("/folders", {"name": f"Kept {uuid.uuid4().hex[:6]}"}).json()["id"]
    else:
        target = "inbox" if where == "inbox-read" else where
    moved = alex.patch(f"/threads/{thread_id}/state", {"folder": target, "unread": False})
    assert moved.status_code == 200 and moved.json()["folder"] == target
    rivera.reply(thread_id)
    state = placed(alex, thread_id)
    assert (state["folder"], state["unread"]) == ("inbox", True)


def test_own_message_changes_nothing_for_oneself(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = alex.started(["dr.rivera"])["thread"]["id"]
    setup = rivera.patch(
        f"/threads/{thread_id}/state", {"folder": "archive", "unread": True, "starred": True}
    )
    assert setup.status_code == 200
    before = placed(rivera, thread_id)
    assert rivera.reply(thread_id).status_code == 201
    after = placed(rivera, thread_id)
    assert {k: after[k] for k in ("folder", "unread", "starred")} == {
        "folder": "archive",
        "unread": True,
        "starred": True,
    }
    assert before["folder"] == after["folder"]
    # and the other side's thread came back to its inbox
    assert placed(alex, thread_id)["folder"] == "inbox"


@pytest.mark.parametrize("folder", ["inbox", "archive", "trash", "custom"])
def test_patch_moves_and_returns_the_state(shared_api: Api, folder: str) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = shared_api.as_("alex").started(["dr.rivera"])["thread"]["id"]
    if folder == "custom":
        folder = rivera.post("/folders", {"name": f"Custom {uuid.uuid4().hex[:6]}"}).json()["id"]
    reply = rivera.patch(f"/threads/{thread_id}/state", {"folder": folder, "starred": True})
    assert reply.status_code == 200, reply.text
    state = reply.json()
    assert {k: state[k] for k in ("thread_id", "folder", "unread", "starred")} == {
        "thread_id": thread_id,
        "folder": folder,
        "unread": True,
        "starred": True,
    }
    assert placed(rivera, thread_id)["folder"] == folder


def test_sent_is_not_a_place_to_move_to(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = shared_api.as_("alex").started(["dr.rivera"])["thread"]["id"]
    assert_problem(
        rivera.patch(f"/threads/{thread_id}/state", {"folder": "sent"}), 422, "validation_error"
    )
    bulk = rivera.post("/threads/state", {"thread_ids": [thread_id], "folder": "sent"})
    assert_problem(bulk, 422, "validation_error")
    assert placed(rivera, thread_id)["folder"] == "inbox"


def test_bulk_state_changes_every_selected_thread(shared_api: Api) -> None:
    front = shared_api.as_("frontdesk")
    ids = [shared_api.as_("alex").started(["frontdesk"])["thread"]["id"] for _ in range(3)]
    reply = front.post(
        "/threads/state", {"thread_ids": [*ids, ids[0]], "folder": "archive", "unread": False}
    )
    assert reply.status_code == 200, reply.text
    states = reply.json()["states"]
    assert sorted(s["thread_id"] for s in states) == sorted(ids)
    assert {(s["folder"], s["unread"]) for s in states} == {("archive", False)}
    restored = front.post("/threads/state", {"thread_ids": ids, "folder": "inbox"})
    assert {s["folder"] for s in restored.json()["states"]} == {"inbox"}
    for thread_id in ids:
        assert placed(front, thread_id)["folder"] == "inbox"


def test_a_bulk_request_names_at_most_the_published_number_of_threads(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    limit = rivera.get("/session").json()["limits"]["max_bulk_ids"]
    thread_id = shared_api.as_("alex").started(["dr.rivera"])["thread"]["id"]
    too_many = [thread_id] * (limit + 1)
    assert_problem(rivera.post("/threads/state", {"thread_ids": too_many, "starred": True}),
                   422, "validation_error")
    assert placed(rivera, thread_id)["starred"] is False
    at_most = rivera.post("/threads/state", {"thread_ids": too_many[:limit], "starred": True})
    assert at_most.status_code == 200, at_most.text


def test_trash_is_per_user(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    thread_id = rivera.started(["alex"])["thread"]["id"]
    assert alex.patch(f"/threads/{thread_id}/state", {"folder": "trash"}).status_code == 200
    assert placed(rivera, thread_id)["folder"] == "sent"
    assert rivera.thread(thread_id)["thread"]["message_count"] == 1
    # restoring from trash is moving elsewhere
    assert alex.patch(f"/threads/{thread_id}/state", {"folder": "archive"}).status_code == 200
    assert placed(alex, thread_id)["folder"] == "archive"


def test_sent_view(shared_api: Api) -> None:
    rivera, alex = shared_api.as_("dr.rivera"), shared_api.as_("alex")
    started = rivera.started(["alex"], subject="Started")["thread"]["id"]
    replied = alex.started(["dr.rivera"], subject="Replied")["thread"]["id"]
    rivera.reply(replied)
    unanswered = alex.started(["dr.rivera"], subject="Unanswered")["thread"]["id"]
    archived = rivera.started(["alex"], subject="Archived")["thread"]["id"]
    rivera.patch(f"/threads/{archived}/state", {"folder": "archive"})
    trashed = rivera.started(["alex"], subject="Trashed")["thread"]["id"]
    rivera.patch(f"/threads/{trashed}/state", {"folder": "trash"})
    sent = [i["thread"]["id"] for i in rivera.listing("sent")]
    for thread_id in (started, replied, archived):
        assert sent.count(thread_id) == 1
    assert unanswered not in sent and trashed not in sent
    # every other folder lists what is placed in it
    inbox = [i["thread"]["id"] for i in rivera.listing("inbox")]
    assert replied in inbox and unanswered in inbox and started not in inbox
    assert archived in [i["thread"]["id"] for i in rivera.listing("archive")]
    assert trashed in [i["thread"]["id"] for i in rivera.listing("trash")]
    assert not in_sent_view(alex, started)


def test_listing_is_newest_first_in_pages(shared_api: Api) -> None:
    billing = shared_api.as_("billing")
    ids = [shared_api.as_("alex").started(["billing"])["thread"]["id"] for _ in range(5)]
    first = billing.get("/threads", params={"folder": "inbox", "limit": 2}).json()
    assert [i["thread"]["id"] for i in first["items"]] == ids[::-1][:2]
    listed = billing.listing("inbox", limit=2)
    order = [i["thread"]["id"] for i in listed]
    assert order[:5] == ids[::-1]
    assert len(order) == len(set(order))
    times = [i["thread"]["last_message_at"] for i in listed]
    assert times == sorted(times, reverse=True)


def test_custom_folders_crud(shared_api: Api) -> None:
    chen = shared_api.as_("dr.chen")
    created = chen.post("/folders", {"name": "  Case   reviews  "})
    assert created.status_code == 201, created.text
    folder = created.json()
    assert folder["id"].startswith("folder:") and len(folder["id"]) >= 16
    assert folder["name"] == "Case reviews"
    assert folder in chen.get("/folders").json()["folders"]
    renamed = chen.patch(f"/folders/{folder['id']}", {"name": "Reviews"})
    assert renamed.status_code == 200 and renamed.json() == {"id": folder["id"], "name": "Reviews"}
    for bad in ("", "   ", "x" * 101):
        assert_problem(chen.post("/folders", {"name": bad}), 422, "validation_error")
        assert_problem(
            chen.patch(f"/folders/{folder['id']}", {"name": bad}), 422, "validation_error"
        )
    thread_ids = [shared_api.as_("blair").started(["dr.chen"])["thread"]["id"] for _ in range(2)]
    moved = chen.post("/threads/state", {"thread_ids": thread_ids, "folder": folder["id"]})
    assert moved.status_code == 200
    listed = [i["thread"]["id"] for i in chen.listing(folder["id"])]
    assert sorted(listed) == sorted(thread_ids)
    assert chen.delete(f"/folders/{folder['id']}").status_code == 204
    assert folder["id"] not in [f["id"] for f in chen.get("/folders").json()["folders"]]
    for thread_id in thread_ids:
        assert placed(chen, thread_id)["folder"] == "archive"
    assert_problem(chen.delete(f"/folders/{folder['id']}"), 404, "not_found")
    assert_problem(chen.patch(f"/folders/{folder['id']}", {"name": "x"}), 404, "not_found")
    listing = chen.get("/threads", params={"folder": folder["id"]})
    assert_problem(listing, 422, "validation_error")


def test_reading_a_thread_marks_it_read_for_the_reader_only(shared_api: Api) -> None:
    rivera, alex, front = (shared_api.as_(n) for n in ("dr.rivera", "alex", "frontdesk"))
    thread_id = rivera.started(["alex", "frontdesk"])["thread"]["id"]
    view = alex.thread(thread_id)
    assert view["state"]["unread"] is False
    assert placed(alex, thread_id)["unread"] is False
    assert placed(front, thread_id)["unread"] is True
    # marking unread again is the reader's choice, and sticks
    assert alex.patch(f"/threads/{thread_id}/state", {"unread": True}).json()["unread"] is True
    assert placed(alex, thread_id)["unread"] is True
