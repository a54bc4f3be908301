"""Messages: the five folders with unread counts, a page of threads, and bulk actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from server import unit_of_work
from server.errors import ApiError
from server.messaging import drafts, reading, states
from server.portal.pages.common import Client, Errors, check_post, portal_root, signed_in
from server.portal.render import render

router = APIRouter()

PAGE_SIZE = 25
FOLDERS = (("inbox", "Inbox"), ("sent", "Sent"), ("drafts", "Drafts"), ("archive", "Archive"),
           ("trash", "Trash"))
FOLDER_NAMES = dict(FOLDERS)
# Each bulk button: the state change it asks of the server, and what the page then says.
ACTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "read": ({"unread": False}, "marked as read"),
    "unread": ({"unread": True}, "marked as unread"),
    "archive": ({"folder": "archive"}, "moved to Archive"),
    "trash": ({"folder": "trash"}, "moved to Trash"),
    "inbox": ({"folder": "inbox"}, "moved to Inbox"),
}


def _folder(raw: str | None) -> str:
    return raw if raw in FOLDER_NAMES else "inbox"


def folder_nav(client: Client, current: str) -> list[dict[str, Any]]:
    counts = reading.unread_counts(client.db, client.person)
    draft_count = len(drafts.list_drafts(client.db, client.person))
    return [
        {
            "id": fid,
            "name": name,
            "unread": counts.get(fid, 0) if fid != "drafts" else 0,
            "count": draft_count if fid == "drafts" else None,
            "current": fid == current,
        }
        for fid, name in FOLDERS
    ]


def _page(
    request: Request,
    client: Client,
    folder: str,
    before: str | None,
    status: int = 200,
    errors: Errors | None = None,
    done: str | None = None,
) -> Response:
    me = client.person
    listing: dict[str, Any] = {"items": [], "next": None}
    draft_rows: list[Any] = []
    if folder == "drafts":
        draft_rows = drafts.list_drafts(client.db, me)
    else:
        try:
            listing = reading.list_threads(client.db, me, folder, PAGE_SIZE, before)
        except ApiError:  # a cursor that is not ours: start from the newest
            listing = reading.list_threads(client.db, me, folder, PAGE_SIZE, None)
            before = None
    rows = [
        {
            "id": item["thread"]["id"],
            "subject": item["thread"]["subject"],
            "with": ", ".join(p["name"] for p in item["thread"]["participants"]
                              if p["id"] != me.id) or "Only you",
            "at": item["thread"]["last_message_at"],
            "unread": item["state"]["unread"],
        }
        for item in listing["items"]
    ]
    return render(
        request, "messages.html", client.practice, client.live, status=status,
        title=FOLDER_NAMES[folder], folder=folder, folder_name=FOLDER_NAMES[folder],
        folders=folder_nav(client, folder), rows=rows, drafts=draft_rows,
        next_cursor=listing["next"], paged=bool(before), done=done,
        errors=errors.items if errors else None,
    )


@router.get("/{slug}/messages")
def messages_page(
    request: Request,
    folder: str | None = None,
    before: str | None = None,
    done: str | None = None,
    count: int = 0,
    client: Client = Depends(signed_in),
) -> Response:
    folder = _folder(folder)
    said = None
    if done in ACTIONS and count > 0:
        said = f"{count} conversation{'s' if count != 1 else ''} {ACTIONS[done][1]}."
    elif done == "draft_deleted":
        said = "Draft deleted."
    return _page(request, client, folder, before, done=said)


@router.post("/{slug}/messages")
def bulk_action(
    request: Request,
    action: str = Form(""),
    folder: str = Form("inbox"),
    thread: list[str] = Form([]),
    before: str = Form(""),
    client: Client = Depends(check_post),
) -> Response:
    folder = _folder(folder)
    errors = Errors()
    if action not in ACTIONS:
        errors.add("threads", "Choose one of the buttons: Mark as read, Mark as unread, "
                              "Archive or Move to Trash.")
    elif not thread:
        errors.add("threads", "Select at least one conversation first.")
    if errors:
        return _page(request, client, folder, before or None, 422, errors)
    change = ACTIONS[action][0]
    changed = states.apply_visible(
        client.db, client.person, thread, change.get("folder"), change.get("unread"), None
    )
    unit_of_work.commit(client.db)
    root = portal_root(request, client.practice)
    return RedirectResponse(
        f"{root}messages?folder={folder}&done={action}&count={len(changed)}", status_code=303
    )
