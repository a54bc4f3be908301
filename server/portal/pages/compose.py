"""New message: recipients from the client's directory, subject, message, attachments, and
drafts that save, reopen and can be deleted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from server import rules, unit_of_work
from server.db.models import Draft
from server.deps import client_address
from server.errors import ApiError
from server.messaging import addressees, compose, drafts, validate
from server.portal.forms import body_html, editor_html, kept_attachments, store_files
from server.portal.pages.common import Client, Errors, check_post, limits, portal_root, signed_in
from server.portal.pages.messages import folder_nav
from server.portal.pages.thread import field_of
from server.portal.render import render
from server.sanitize import html_to_text
from server.serialize import who

router = APIRouter()


@dataclass
class Filled:
    """What the form holds: put back on the page whenever it is refused."""

    draft_id: str
    to: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    attachment_ids: list[str] = field(default_factory=list)
    saved_draft: bool = False


def _page(
    request: Request,
    client: Client,
    filled: Filled,
    status: int = 200,
    errors: Errors | None = None,
    saved: bool = False,
) -> Response:
    offered, reason = addressees.writable_staff(client.db, client.person)
    return render(
        request, "compose.html", client.practice, client.live, status=status,
        title="New message", filled=filled, offered=offered, inactive_reason=reason,
        kept=kept_attachments(client.db, client.person, filled.attachment_ids),
        limits=limits(client.ctx), folders=folder_nav(client, "drafts" if filled.saved_draft
                                                      else ""),
        errors=errors.items if errors else None, saved=saved,
    )


def _from_draft(draft: Draft) -> Filled:
    return Filled(
        draft_id=draft.id,
        to=[a.removeprefix("person:") for a in draft.to or [] if a.startswith("person:")],
        subject=draft.subject or "",
        text=html_to_text(draft.body_html or ""),
        html=editor_html(draft.body_html or ""),
        attachment_ids=list(draft.attachment_ids or []),
        saved_draft=True,
    )


@router.get("/{slug}/messages/new")
def new_message_page(
    request: Request,
    draft: str | None = None,
    saved: str | None = None,
    client: Client = Depends(signed_in),
) -> Response:
    if draft:
        filled = _from_draft(drafts.own_draft(client.db, client.person, drafts.draft_id(draft)))
    else:
        filled = Filled(draft_id=str(uuid.uuid4()))
    return _page(request, client, filled, saved=bool(saved))


@router.post("/{slug}/messages/new")
async def new_message_post(request: Request, client: Client = Depends(check_post)) -> Response:
    form = await request.form()
    texts = {k: str(form.get(k) or "") for k in ("action", "draft_id", "subject", "body",
                                                  "body_html")}
    filled = Filled(
        draft_id=texts["draft_id"] or str(uuid.uuid4()),
        to=[v for v in form.getlist("to") if isinstance(v, str)],
        subject=texts["subject"],
        text=texts["body"],
        html=editor_html(texts["body_html"]),
        attachment_ids=[v for v in form.getlist("attachment_id") if isinstance(v, str)],
    )
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    try:
        stored, refused = await store_files(client.ctx, client.person, files)
    finally:
        await form.close()
    filled.attachment_ids += [str(s["id"]) for s in stored]
    return await run_in_threadpool(_act, request, client, texts["action"], filled, refused)


def _act(
    request: Request, client: Client, action: str, filled: Filled, refused: list[str]
) -> Response:
    db, ctx, me = client.db, client.ctx, client.person
    root = portal_root(request, client.practice)
    draft_id = drafts.draft_id(filled.draft_id)
    filled.saved_draft = db.get(Draft, draft_id) is not None
    if action == "delete":
        if filled.saved_draft:
            drafts.delete_draft(db, me, draft_id)
            unit_of_work.commit(db)
        return RedirectResponse(f"{root}messages?folder=drafts&done=draft_deleted",
                                status_code=303)
    errors = Errors()
    html = body_html(filled.text, filled.html)
    addresses = [f"person:{pid}" for pid in filled.to]
    if action == "save":
        for sentence in refused:
            errors.add("files", sentence)
        if errors:
            return _page(request, client, filled, 422, errors)
        try:
            drafts.save_draft(db, ctx.settings, me, draft_id, addresses, filled.subject, html,
                              filled.attachment_ids, None)
            unit_of_work.commit(db)
        except ApiError as exc:
            errors.add("body", exc.detail)
            return _page(request, client, filled, exc.status, errors)
        return RedirectResponse(f"{root}messages/new?draft={draft_id}&saved=1", status_code=303)
    if not addresses:
        decision = rules.may_address(who(me), [])
        errors.add("to", decision.reason or "Choose who to write to.")
    try:
        validate.subject(filled.subject, ctx.settings)
    except ApiError as exc:
        errors.add("subject", exc.detail)
    clean = None
    try:
        clean = validate.clean_body(html, ctx.settings)
        validate.body(clean, ctx.settings)
    except ApiError as exc:
        errors.add("body", exc.detail)
    for sentence in refused:
        errors.add("files", sentence)
    status = 422
    if not errors and clean is not None:
        try:
            result = compose.create_thread(
                db, ctx.settings, me, addresses, filled.subject, clean, filled.attachment_ids,
                draft_id, client_address(request),
            )
            unit_of_work.commit(db)
            ctx.kick_email()
            return RedirectResponse(f"{root}messages/{result.thread.id}?sent=1",
                                    status_code=303)
        except ApiError as exc:
            db.rollback()
            status = exc.status
            errors.add(field_of(exc.code), exc.detail)
    return _page(request, client, filled, status, errors)
