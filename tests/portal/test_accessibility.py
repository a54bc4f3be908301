"""Every portal page, in light and dark, wide and 360 px: no WCAG 2.1 A/AA violation that
axe-core finds, one h1, landmarks, and no sideways scrolling on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.accounts.links import issue_link
from server.db.models import Person
from tests.portal.pages import Portal
from tests.support.api_client import Api
from tests.support.live_server import LiveServer

Visit = Callable[[Portal], None]


def _sign_in_error(p: Portal) -> None:
    p.goto()
    p.page.get_by_label("Username").fill("alex")
    p.page.get_by_role("button", name="Sign in").click()
    expect(p.page.get_by_role("alert")).to_be_visible()


def _compose_error(p: Portal) -> None:
    p.goto("messages/new")
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.get_by_role("alert")).to_be_visible()


def _open(p: Portal, title: str) -> None:
    p.goto("messages")
    p.open_thread(title)


def _reply_error(p: Portal) -> None:
    _open(p, "Accessible thread")
    p.page.get_by_label("Your reply").fill("short")
    p.page.get_by_role("button", name="Send reply").click()
    expect(p.page.get_by_role("alert")).to_be_visible()


def _forgot_sent(p: Portal) -> None:
    p.goto("forgot")
    p.page.get_by_label("Username").fill("nobody")
    p.page.get_by_role("button", name="Send reset link").click()
    expect(p.page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()


def _bulk_done(p: Portal) -> None:
    p.goto("messages")
    p.page.get_by_role("checkbox", name="Accessible thread").check()
    p.page.get_by_role("button", name="Mark as unread").click()
    expect(p.page.get_by_role("status")).to_be_visible()


SIGNED_OUT: dict[str, Visit] = {
    "sign in": lambda p: p.goto(),
    "sign in, refused": _sign_in_error,
    "forgot password": lambda p: p.goto("forgot"),
    "forgot password, sent": _forgot_sent,
    "link no longer works": lambda p: p.goto("reset/not-a-token"),
}
SIGNED_IN: dict[str, Visit] = {
    "inbox": lambda p: p.goto("messages"),
    "inbox after a bulk action": _bulk_done,
    "sent": lambda p: p.goto("messages?folder=sent"),
    "drafts": lambda p: p.goto("messages?folder=drafts"),
    "archive": lambda p: p.goto("messages?folder=archive"),
    "trash": lambda p: p.goto("messages?folder=trash"),
    "thread": lambda p: _open(p, "Accessible thread"),
    "thread, reply refused": _reply_error,
    "thread, no reply": lambda p: _open(p, "Accessible group"),
    "new message": lambda p: p.goto("messages/new"),
    "new message, refused": _compose_error,
    "not found": lambda p: p.goto("messages/no-such-thread"),
}


@pytest.fixture(scope="module")
def content(portal_server: LiveServer) -> dict[str, str]:
    staff = Api(portal_server)
    rivera = staff.as_("dr.rivera")
    blob = rivera.uploaded("care-plan.txt", b"Care plan\n")
    rivera.started(["alex"], subject="Accessible thread", attachment_ids=[blob["id"]],
                   body="<p>A <b>short</b> note with <a href='https://example.org/'>a link</a>."
                        "</p><ul><li>one</li><li>two</li></ul>")
    rivera.started(["alex", "blair"], subject="Accessible group")
    staff.as_("alex").put("/drafts/0b7e8c8e-8d51-4f7e-9a55-3f0c3cfbd1a4",
                          {"subject": "A draft", "body_html": "<p>Not sent yet</p>"})
    with portal_server.ctx.sessions() as db:
        person = db.scalar(select(Person).where(Person.username == "casey"))
        assert person is not None
        link = issue_link(db, portal_server.settings, person, "reset")
        db.commit()
    return {"reset": link}


def _check(p: Portal, name: str, width: int) -> list[str]:
    problems = []
    if p.page.locator("h1").count() != 1:
        problems.append(f"{name}: {p.page.locator('h1').count()} h1")
    if p.page.locator("main").count() != 1 or p.page.locator("header").count() < 1:
        problems.append(f"{name}: landmarks missing")
    widths = p.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] > widths[1]:
        problems.append(f"{name} at {width} px scrolls sideways: {widths}")
    problems += [f"{name}: {v}" for v in p.axe_violations()]
    return problems


@pytest.mark.parametrize("width,dark", [(1280, False), (1280, True), (360, False), (360, True)],
                         ids=["wide-light", "wide-dark", "phone-light", "phone-dark"])
def test_every_page_passes_axe_with_one_h1_and_no_sideways_scroll(
    portal: Any, content: dict[str, str], width: int, dark: bool
) -> None:
    problems: list[str] = []
    p: Portal = portal(width=width, dark=dark)
    for name, visit in SIGNED_OUT.items():
        visit(p)
        problems += _check(p, name, width)
    p.page.goto(content["reset"])
    problems += _check(p, "set password", width)
    p.signed_in("alex")
    for name, visit in SIGNED_IN.items():
        visit(p)
        problems += _check(p, name, width)
    staff: Portal = portal(width=width, dark=dark).signed_in("frontdesk")
    problems += _check(staff, "staff are sent to the app", width)
    assert problems == []


def test_pages_without_scripts_have_one_h1_and_fit_a_phone(portal: Any) -> None:
    p: Portal = portal(js=False, width=360)
    p.goto()
    p.assert_one_h1()
    p.assert_no_sideways_scroll()
    p.signed_in("alex")
    for path in ("messages", "messages/new"):
        p.goto(path)
        p.assert_one_h1()
        p.assert_no_sideways_scroll()


def test_the_skip_link_moves_to_the_main_content(portal: Any) -> None:
    p: Portal = portal().signed_in("alex")
    p.page.keyboard.press("Tab")
    skip = p.page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    p.page.keyboard.press("Enter")
    assert p.page.evaluate("document.activeElement.id") == "main"


def test_at_200_percent_zoom_pages_reflow_without_sideways_scrolling(
    portal: Any, content: dict[str, str]
) -> None:
    # A 1280 x 900 window at 200% zoom lays out like a 640 x 450 one at 100%.
    p: Portal = portal(width=640, dark=False)
    p.page.set_viewport_size({"width": 640, "height": 450})
    p.goto()
    p.assert_no_sideways_scroll()
    p.signed_in("alex")
    for path in ("messages", "messages/new", "messages?folder=drafts"):
        p.goto(path)
        p.assert_no_sideways_scroll()
        p.assert_one_h1()
    p.goto("messages")
    p.open_thread("Accessible thread")
    p.assert_no_sideways_scroll()
