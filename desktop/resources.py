"""Finds the files under resources/ (icons, styles) from a source checkout or a PyInstaller bundle.

The bundle spec copies the same folder, so ``RESOURCE_FILES`` is the single list of what is
loaded at run time.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

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


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``."""
    return QIcon(str(resource_path(f"icons/{name}.svg")))


@cache
def app_icon() -> QIcon:
    return QIcon(str(resource_path("app-icon.svg")))


def style_sheet() -> str:
    return resource_path("styles/inbox.qss").read_text(encoding="utf-8")
