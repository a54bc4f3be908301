"""A folder longer than a page: rows arrive page by page as the list scrolls, and Ctrl+A
checks every thread of the folder, loaded or not."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence

from desktop.models.thread_list_model import PAGE_ROWS
from server.seed_volume import seed_volume


def test_rows_load_in_pages_and_select_all_covers_the_folder(qtbot: Any, open_inbox: Any,
                                                            live_server: Any) -> None:
    with live_server.ctx.sessions() as db:
        seed_volume(db, live_server.ctx.blobs, 6000)
    window = open_inbox("dr.rivera").window
    model, view = window.thread_model, window.thread_list
    sent = next(f for f in window.folder_model.folders() if f["id"] == "sent")
    assert sent["total"] > 2 * PAGE_ROWS
    loads: list[int] = []
    model.loaded.connect(lambda: loads.append(1))
    window.folder_pane.select_folder("sent")
    qtbot.waitUntil(lambda: bool(loads), timeout=10_000)
    assert model.total() < sent["total"]  # a page or two, not the whole folder
    assert model.canFetchMore()

    loaded = model.total()
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.total() > loaded, timeout=10_000)
    model.reveal_all()
    assert not model.canFetchMore()
    assert model.total() == sent["total"]
    assert len(set(model.thread_id(r) for r in range(model.total()))) == sent["total"]
    times = [model.record(r)["last_message_at"] for r in range(0, model.total(), 97)]
    assert times == sorted(times, reverse=True)

    loads.clear()
    window.folder_pane.select_folder("inbox")
    qtbot.waitUntil(lambda: bool(loads), timeout=10_000)
    inbox_total = next(f for f in window.folder_model.folders() if f["id"] == "inbox")["total"]
    assert PAGE_ROWS <= model.total() <= inbox_total
    view.setFocus()
    qtbot.keySequence(view, QKeySequence.StandardKey.SelectAll)
    qtbot.waitUntil(lambda: len(model.checked_ids()) == inbox_total, timeout=10_000)
    assert f"{inbox_total} selected" in window.bulk_bar.count_label.text()
