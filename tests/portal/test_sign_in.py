"""Signing in and out of the portal, with JavaScript on and off, by keyboard, with a second
factor, throttled, and the session's cookie and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select, update

from server.db.models import Person, Practice
from server.db.portal_models import PortalSession
from server.db.types import utcnow
from server.seed import DEMO_PASSWORD
from tests.support.live_server import LiveServer

USE_THE_APP = "Use the Practice Inbox app"


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_sign_in_reaches_the_inbox_and_sign_out_ends_the_session(portal: Any, js: bool) -> None:
    p = portal(js=js)
    p.sign_in("alex")
    expect(p.page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    expect(p.page.get_by_text("Lakeside Counseling").first).to_be_visible()
    cookie = next(c for c in p.page.context.cookies() if c["name"] == "portal")
    p.page.get_by_role("button", name="Sign out").click()
    expect(p.page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(p.page.get_by_text("You have signed out.")).to_be_visible()
    # The old cookie no longer opens anything.
    again = requests.get(p.url("messages"), cookies={"portal": cookie["value"]},
                         allow_redirects=False, timeout=30)
    assert again.status_code == 303
    assert again.headers["location"].endswith("/portal/lakeside/?expired=1")


def test_session_cookie_flags_on_loopback_http(portal: Any) -> None:
    p = portal()
    p.sign_in("alex")
    cookies = {c["name"]: c for c in p.page.context.cookies()}
    session = cookies["portal"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["path"] == "/"
    assert "__Host-portal" not in cookies  # only over TLS, with Secure


def test_session_is_stored_hashed(portal: Any, portal_server: LiveServer) -> None:
    p = portal()
    p.sign_in("alex")
    token = next(c["value"] for c in p.page.context.cookies() if c["name"] == "portal")
    with portal_server.ctx.sessions() as db:
        hashes = db.scalars(select(PortalSession.token_hash)).all()
    assert token not in hashes
    assert len(hashes) >= 1


def test_wrong_password_is_said_beside_the_field_and_in_a_focused_summary(portal: Any) -> None:
    p = portal()
    p.goto()
    p.page.get_by_label("Username").fill("alex")
    p.page.get_by_label("Password").fill("not the password")
    p.page.get_by_role("button", name="Sign in").click()
    summary = p.page.get_by_role("alert")
    expect(summary).to_contain_text("The username or password is not right.")
    expect(summary).to_be_focused()
    expect(p.page.locator("#password-error")).to_contain_text("not right")
    expect(p.page.get_by_label("Username")).to_have_value("alex")
    assert p.page.title().startswith("Error:")


def test_keyboard_only_sign_in(portal: Any) -> None:
    p = portal()
    p.goto()
    keys = p.page.keyboard
    keys.press("Tab")
    expect(p.page.get_by_role("link", name="Skip to main content")).to_be_focused()
    for _ in range(20):
        keys.press("Tab")
        if p.page.evaluate("document.activeElement.id") == "username":
            break
    keys.type("alex")
    keys.press("Tab")
    expect(p.page.get_by_label("Password")).to_be_focused()
    keys.type(DEMO_PASSWORD)
    keys.press("Tab")
    expect(p.page.get_by_role("button", name="Sign in")).to_be_focused()
    keys.press("Enter")
    expect(p.page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()


def test_staff_are_told_to_use_the_app(portal: Any) -> None:
    p = portal()
    p.sign_in("dr.rivera")
    expect(p.page.get_by_role("heading", level=1, name=USE_THE_APP)).to_be_visible()
    assert p.page.get_by_role("navigation", name="Folders").count() == 0
    p.goto("messages/new")
    expect(p.page.get_by_role("heading", level=1, name=USE_THE_APP)).to_be_visible()
    p.page.get_by_role("button", name="Sign out").click()
    expect(p.page.get_by_role("button", name="Sign in")).to_be_visible()


def test_second_factor_asks_for_the_code(portal: Any, portal_server: LiveServer) -> None:
    secret = pyotp.random_base32()
    with portal_server.ctx.sessions() as db:
        db.execute(update(Person).where(Person.username == "blair").values(totp_secret=secret))
        db.commit()
    try:
        p = portal(js=False)
        p.sign_in("blair")
        code_box = p.page.get_by_label("Authentication code")
        expect(code_box).to_be_visible()
        code_box.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
        p.page.get_by_role("button", name="Sign in").click()
        expect(p.page.locator("#totp_code-error")).to_contain_text("not right")
        p.page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
        p.page.get_by_role("button", name="Sign in").click()
        expect(p.page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    finally:
        with portal_server.ctx.sessions() as db:
            db.execute(update(Person).where(Person.username == "blair").values(totp_secret=None))
            db.commit()


def test_idle_and_absolute_limits_end_the_session(portal: Any, portal_server: LiveServer) -> None:
    p = portal()
    p.sign_in("alex")
    settings = portal_server.settings
    with portal_server.ctx.sessions() as db:
        db.execute(update(PortalSession).values(
            last_used_at=utcnow() - timedelta(seconds=settings.portal_idle_seconds + 5)))
        db.commit()
    p.goto("messages")
    expect(p.page.get_by_text("Your session ended.")).to_be_visible()
    p.sign_in("alex")
    with portal_server.ctx.sessions() as db:
        db.execute(update(PortalSession).where(PortalSession.revoked_at.is_(None)).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    p.goto("messages")
    expect(p.page.get_by_role("button", name="Sign in")).to_be_visible()
    assert settings.portal_idle_seconds == 15 * 60
    assert settings.portal_max_seconds == 12 * 3600


def test_throttled_sign_in_shows_the_wait(portal: Any, portal_server: LiveServer) -> None:
    p = portal(js=False)
    limit = portal_server.settings.login_max_failures_per_user
    for _ in range(limit):
        p.goto()
        p.page.get_by_label("Username").fill("casey")
        p.page.get_by_label("Password").fill("wrong password")
        p.page.get_by_role("button", name="Sign in").click()
    p.page.get_by_label("Username").fill("casey")
    p.page.get_by_label("Password").fill(DEMO_PASSWORD)
    with p.page.expect_response(lambda r: r.request.method == "POST") as answer:
        p.page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    assert int(answer.value.headers["retry-after"]) > 0
    expect(p.page.get_by_role("alert")).to_contain_text("Try again in")
    # The API shares the counters: it refuses casey too.
    api = requests.post(f"{portal_server.api}/auth/login",
                        json={"username": "casey", "password": DEMO_PASSWORD}, timeout=30)
    assert api.status_code == 429


def test_another_practices_person_lands_on_their_own_portal(portal: Any) -> None:
    p = portal(slug="lakeside")
    p.sign_in("erin")
    expect(p.page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    assert "/portal/harbor/messages" in p.page.url
    expect(p.page.get_by_text("Harbor Therapy").first).to_be_visible()


def test_the_practices_notice_is_on_every_page(portal: Any, portal_server: LiveServer) -> None:
    notice = "Closed on Friday for staff training. In a crisis call 988."
    with portal_server.ctx.sessions() as db:
        db.execute(update(Practice).where(Practice.slug == "lakeside")
                   .values(portal_notice=notice))
        db.commit()
    try:
        p = portal(js=False)
        p.goto()
        region = p.page.get_by_role("region", name="Notice from the practice")
        expect(region).to_have_text(notice)
        p.sign_in("alex")
        for path in ("messages", "messages/new"):
            p.goto(path)
            expect(p.page.get_by_role("region", name="Notice from the practice")).to_have_text(
                notice)
    finally:
        with portal_server.ctx.sessions() as db:
            db.execute(update(Practice).where(Practice.slug == "lakeside").values(portal_notice=""))
            db.commit()
