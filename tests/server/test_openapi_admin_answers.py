"""The served OpenAPI document describes the answers of the administration, account, chart-note,
client-status, audit and download routes as the server really gives them.

Each route is called for real (people created, invited and imported, the practice changed,
two-step sign-in set up, a note saved, the audit log read as JSON and CSV, an attachment
downloaded); every answer's status must be documented for its route, its content type
documented for that status, and its body must match the documented schema. Refusals are
checked against the problem+json schema the document gives for them.
"""

from __future__ import annotations

import fnmatch
import itertools
from typing import Any

import pytest
import requests
import schemathesis

from tests.server.admin_support import code_for
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer
from tests.support.openapi_data import converse

PREFIX = "/api/v1"
_serial = itertools.count()
# Every route these tests call, and the model the document names for its success answer.
MODELLED = {
    ("patch", "/clients/{client_id}"): "PersonOut",
    ("get", "/clients/{client_id}/notes"): "NotesOut",
    ("post", "/threads/{thread_id}/quick-note"): "NoteSaved",
    ("get", "/audit"): "AuditPage",
    ("get", "/admin/people"): "AdminPeoplePage",
    ("post", "/admin/people"): "AdminPersonOut",
    ("patch", "/admin/people/{person_id}"): "AdminPersonOut",
    ("post", "/admin/people/{person_id}/invite"): "AdminPersonOut",
    ("post", "/admin/people/import"): "ImportDone",
    ("get", "/admin/practice"): "PracticeSettingsOut",
    ("patch", "/admin/practice"): "PracticeSettingsOut",
    ("post", "/account/totp"): "TotpStarted",
    ("post", "/account/totp/confirm"): "RecoveryCodes",
}


@pytest.fixture(scope="module")
def served(shared_server: LiveServer) -> tuple[Api, dict[str, Any], dict[str, Any]]:
    api = Api(shared_server)
    made = converse(api)
    doc = requests.get(f"{shared_server.api}/openapi.json", timeout=30).json()
    return api, doc, made


def assert_described(doc: dict[str, Any], method: str, route: str,
                     reply: requests.Response) -> None:
    """The reply's status is documented for the route, with its content type and schema."""
    responses = doc["paths"][PREFIX + route][method]["responses"]
    assert str(reply.status_code) in responses, (method, route, reply.status_code, reply.text)
    content = responses[str(reply.status_code)].get("content", {})
    if not reply.content and reply.status_code in (202, 204):
        assert not content, (method, route, "documented a body it does not send")
        return
    media_type = reply.headers["content-type"].split(";")[0].strip()
    assert any(fnmatch.fnmatch(media_type, documented) for documented in content), (
        method, route, media_type, list(content))
    operation = schemathesis.openapi.from_dict(doc)[PREFIX + route][method.upper()]
    operation.validate_response(reply)


def new_person(kind: str) -> dict[str, Any]:
    n = next(_serial)
    person = {"kind": kind, "username": f"documented.{kind}.{n}", "name": f"Documented {n}",
              "email": f"documented{n}@example.org"}
    return person | ({"role": "biller"} if kind == "staff" else {})


def test_every_route_describes_its_success_answer_with_a_model(served: Any) -> None:
    _api, doc, _made = served
    for (method, route), model in MODELLED.items():
        responses = doc["paths"][PREFIX + route][method]["responses"]
        success = sorted(code for code in responses if code.startswith("2"))
        schema = responses[success[-1]]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model}"}, (method, route)
        assert doc["components"]["schemas"][model]["required"], model
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                for media_type, described in answer.get("content", {}).items():
                    schema = described["schema"]
                    loose = schema.get("type") == "object" and "properties" not in schema
                    assert schema and not loose, (method, path, status, media_type)


def test_people_answers_match_the_document(served: Any) -> None:
    api, doc, _made = served
    admin = api.as_("admin")
    listed = admin.get("/admin/people", params={"limit": 3})
    assert listed.status_code == 200 and listed.json()["next"], listed.text
    assert_described(doc, "get", "/admin/people", listed)
    created = admin.post("/admin/people", new_person("client"))
    assert created.status_code == 201, created.text
    assert_described(doc, "post", "/admin/people", created)
    person_id = created.json()["id"]
    edited = admin.patch(f"/admin/people/{person_id}", {"name": "Documented Again"})
    assert edited.status_code == 200, edited.text
    assert_described(doc, "patch", "/admin/people/{person_id}", edited)
    invited = admin.post(f"/admin/people/{person_id}/invite")
    assert invited.status_code == 202 and invited.json()["invite_sent_at"], invited.text
    assert_described(doc, "post", "/admin/people/{person_id}/invite", invited)
    taken = admin.post("/admin/people", {**new_person("client"), "username": "alex"})
    assert_problem(taken, 409, "username_taken")
    assert_described(doc, "post", "/admin/people", taken)
    last = admin.patch(f"/admin/people/{api.id('admin')}", {"disabled": True})
    assert_problem(last, 409, "last_admin")
    assert_described(doc, "patch", "/admin/people/{person_id}", last)


def test_import_answers_match_the_document(served: Any) -> None:
    api, doc, _made = served
    front = api.as_("frontdesk")
    n = next(_serial)
    csv = f"name,email\nImported {n},imported{n}@example.org\n".encode()
    headers = {"Content-Type": "text/csv"}
    preview = front.post("/admin/people/import", params={"dry_run": "1"}, data=csv,
                         headers=headers, key=None)
    assert preview.status_code == 200 and preview.json()["would_create"] == 1, preview.text
    assert_described(doc, "post", "/admin/people/import", preview)
    done = front.post("/admin/people/import", data=csv, headers=headers, key=None)
    assert done.status_code == 201 and done.json()["created"] == 1, done.text
    assert_described(doc, "post", "/admin/people/import", done)
    taken = f"name,email,username\nImported {n},again{n}@example.org,alex\n".encode()
    refused = front.post("/admin/people/import", data=taken, headers=headers, key=None)
    assert_problem(refused, 422, "import_invalid")
    assert refused.json()["errors"], refused.text
    assert_described(doc, "post", "/admin/people/import", refused)
    wrong_type = front.post("/admin/people/import", data=csv, key=None,
                            headers={"Content-Type": "application/pdf"})
    assert_problem(wrong_type, 415, "unsupported_media_type")
    assert_described(doc, "post", "/admin/people/import", wrong_type)


def test_practice_and_audit_answers_match_the_document(served: Any) -> None:
    api, doc, _made = served
    admin = api.as_("admin")
    practice = admin.get("/admin/practice")
    assert practice.status_code == 200, practice.text
    assert_described(doc, "get", "/admin/practice", practice)
    changed = admin.patch("/admin/practice", {"portal_notice": "Closed on Friday."})
    assert changed.status_code == 200, changed.text
    assert_described(doc, "patch", "/admin/practice", changed)
    page = admin.get("/audit", params={"order": "newest", "limit": 2})
    assert page.status_code == 200 and page.json()["events"], page.text
    assert_described(doc, "get", "/audit", page)
    exported = admin.get("/audit", params={"format": "csv"})
    assert exported.status_code == 200 and exported.text.startswith("id,at,"), exported.text
    assert_described(doc, "get", "/audit", exported)
    refused = api.as_("dr.rivera").get("/audit")
    assert_problem(refused, 403, "forbidden")
    assert_described(doc, "get", "/audit", refused)


def test_account_answers_match_the_document(served: Any) -> None:
    api, doc, _made = served
    kim = api.as_("agent.kim")
    started = kim.post("/account/totp", key=None)
    assert started.status_code == 200, started.text
    assert_described(doc, "post", "/account/totp", started)
    wrong = kim.post("/account/totp/confirm", {"code": "12345x"}, key=None)
    assert_problem(wrong, 422, "validation_error")
    assert_described(doc, "post", "/account/totp/confirm", wrong)
    confirmed = kim.post("/account/totp/confirm", {"code": code_for(started.json()["secret"])},
                         key=None)
    assert confirmed.status_code == 200 and confirmed.json()["recovery_codes"], confirmed.text
    assert_described(doc, "post", "/account/totp/confirm", confirmed)
    weak = kim.post("/account/password", {"current_password": "lakeside-demo-2026",
                                           "new_password": "short"}, key=None)
    assert weak.status_code == 422, weak.text
    assert_described(doc, "post", "/account/password", weak)
    unknown = requests.post(f"{api.server.api}/auth/password-reset",
                            json={"username": "nobody.here"}, timeout=30)
    assert unknown.status_code == 202 and not unknown.content
    assert_described(doc, "post", "/auth/password-reset", unknown)
    expired = requests.post(f"{api.server.api}/auth/set-password",
                            json={"token": "not-a-link", "new_password": "x" * 20}, timeout=30)
    assert_problem(expired, 410, "link_expired")
    assert_described(doc, "post", "/auth/set-password", expired)


def test_client_notes_status_and_download_answers_match_the_document(served: Any) -> None:
    api, doc, made = served
    rivera, front = api.as_("dr.rivera"), api.as_("frontdesk")
    thread = made["thread_id"]
    saved = rivera.post(f"/threads/{thread}/quick-note", {"body": "Discussed next week."})
    assert saved.status_code == 201, saved.text
    assert_described(doc, "post", "/threads/{thread_id}/quick-note", saved)
    notes = rivera.get(f"/clients/{api.id('alex')}/notes")
    assert notes.status_code == 200 and notes.json()["notes"], notes.text
    assert_described(doc, "get", "/clients/{client_id}/notes", notes)
    status = front.patch(f"/clients/{api.id('alex')}", {"status": "active"})
    assert status.status_code == 200, status.text
    assert_described(doc, "patch", "/clients/{client_id}", status)
    downloaded = rivera.get(f"/blobs/{made['blob_id']}")
    assert downloaded.status_code == 200 and downloaded.content.startswith(b"The plan")
    assert_described(doc, "get", "/blobs/{blob_id}", downloaded)
