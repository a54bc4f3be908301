"""A conversation: every message with its attachments, and the reply form when the server
allows a reply (`can_reply`), otherwise its reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from server import unit_of_work
from server.deps import client_address
from server.errors import ApiError
from server.messaging import access, compose, reading, validate
from server.portal.bodies import shown_body
from server.portal.forms import kept_attachments, store_files, text_to_html
from server.portal.pages.common import Client, Errors, check_post, limits, portal_root, signed_in
from server.portal.pages.messages import folder_nav
from server.portal.render import render

router = APIRouter()

REPLY_FIELD = "reply"


def field_of(code: str) -> str:
    """Which field of a message form a refusal belongs to."""
    if code.startswith("attachment") or code == "attachments":
        return "files"
    if code.startswith("subject"):
        return "subject"
    if code.startswith("body"):
        return "body"
    return "to"


def _view(
    request: Request,
    client: Client,
    contents: dict[str, Any],
    status: int = 200,
    errors: Errors | None = None,
    reply_text: str = "",
    kept: list[dict[str, object]] | None = None,
    sent: bool = False,
) -> Response:
    thread = contents["thread"]
    names = {p["id"]: p["name"] for p in thread["participants"]}
    messages = [
        {
            "id": m["id"],
            "sender": "You" if m["sender_id"] == client.person.id
            else names.get(m["sender_id"], "Someone else"),
            "at": m["sent_at"],
            "body": shown_body(m["body_html"]),
            "attachments": m["attachments"],
        }
        for m in contents["messages"]
    ]
    others = [p["name"] for p in thread["participants"] if p["id"] != client.person.id]
    return render(
        request, "thread.html", client.practice, client.live, status=status,
        title=thread["subject"], thread=thread, messages=messages, with_names=others,
        folders=folder_nav(client, (contents.get("state") or {}).get("folder", "inbox")),
        errors=errors.items if errors else None, reply_text=reply_text, kept=kept or [],
        limits=limits(client.ctx), sent=sent,
    )


@router.get("/{slug}/messages/{thread_id}")
def thread_page(
    request: Request, thread_id: str, sent: str | None = None,
    client: Client = Depends(signed_in),
) -> Response:
    # A GET's session only reads: the receipt and the audit entry go in a short write of their own.
    with client.ctx.sessions() as write:
        contents = reading.read_thread(write, client.person, thread_id, client_address(request),
                                       read=client.db)
    return _view(request, client, contents, sent=bool(sent))


@router.post("/{slug}/messages/{thread_id}")
async def reply(request: Request, thread_id: str, client: Client = Depends(check_post)) -> Response:
    form = await request.form()
    text = str(form.get("body") or "")
    kept_ids = [v for v in form.getlist("attachment_id") if isinstance(v, str)]
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    try:
        stored, refused = await store_files(client.ctx, client.person, files)
    finally:
        await form.close()
    ids = kept_ids + [str(s["id"]) for s in stored]
    return await run_in_threadpool(_reply, request, client, thread_id, text, ids, refused)


def _reply(
    request: Request, client: Client, thread_id: str, text: str, attachment_ids: list[str],
    refused: list[str],
) -> Response:
    db, ctx, me = client.db, client.ctx, client.person
    thread = access.visible_thread(db, me, thread_id)
    errors = Errors()
    for sentence in refused:
        errors.add("files", sentence)
    status = 422
    clean = None
    try:
        clean = validate.clean_body(text_to_html(text), ctx.settings)
        validate.body(clean, ctx.settings)
    except ApiError as exc:
        errors.add(REPLY_FIELD, exc.detail)
    if not errors and clean is not None:
        try:
            compose.add_message(db, ctx.settings, me, thread, clean, attachment_ids, None,
                                client_address(request))
            unit_of_work.commit(db)
            ctx.kick_email()
            root = portal_root(request, client.practice)
            return RedirectResponse(f"{root}messages/{thread.id}?sent=1#latest", status_code=303)
        except ApiError as exc:
            db.rollback()
            status = exc.status
            field = field_of(exc.code)
            errors.add(REPLY_FIELD if field in ("body", "to") else field, exc.detail)
    contents = reading.thread_contents(db, me, thread)
    return _view(request, client, contents, status, errors, text,
                 kept_attachments(db, me, attachment_ids))
