"""Nothing in the reading pane widens it: at 1024 px, with the longest texts its rows can show
(the reply box's status, long names, receipts), no horizontal scrollbar appears and the
buttons, dates and receipts are inside the pane."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget

from tests.desktop.people import Person


def inside(widget: QWidget, area: QWidget) -> bool:
    """Whether `widget` lies within `area` from left to right (scrolling down is fine)."""
    left = widget.mapTo(area, QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= area.width()


def test_the_reading_pane_never_scrolls_sideways_at_1024_px(qtbot: Any, open_inbox: Any,
                                                           live_server: Any) -> None:
    rivera = Person(live_server, "dr.rivera")
    thread = rivera.send(["alex"], "Homework for the week",
                         "Please try the breathing exercise every evening this week.")
    Person(live_server, "alex").reply(thread["id"], "I will try it tonight, thanks a lot.")
    rivera.reply(thread["id"], "Great, tell me on Tuesday how it went for you.")
    window = open_inbox("dr.rivera").window
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.thread_model.total() == 1)
    window.thread_list.select_thread(thread["id"])
    qtbot.waitUntil(lambda: len(window.conversation.cards) == 3, timeout=10_000)
    reply = window.conversation.inline_reply
    scroll = window.conversation.scroll_area
    reply.body.setPlainText("Ok")
    for status in ("Draft saved 21:24", "Not sent: the server could not be reached: the "
                   "connection was refused by 203.0.113.7 port 8443"):
        reply.saved_label.setText(status)
        reply.hint.setText(status)
        reply.hint.setVisible(True)
        qtbot.wait(50)
        assert scroll.horizontalScrollBar().maximum() == 0, status
        viewport = scroll.viewport()
        for widget in (reply.send_button, reply.composer_button, reply.attach_button,
                       reply.saved_label):
            assert inside(widget, viewport), (status, widget)
        for card in window.conversation.cards:
            assert inside(card.time_label, viewport)
            if card.receipts.isVisible():
                assert inside(card.receipts, viewport)
    assert scroll.widget().width() <= scroll.viewport().width()
    for button in (window.conversation.reply_button, window.conversation.delete_button):
        assert inside(button, window.conversation)
