"""The settings dialog, built from the declared settings: one row per setting, grouped by what
they are about (Privacy, Security, Startup, Storage), each with its description under it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import SETTINGS, AppSettings

USER_SETTINGS = [s for s in SETTINGS if s.shown]
# A setting's group follows the first part of its key; keys of an unknown part go to "Other".
GROUPS = (("notifications", "Privacy"), ("security", "Security"), ("startup", "Startup"),
          ("cache", "Storage"))
OTHER = "Other"


def group_of(key: str) -> str:
    section = key.split("/", 1)[0]
    return next((title for prefix, title in GROUPS if prefix == section), OTHER)


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.editors: dict[str, Any] = {}
        self.groups: dict[str, QGroupBox] = {}
        forms: dict[str, QFormLayout] = {}
        for title in [t for _, t in GROUPS] + [OTHER]:
            if not any(group_of(s.key) == title for s in USER_SETTINGS):
                continue
            box = QGroupBox(self.tr(title))
            box.setObjectName(f"settingsGroup{title}")
            forms[title] = QFormLayout(box)
            forms[title].setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
            self.groups[title] = box
            layout.addWidget(box)
        for setting in USER_SETTINGS:
            form = forms[group_of(setting.key)]
            if setting.type is bool:
                editor: Any = QCheckBox(settings.label(setting.key))
                editor.setChecked(settings.get(setting.key))
                form.addRow(editor)
            else:
                editor = QSpinBox()
                editor.setRange(setting.minimum or 0, setting.maximum or 1_000_000)
                editor.setMinimumWidth(110)  # every number field the same width
                editor.setValue(settings.get(setting.key))
                form.addRow(settings.label(setting.key), editor)
            description = QLabel(settings.description(setting.key))
            description.setObjectName("hint")
            description.setWordWrap(True)
            form.addRow(description)
            editor.setToolTip(settings.description(setting.key))
            editor.setObjectName(setting.key)
            self.editors[setting.key] = editor
        layout.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), 520), hint.height())

    def accept(self) -> None:
        for key, editor in self.editors.items():
            value = editor.isChecked() if isinstance(editor, QCheckBox) else editor.value()
            self.settings.set(key, value)
        super().accept()
