"""A small conversation on a live server, so the answers checked against the OpenAPI document
carry threads, messages, attachments, read receipts, states, folders and drafts, not only
empty lists."""

from __future__ import annotations

from typing import Any

from tests.support.api_client import Api


def converse(api: Api) -> dict[str, Any]:
    """A therapist writes to a client with an attachment, the client answers and reads it; the
    therapist files a folder and keeps a draft. Returns the ids made."""
    rivera, alex = api.as_("dr.rivera"), api.as_("alex")
    note = rivera.uploaded("plan.txt", b"The plan for next week, in plain text.\n")
    sent = rivera.started(["alex"], subject="Next week", attachment_ids=[note["id"]])
    thread_id = sent["thread"]["id"]
    reply = alex.reply(thread_id)
    assert reply.status_code == 201, reply.text
    rivera.thread(thread_id)
    folder = rivera.post("/folders", {"name": "Follow up"})
    assert folder.status_code == 201, folder.text
    draft = rivera.put(
        "/drafts/11111111-2222-4333-8444-555555555555",
        {"to": [f"person:{api.id('alex')}"], "subject": "Later", "body_html": "<p>Soon.</p>"},
    )
    assert draft.status_code == 200, draft.text
    return {
        "thread_id": thread_id,
        "message_id": sent["message"]["id"],
        "blob_id": note["id"],
        "folder_id": folder.json()["id"],
        "draft_id": draft.json()["id"],
    }
