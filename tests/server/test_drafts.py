"""Drafts: saved by id, checked for shape only, deleted by sending with draft_id, and the
attachments they refer to are kept while they exist.
"""

from __future__ import annotations

import uuid

import pytest

from server.maintenance import remove_unreferenced_blobs
from tests.support.api_client import Api, User, assert_problem
from tests.support.live_server import LiveServer


def drafts_of(user: User) -> dict[str, dict]:
    reply = user.get("/drafts")
    assert reply.status_code == 200
    return {d["id"]: d for d in reply.json()["drafts"]}


def test_put_get_update_delete(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    draft_id = str(uuid.uuid4())
    to = [f"person:{shared_api.id('alex')}", "group:front_office"]
    first = rivera.put(
        f"/drafts/{draft_id}",
        {"to": to, "subject": "Half written", "body_html": "<p>So far</p>", "attachment_ids": []},
    )
    assert first.status_code == 200, first.text
    draft = first.json()
    assert set(draft) == {
        "id",
        "to",
        "subject",
        "body_html",
        "attachment_ids",
        "thread_id",
        "updated_at",
    }
    assert (draft["id"], draft["to"], draft["subject"], draft["thread_id"]) == (
        draft_id,
        to,
        "Half written",
        None,
    )
    assert drafts_of(rivera)[draft_id] == draft
    second = rivera.put(f"/drafts/{draft_id}", {**draft, "subject": "Almost done"})
    assert second.status_code == 200
    assert second.json()["subject"] == "Almost done"
    assert second.json()["updated_at"] >= draft["updated_at"]
    assert list(drafts_of(rivera)).count(draft_id) == 1
    assert rivera.delete(f"/drafts/{draft_id}").status_code == 204
    assert draft_id not in drafts_of(rivera)
    assert_problem(rivera.delete(f"/drafts/{draft_id}"), 404, "not_found")


def test_reply_draft_keeps_its_thread(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    thread_id = shared_api.as_("alex").started(["dr.rivera"])["thread"]["id"]
    draft_id = str(uuid.uuid4())
    reply = rivera.put(f"/drafts/{draft_id}", {"thread_id": thread_id, "body_html": "<p>Re</p>"})
    assert reply.status_code == 200 and reply.json()["thread_id"] == thread_id


@pytest.mark.parametrize(
    ("payload"),
    [
        pytest.param(
            {"to": ["person:{blair}"], "subject": ""}, id="client-to-client-empty-subject"
        ),
        pytest.param({"to": [], "body_html": "<p>x</p>"}, id="no-recipients-short-body"),
        pytest.param({"to": ["group:therapists"]}, id="client-to-group"),
        pytest.param({"subject": "s" * 300}, id="long-subject"),
    ],
)
def test_drafts_are_checked_for_shape_only(shared_api: Api, payload: dict) -> None:
    alex = shared_api.as_("alex")
    payload = {
        k: [a.replace("{blair}", shared_api.id("blair")) for a in v] if k == "to" else v
        for k, v in payload.items()
    }
    reply = alex.put(f"/drafts/{uuid.uuid4()}", payload)
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("path_id", "payload"),
    [
        pytest.param("not-a-uuid", {}, id="id-not-uuid"),
        pytest.param(None, {"id": str(uuid.uuid4())}, id="body-id-differs"),
        pytest.param(None, {"to": ["alex"]}, id="not-an-address"),
        pytest.param(None, {"to": "person:x"}, id="to-not-a-list"),
        pytest.param(None, {"subject": "s" * 401}, id="subject-too-long-for-storage"),
    ],
)
def test_draft_shape_errors(shared_api: Api, path_id: str | None, payload: dict) -> None:
    rivera = shared_api.as_("dr.rivera")
    draft_id = path_id or str(uuid.uuid4())
    assert_problem(rivera.put(f"/drafts/{draft_id}", payload), 422, "validation_error")
    assert draft_id not in drafts_of(rivera)


@pytest.mark.parametrize("how", ["new-thread", "reply"])
def test_sending_with_draft_id_deletes_the_draft(shared_api: Api, how: str) -> None:
    rivera = shared_api.as_("dr.rivera")
    draft_id = str(uuid.uuid4())
    rivera.put(f"/drafts/{draft_id}", {"subject": "To send", "body_html": "<p>Body</p>"})
    cursor = rivera.changes()["cursor"]
    if how == "new-thread":
        sent = rivera.send(["alex"], draft_id=draft_id)
    else:
        thread_id = rivera.started(["alex"])["thread"]["id"]
        sent = rivera.reply(thread_id, draft_id=draft_id)
    assert sent.status_code == 201, sent.text
    assert draft_id not in drafts_of(rivera)
    assert draft_id in rivera.changes(since=cursor)["deleted"]["drafts"]


def test_refused_send_keeps_the_draft(shared_api: Api) -> None:
    alex = shared_api.as_("alex")
    draft_id = str(uuid.uuid4())
    alex.put(f"/drafts/{draft_id}", {"subject": "To Blair", "body_html": "<p>Hi Blair!</p>"})
    refused = alex.send(["blair"], draft_id=draft_id)
    assert_problem(refused, 403, "client_cannot_message_client")
    assert draft_id in drafts_of(alex)


def test_sending_with_someone_elses_draft_id_leaves_it(shared_api: Api) -> None:
    rivera, chen = shared_api.as_("dr.rivera"), shared_api.as_("dr.chen")
    draft_id = str(uuid.uuid4())
    chen.put(f"/drafts/{draft_id}", {"subject": "Chen's own"})
    assert rivera.send(["alex"], draft_id=draft_id).status_code == 201
    assert draft_id in drafts_of(chen)


def sweep(server: LiveServer) -> int:
    """Run the unreferenced-blob clean-up now, for blobs of any age."""
    with server.ctx.sessions() as db:
        return remove_unreferenced_blobs(db, server.ctx.blobs, 0)


def test_drafts_keep_their_blobs(shared_api: Api, shared_server: LiveServer) -> None:
    rivera = shared_api.as_("dr.rivera")
    kept = rivera.uploaded("kept.txt", b"referred to by a draft")
    loose = rivera.uploaded("loose.txt", b"referred to by nothing")
    draft_id = str(uuid.uuid4())
    rivera.put(f"/drafts/{draft_id}", {"attachment_ids": [kept["id"]]})
    sweep(shared_server)
    store = shared_server.ctx.blobs
    assert store.stored_size(kept["id"]) == len(b"referred to by a draft")
    assert rivera.get(f"/blobs/{kept['id']}").content == b"referred to by a draft"
    assert store.stored_size(loose["id"]) is None
    assert_problem(rivera.get(f"/blobs/{loose['id']}"), 404, "not_found")
    assert rivera.delete(f"/drafts/{draft_id}").status_code == 204
    sweep(shared_server)
    assert store.stored_size(kept["id"]) is None
    assert_problem(rivera.get(f"/blobs/{kept['id']}"), 404, "not_found")
