"""The composer's recipient field: type to complete over people and groups, each pick a chip."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktop.models.recipient_model import Recipient, RecipientModel
from desktop.models.roles import RECORD_ROLE
from desktop.resources import icon
from desktop.widgets.flow_layout import FlowLayout


class RecipientChip(QFrame):
    """One chosen recipient, with its role (clients: active or inactive) and a remove button.

    Signals:
        removeRequested(str): the chip's address.
    """

    removeRequested = Signal(str)

    def __init__(self, recipient: Recipient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chip")
        self.recipient = recipient
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(4)
        self.label = QLabel(recipient.name)
        layout.addWidget(self.label)
        if recipient.detail:
            detail = QLabel(recipient.detail)
            detail.setObjectName("hint")
            if recipient.inactive:
                detail.setStyleSheet("color: #b7791f; font-weight: 600;")
            layout.addWidget(detail)
        remove = QToolButton()
        remove.setIcon(icon("close"))
        remove.setAutoRaise(True)
        remove.setToolTip(self.tr("Remove %s") % recipient.name)
        remove.clicked.connect(lambda: self.removeRequested.emit(recipient.address))
        layout.addWidget(remove)
        if recipient.inactive:
            self.setToolTip(self.tr(
                "%s is an inactive client: they will receive this message but can answer "
                "only the front office and billing.") % recipient.name)


class RecipientField(QWidget):
    """Signals:
    changed(): a recipient was added or removed.
    """

    changed = Signal()

    def __init__(self, model: RecipientModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._chips: dict[str, RecipientChip] = {}
        self._flow = FlowLayout(self)
        self.editor = QLineEdit()
        self.editor.setPlaceholderText(self.tr("Type a name, or a group such as All therapists"))
        self.editor.setMinimumWidth(260)
        self.editor.setFrame(False)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._flow.addWidget(self.editor)
        self.completer = QCompleter(model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.editor.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(self.on_completer_activated)
        self.editor.returnPressed.connect(self.on_editor_returnPressed)
        self.editor.installEventFilter(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def addresses(self) -> list[str]:
        return list(self._chips)

    def recipients(self) -> list[Recipient]:
        return [chip.recipient for chip in self._chips.values()]

    def add_address(self, address: str) -> bool:
        recipient = self.model.find(address)
        if recipient is None:
            return False
        self.add_recipient(recipient)
        return True

    def add_recipient(self, recipient: Recipient) -> None:
        if recipient.address in self._chips:
            return
        chip = RecipientChip(recipient, self)
        chip.removeRequested.connect(self.remove_address)
        self._chips[recipient.address] = chip
        self._flow.removeWidget(self.editor)
        self._flow.addWidget(chip)
        self._flow.addWidget(self.editor)
        self.updateGeometry()
        self.changed.emit()

    @Slot(str)
    def remove_address(self, address: str) -> None:
        chip = self._chips.pop(address, None)
        if chip is None:
            return
        self._flow.removeWidget(chip)
        chip.deleteLater()
        self.updateGeometry()
        self.changed.emit()

    def pending_text(self) -> str:
        """Typed text not (yet) turned into a chip."""
        return self.editor.text().strip()

    def commit_typed(self) -> bool:
        """Turn the typed text into a chip when it names exactly one recipient."""
        text = self.pending_text()
        if not text:
            return True
        match = self.model.match_text(text)
        if match is None:
            candidates = [r for r in self.model.recipients() if text.lower() in r.label.lower()]
            match = candidates[0] if len(candidates) == 1 else None
        if match is None:
            return False
        self.add_recipient(match)
        self.editor.clear()
        return True

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._flow.heightForWidth(width)

    @Slot(QModelIndex)
    def on_completer_activated(self, index: QModelIndex) -> None:
        recipient = index.data(RECORD_ROLE)
        if recipient is not None:
            self.add_recipient(recipient)
        self.editor.clear()

    @Slot()
    def on_editor_returnPressed(self) -> None:
        self.commit_typed()

    def eventFilter(self, watched, event) -> bool:  # noqa: ANN001
        from PySide6.QtCore import QEvent

        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Backspace
            and not self.editor.text()
            and self._chips
        ):
            self.remove_address(list(self._chips)[-1])
            return True
        return super().eventFilter(watched, event)
