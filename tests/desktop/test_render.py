"""The main window and the composer render real content (checked on PNGs of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage

from tests.desktop.people import Person


def distinct_colours(image: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def ink_in(image: QImage, left: float, right: float) -> int:
    """Pixels of a vertical band (fractions of the width) that stand out from its background:
    text, icons, selection."""
    from collections import Counter

    pixels = [image.pixelColor(x, y)
              for y in range(0, image.height(), 3)
              for x in range(int(image.width() * left), int(image.width() * right), 3)]
    background = Counter(p.rgb() for p in pixels).most_common(1)[0][0]
    back = QColor.fromRgb(background)
    return sum(1 for p in pixels if abs(p.lightness() - back.lightness()) > 60)


def test_main_window_and_composer_render(qtbot: Any, open_inbox: Any, live_server: Any,
                                        tmp_path: Path) -> None:
    alex = Person(live_server, "alex")
    thread = alex.send(["dr.rivera"], "Sleep log for this week",
                       "Here is my sleep log. Wednesday was better after the exercise.")
    window = open_inbox("dr.rivera").window
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.thread_model.total() == 1)
    window.thread_list.select_thread(thread["id"])
    qtbot.waitUntil(lambda: bool(window.conversation.cards), timeout=10_000)

    path = tmp_path / "main-window.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() == 1280 and image.height() == 800
    assert distinct_colours(image) > 20
    assert ink_in(image, 0.0, 0.15) > 20  # folder names
    assert ink_in(image, 0.2, 0.6) > 50  # the thread list
    assert ink_in(image, 0.7, 1.0) > 100  # the conversation

    composer = window.open_composer()
    composer.subject.setText("Next appointment")
    composer.body.setHtml("<p>Hello <b>Alex</b>, see you on <i>Tuesday</i>.</p>")
    composer_path = tmp_path / "composer.png"
    assert composer.grab().save(str(composer_path))
    composer_image = QImage(str(composer_path))
    assert distinct_colours(composer_image) > 10
    assert ink_in(composer_image, 0.0, 0.5) > 50
