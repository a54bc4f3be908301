"""The "Attach files" dialog of the composer and the inline reply: it opens in the user's
Documents folder and lists only the file types the server accepts (from the session's limits,
so a practice that allows more types gets them without a new release)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("AttachDialog", text)


def start_folder() -> str:
    """The user's Documents folder, or their home folder where there is none."""
    for location in (QStandardPaths.StandardLocation.DocumentsLocation,
                     QStandardPaths.StandardLocation.HomeLocation):
        folder = QStandardPaths.writableLocation(location)
        if folder and Path(folder).is_dir():
            return folder
    return str(Path.home())


def type_filter(limits: dict) -> str:
    """'Files that can be attached (*.pdf *.PDF …)', or every file when the server names no
    types (it checks them itself all the same)."""
    types = [t.lower().lstrip("*.") for t in limits.get("allowed_attachment_types") or [] if t]
    if not types:
        return _tr("All files (*)")
    patterns = " ".join(f"*.{t} *.{t.upper()}" for t in dict.fromkeys(types))
    return _tr("Files that can be attached (%s)") % patterns


def attach_dialog(parent: QWidget | None, limits: dict) -> QFileDialog:
    dialog = QFileDialog(parent, _tr("Attach files"), start_folder(), type_filter(limits))
    dialog.setObjectName("attachDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return dialog


def pick_files(parent: QWidget | None, limits: dict) -> list[Path]:
    """Ask for files to attach; [] when the dialog is cancelled."""
    dialog = attach_dialog(parent, limits)
    try:
        return [Path(name) for name in dialog.selectedFiles()] if dialog.exec() else []
    finally:
        dialog.deleteLater()
