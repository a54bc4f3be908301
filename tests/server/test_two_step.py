"""Two-step sign-in: enrolment pending until confirmed, a code used twice refused, recovery
codes stored hashed and each good once, turning it off, an admin's reset, and a practice
that requires it of staff (403 `mfa_required` everywhere but the way to set it up)."""

from __future__ import annotations

from typing import Any

import pyotp
import requests
from sqlalchemy import select

from server.db.accounts import RecoveryCode
from server.db.models import Person
from tests.server.admin_support import bearer, code_for, login
from tests.support.api_client import Api, assert_problem
from tests.support.live_server import LiveServer

DEMO = "lakeside-demo-2026"
used_codes: dict[str, str] = {}


def enrol(server: LiveServer, username: str) -> tuple[str, str, list[str]]:
    """Sign in, set up TOTP; returns (token, secret, recovery codes).

    The confirming code is kept in `used_codes[username]`."""
    token = login(server, username, DEMO).json()["token"]
    started = requests.post(f"{server.api}/account/totp", headers=bearer(token), timeout=30)
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    uri = started.json()["otpauth_uri"]
    assert pyotp.parse_uri(uri).secret == secret and username in uri
    used_codes[username] = code_for(secret)
    confirmed = requests.post(f"{server.api}/account/totp/confirm",
                              json={"code": used_codes[username]}, headers=bearer(token),
                              timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    return token, secret, confirmed.json()["recovery_codes"]


def test_enrolment_is_pending_until_a_right_code_confirms_it(server: LiveServer) -> None:
    token = login(server, "dr.chen", DEMO).json()["token"]
    secret = requests.post(f"{server.api}/account/totp", headers=bearer(token),
                           timeout=30).json()["secret"]
    assert login(server, "dr.chen", DEMO).status_code == 200  # not on yet
    wrong = str((int(code_for(secret)) + 1) % 1_000_000).zfill(6)
    assert_problem(requests.post(f"{server.api}/account/totp/confirm", json={"code": wrong},
                                 headers=bearer(token), timeout=30), 422, "validation_error")
    assert login(server, "dr.chen", DEMO).status_code == 200
    assert_problem(requests.post(f"{server.api}/account/totp/confirm", json={"code": "123456"},
                                 headers=bearer(login(server, "billing", DEMO).json()["token"]),
                                 timeout=30), 422, "validation_error")


def test_a_totp_code_works_once(server: LiveServer) -> None:
    _token, secret, _codes = enrol(server, "dr.chen")
    assert_problem(login(server, "dr.chen", DEMO), 401, "totp_required")
    # The code that confirmed the enrolment is used up already.
    assert_problem(login(server, "dr.chen", DEMO, used_codes["dr.chen"]), 401,
                   "invalid_credentials")
    later = code_for(secret, 1)
    assert login(server, "dr.chen", DEMO, later).status_code == 200
    assert_problem(login(server, "dr.chen", DEMO, later), 401, "invalid_credentials")
    admin = Api(server).as_("admin")
    chen = admin.get("/admin/people", params={"q": "dr.chen"}).json()["people"][0]
    assert chen["mfa_enabled"] is True


def test_recovery_codes_are_hashed_and_each_works_once(server: LiveServer) -> None:
    _token, _secret, codes = enrol(server, "billing")
    assert len(codes) == 10 and len(set(codes)) == 10
    with server.ctx.sessions() as db:
        person_id = db.scalar(select(Person.id).where(Person.username == "billing"))
        stored = db.scalars(select(RecoveryCode.code_hash).where(
            RecoveryCode.person_id == person_id)).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)
    assert all(len(h) == 64 for h in stored)
    assert login(server, "billing", DEMO, codes[0]).status_code == 200
    assert_problem(login(server, "billing", DEMO, codes[0]), 401, "invalid_credentials")
    assert login(server, "billing", DEMO, codes[1].upper().replace("-", "")).status_code == 200
    assert_problem(login(server, "billing", "wrong password!", codes[2]), 401,
                   "invalid_credentials")
    assert login(server, "billing", DEMO, codes[2]).status_code == 200  # not used by the failure


def test_turning_it_off_needs_the_password(server: LiveServer) -> None:
    token, secret, _codes = enrol(server, "frontdesk")
    url = f"{server.api}/account/totp"
    assert_problem(requests.delete(url, json={"password": "not it at all"},
                                   headers=bearer(token), timeout=30), 422, "invalid_credentials")
    assert requests.delete(url, json={"password": DEMO}, headers=bearer(token),
                           timeout=30).status_code == 204
    assert login(server, "frontdesk", DEMO).status_code == 200


def test_an_admin_resets_someone_elses_second_factor(server: LiveServer) -> None:
    enrol(server, "dr.rivera")
    assert_problem(login(server, "dr.rivera", DEMO), 401, "totp_required")
    admin = Api(server).as_("admin")
    reply = admin.post(f"/admin/people/{admin.server.person_id('dr.rivera')}/reset-mfa")
    assert reply.status_code == 204
    assert login(server, "dr.rivera", DEMO).status_code == 200
    actions = [e["action"] for e in admin.get("/audit", params={"order": "newest"}).json()[
        "events"]]
    assert "mfa_reset" in actions and "mfa_enable" in actions


def _get(server: LiveServer, token: str, path: str, **kw: Any) -> requests.Response:
    return requests.get(f"{server.api}{path}", headers=bearer(token), timeout=30, **kw)


def test_a_practice_that_requires_it_lets_staff_only_set_it_up(server: LiveServer) -> None:
    admin = Api(server).as_("admin")
    reply = admin.patch("/admin/practice", {"require_mfa_for_staff": True})
    assert reply.status_code == 200 and reply.json()["require_mfa_for_staff"] is True
    signed_in = login(server, "dr.rivera", DEMO)
    assert signed_in.status_code == 200 and signed_in.json()["mfa_required"] is True
    token = signed_in.json()["token"]
    for path in ("/directory", "/threads", "/changes", "/folders", "/admin/people"):
        assert_problem(_get(server, token, path), 403, "mfa_required")
    session = _get(server, token, "/session").json()
    assert session["mfa_required"] is True and session["mfa_enabled"] is False
    # The admin who turned it on is held too, until they set it up.
    assert_problem(admin.get("/admin/practice"), 403, "mfa_required")
    # Clients are not staff: untouched.
    assert login(server, "alex", DEMO).json()["mfa_required"] is False
    assert _get(server, login(server, "alex", DEMO).json()["token"], "/directory"
                ).status_code == 200
    secret = requests.post(f"{server.api}/account/totp", headers=bearer(token),
                           timeout=30).json()["secret"]
    confirmed = requests.post(f"{server.api}/account/totp/confirm",
                              json={"code": code_for(secret)}, headers=bearer(token), timeout=30)
    assert confirmed.status_code == 200
    assert _get(server, token, "/directory").status_code == 200
    assert _get(server, token, "/session").json()["mfa_required"] is False
    other = login(server, "dr.chen", DEMO).json()["token"]
    assert requests.post(f"{server.api}/auth/logout", headers=bearer(other),
                         timeout=30).status_code == 204
