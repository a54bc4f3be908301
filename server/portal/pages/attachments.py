"""Attachments: download for those who may read them, and the upload the page's script uses
(one file per request, with progress) before the form is sent."""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from server.errors import ApiError, invalid, problem_response
from server.messaging import access, uploads
from server.portal import guard
from server.portal.pages.common import Client, signed_in
from server.serialize import attachment_json

router = APIRouter()


@router.get("/{slug}/attachments/{blob_id}")
def download(blob_id: str, client: Client = Depends(signed_in)) -> Response:
    blob = access.readable_blob(client.db, client.person, blob_id)
    return uploads.download(client.ctx, client.db, blob)


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
        declared = request.headers.get("content-length")
        filename, ext = uploads.checked_name(name)
        blob = await uploads.receive(client.ctx, client.person, filename, ext, request.stream(),
                                     int(declared) if declared and declared.isdigit() else None)
        await run_in_threadpool(uploads.keep, client.ctx, blob)
    except ApiError as exc:
        return problem_response(exc.status, exc.code, exc.detail)
    return JSONResponse(attachment_json(blob), status_code=201)
