"""The served OpenAPI document: each route's success answer described by its model in
`server.api.answers`, and every error answer as problem+json (not FastAPI's default shape,
which this server never sends)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from server.api.answers import SUCCESS, Answer, Problem

PROBLEM = "application/problem+json"
REF = "#/components/schemas/{model}"

# Error answers any route may give: not signed in, not allowed, not there (or not visible),
# a body too large or of a type not accepted, input that cannot be used.
EVERY_ROUTE_MAY_REFUSE = (401, 403, 404, 413, 415, 422)
# Refusals only some routes give, by (method, path under the API prefix).
SOME_ROUTES_REFUSE: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/auth/login"): (429,),
    ("get", "/changes"): (410,),
    ("delete", "/blobs/{blob_id}"): (409,),
    ("post", "/auth/set-password"): (410,),  # the link has expired or was used
}
# Success answers with no body (FastAPI would describe them as JSON).
BODYLESS: set[tuple[str, str]] = {("post", "/auth/password-reset")}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _components(doc: dict[str, Any]) -> dict[str, Any]:
    models: set[type[Answer]] = {Problem, *SUCCESS.values()}
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


def describe(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The document FastAPI generated, with the answers described as the server gives them."""
    _components(doc)
    for path, operations in doc.get("paths", {}).items():
        route = path.removeprefix(prefix)
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            model = SUCCESS.get((method, route))
            for status, answer in responses.items():
                if (method, route) in BODYLESS and status.startswith("2"):
                    answer.pop("content", None)
                elif model is not None and status.startswith("2"):
                    schema = {"$ref": REF.format(model=model.__name__)}
                    answer["content"] = {"application/json": {"schema": schema}}
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
