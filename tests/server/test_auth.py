"""Sign-in, sessions and tokens: refusals, logout, idle and absolute token expiry, TOTP with
replay refused. Throttling has its own file, test_signin_throttle.py.
"""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
import requests
from sqlalchemy import update

from server.db.models import Person
from server.seed import DEMO_PASSWORD
from tests.server.conftest import ServerFactory
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer


def login(server: LiveServer, username: str, password: str = DEMO_PASSWORD, **extra: Any):
    return requests.post(
        f"{server.api}/auth/login",
        json={"username": username, "password": password, **extra},
        timeout=30,
    )


def session(server: LiveServer, token: str) -> requests.Response:
    return requests.get(
        f"{server.api}/session", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_sign_in_and_session(shared_server: LiveServer) -> None:
    reply = login(shared_server, "dr.rivera")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert len(body["token"]) >= 32 and body["expires_at"].endswith("Z")
    assert len(body["device_token"]) >= 32 and body["device_token"] != body["token"]
    assert body["user"]["username"] == "dr.rivera" and body["user"]["role"] == "therapist"
    info = session(shared_server, body["token"]).json()
    assert info["user"] == body["user"]
    assert info["practice"]["name"] == "Lakeside Counseling"
    assert set(info["practice"]) == {"id", "name", "portal_url"}
    assert info["practice"]["portal_url"] == f"{shared_server.url}/portal/lakeside/"
    assert info["limits"] == {
        "max_attachment_bytes": 10485760,
        "min_body_chars": 10,
        "max_subject_chars": 200,
        "max_pending_upload_bytes": 200 * 1024 * 1024,
        "max_bulk_ids": 10000,
        "max_json_bytes": 1048576,
        "max_body_html_bytes": 262144,
        "max_body_depth": 64,
        "max_body_elements": 20000,
        "allowed_attachment_types": [
            ".pdf",
            ".doc",
            ".docx",
            ".txt",
            ".rtf",
            ".jpg",
            ".jpeg",
            ".png",
            ".gif",
            ".bmp",
            ".heic",
        ],
    }
    assert info["server_time"].endswith("Z")


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("dr.rivera", "wrong-password", id="wrong-password"),
        pytest.param("nobody.here", DEMO_PASSWORD, id="unknown-username"),
        pytest.param("dana", DEMO_PASSWORD, id="client-without-portal-account"),
        pytest.param("dr.rivera", "", id="empty-password"),
    ],
)
def test_refused_sign_in(shared_server: LiveServer, username: str, password: str) -> None:
    body = assert_problem(login(shared_server, username, password), 401, "invalid_credentials")
    # the same sentence whatever was wrong: nobody learns which usernames exist
    assert (
        body["detail"]
        == assert_problem(login(shared_server, "x.y", "z"), 401, "invalid_credentials")["detail"]
    )


def test_logout_revokes_at_once(shared_server: LiveServer) -> None:
    first = login(shared_server, "frontdesk").json()["token"]
    second = login(shared_server, "frontdesk").json()["token"]
    bye = requests.post(
        f"{shared_server.api}/auth/logout",
        headers={"Authorization": f"Bearer {first}"},
        timeout=30,
    )
    assert bye.status_code == 204 and bye.content == b""
    assert_problem(session(shared_server, first), 401, "unauthenticated")
    changes = requests.get(
        f"{shared_server.api}/changes", headers={"Authorization": f"Bearer {first}"}, timeout=30
    )
    assert_problem(changes, 401, "unauthenticated")
    assert session(shared_server, second).status_code == 200
    again = requests.post(
        f"{shared_server.api}/auth/logout",
        headers={"Authorization": f"Bearer {first}"},
        timeout=30,
    )
    assert_problem(again, 401, "unauthenticated")


def test_totp_required_and_a_code_used_once(shared_server: LiveServer) -> None:
    secret = pyotp.random_base32()
    with shared_server.ctx.sessions() as db:
        db.execute(update(Person).where(Person.username == "agent.kim").values(totp_secret=secret))
        db.commit()
    assert_problem(login(shared_server, "agent.kim"), 401, "totp_required")
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert_problem(login(shared_server, "agent.kim", totp_code=wrong), 401, "invalid_credentials")
    assert_problem(
        login(shared_server, "agent.kim", "bad-password", totp_code=pyotp.TOTP(secret).now()),
        401,
        "invalid_credentials",
    )
    code = pyotp.TOTP(secret).now()
    accepted = login(shared_server, "agent.kim", totp_code=code)
    assert accepted.status_code == 200, accepted.text
    assert_problem(login(shared_server, "agent.kim", totp_code=code), 401, "invalid_credentials")
    # people without a second factor are not asked for one
    assert login(shared_server, "billing").status_code == 200


def test_idle_token_expires(make_server: ServerFactory) -> None:
    server = make_server(token_idle_seconds=1)
    token = login(server, "dr.rivera").json()["token"]
    assert session(server, token).status_code == 200
    time.sleep(1.3)
    assert_problem(session(server, token), 401, "unauthenticated")


def test_token_expires_after_its_lifetime(make_server: ServerFactory) -> None:
    server = make_server(token_max_seconds=1)
    reply = login(server, "dr.rivera").json()
    token = reply["token"]
    assert session(server, token).status_code == 200
    time.sleep(1.3)
    assert_problem(session(server, token), 401, "unauthenticated")
    assert login(server, "dr.rivera").status_code == 200


def test_every_endpoint_needs_a_token(shared_api: Api) -> None:
    thread_id = shared_api.as_("dr.rivera").started(["alex"])["thread"]["id"]
    base = shared_api.server.api
    for method, path in (
        ("GET", "/session"),
        ("GET", "/directory"),
        ("GET", "/threads"),
        ("POST", "/threads"),
        ("GET", f"/threads/{thread_id}"),
        ("POST", f"/threads/{thread_id}/messages"),
        ("PATCH", f"/threads/{thread_id}/state"),
        ("POST", "/threads/state"),
        ("DELETE", f"/threads/{thread_id}"),
        ("GET", "/changes"),
        ("GET", "/folders"),
        ("POST", "/folders"),
        ("GET", "/drafts"),
        ("POST", "/blobs"),
        ("GET", "/audit"),
        ("POST", "/auth/logout"),
        ("GET", f"/clients/{shared_api.id('alex')}/notes"),
    ):
        reply = requests.request(method, base + path, json={}, timeout=30)
        assert_problem(reply, 401, "unauthenticated")
        assert thread_id not in reply.text
