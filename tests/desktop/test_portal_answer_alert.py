"""A client answers in the portal, in a real browser, and the therapist's inbox raises its tray
alert: the demo's promise to a newcomer, end to end over loopback HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from desktop.tray import Tray
from tests.desktop.conftest import PASSWORD
from tests.desktop.people import Person


@pytest.fixture
def tray(app_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Tray:
    # The offscreen test platform has no system tray; everything else is the real tray code.
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    return Tray(app_settings)


def test_a_reply_from_the_portal_raises_the_tray_alert(
    qtbot: Any, open_inbox: Any, live_server: Any, tray: Tray, browser: Any
) -> None:
    window = open_inbox("dr.rivera", tray=tray).window
    rivera = Person(live_server, "dr.rivera")
    thread = rivera.send(["alex"], "Before Tuesday", "Could you fill in the sleep log?")
    context = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/portal/lakeside/")
        page.get_by_label("Username").fill("alex")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Before Tuesday").click()
        expect(page.get_by_text("Could you fill in the sleep log?")).to_be_visible()
        page.get_by_label("Your reply").fill("Yes, I will bring it on Tuesday.")
        with qtbot.waitSignal(window.session.bridge.newMessage, timeout=20_000):
            page.get_by_role("button", name="Send reply").click()
            expect(page.get_by_role("status")).to_contain_text("Your message was sent.")
    finally:
        context.close()
    title, _body = tray.last_alert
    assert title == "New secure message"
    qtbot.waitUntil(lambda: tray.unread >= 1, timeout=10_000)
    tray.icon.messageClicked.emit()
    qtbot.waitUntil(lambda: window.conversation_model.thread_id == thread["id"],
                    timeout=10_000)
