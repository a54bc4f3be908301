"""Pieces of the demo and of the status bar that the other tests do not reach: demo clients
writing now and then, and the progress bar of the first sync."""

from __future__ import annotations

from typing import Any

from desktop.demo.activity import DemoActivity
from sync.api import ApiClient
from tests.desktop.conftest import PASSWORD
from tests.desktop.people import Person


def test_demo_activity_writes_to_the_signed_in_therapist(live_server: Any) -> None:
    activity = DemoActivity(live_server.url, "dr.rivera")
    writer = ApiClient(live_server.url)
    writer.login("alex", PASSWORD)
    activity.write_once(writer)
    rivera = Person(live_server, "dr.rivera")
    items = rivera.api.threads("inbox")["items"]
    assert len(items) == 1
    assert any(p["username"] == "alex" for p in items[0]["thread"]["participants"])


def test_first_sync_shows_progress_then_online(qtbot: Any, open_inbox: Any,
                                              live_server: Any) -> None:
    alex = Person(live_server, "alex")
    for n in range(3):
        alex.send(["dr.rivera"], f"Note {n}", "Something for the first sync to fetch.")
    inbox = open_inbox("dr.rivera")
    progress = [e for e in inbox.events if type(e).__name__ == "SyncProgress"]
    assert progress and progress[-1].done and progress[-1].messages >= 3
    status = inbox.window.status
    assert not status.progress.isVisible()
    qtbot.waitUntil(lambda: status.state_label.text() == "Online", timeout=10_000)
    assert status.last_sync_label.text().startswith("Last sync ")
    status.on_bridge_syncProgress(type(progress[-1])(1, 120, False))
    assert status.progress.isVisible()
    assert "120 messages" in status.progress.toolTip()
