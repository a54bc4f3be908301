"""Custom item data roles and the drag-and-drop type shared by the models and views."""

from collections.abc import Collection

from PySide6.QtCore import Qt

ID_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 4
LOADING_ROLE = Qt.ItemDataRole.UserRole + 5  # True while a row's fields are being read

THREAD_IDS_MIME = "application/x-practice-inbox-thread-ids"

BUILT_IN_FOLDERS = ("inbox", "sent", "drafts", "archive", "trash")


def is_custom_folder(folder_id: str) -> bool:
    return folder_id.startswith("folder:")


def accepts_threads(folder_id: str, move_targets: Collection[str]) -> bool:
    """Whether threads can be moved into the folder: one of the built-in folders the server
    names in the session's `capabilities.move_targets`, or one of the user's own."""
    return folder_id in move_targets or is_custom_folder(folder_id)
