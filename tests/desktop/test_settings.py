"""Settings are declared once with type, default and description, and kept in QSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QSpinBox

from desktop.dialogs.settings_dialog import SettingsDialog
from desktop.settings import SETTINGS, AppSettings


def test_defaults_and_descriptions(app_settings: AppSettings) -> None:
    assert app_settings.get("security/idle_lock_minutes") == 10
    assert app_settings.get("notifications/show_details") is False
    assert app_settings.get("startup/start_minimized") is False
    assert app_settings.get("cache/attachment_cap_mb") == 500
    assert all(s.description and s.label for s in SETTINGS)
    assert len({s.key for s in SETTINGS}) == len(SETTINGS)


def test_values_survive_a_restart_and_bad_values_are_clamped(tmp_path: Path, qapp: Any) -> None:
    path = str(tmp_path / "settings.ini")
    first = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    first.set("security/idle_lock_minutes", 5)
    first.set("notifications/show_details", True)
    again = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    assert again.get("security/idle_lock_minutes") == 5
    assert again.get("notifications/show_details") is True
    raw = QSettings(path, QSettings.Format.IniFormat)
    raw.setValue("security/idle_lock_minutes", "not a number")
    raw.sync()
    assert AppSettings(QSettings(path, QSettings.Format.IniFormat)).get(
        "security/idle_lock_minutes") == 10
    again.set("security/idle_lock_minutes", 0)
    assert again.get("security/idle_lock_minutes") == 1


def test_settings_dialog_saves_what_was_chosen(qtbot: Any, app_settings: AppSettings) -> None:
    dialog = SettingsDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.findChild(QSpinBox, "security/idle_lock_minutes").setValue(15)
    dialog.findChild(QCheckBox, "startup/start_minimized").setChecked(True)
    with qtbot.waitSignal(app_settings.changed):
        dialog.accept()
    assert app_settings.get("security/idle_lock_minutes") == 15
    assert app_settings.get("startup/start_minimized") is True
