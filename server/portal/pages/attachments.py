"""Attachments: download for those who may read them, and the upload the page's script uses
(one file per request, with progress) before the form is sent."""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from server.errors import ApiError, invalid, not_found, problem_response
from server.messaging import access, uploads
from server.portal import guard
from server.portal.forms import save_blob
from server.portal.pages.common import Client, signed_in
from server.serialize import attachment_json

router = APIRouter()


@router.get("/{slug}/attachments/{blob_id}")
def download(blob_id: str, client: Client = Depends(signed_in)) -> FileResponse:
    blob = access.readable_blob(client.db, client.person, blob_id)
    path = client.ctx.blobs.path(blob.id)
    if not path.exists():
        raise not_found("That attachment")
    return FileResponse(
        path,
        media_type=blob.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(blob.filename)}"},
    )


@router.post("/{slug}/attachments", status_code=201)
async def upload(request: Request, client: Client = Depends(signed_in)) -> JSONResponse:
    """The raw file as the body, its name in X-Filename, the form's token in X-CSRF-Token."""
    try:
        guard.check(request, client.ctx.settings.public_url,
                    request.headers.get(guard.HEADER), client.live.csrf_token)
        raw_name = request.headers.get("x-filename", "")
        try:
            name = unquote(raw_name, errors="strict")
        except UnicodeDecodeError as exc:
            raise invalid("validation_error", "The file name could not be read.") from exc
        if not name:
            raise invalid("validation_error", "The file has no name.")
        limit = client.ctx.settings.max_attachment_bytes
        declared = request.headers.get("content-length")
        filename, ext = uploads.checked_name(
            name, int(declared) if declared and declared.isdigit() else None, limit
        )
        blob = await uploads.receive(
            client.ctx.blobs, client.person, filename, ext, request.stream(), limit
        )
    except ApiError as exc:
        return problem_response(exc.status, exc.code, exc.detail)
    await run_in_threadpool(save_blob, client.ctx, blob)
    return JSONResponse(attachment_json(blob), status_code=201)
