"""The served OpenAPI document describes what the server really answers, and the sync engine's
checks (`sync/shapes.py`) ask for no field the document does not promise.

Answers about a real conversation (threads, messages with attachments and receipts, states,
folders, drafts) are validated against the response schema the document gives for their
route and status; error answers against its problem+json schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis

from sync import shapes
from tests.support.api_client import Api
from tests.support.live_server import LiveServer
from tests.support.openapi_data import converse

PREFIX = "/api/v1"
# Routes the desktop's sync engine uses: each must describe its success answer.
SYNC_ROUTES = [
    ("post", "/auth/login"),
    ("get", "/session"),
    ("get", "/directory"),
    ("get", "/changes"),
    ("get", "/snapshot"),
    ("get", "/threads"),
    ("post", "/threads"),
    ("get", "/threads/{thread_id}"),
    ("post", "/threads/{thread_id}/messages"),
    ("patch", "/threads/{thread_id}/state"),
    ("post", "/threads/state"),
    ("get", "/folders"),
    ("post", "/folders"),
    ("patch", "/folders/{folder_id}"),
    ("get", "/drafts"),
    ("put", "/drafts/{draft_id}"),
    ("post", "/blobs"),
]


@pytest.fixture(scope="module")
def served(shared_server: LiveServer) -> tuple[LiveServer, dict[str, Any], dict[str, Any]]:
    made = converse(Api(shared_server))
    doc = requests.get(f"{shared_server.api}/openapi.json", timeout=30).json()
    return shared_server, doc, made


def assert_described(doc: dict[str, Any], method: str, route: str, reply: Any) -> None:
    """The reply's status is documented for the route, with its content type and schema."""
    answer = doc["paths"][PREFIX + route][method]["responses"][str(reply.status_code)]
    assert reply.headers["content-type"].split(";")[0] in answer["content"], reply.headers
    operation = schemathesis.openapi.from_dict(doc)[PREFIX + route][method.upper()]
    operation.validate_response(reply)


def component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(doc["components"]["schemas"][name])


def test_every_sync_route_describes_its_success_answer(served: Any) -> None:
    _server, doc, _made = served
    for method, route in SYNC_ROUTES:
        responses = doc["paths"][PREFIX + route][method]["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (method, route)
        schema = responses[success[0]]["content"]["application/json"]["schema"]
        assert schema.get("$ref", "").startswith("#/components/schemas/"), (method, route, schema)


def test_error_answers_are_described_as_problems(served: Any) -> None:
    server, doc, _made = served
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    unsigned = requests.get(f"{server.api}/session", timeout=30)
    assert unsigned.status_code == 401
    assert_described(doc, "get", "/session", unsigned)


def test_answers_about_a_conversation_match_the_document(served: Any) -> None:
    server, doc, made = served
    staff, client = Api(server).as_("dr.rivera"), Api(server).as_("alex")
    thread = made["thread_id"]
    for who in (staff, client):
        for route, path in [
            ("/session", "/session"),
            ("/directory", "/directory"),
            ("/changes", "/changes"),
            ("/threads", "/threads"),
            ("/threads/{thread_id}", f"/threads/{thread}"),
            ("/folders", "/folders"),
            ("/drafts", "/drafts"),
        ]:
            reply = who.get(path)
            assert reply.status_code == 200, (route, reply.text)
            assert_described(doc, "get", route, reply)
    page = staff.get("/changes").json()
    assert page["threads"] and page["messages"] and page["folders"] and page["drafts"]
    assert any(m["attachments"] for m in page["messages"])
    moved = staff.patch(f"/threads/{thread}/state", {"starred": True})
    assert_described(doc, "patch", "/threads/{thread_id}/state", moved)
    renamed = staff.patch(f"/folders/{made['folder_id']}", {"name": "Follow up soon"})
    assert_described(doc, "patch", "/folders/{folder_id}", renamed)
    answered = client.reply(thread, body="<p>One more question about the plan.</p>")
    assert_described(doc, "post", "/threads/{thread_id}/messages", answered)
    uploaded = staff.upload("more.txt", b"More notes, in plain text.\n")
    assert_described(doc, "post", "/blobs", uploaded)
    missing = staff.get("/threads/no-such-thread")
    assert_described(doc, "get", "/threads/{thread_id}", missing)


# Each of sync/shapes.py's field lists and the document's schema it checks.
SHAPES = {
    "PERSON": "PersonOut",
    "THREAD": "ThreadOut",
    "MESSAGE": "MessageOut",
    "ATTACHMENT": "AttachmentOut",
    "STATE": "StateOut",
    "DRAFT": "DraftOut",
    "FOLDER": "FolderOut",
}
JSON_TYPES = {str: "string", int: "integer", bool: "boolean", list: "array", type(None): "null"}


def json_types(prop: dict[str, Any]) -> set[str]:
    if "anyOf" in prop:
        return {t for option in prop["anyOf"] for t in json_types(option)}
    return {prop.get("type", "object")}


@pytest.mark.parametrize("shape, schema_name", sorted(SHAPES.items()))
def test_sync_shapes_ask_only_for_what_the_document_promises(
    served: Any, shape: str, schema_name: str
) -> None:
    _server, doc, _made = served
    schema = component(doc, schema_name)
    fields: dict[str, tuple[type, ...]] = getattr(shapes, shape)
    for name, types in fields.items():
        assert name in schema.get("required", []), f"{shape}.{name} is not promised"
        promised = json_types(schema["properties"][name])
        accepted = {JSON_TYPES[t] for t in types}
        assert promised <= accepted, f"{shape}.{name}: document {promised}, sync {accepted}"


def test_sync_page_lists_are_the_documented_change_page(served: Any) -> None:
    _server, doc, _made = served
    page = component(doc, "ChangePage")
    assert set(shapes.PAGE_LISTS) <= set(page["required"])
    deleted = component(doc, "DeletedIds")
    assert set(shapes.DELETED_KINDS) == set(deleted["required"])
