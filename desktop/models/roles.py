"""Custom item data roles and the drag-and-drop type shared by the models and views."""

from PySide6.QtCore import Qt

ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 4
LOADING_ROLE = Qt.ItemDataRole.UserRole + 5  # True while a row's fields are being read

THREAD_IDS_MIME = "application/x-practice-inbox-thread-ids"

BUILT_IN_FOLDERS = ("inbox", "sent", "drafts", "archive", "trash")
# Folders a thread can be moved into (Sent is a view, Drafts hold no threads).
MOVABLE_TARGETS = ("inbox", "archive", "trash")


def is_custom_folder(folder_id: str) -> bool:
    return folder_id.startswith("folder:")


def accepts_threads(folder_id: str) -> bool:
    return folder_id in MOVABLE_TARGETS or is_custom_folder(folder_id)
