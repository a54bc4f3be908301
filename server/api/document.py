"""The served OpenAPI document: each route's success answer described by its model in
`server.api.answers`, and every error answer as problem+json (not FastAPI's default shape,
which this server never sends)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from server.api import admin_answers, answers
from server.api.answers import Answer, Problem

PROBLEM = "application/problem+json"
REF = "#/components/schemas/{model}"
SUCCESS: dict[tuple[str, str], type[Answer]] = {**answers.SUCCESS, **admin_answers.SUCCESS}

# Error answers any route may give: not signed in, not allowed, not there (or not visible),
# a body too large or of a type not accepted, input that cannot be used, and the database
# too busy to take the request in time (503 `server_busy`, with Retry-After).
EVERY_ROUTE_MAY_REFUSE = (401, 403, 404, 413, 415, 422, 503)
# Refusals only some routes give, by (method, path under the API prefix).
SOME_ROUTES_REFUSE: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/auth/login"): (429,),
    ("get", "/changes"): (410,),
    ("delete", "/blobs/{blob_id}"): (409,),
    ("post", "/auth/set-password"): (410,),  # the link has expired or was used
    ("post", "/auth/password-reset"): (429,),  # too many requests for one username
    # The username is taken, or the change would leave no enabled administrator.
    ("post", "/admin/people"): (409,),
    ("patch", "/admin/people/{person_id}"): (409,),
    ("post", "/admin/people/import"): (409,),
}
# Success answers with no body (FastAPI would describe them as JSON).
BODYLESS: set[tuple[str, str]] = {("post", "/auth/password-reset")}
# Success answers that are not JSON, or not only: their content by media type.
BINARY = {"schema": {"type": "string", "format": "binary"}}
OTHER_CONTENT: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/blobs/{blob_id}"): {"*/*": BINARY},  # the attachment, as its own type
    ("get", "/audit"): {"text/csv": {"schema": {"type": "string"}}},  # ?format=csv
}
# Routes whose JSON success answer is replaced by OTHER_CONTENT rather than joined by it.
NOT_JSON: set[tuple[str, str]] = {("get", "/blobs/{blob_id}")}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _components(doc: dict[str, Any]) -> dict[str, Any]:
    models: set[type[Answer]] = {
        Problem, *SUCCESS.values(), *(model for _, model in admin_answers.ALSO_SUCCESS.values())
    }
    _, defs = models_json_schema(
        [(model, "serialization") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(defs.get("$defs", {}))
    return schemas


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _json(model: type[Answer]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def _success(key: tuple[str, str], responses: dict[str, Any]) -> None:
    """Each success answer's content as the route really sends it."""
    also = admin_answers.ALSO_SUCCESS.get(key)
    if also is not None:
        responses[str(also[0])] = {"description": HTTPStatus(also[0]).phrase,
                                   "content": _json(also[1])}
    model = SUCCESS.get(key)
    for status, answer in responses.items():
        if not status.startswith("2") or (also is not None and status == str(also[0])):
            continue
        if key in BODYLESS:
            answer.pop("content", None)
            continue
        content = {} if key in NOT_JSON else answer.get("content", {})
        if model is not None:
            content = _json(model)
        answer["content"] = {**content, **OTHER_CONTENT.get(key, {})}


def describe(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The document FastAPI generated, with the answers described as the server gives them."""
    _components(doc)
    for path, operations in doc.get("paths", {}).items():
        route = path.removeprefix(prefix)
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            _success((method, route), responses)
            for code in EVERY_ROUTE_MAY_REFUSE + SOME_ROUTES_REFUSE.get((method, route), ()):
                responses[str(code)] = _problem(code)
    return doc


def install(app: FastAPI, prefix: str) -> None:
    """Serve the described document at the app's `openapi_url`, built once on first request."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title, version=app.version, routes=app.routes, openapi_version="3.1.0"
            )
            app.openapi_schema = describe(doc, prefix)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
