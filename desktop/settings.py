"""Every user setting, declared once with its type, default and description, kept in QSettings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal


def _tr(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    description: str
    minimum: int | None = None
    maximum: int | None = None
    shown: bool = True  # offered in the settings dialog


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "security/idle_lock_minutes", int, 10, "Lock after idle (minutes)",
        "After this many minutes without keyboard or mouse use the window is covered and "
        "the password is asked again.", minimum=1, maximum=240,
    ),
    Setting(
        "notifications/show_details", bool, False, "Show sender and subject in alerts",
        "When off, alerts say only \"New secure message\" so nothing private shows on screen.",
    ),
    Setting(
        "startup/start_minimized", bool, False, "Start minimized to the tray",
        "Open only the tray icon when the program starts.",
    ),
    Setting(
        "cache/attachment_cap_mb", int, 500, "Attachment cache size (MB)",
        "Opened attachments are kept encrypted on this computer up to this size.",
        minimum=50, maximum=20000,
    ),
    Setting(
        "startup/start_at_login", bool, False, "Start when I sign in to this computer",
        "Start Practice Inbox automatically when you log in to your computer.",
    ),
    Setting("account/server_url", str, "", "Server address", "The last server signed in to.",
            shown=False),
    Setting("account/username", str, "", "Username", "The last username signed in with.",
            shown=False),
    Setting("account/ca_file", str, "", "Practice certificate authority",
            "A CA certificate file (PEM) to trust for the server, for practices with their own "
            "certificate authority; empty trusts this computer's usual authorities.",
            shown=False),
)

SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}


class AppSettings(QObject):
    """Typed access to the declared settings.

    Signals:
        changed(str): the key of a setting that was just written.
    """

    changed = Signal(str)

    def __init__(self, store: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store if store is not None else QSettings()

    def get(self, key: str) -> Any:
        setting = SETTINGS_BY_KEY[key]
        raw = self._store.value(key, setting.default)
        return _coerce(setting, raw)

    def set(self, key: str, value: Any) -> None:
        setting = SETTINGS_BY_KEY[key]
        value = _coerce(setting, value)
        if self.get(key) == value and self._store.contains(key):
            return
        self._store.setValue(key, value)
        self._store.sync()
        self.changed.emit(key)

    def label(self, key: str) -> str:
        return _tr(SETTINGS_BY_KEY[key].label)

    def description(self, key: str) -> str:
        return _tr(SETTINGS_BY_KEY[key].description)


def _coerce(setting: Setting, raw: Any) -> Any:
    """QSettings hands back strings from INI files; bring them to the declared type."""
    if setting.type is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)
    if setting.type is int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            return setting.default
        if setting.minimum is not None:
            value = max(setting.minimum, value)
        if setting.maximum is not None:
            value = min(setting.maximum, value)
        return value
    return str(raw) if raw is not None else setting.default
