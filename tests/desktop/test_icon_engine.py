"""The window's icons are drawn when first shown, at the size and pixel ratio asked for, in the
ink of their mode; an icon changed after it was shared (Qt copies its engine) keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage

import desktop.resources as resources
from desktop.resources import DARK_INK, ICON_INK


def inks(image: QImage) -> set[str]:
    """The opaque colours of an image, by name."""
    found = set()
    for y in range(image.height()):
        for x in range(image.width()):
            colour = QColor.fromRgba(image.pixel(x, y))
            if colour.alpha() == 255:
                found.add(colour.name())
    return found


def test_an_icon_is_drawn_only_when_it_is_shown_and_once_per_size(qapp: Any,
                                                                 monkeypatch: Any) -> None:
    drawn: list[int] = []

    class CountingRenderer(resources.QSvgRenderer):
        def render(self, *args: Any) -> None:
            drawn.append(1)
            super().render(*args)

    monkeypatch.setattr(resources, "QSvgRenderer", CountingRenderer)
    resources._icon.cache_clear()
    icon = resources.icon("compose")
    assert drawn == []  # it used to draw seven sizes in two inks here
    assert not icon.pixmap(24, 24).isNull()
    icon.pixmap(24, 24)
    assert len(drawn) == 1
    icon.pixmap(16, 16)
    assert len(drawn) == 2
    resources._icon.cache_clear()


def test_an_icon_has_the_pixels_of_the_screen_it_is_shown_on(qapp: Any) -> None:
    sharp = resources.icon("compose").pixmap(QSize(24, 24), 2.0)
    assert (sharp.width(), sharp.height()) == (48, 48)
    assert sharp.devicePixelRatio() == 2.0


def test_each_mode_has_its_ink(qapp: Any) -> None:
    resources._icon.cache_clear()
    light = resources._icon("compose", False, "#ffffff")
    dark = resources._icon("compose", True, "#ffffff")
    assert ICON_INK in inks(light.pixmap(48, 48).toImage())
    assert DARK_INK in inks(dark.pixmap(48, 48).toImage())
    assert "#ffffff" in inks(light.pixmap(48, 48, QIcon.Mode.Selected).toImage())
    disabled = light.pixmap(48, 48, QIcon.Mode.Disabled).toImage()
    assert disabled != light.pixmap(48, 48).toImage()  # greyed by the style
    resources._icon.cache_clear()


def test_an_icon_changed_after_it_was_shared_keeps_working() -> None:
    # In a process of its own: the copy Qt makes of the engine used to be collected as it was
    # handed over, and the next use of the icon crashed.
    probe = ("from PySide6.QtWidgets import QApplication\nfrom PySide6.QtGui import QIcon\n"
             "import gc\napp = QApplication([])\nfrom desktop.resources import icon\n"
             "shared = QIcon(icon('compose'))\nshared.addPixmap(icon('lock').pixmap(16, 16))\n"
             "gc.collect()\nprint(shared.pixmap(24, 24).isNull(), icon('compose').isNull())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
