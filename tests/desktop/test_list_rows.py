"""How the thread list's rows read: search results newest first with their count, Esc leaves
a search, and the painted rows (checked on images of them): nothing highlighted after a "…",
an unread row's snippet not bold, names and subjects on one line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from desktop.models.roles import LOADING_ROLE
from desktop.models.thread_list_model import PEOPLE, SUBJECT
from desktop.widgets.snippet_line import MATCH_BACKGROUND
from tests.desktop.people import Person


def test_search_results_come_newest_first_with_their_count(qtbot: Any, open_inbox: Any,
                                                           live_server: Any) -> None:
    alex = Person(live_server, "alex")
    # The oldest matches in its subject too, which ranks it first by relevance.
    old = alex.send(["dr.rivera"], "Insomnia", "Insomnia again, and insomnia the night after.")
    middle = alex.send(["dr.rivera"], "Monday", "Some insomnia on Sunday.")
    new = alex.send(["dr.rivera"], "Tuesday", "A little insomnia.")
    alex.reply(new["id"], "Still insomnia today.")
    window = open_inbox("dr.rivera").window
    model = window.thread_model
    qtbot.keyClicks(window.search, "insomnia")
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded and model.total() == 3,
                    timeout=10_000)
    assert [model.thread_id(r) for r in range(3)] == [new["id"], middle["id"], old["id"]]
    assert window.list_header.title.text() == "4 messages"
    assert window.list_header.summary.text() == "match \u201cinsomnia\u201d in 3 conversations"


def test_a_search_without_matches_says_so_and_esc_leaves_it(qtbot: Any, open_inbox: Any,
                                                          live_server: Any) -> None:
    Person(live_server, "alex").send(["dr.rivera"], "Hello", "Just checking in with you.")
    window = open_inbox("dr.rivera").window
    model = window.thread_model
    qtbot.waitUntil(lambda: model.total() == 1)
    qtbot.keyClicks(window.search, "xylophone")
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded, timeout=10_000)
    assert model.total() == 0
    assert window.thread_list.empty_text == "No messages match \u201cxylophone\u201d."
    assert window.list_header.title.text() == "No messages match \u201cxylophone\u201d"

    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    qtbot.waitUntil(lambda: model.source == ("folder", "inbox") and model.total() == 1,
                    timeout=10_000)


def paint_cell(view: Any, row: int, column: int, width: int) -> QImage:
    """The cell painted as the list paints it, into an image `width` pixels wide."""
    image = QImage(width, view.rowHeight(row), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    view.row_painter.paint_cell(painter, QRect(0, 0, width, image.height()), row, column)
    painter.end()
    return image


def match_runs(image: QImage) -> int:
    """Separate stretches of the match highlight along the snippet line."""
    runs, inside = 0, False
    for x in range(image.width()):
        hit = any(QColor(image.pixel(x, y)).rgb() == MATCH_BACKGROUND.rgb()
                  for y in range(image.height() // 2, image.height()))
        runs += hit and not inside
        inside = hit
    return runs


def test_nothing_is_highlighted_after_a_shortened_snippet(qtbot: Any, open_inbox: Any,
                                                         live_server: Any) -> None:
    filler = " ".join(["and then we talked about the week"] * 3)
    Person(live_server, "alex").send(["dr.rivera"], "Levels",
                                     f"My lithium level {filler} and lithium again.")
    window = open_inbox("dr.rivera").window
    model = window.thread_model
    qtbot.keyClicks(window.search, "lithium")
    qtbot.waitUntil(lambda: model.is_search and model.has_loaded and model.total() == 1,
                    timeout=10_000)
    qtbot.waitUntil(lambda: not model.index(0, SUBJECT).data(LOADING_ROLE),
                    timeout=10_000)
    assert model.record(0)["snippet"].count("<b>") == 2
    for width in range(180, 420, 7):
        assert match_runs(paint_cell(window.thread_list, 0, SUBJECT, width)) == 1, width


def ink_columns(image: QImage, top: int, bottom: int) -> int:
    """How many pixel columns of rows top..bottom hold dark ink (text on white)."""
    return sum(1 for x in range(image.width())
               if any(QColor(image.pixel(x, y)).lightness() < 140 for y in range(top, bottom)))


def test_an_unread_row_keeps_its_snippet_plain(qtbot: Any, open_inbox: Any,
                                               live_server: Any) -> None:
    Person(live_server, "alex").send(["dr.rivera"], "Weekend plans",
                                     "We went hiking on Saturday and it helped a lot.")
    window = open_inbox("dr.rivera").window
    model, view = window.thread_model, window.thread_list
    qtbot.waitUntil(lambda: model.total() == 1 and model.record_if_read(0) is not None)
    assert model.record(0)["unread"]
    unread = paint_cell(view, 0, SUBJECT, 600)
    thread_id = model.thread_id(0)
    window.session.bridge.command(lambda engine: engine.mark_thread_read(thread_id))
    qtbot.waitUntil(lambda: model.record_if_read(0) is not None
                    and not model.record_if_read(0)["unread"], timeout=10_000)
    read = paint_cell(view, 0, SUBJECT, 600)
    middle = unread.height() // 2
    assert ink_columns(unread, 0, middle) > ink_columns(read, 0, middle)  # subject bold
    assert ink_columns(unread, middle, unread.height()) == \
        ink_columns(read, middle, read.height())
    assert model.index(0, PEOPLE).data(Qt.ItemDataRole.FontRole) is None


def first_ink_row(image: QImage) -> int:
    for y in range(image.height()):
        if any(QColor(image.pixel(x, y)).lightness() < 140 for x in range(image.width())):
            return y
    return -1


def last_ink_row(image: QImage, below: int) -> int:
    """The lowest inked row above `below` (the bottom of the first line)."""
    for y in range(below - 1, -1, -1):
        if any(QColor(image.pixel(x, y)).lightness() < 140 for x in range(image.width())):
            return y
    return -1


def test_names_and_subject_sit_on_one_line(qtbot: Any, open_inbox: Any,
                                          live_server: Any) -> None:
    # The subject is the sender's name: the same letters must land on the same pixel rows.
    Person(live_server, "alex").send(["dr.rivera"], "Alex Morgan", "A note about Monday.")
    window = open_inbox("dr.rivera").window
    model, view = window.thread_model, window.thread_list
    qtbot.waitUntil(lambda: model.total() == 1 and model.record_if_read(0) is not None)
    people = paint_cell(view, 0, PEOPLE, 160)
    subject = paint_cell(view, 0, SUBJECT, 400)
    assert model.index(0, PEOPLE).data() == "Alex Morgan"
    assert first_ink_row(people) == first_ink_row(subject)
    middle = subject.height() // 2
    assert last_ink_row(people, middle) == last_ink_row(subject, middle)
