"""Confirmations: an irreversible action (permanent delete) and a change with consequences."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("confirm", text)


def confirm_irreversible(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Asks with the destructive button not the default; says plainly it cannot be undone."""
    box = QMessageBox(parent)
    box.setObjectName("confirmIrreversible")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(_tr("This cannot be undone."))
    do_it = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is do_it


def confirm_change(parent: QWidget, title: str, text: str, consequence: str, action: str) -> bool:
    box = QMessageBox(parent)
    box.setObjectName("confirmChange")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(consequence)
    do_it = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is do_it
