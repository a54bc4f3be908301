"""The thread list paints whole rows itself: without asking the model cell by cell, with the
check box, star and paper clip each row's state calls for, and in the colours of the palette
in use after it changes."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPalette

from desktop.models.thread_list_model import ATTACHMENT, CHECK, STAR, SUBJECT, ThreadListModel
from desktop.palette import apply_palette
from sync.blobs import upload
from tests.desktop.people import Person


@pytest.fixture
def light_again(qapp: Any) -> Iterator[None]:
    saved = QPalette(qapp.palette())
    yield
    qapp.setPalette(saved)


def cell_image(view: Any, row: int, column: int, selected: bool = False) -> QImage:
    rect = view.visualRect(view.model().index(row, column))
    image = QImage(rect.width(), rect.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    view.row_painter.paint_cell(painter, QRect(0, 0, rect.width(), rect.height()), row, column,
                                selected)
    painter.end()
    return image


def two_threads(qtbot: Any, open_inbox: Any, live_server: Any, folder: Path) -> Any:
    alex = Person(live_server, "alex")
    alex.send(["dr.rivera"], "Plain", "Nothing attached to this one at all.")
    form = folder / "form.txt"
    form.write_text("Name: Alex\n", encoding="utf-8")
    attachment = upload(alex.api, form, alex.api.session()["limits"])
    alex.api.create_thread([alex.address("dr.rivera")], "With a file",
                           "<p>The form is attached here for you.</p>", [attachment["id"]],
                           idempotency_key=str(uuid.uuid4()))
    window = open_inbox("dr.rivera").window
    model = window.thread_model
    qtbot.waitUntil(lambda: model.total() == 2 and model.record_if_read(0) is not None
                    and model.record_if_read(1) is not None, timeout=10_000)
    return window


def test_a_screenful_is_painted_without_asking_the_model_cell_by_cell(
        qtbot: Any, open_inbox: Any, live_server: Any, tmp_path: Path) -> None:
    window = two_threads(qtbot, open_inbox, live_server, tmp_path)
    view = window.thread_list
    asked: list[int] = []
    code = ThreadListModel.data.__code__

    def count(frame: Any, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code is code:
            asked.append(1)

    sys.setprofile(count)
    try:
        assert view.model().index(0, SUBJECT).data() is not None
        assert asked  # the counting counts
        asked.clear()
        view.viewport().repaint()
    finally:
        sys.setprofile(None)
    assert asked == []


def test_rows_show_their_check_star_and_paper_clip(qtbot: Any, open_inbox: Any,
                                                  live_server: Any, tmp_path: Path) -> None:
    window = two_threads(qtbot, open_inbox, live_server, tmp_path)
    view, model = window.thread_list, window.thread_model
    with_file = 0 if model.record(0)["has_attachments"] else 1
    plain = 1 - with_file
    assert not model.record(plain)["has_attachments"]
    assert cell_image(view, with_file, ATTACHMENT) != cell_image(view, plain, ATTACHMENT)

    unstarred = cell_image(view, plain, STAR)
    assert cell_image(view, with_file, STAR) == unstarred  # neither is starred
    thread_id = model.thread_id(plain)
    window.session.bridge.command(lambda engine: engine.set_state([thread_id], starred=True))
    qtbot.waitUntil(lambda: (model.record_if_read(model.row_of(thread_id)) or {}).get("starred"),
                    timeout=10_000)
    assert cell_image(view, model.row_of(thread_id), STAR) != unstarred

    unchecked = cell_image(view, 0, CHECK)
    view.toggle_check(0)
    assert model.is_checked(0)
    assert cell_image(view, 0, CHECK) != unchecked
    assert cell_image(view, 0, CHECK, selected=True) != cell_image(view, 0, CHECK)


def subject_ink(image: QImage) -> int:
    """The lightness of the most contrasting pixel on the subject's line."""
    top = image.height() // 2
    background = QColor(image.pixel(1, 1)).lightness()
    return max((QColor(image.pixel(x, y)).lightness() for x in range(image.width())
                for y in range(3, top)),
               key=lambda lightness: abs(lightness - background))


def test_the_rows_take_the_colours_of_a_new_palette(qtbot: Any, open_inbox: Any,
                                                    live_server: Any, qapp: Any,
                                                    light_again: None, tmp_path: Path) -> None:
    window = two_threads(qtbot, open_inbox, live_server, tmp_path)
    view = window.thread_list
    apply_palette(qapp, False)
    qapp.processEvents()
    light = view.viewport().grab(view.visualRect(view.model().index(0, SUBJECT))).toImage()
    assert subject_ink(light) < 100  # dark text on a light list
    apply_palette(qapp, True)
    qapp.processEvents()
    dark = view.viewport().grab(view.visualRect(view.model().index(0, SUBJECT))).toImage()
    assert QColor(dark.pixel(1, 1)).lightness() < 100
    assert subject_ink(dark) > 150  # light text on the dark list
