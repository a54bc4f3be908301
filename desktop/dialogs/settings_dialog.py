"""The settings dialog, built from the declared settings (one row per setting)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import SETTINGS, AppSettings

USER_SETTINGS = [s for s in SETTINGS if s.shown]


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.editors: dict[str, Any] = {}
        for setting in USER_SETTINGS:
            if setting.type is bool:
                editor: Any = QCheckBox(settings.label(setting.key))
                editor.setChecked(settings.get(setting.key))
                form.addRow(editor)
            else:
                editor = QSpinBox()
                editor.setRange(setting.minimum or 0, setting.maximum or 1_000_000)
                editor.setValue(settings.get(setting.key))
                form.addRow(settings.label(setting.key), editor)
            editor.setToolTip(settings.description(setting.key))
            editor.setObjectName(setting.key)
            self.editors[setting.key] = editor
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        for key, editor in self.editors.items():
            value = editor.isChecked() if isinstance(editor, QCheckBox) else editor.value()
            self.settings.set(key, value)
        super().accept()
