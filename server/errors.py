"""Problem+json (RFC 9457) errors: one exception type and the handlers that render every error."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.rules import Decision

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class ApiError(Exception):
    """A refusal with a stable machine code and a sentence for a person."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}  # more members of the problem object, e.g. "errors"


def enforce(decision: Decision) -> None:
    """Raise the refusal a rules decision carries (403, or 422 for input it cannot use)."""
    if decision.allowed:
        return
    code = decision.code or "forbidden"
    status = 422 if code == "no_recipients" else 403
    raise ApiError(status, code, decision.reason or "You are not allowed to do that.")


def not_found(what: str = "That item") -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist or is not available to you.")


def forbidden(code: str, detail: str) -> ApiError:
    return ApiError(403, code, detail)


def invalid(code: str, detail: str) -> ApiError:
    return ApiError(422, code, detail)


def problem_body(status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "type": f"https://practice-inbox.local/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }


def problem_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, code, detail), status_code=status, media_type=PROBLEM, headers=headers
    )


_HTTP_CODES = {
    400: ("validation_error", "The request could not be read."),
    401: ("unauthenticated", "Sign in first."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("attachment_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "That content type is not accepted here."),
}


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = list(err.get("loc", ()))
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]  # only the leading part names where: a field may be called "body"
        where = ".".join(str(x) for x in loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "The request is not valid (" + "; ".join(parts) + ")."


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        if exc.extra:
            body = {**problem_body(exc.status, exc.code, exc.detail), **exc.extra}
            return JSONResponse(body, status_code=exc.status, media_type=PROBLEM,
                                headers=exc.headers)
        return problem_response(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, "validation_error", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, default = _HTTP_CODES.get(exc.status_code, ("error", "The request failed."))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code >= 500 else default
        # A body that cannot be read at all is invalid input like any other: 422, as API.md says.
        status = 422 if exc.status_code == 400 else exc.status_code
        return problem_response(status, code, detail, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal_error", "The server failed; nothing was changed.")
