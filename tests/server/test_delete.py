"""Permanent delete: gone for every participant (reads, listings, feed tombstones), a thread
left empty is removed, attachment files go when nothing else uses them, and the audit log
keeps who deleted which id and when, never the content.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support import sample_files
from tests.support.api_client import Api, User, assert_problem
from tests.support.live_server import LiveServer

PARTICIPANTS = ("dr.rivera", "alex", "frontdesk")
SUBJECT = "Discharge summary Quokka"
BODY = "<p>Confidential detail Quokka about the discharge.</p>"


def listed_ids(user: User) -> list[str]:
    return [
        i["thread"]["id"] for f in ("inbox", "sent", "archive", "trash") for i in user.listing(f)
    ]


def cursors(api: Api) -> dict[str, str]:
    return {name: api.as_(name).changes()["cursor"] for name in PARTICIPANTS}


def audit_events(api: Api, action: str, target_id: str) -> list[dict[str, Any]]:
    reply = api.as_("admin").get("/audit", params={"limit": 1000})
    assert reply.status_code == 200
    events = reply.json()["events"]
    while reply.json()["next"]:
        reply = api.as_("admin").get(
            "/audit", params={"limit": 1000, "since": reply.json()["next"]}
        )
        events += reply.json()["events"]
    return [e for e in events if e["action"] == action and e["target_id"] == target_id]


def test_message_delete_is_gone_for_every_participant(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    first = rivera.started(["alex", "frontdesk"], subject=SUBJECT)
    thread_id = first["thread"]["id"]
    second = rivera.reply(thread_id, body=BODY).json()["message"]
    before = cursors(shared_api)
    assert rivera.delete(f"/messages/{second['id']}").status_code == 204
    for name in PARTICIPANTS:
        user = shared_api.as_(name)
        view = user.thread(thread_id)
        assert [m["id"] for m in view["messages"]] == [first["message"]["id"]]
        assert view["thread"]["message_count"] == 1
        assert view["thread"]["last_message_at"] == first["message"]["sent_at"]
        page = user.changes(since=before[name])
        assert page["deleted"]["messages"] == [second["id"]]
        assert second["id"] not in json.dumps(page["messages"])
    assert_problem(rivera.delete(f"/messages/{second['id']}"), 404, "not_found")


def test_deleting_the_last_message_removes_the_thread(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    sent = rivera.started(["alex", "frontdesk"], subject=SUBJECT)
    thread_id = sent["thread"]["id"]
    before = cursors(shared_api)
    assert rivera.delete(f"/messages/{sent['message']['id']}").status_code == 204
    for name in PARTICIPANTS:
        user = shared_api.as_(name)
        assert_problem(user.get(f"/threads/{thread_id}"), 404, "not_found")
        assert thread_id not in listed_ids(user)
        page = user.changes(since=before[name])
        assert page["deleted"]["threads"] == [thread_id]
        assert page["deleted"]["messages"] == [sent["message"]["id"]]


def test_thread_delete_is_gone_for_everyone(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    sent = rivera.started(["alex", "frontdesk"], subject=SUBJECT)
    thread_id = sent["thread"]["id"]
    replies = [
        shared_api.as_(n).reply(thread_id).json()["message"]["id"] for n in ("alex", "frontdesk")
    ]
    shared_api.as_("alex").patch(f"/threads/{thread_id}/state", {"folder": "archive"})
    before = cursors(shared_api)
    assert rivera.delete(f"/threads/{thread_id}").status_code == 204
    for name in PARTICIPANTS:
        user = shared_api.as_(name)
        assert_problem(user.get(f"/threads/{thread_id}"), 404, "not_found")
        assert thread_id not in listed_ids(user)
        page = user.changes(since=before[name])
        assert page["deleted"]["threads"] == [thread_id]
        assert sorted(page["deleted"]["messages"]) == sorted([sent["message"]["id"], *replies])
        assert page["threads"] == [] and page["states"] == []
    for message_id in replies:
        assert_problem(shared_api.as_("alex").delete(f"/messages/{message_id}"), 404, "not_found")


def test_attachment_files_removed_only_when_unused(
    shared_api: Api, shared_server: LiveServer
) -> None:
    rivera = shared_api.as_("dr.rivera")
    only_here = rivera.uploaded("only-here.pdf", sample_files.pdf("only in the deleted message"))
    shared = rivera.uploaded("shared.pdf", sample_files.pdf("in two messages"))
    in_draft = rivera.uploaded("in-draft.pdf", sample_files.pdf("also in a draft"))
    elsewhere = rivera.uploaded("elsewhere.pdf", sample_files.pdf("also in another thread"))
    keep = rivera.started(["alex"], attachment_ids=[shared["id"]])["thread"]["id"]
    rivera.started(["frontdesk"], attachment_ids=[elsewhere["id"]])
    rivera.put(f"/drafts/{uuid.uuid4()}", {"attachment_ids": [in_draft["id"]]})
    doomed = rivera.reply(
        keep, attachment_ids=[only_here["id"], shared["id"], in_draft["id"]]
    ).json()["message"]["id"]
    store = shared_server.ctx.blobs

    def kept(blob: dict) -> bool:
        return store.stored_size(blob["id"]) is not None

    assert all(kept(b) for b in (only_here, shared, in_draft))

    assert rivera.delete(f"/messages/{doomed}").status_code == 204
    # a draft listing a deleted message's file does not keep it (API.md: whatever drafts say)
    for gone in (only_here, in_draft):
        assert not kept(gone)
        for user in (rivera, shared_api.as_("alex")):
            assert_problem(user.get(f"/blobs/{gone['id']}"), 404, "not_found")
    assert kept(shared)
    assert shared_api.as_("alex").get(f"/blobs/{shared['id']}").status_code == 200

    # a whole thread: its own file goes, the one another thread also carries stays
    whole = rivera.started(["alex"], attachment_ids=[elsewhere["id"]])["thread"]["id"]
    own = rivera.uploaded("own.pdf", sample_files.pdf("only in this thread"))
    rivera.reply(whole, attachment_ids=[own["id"]])
    assert rivera.delete(f"/threads/{whole}").status_code == 204
    assert not kept(own)
    assert kept(elsewhere)
    assert shared_api.as_("frontdesk").get(f"/blobs/{elsewhere['id']}").status_code == 200


def test_audit_keeps_who_which_id_and_when_but_no_content(shared_api: Api) -> None:
    rivera = shared_api.as_("dr.rivera")
    blob = rivera.uploaded("secret-quokka.txt", b"attachment content Quokka")
    sent = rivera.started(["alex"], subject=SUBJECT, body=BODY, attachment_ids=[blob["id"]])
    thread_id = sent["thread"]["id"]
    message_id = rivera.reply(thread_id, body=BODY).json()["message"]["id"]
    assert rivera.delete(f"/messages/{message_id}").status_code == 204
    assert rivera.delete(f"/threads/{thread_id}").status_code == 204
    [message_event] = audit_events(shared_api, "delete_message", message_id)
    [thread_event] = audit_events(shared_api, "delete_thread", thread_id)
    for event, kind in ((message_event, "message"), (thread_event, "thread")):
        assert set(event) == {"id", "at", "actor_id", "action", "target_type", "target_id", "ip"}
        assert event["actor_id"] == rivera.id
        assert event["target_type"] == kind
        assert event["at"].endswith("Z")
    log = shared_api.as_("admin").get("/audit", params={"limit": 1000}).text
    for content in ("Quokka", "quokka", "Discharge", "Confidential"):
        assert content not in log
