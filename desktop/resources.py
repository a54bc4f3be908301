"""Finds the files under resources/ (icons, styles) from a source checkout or a PyInstaller bundle.

The bundle spec copies the same folder, so ``RESOURCE_FILES`` is the single list of what is
loaded at run time.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleOption

RESOURCE_DIR_NAME = "resources"


def resources_dir() -> Path:
    """The resources folder: beside the bundle's executable data, or at the source root."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        return Path(bundle_root) / RESOURCE_DIR_NAME
    return Path(__file__).resolve().parent.parent / RESOURCE_DIR_NAME


def resource_path(relative: str) -> Path:
    """The path of one resource file; raises FileNotFoundError with the name when it is missing."""
    path = resources_dir() / relative
    if not path.is_file():
        raise FileNotFoundError(f"resource file missing: {relative}")
    return path


def resource_files() -> list[str]:
    """Every file the application loads at run time, relative to the resources folder."""
    root = resources_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


ICON_INK = "#5f6b7a"  # the grey the monochrome icons are drawn in
DARK_INK = "#c3cad3"


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``: its grey ink lightened on a dark palette, and
    drawn in the palette's highlighted-text colour where it sits on a selection (a selected
    folder's grey icon was all but invisible on the blue)."""
    palette = QGuiApplication.palette() if QGuiApplication.instance() else None
    selected = palette.color(QPalette.ColorRole.HighlightedText).name() if palette \
        else "#ffffff"
    return _icon(name, _dark(), selected)


@cache
def _icon(name: str, dark: bool, selected_ink: str) -> QIcon:
    svg = resource_path(f"icons/{name}.svg").read_text(encoding="utf-8")
    inks = {"normal": svg.replace(ICON_INK, DARK_INK if dark else ICON_INK),
            "selected": svg.replace(ICON_INK, selected_ink)}
    return QIcon(InkedSvgEngine({k: v.encode("utf-8") for k, v in inks.items()}))


_CLONES: list[InkedSvgEngine] = []


class InkedSvgEngine(QIconEngine):
    """Draws an icon's SVG in the ink of its mode, at the size and pixel ratio asked for, when
    it is first asked for: the window's thirty icons cost nothing until they are shown (each
    drawn ahead at seven sizes and two inks took a twentieth of a second of start-up)."""

    def __init__(self, svgs: dict[str, bytes]) -> None:
        super().__init__()
        self._svgs = svgs
        self._pixmaps: dict[tuple[int, int, float, QIcon.Mode], QPixmap] = {}

    def clone(self) -> QIconEngine:
        # Qt owns and deletes the copy it asks for (an icon changed after it was shared); the
        # Python side must keep it from being collected as this returns.
        copy = InkedSvgEngine(self._svgs)
        _CLONES.append(copy)
        return copy

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        key = (size.width(), size.height(), scale, mode)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = self._pixmaps[key] = self._drawn(size, mode, scale)
        return pixmap

    def _drawn(self, size: QSize, mode: QIcon.Mode, scale: float) -> QPixmap:
        ink = "selected" if mode == QIcon.Mode.Selected else "normal"
        side = max(1, round(min(size.width(), size.height()) * scale))
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        QSvgRenderer(QByteArray(self._svgs[ink])).render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        if mode == QIcon.Mode.Disabled:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                pixmap = app.style().generatedIconPixmap(mode, pixmap, QStyleOption())
        return pixmap


def _dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


@cache
def app_icon() -> QIcon:
    return QIcon(str(resource_path("app-icon.svg")))


def style_sheet() -> str:
    """The application style sheet, with ``@icons@`` pointing at the icon folder."""
    text = resource_path("styles/inbox.qss").read_text(encoding="utf-8")
    return text.replace("@icons@", (resources_dir() / "icons").as_posix())
