"""Setting a password in the portal: "Forgot your password?", reset and invite links, the
password rules' refusals beside the field, used links, and a new client's first visit on a
phone-sized window."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from server.accounts.links import issue_link
from server.db.models import ClientTherapist, EmailOutbox, Person
from server.seed import DEMO_PASSWORD
from tests.portal.pages import Portal
from tests.support.api_client import Api
from tests.support.live_server import LiveServer

NEW_PASSWORD = "amber-kettle-harbour-71"


def emailed_link(server: LiveServer, address: str) -> str:
    with server.ctx.sessions() as db:
        bodies = db.scalars(select(EmailOutbox.body).where(EmailOutbox.to_address == address)
                            .order_by(EmailOutbox.created_at.desc())).all()
    for body in bodies:
        found = re.search(r"https?://\S+/(?:reset|welcome)/[\w-]+", body)
        if found:
            return found.group(0)
    raise AssertionError(f"no link emailed to {address}")


def test_forgot_password_gives_the_same_answer_to_everyone(portal: Any) -> None:
    answers = []
    for username in ("blair", "nobody-here"):
        p: Portal = portal(js=False)
        p.goto()
        p.page.get_by_role("link", name="Forgot your password?").click()
        p.page.get_by_label("Username").fill(username)
        p.page.get_by_role("button", name="Send reset link").click()
        expect(p.page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
        answers.append(p.page.locator("main").inner_text())
    assert answers[0] == answers[1]


def test_reset_link_sets_a_new_password_and_ends_other_sessions(
    portal: Any, portal_server: LiveServer
) -> None:
    signed: Portal = portal().signed_in("blair")
    p: Portal = portal()
    p.goto("forgot")
    p.page.get_by_label("Username").fill("blair")
    p.page.get_by_role("button", name="Send reset link").click()
    link = emailed_link(portal_server, "blair@lakeside.example")
    assert link.startswith(p.url("reset/"))
    p.page.goto(link)
    expect(p.page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    p.page.get_by_label("New password", exact=True).fill("password1234")
    p.page.get_by_label("Confirm new password").fill("password1234")
    p.page.get_by_role("button", name="Set password").click()
    expect(p.page.get_by_role("alert")).to_be_focused()
    expect(p.page.locator("#new_password-error")).to_contain_text("commonly used")
    p.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    p.page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "x")
    p.page.get_by_role("button", name="Set password").click()
    expect(p.page.locator("#confirm_password-error")).to_contain_text("not the same")
    p.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    p.page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    p.page.get_by_role("button", name="Set password").click()
    expect(p.page.get_by_role("heading", level=1, name="Your password is set")).to_be_visible()
    # The browser signed in before the reset is signed out.
    signed.goto("messages")
    expect(signed.page.get_by_role("button", name="Sign in")).to_be_visible()
    # The link works once; the page says how to get a new one.
    p.page.goto(link)
    expect(p.page.get_by_role("heading", level=1, name="This link no longer works")).to_be_visible()
    expect(p.page.locator("main")).to_contain_text("used already")
    expect(p.page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    p.sign_in("blair", DEMO_PASSWORD)
    expect(p.page.get_by_role("alert")).to_contain_text("not right")
    p.sign_in("blair", NEW_PASSWORD)
    expect(p.page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()


def test_an_invited_client_sets_a_password_and_answers_on_a_phone(
    portal: Any, portal_server: LiveServer, staff: Api
) -> None:
    with portal_server.ctx.sessions() as db:
        lakeside = db.scalar(select(Person.practice_id).where(Person.username == "alex"))
        rivera = db.scalar(select(Person.id).where(Person.username == "dr.rivera"))
        client = Person(practice_id=lakeside, username="jordan", name="Jordan Lee",
                        kind="client", status="active", has_portal_account=True,
                        email="jordan@lakeside.example")
        db.add(client)
        db.flush()
        db.add(ClientTherapist(client_id=client.id, therapist_id=rivera))
        link = issue_link(db, portal_server.settings, client, "invite")
        db.commit()
    staff.as_("dr.rivera").started(["person:" + staff.id("jordan")], subject="Welcome, Jordan",
                                   body="<p>Welcome to the practice. See you on Monday.</p>")
    p: Portal = portal(width=360)
    p.page.goto(link)
    expect(p.page.get_by_role("heading", level=1)).to_have_text("Welcome: set your password")
    p.assert_no_sideways_scroll()
    p.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    p.page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    p.page.get_by_role("button", name="Set password").click()
    p.page.get_by_role("link", name="Sign in").click()
    p.sign_in("jordan", NEW_PASSWORD)
    p.assert_no_sideways_scroll()
    p.open_thread("Welcome, Jordan")
    p.assert_no_sideways_scroll()
    p.page.get_by_label("Your reply").fill("Thank you, see you on Monday.")
    p.page.get_by_role("button", name="Send reply").click()
    expect(p.page.get_by_role("status")).to_contain_text("Your message was sent.")
    p.assert_no_sideways_scroll()


def test_a_made_up_link_says_it_is_not_valid(portal: Any) -> None:
    p: Portal = portal(js=False)
    reply = p.goto("welcome/not-a-real-token")
    assert reply.status == 410
    expect(p.page.locator("main")).to_contain_text("This link is not valid")
