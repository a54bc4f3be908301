"""Invite and reset links end to end: the email a real SMTP server receives (no PHI), single
use, a newer link voiding older ones, expiry on a clock the test moves, weak passwords, the
reset request's quiet answer and throttle, and sessions ending when a password changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.config import SmtpSettings
from tests.server.admin_support import (
    GOOD_PASSWORD,
    bearer,
    login,
    set_password,
    token_of,
    wait_for,
)
from tests.support.api_client import Api, assert_problem
from tests.support.clock import MovableClock
from tests.support.live_server import LiveServer
from tests.support.smtp_sink import SmtpSink


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def mail_server(
    tmp_path: Path, smtp: SmtpSink, clock: MovableClock, database_url: str | None
) -> Iterator[LiveServer]:
    live = LiveServer(
        tmp_path / "data",
        database_url=database_url,
        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False,
                          sender="inbox@lakeside.example"),
        clock=clock,
    ).start()
    yield live
    live.stop()


def new_client(api: Api, username: str, name: str = "Jordan Example") -> str:
    reply = api.as_("admin").post("/admin/people", {
        "kind": "client", "username": username, "name": name,
        "email": f"{username}@mail.example", "assigned_therapist_ids": [api.id("dr.rivera")]})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def invite(api: Api, person_id: str) -> None:
    reply = api.as_("admin").post(f"/admin/people/{person_id}/invite")
    assert reply.status_code == 202, reply.text
    assert reply.json()["invite_sent_at"]


def mail_to(smtp: SmtpSink, address: str, count: int = 1) -> list[str]:
    """The bodies of the emails `address` received, once `count` have arrived."""
    def bodies() -> list[str]:
        found = [m for m in smtp.messages if m["To"] == address]
        return [m.get_body().get_content() for m in found] if len(found) >= count else []

    got = wait_for(bodies)
    assert got, f"no email reached {address}"
    return list(got)


def test_invite_email_names_the_practice_and_lifetime_and_no_phi(
    mail_server: LiveServer, smtp: SmtpSink
) -> None:
    api = Api(mail_server)
    person_id = new_client(api, "jordan.e", name="Jordan Example")
    invite(api, person_id)
    [body] = mail_to(smtp, "jordan.e@mail.example")
    message = next(m for m in smtp.messages if m["To"] == "jordan.e@mail.example")
    assert "Lakeside Counseling" in message["Subject"] + body
    assert "72 hours" in body
    url = body.split("\n")[3]
    assert url.startswith(mail_server.settings.portal_url("lakeside") + "welcome/")
    # No PHI: not the person's name or username, nor their therapist's.
    for private in ("Jordan", "Example", "jordan.e", "Rivera", "therap"):
        assert private not in body and private not in message["Subject"]
    assert set_password(mail_server, token_of(url)).status_code == 204
    assert login(mail_server, "jordan.e", GOOD_PASSWORD).status_code == 200
    used = assert_problem(set_password(mail_server, token_of(url), "another fine passphrase"),
                          410, "link_expired")
    assert "used" in used["detail"] and "new one" in used["detail"]


def test_a_newer_link_voids_the_older_one(mail_server: LiveServer, smtp: SmtpSink) -> None:
    api = Api(mail_server)
    person_id = new_client(api, "robin.v")
    invite(api, person_id)
    invite(api, person_id)
    first, second = (token_of(b) for b in mail_to(smtp, "robin.v@mail.example", 2))
    voided = assert_problem(set_password(mail_server, first), 410, "link_expired")
    assert "newer" in voided["detail"]
    assert set_password(mail_server, second).status_code == 204


def test_a_reset_voids_an_unused_invite(mail_server: LiveServer, smtp: SmtpSink) -> None:
    api = Api(mail_server)
    invite(api, new_client(api, "sky.r"))
    requests.post(f"{mail_server.api}/auth/password-reset", json={"username": "sky.r"},
                  timeout=30)
    welcome, reset = mail_to(smtp, "sky.r@mail.example", 2)
    assert "/welcome/" in welcome and "/reset/" in reset and "1 hour" in reset
    assert_problem(set_password(mail_server, token_of(welcome)), 410, "link_expired")
    assert set_password(mail_server, token_of(reset)).status_code == 204


def test_invites_last_72_hours_and_resets_1_hour(
    mail_server: LiveServer, smtp: SmtpSink, clock: MovableClock
) -> None:
    api = Api(mail_server)
    invite(api, new_client(api, "early.one"))
    invite(api, new_client(api, "late.one"))
    for username in ("blair", "alex"):
        reply = requests.post(f"{mail_server.api}/auth/password-reset",
                              json={"username": username}, timeout=30)
        assert reply.status_code == 202
    early, late = (token_of(mail_to(smtp, f"{u}@mail.example")[0])
                   for u in ("early.one", "late.one"))
    blair, alex = (token_of(mail_to(smtp, f"{u}@lakeside.example")[0]) for u in ("blair", "alex"))
    clock.advance(minutes=59)
    assert set_password(mail_server, blair).status_code == 204
    clock.advance(minutes=2)
    expired = assert_problem(set_password(mail_server, alex), 410, "link_expired")
    assert "expired" in expired["detail"] and "1 hour" in expired["detail"]
    clock.advance(hours=70, minutes=58)  # 71 h 59 min after the invites
    assert set_password(mail_server, early).status_code == 204
    clock.advance(minutes=2)
    expired = assert_problem(set_password(mail_server, late), 410, "link_expired")
    assert "72 hours" in expired["detail"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "12 characters"),
        ("x-robin.w-passphrase", "username"),
        ("password1234", "commonly used"),
        ("qwertyuiop123", "commonly used"),
        ("iloveyou2026!", "commonly used"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
    ],
)
def test_weak_passwords_are_refused_and_the_link_still_works(
    mail_server: LiveServer, smtp: SmtpSink, password: str, reason: str
) -> None:
    api = Api(mail_server)
    invite(api, new_client(api, "robin.w"))
    token = token_of(mail_to(smtp, "robin.w@mail.example")[0])
    refused = assert_problem(set_password(mail_server, token, password), 422, "weak_password")
    assert reason in refused["detail"]
    assert set_password(mail_server, token).status_code == 204


def test_reset_answers_the_same_whoever_asks_and_is_throttled(
    mail_server: LiveServer, smtp: SmtpSink
) -> None:
    url = f"{mail_server.api}/auth/password-reset"
    for username in ("nobody.here", "dr.chen"):
        for _ in range(mail_server.settings.login_failures_before_wait):
            reply = requests.post(url, json={"username": username}, timeout=30)
            assert reply.status_code == 202 and not reply.content
        assert_problem(requests.post(url, json={"username": username}, timeout=30), 429,
                       "too_many_attempts")
    bodies = mail_to(smtp, "dr_chen@lakeside.example", 10)
    assert len(bodies) == 10
    assert not [m for m in smtp.messages if "nobody" in str(m["To"])]
    # A disabled person gets no link either.
    api = Api(mail_server)
    api.as_("admin").patch(f"/admin/people/{api.id('billing')}", {"disabled": True})
    assert requests.post(url, json={"username": "billing"}, timeout=30).status_code == 202
    assert wait_for(lambda: len(smtp.messages) >= 10)
    assert not [m for m in smtp.messages if m["To"] == "billing@lakeside.example"]


def test_setting_a_password_from_a_link_ends_every_session(
    mail_server: LiveServer, smtp: SmtpSink
) -> None:
    before = login(mail_server, "dr.chen", "lakeside-demo-2026").json()["token"]
    assert requests.get(f"{mail_server.api}/session", headers=bearer(before),
                        timeout=30).status_code == 200
    requests.post(f"{mail_server.api}/auth/password-reset", json={"username": "dr.chen"},
                  timeout=30)
    token = token_of(mail_to(smtp, "dr_chen@lakeside.example")[0])
    assert set_password(mail_server, token).status_code == 204
    assert_problem(requests.get(f"{mail_server.api}/session", headers=bearer(before),
                                timeout=30), 401, "unauthenticated")
    assert_problem(login(mail_server, "dr.chen", "lakeside-demo-2026"), 401,
                   "invalid_credentials")
    assert login(mail_server, "dr.chen", GOOD_PASSWORD).status_code == 200


def test_change_password_keeps_this_session_and_ends_the_others(server: LiveServer) -> None:
    here = login(server, "frontdesk", "lakeside-demo-2026").json()["token"]
    elsewhere = login(server, "frontdesk", "lakeside-demo-2026").json()["token"]
    url = f"{server.api}/account/password"

    def change(current: str, new: str) -> requests.Response:
        return requests.post(url, json={"current_password": current, "new_password": new},
                             headers=bearer(here), timeout=30)

    assert_problem(change("not my password", GOOD_PASSWORD), 422, "invalid_credentials")
    assert_problem(change("lakeside-demo-2026", "password1234"), 422, "weak_password")
    assert change("lakeside-demo-2026", GOOD_PASSWORD).status_code == 204
    session = f"{server.api}/session"
    assert requests.get(session, headers=bearer(here), timeout=30).status_code == 200
    assert_problem(requests.get(session, headers=bearer(elsewhere), timeout=30), 401,
                   "unauthenticated")
    assert login(server, "frontdesk", GOOD_PASSWORD).status_code == 200


def test_unknown_usernames_go_to_the_security_log(server: LiveServer) -> None:
    reply = login(server, "no.such.person", "whatever-it-is")
    assert_problem(reply, 401, "invalid_credentials")
    log = (server.settings.data_dir / "security.log").read_text()
    line = next(line for line in log.splitlines() if "no.such.person" in line)
    assert "127.0.0.1" in line and line[:4].isdigit()
    events = Api(server).as_("admin").get("/audit", params={"limit": 1000}).json()["events"]
    assert not [e for e in events if e["target_id"] == "no.such.person"]
    harbor = Api(server).as_("harbor.admin").get("/audit", params={"limit": 1000}).json()
    assert not [e for e in harbor["events"] if e["target_id"] == "no.such.person"]


def test_links_are_stored_hashed_and_work_once_even_at_the_same_moment(
    mail_server: LiveServer, smtp: SmtpSink
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import select

    from server.db.accounts import AccountLink

    api = Api(mail_server)
    invite(api, new_client(api, "twin.use"))
    token = token_of(mail_to(smtp, "twin.use@mail.example")[0])
    assert len(token) >= 43  # 32 random bytes, base64url
    with mail_server.ctx.sessions() as db:
        stored = db.scalars(select(AccountLink.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: set_password(mail_server, token), range(4)))
    assert sorted(r.status_code for r in replies) == [204, 410, 410, 410]
