"""Finds the files under resources/ (icons, styles) from a source checkout or a PyInstaller bundle.

The bundle spec copies the same folder, so ``RESOURCE_FILES`` is the single list of what is
loaded at run time.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

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
ICON_SIZES = (16, 20, 24, 32, 48, 64, 96)


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
    result = QIcon()
    for mode, ink in ((QIcon.Mode.Normal, DARK_INK if dark else ICON_INK),
                      (QIcon.Mode.Selected, selected_ink)):
        renderer = QSvgRenderer(QByteArray(svg.replace(ICON_INK, ink).encode("utf-8")))
        for size in ICON_SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter)
            painter.end()
            result.addPixmap(pixmap, mode)
    return result


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
